"""Practice checkers of lesson 01 (prelude)."""

from __future__ import annotations

from turn_east.practice.choice import Option, check_choice, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    BACKGROUND_HINT, COUNT_HINT, MEASURES, ORDER_HINT, SUM_HINT, WHOLE_DATA_HINT, code_hint, drop_ids, events_of,
    ids_of, in_stages, pair_mean, tagged,
)

L01 = "01_prelude_six_party_talks"
JOINT_STATEMENT = "2005-09-19-six-party-joint-statement"


def _six_party(course):
    e = events_of(course)
    return e[e["place"] == "beijing-diaoyutai"]


@task(L01, "t1", "Six-Party Talks meetings")
def _l01_t1(course, answer):
    e = events_of(course)
    return check_ids(answer, ids_of(_six_party(course)), [
        (ids_of(e[(e["place"] == "beijing-diaoyutai") & (e["event_type"] == "multilateral")]),
         "You kept only the multilateral events; the agreements signed at the talks are meetings too. "
         "Filter on the place, not on the event type."),
        (ids_of(e[e["id"].str.contains("six-party")]),
         "Filtering on words in the id or the title also catches the 2009 walk-out, which happened in Pyongyang. "
         "Filter on the place column."),
        (ids_of(e[e["place"].fillna("").str.contains("beijing")]),
         "'beijing' is part of two place ids, the capital's and the guesthouse's: compare the place column with "
         "the task's place id using ==, not str.contains."),
        (ids_of(e[e["place"] == "beijing"]),
         "'beijing' is the capital's place id; the talks met at the Diaoyutai State Guesthouse, place id "
         "'beijing-diaoyutai'. Copy the id from the task."),
        (ids_of(e[tagged(e["actors"], "CHN") & (e["event_type"] == "multilateral")]),
         "You kept multilateral events with China among the actors; the task asks for the events held at one place."),
    ], what="events")


def _usa_prk(course, *, one_order=False, background=False, actors_list=False, agg="mean", every_period=False,
             korea="PRK"):
    e = events_of(course)
    pre = e if every_period else e[e["date"].dt.year <= 2011] if background else in_stages(course, "prelude")
    if actors_list:
        sel = pre[tagged(pre["actors"], "USA") & tagged(pre["actors"], "PRK")]
        vals = (sel["goldstein"], drop_ids(sel, [JOINT_STATEMENT])["goldstein"])
        return tuple(float(v.mean()) for v in vals)
    return (pair_mean(pre, "USA", korea, one_order=one_order, agg=agg),
            pair_mean(drop_ids(pre, [JOINT_STATEMENT]), "USA", korea, one_order=one_order, agg=agg))


@task(L01, "t2", "One event and a mean", kind="sensitivity")
def _l01_t2(course, answer):
    before, after = _usa_prk(course)
    return check_before_after(answer, before, after, [
        (_usa_prk(course, one_order=True), ORDER_HINT),
        ((pair_mean(in_stages(course, "prelude"), "PRK", "USA", one_order=True),
          pair_mean(drop_ids(in_stages(course, "prelude"), [JOINT_STATEMENT]), "PRK", "USA", one_order=True)), ORDER_HINT),
        (_usa_prk(course, background=True), BACKGROUND_HINT + " Keep the prelude's events only."),
        (_usa_prk(course, actors_list=True),
         "You used the actors list; the tone (goldstein) belongs to the main pair, actor_a and actor_b."),
        (_usa_prk(course, agg="sum"), SUM_HINT),
        (_usa_prk(course, agg="count"), COUNT_HINT),
        (_usa_prk(course, every_period=True), WHOLE_DATA_HINT.format(stage="the prelude")),
        (_usa_prk(course, korea="KOR"), code_hint("KOR", "PRK", course)),
    ], what="mean")


CHOICE = {
    "tone_by_stage": Option(True, MEASURES["tone_by_stage"], (needs_pairs(("RUS", "PRK"), ("USA", "PRK")),)),
    "relations_heatmap": Option(True, MEASURES["relations_heatmap"], (needs_pairs(("RUS", "PRK"), ("USA", "PRK")),)),
    "relations_network": Option(True, MEASURES["relations_network"] + " (step through the slider to compare)"),
    "activity_by_stage": Option(False, "it counts events: a busy relationship is not a warm one (the United States "
                                       "and North Korea had many events, mostly hostile)."),
    "timeline": Option(False, "it lists the events but does not summarise their tone, so the comparison is left to "
                              "your eye."),
    "strategic_triangle": Option(True, MEASURES["strategic_triangle"] + ": North Korea's coded ties to Russia and to the "
                                                                          "United States (step through the slider)"),
    "northeast_asia_map": Option(False, "it shows where events happened, not how warm they were."),
    "stage_motive_matrix": Option(False, "it counts motive tags; it says nothing about how a pair got on."),
}


@task(L01, "t3", "Choose the chart: warmer than Washington?", kind="choice")
def _l01_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether Russia dealt with North Korea more warmly than "
                                                          "the United States did")


@task(L01, "t4", "Code two held-out events", kind="coding")
def _l01_t4(course, answer):
    return check_coding(course, L01, answer)
