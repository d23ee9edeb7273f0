"""Practice checkers of lesson 05 (stage four)."""

from __future__ import annotations

from turn_east.practice.choice import Option, check_choice, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    MAIN_PAIR_HINT, MEASURES, ORDER_HINT, SUM_HINT, code_hint, drop_ids, events_of, ids_of, in_stages, one_order_mask,
    pair_mask, pair_mean, tagged,
)

L05 = "05_stage_4_war_and_alliance"
ALLEGED = ("2023-12-30-dprk-missiles-in-ukraine", "2024-10-18-nis-troops-report")


@task(L05, "t1", "Russia-North Korea events of stage four")
def _l05_t1(course, answer):
    s4 = in_stages(course, "stage-4")
    return check_ids(answer, ids_of(s4[pair_mask(s4, "RUS", "PRK")]), [
        (ids_of(s4[one_order_mask(s4, "RUS", "PRK")]), ORDER_HINT),
        (ids_of(s4[one_order_mask(s4, "PRK", "RUS")]), ORDER_HINT),
        (ids_of(s4[tagged(s4["actors"], "RUS") & tagged(s4["actors"], "PRK")]), MAIN_PAIR_HINT),
        (ids_of(events_of(course)[pair_mask(events_of(course), "RUS", "PRK")]), "Keep stage four only (2022-2024)."),
        (ids_of(events_of(course)[pair_mask(events_of(course), "RUS", "PRK") & events_of(course)["stage"].notna()]),
         "Keep stage four only (2022-2024): you have the pair's events of every stage."),
        (ids_of(s4[pair_mask(s4, "RUS", "KOR")]), code_hint("KOR", "PRK", course)),
        (ids_of(s4[s4["actors"].map(lambda items: list(items) == ["RUS", "PRK"])]),
         "You compared the actors list with one whole list, which keeps only the events with exactly those two "
         "actors in that order; the task is about the main pair, the columns actor_a and actor_b, in either order."),
        (ids_of(s4[s4["actor_a"].isin(["RUS", "PRK"]) & s4["actor_b"].isin(["RUS", "PRK"])]),
         ".isin on both columns also keeps events whose two columns name the same country (RUS and RUS, for an "
         "act of Russia alone): test the two orders of the pair, RUS with PRK and PRK with RUS."),
        (ids_of(s4[(s4["actor_a"] == "PRK") | (s4["actor_b"] == "PRK")]),
         "You kept every event with North Korea in the main pair; the other side must be Russia."),
    ], what="events")


def _mean(course, *, one_order=False, agg="mean", stage="stage-4", drop=ALLEGED):
    s4 = in_stages(course, stage) if stage else events_of(course)[events_of(course)["stage"].notna()]
    return (pair_mean(s4, "RUS", "PRK", one_order=one_order, agg=agg),
            pair_mean(drop_ids(s4, drop), "RUS", "PRK", one_order=one_order, agg=agg))


@task(L05, "t2", "Drop the events that rest on allegations", kind="sensitivity")
def _l05_t2(course, answer):
    before, after = _mean(course)
    hints = [
        (_mean(course, one_order=True), ORDER_HINT),
        (_mean(course, stage=None), "Keep the events of stage four only."),
        (_mean(course, agg="sum"), SUM_HINT),
    ]
    for one in ALLEGED:
        hints.append(((before, _mean(course, drop=(one,))[1]),
                      "You dropped one of the two events; the task drops both reports (missiles and troops)."))
    s4 = in_stages(course, "stage-4")
    pair = s4[pair_mask(s4, "RUS", "PRK")]
    hints += [
        ((before, before), "\"after\" equals \"before\": your filter drops nothing. Drop the two ids with "
                           "~table[\"id\"].isin([...]), or with two != conditions joined by & (with |, every row "
                           "passes one of them)."),
        ((before, float(pair[pair["id"].isin(ALLEGED)]["goldstein"].mean())),
         "Your 'after' keeps only the two reports: .isin selects them. Put ~ in front to drop them instead."),
        ((before, float(events_of(course)[~events_of(course)["id"].isin(ALLEGED)]["goldstein"].mean())),
         "Your 'after' starts again from every event of the data; drop the two reports from your rus_prk table."),
    ]
    return check_before_after(answer, before, after, hints, what="mean")


CHOICE = {
    "tone_by_stage": Option(True, MEASURES["tone_by_stage"], (needs_pairs(("RUS", "PRK"), ("RUS", "KOR")),)),
    "relations_heatmap": Option(True, MEASURES["relations_heatmap"], (needs_pairs(("RUS", "PRK"), ("RUS", "KOR")),)),
    "relations_network": Option(True, MEASURES["relations_network"] + " (step through the slider to compare)"),
    "activity_by_stage": Option(False, "it counts events: Russia had few events with South Korea, and a count cannot "
                                       "say whether they were friendly or hostile."),
    "timeline": Option(False, "it lists the events but does not summarise how the two relationships moved."),
    "strategic_triangle": Option(False, "it places North Korea by its ties to Russia, China and the United States, but "
                                        "South Korea is not in it."),
    "northeast_asia_map": Option(False, "it shows where events happened, not how warm they were."),
    "stage_motive_matrix": Option(False, "it counts motive tags, not how a pair got on."),
}


@task(L05, "t3", "Choose the chart: did the two Koreas part ways?", kind="choice")
def _l05_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether Russia's relations with North and South Korea "
                                                          "moved apart in stage four")


@task(L05, "t4", "Code two held-out events", kind="coding")
def _l05_t4(course, answer):
    return check_coding(course, L05, answer)
