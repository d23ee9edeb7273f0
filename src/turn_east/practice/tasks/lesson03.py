"""Practice checkers of lesson 03 (stage two)."""

from __future__ import annotations

from turn_east.practice.choice import Option, check_choice, needs_events, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    COUNT_HINT, MEASURES, ORDER_HINT, SUM_HINT, code_hint, drop_ids, events_of, ids_of, in_stages, in_years, pair_mean,
    tagged,
)

L03 = "03_stage_2_after_crimea"
SKIPPED_PARADE = "2015-04-30-kim-skips-parade"


@task(L03, "t1", "UN sanctions resolutions, 2016-2017")
def _l03_t1(course, answer):
    e = events_of(course)
    sanc = e[(e["event_type"] == "sanctions")]
    return check_ids(answer, ids_of(sanc[(sanc["actor_a"] == "UNSC") & in_years(sanc, 2016, 2017)]), [
        (ids_of(sanc[in_years(sanc, 2016, 2017)]),
         "Not every sanctions event is a UN resolution: one was imposed by a single state. Check who acted (actor_a)."),
        (ids_of(sanc[sanc["actor_a"] == "UNSC"]), "Keep 2016 and 2017 only: you have UN resolutions from other years."),
        (ids_of(sanc[tagged(sanc["actors"], "UNSC") & in_years(sanc, 2016, 2017)]),
         "Not every sanctions event is a UN resolution: check who acted (actor_a), not who is mentioned."),
        (ids_of(sanc[(sanc["actor_a"] == "UNSC") & in_years(sanc, 2016, 2016)]),
         "You kept 2016 only; the task asks for 2016 and 2017 (isin([2016, 2017]), or between with both ends)."),
        (ids_of(sanc[(sanc["actor_a"] == "UNSC") & in_years(sanc, 2017, 2017)]),
         "You kept 2017 only; the task asks for 2016 and 2017 (isin([2016, 2017]), or between with both ends)."),
    ], what="resolutions")


def _rus_prk(course, *, one_order=False, agg="mean", actors_list=False, stage="stage-2", drop=(SKIPPED_PARADE,)):
    s2 = in_stages(course, stage) if stage else events_of(course)
    if actors_list:
        sel = s2[tagged(s2["actors"], "RUS") & tagged(s2["actors"], "PRK")]
        return float(sel["goldstein"].mean()), float(drop_ids(sel, drop)["goldstein"].mean())
    return (pair_mean(s2, "RUS", "PRK", one_order=one_order, agg=agg),
            pair_mean(drop_ids(s2, drop), "RUS", "PRK", one_order=one_order, agg=agg))


@task(L03, "t2", "Drop one event: the skipped parade", kind="sensitivity")
def _l03_t2(course, answer):
    before, after = _rus_prk(course)
    s2 = in_stages(course, "stage-2")
    return check_before_after(answer, before, after, [
        (_rus_prk(course, one_order=True), ORDER_HINT),
        ((pair_mean(s2, "PRK", "RUS", one_order=True),
          pair_mean(drop_ids(s2, [SKIPPED_PARADE]), "PRK", "RUS", one_order=True)), ORDER_HINT),
        (_rus_prk(course, agg="count"), COUNT_HINT),
        (_rus_prk(course, actors_list=True),
         "You used the actors list, which also names Russia and North Korea in UN votes and coal shipments; the tone "
         "belongs to the main pair, actor_a and actor_b."),
        (_rus_prk(course, stage=None), "Keep the events of stage two only."),
        ((pair_mean(s2, "RUS", "KOR"), pair_mean(drop_ids(s2, [SKIPPED_PARADE]), "RUS", "KOR")),
         code_hint("KOR", "PRK", course)),
        (_rus_prk(course, agg="sum"), SUM_HINT),
    ], what="mean")


CHOICE = {
    "activity_by_stage": Option(True, MEASURES["activity_by_stage"], (needs_pairs(("RUS", "PRK"), ("RUS", "CHN")),)),
    "timeline": Option(True, "each event of the stage, so the two pairs' events can be counted side by side",
                       (needs_events("stage two's events", lambda c: ids_of(in_stages(c, "stage-2"))),)),
    "tone_by_stage": Option(False, "it measures how warm each pair's events were, not how many there were."),
    "relations_heatmap": Option(False, "coded relation scores say how good relations were, not how busy."),
    "relations_network": Option(False, "coded relation scores say how good relations were, not how busy."),
    "strategic_triangle": Option(False, "coded relation scores of the triangle (and of North Korea's ties to its "
                                        "corners) say nothing about how busy a pair was."),
    "northeast_asia_map": Option(False, "it shows where events happened, not how many each pair had."),
    "stage_motive_matrix": Option(False, "it counts motive tags, not the events of a pair."),
}


@task(L03, "t3", "Choose the chart: busier with Pyongyang or Beijing?", kind="choice")
def _l03_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether Russia had more to do with North Korea or with "
                                                          "China in stage two")


@task(L03, "t4", "Code two held-out events", kind="coding")
def _l03_t4(course, answer):
    return check_coding(course, L03, answer)
