"""Practice checkers of lesson 02 (stage one)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.choice import Option, check_choice, needs_events, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    BOUNDARY, COUNT_HINT, MAIN_PAIR_HINT, MEASURES, ORDER_HINT, SUM_HINT, code_hint, events_of, ids_of, in_stages,
    in_years, pair_mean, tagged,
)

L02 = "02_stage_1_adjusting_to_asia"
NEW_END = pd.Timestamp("2013-12-31")


@task(L02, "t1", "The events of stage one")
def _l02_t1(course, answer):
    e = events_of(course)
    start, end = course.stage_spans["stage-1"]
    return check_ids(answer, ids_of(in_stages(course, "stage-1")), [
        (ids_of(e[in_years(e, 2012, 2014)]),
         "Stage one ends on 26 February 2014, with the seizure of Crimea: your filter runs to the end of 2014. " + BOUNDARY),
        (ids_of(e[in_years(e, 2012, 2013)]),
         "Stage one runs until 26 February 2014: your filter stops at the end of 2013. " + BOUNDARY),
        (ids_of(e[(e["date"] >= start) & (e["date"] < end)]),
         "Your filter leaves out the stage's last day: the end date is inclusive, so use <= (or the stage column)."),
        (ids_of(e[(e["date"] > start) & (e["date"] <= end)]),
         "Your filter leaves out the stage's first day: the start date is inclusive, so use >= (or the stage column)."),
        (ids_of(e[(e["date"] >= start) & (e["date"] <= end + pd.Timedelta(days=1))]),
         "Your filter runs one day too far: 27 February 2014, the seizure of Crimea's parliament, is the first day "
         "of stage two. " + BOUNDARY),
    ], what="events")


def _rus_jpn(course, *, one_order=False, agg="mean", other="JPN"):
    s1 = in_stages(course, "stage-1")
    cut = s1[s1["date"] <= NEW_END]
    return (pair_mean(s1, "RUS", other, one_order=one_order, agg=agg),
            pair_mean(cut, "RUS", other, one_order=one_order, agg=agg))


@task(L02, "t2", "Move the end of stage one", kind="sensitivity")
def _l02_t2(course, answer):
    before, after = _rus_jpn(course)
    s1 = in_stages(course, "stage-1")
    return check_before_after(answer, before, after, [
        (_rus_jpn(course, one_order=True), ORDER_HINT),
        ((pair_mean(s1, "JPN", "RUS", one_order=True),
          pair_mean(s1[s1["date"] <= NEW_END], "JPN", "RUS", one_order=True)), ORDER_HINT),
        ((None, pair_mean(s1[s1["date"] < pd.Timestamp("2013-01-01")], "RUS", "JPN")),
         "Your 'after' stops at the end of 2012; the new end of stage one is 31 December 2013."),
        (_rus_jpn(course, agg="sum"), SUM_HINT),
        (_rus_jpn(course, agg="count"), COUNT_HINT),
        (_rus_jpn(course, other="KOR"),
         "You used KOR (South Korea) where the task means JPN (Japan). The actor codes are listed at the top of "
         "the notebook."),
        ((None, pair_mean(s1[s1["date"] > NEW_END], "RUS", "JPN")),
         "Your 'after' keeps the events after 31 December 2013, the ones the change removes; keep those dated on or "
         "before it (<=)."),
        ((before, pair_mean(events_of(course)[events_of(course)["date"] <= NEW_END], "RUS", "JPN")),
         "Your 'after' starts again from every period's events, so it takes in earlier periods too; cut the stage "
         "one selection you used for 'before'."),
        ((float(s1[tagged(s1["actors"], "RUS") & tagged(s1["actors"], "JPN")]["goldstein"].mean()),
          float(s1[tagged(s1["actors"], "RUS") & tagged(s1["actors"], "JPN") & (s1["date"] <= NEW_END)]["goldstein"].mean())),
         MAIN_PAIR_HINT),
    ], what="mean")


def _stage1_events_of(actor):
    def select(course):
        s1 = in_stages(course, "stage-1")
        return ids_of(s1[s1["actors"].map(lambda a: actor in a)])
    return select


CHOICE = {
    "activity_by_stage": Option(True, MEASURES["activity_by_stage"] + ": North Korea's pair against the others",
                                (needs_pairs(("RUS", "PRK")), needs_pairs(("RUS", "KOR"), ("RUS", "JPN"), any_of=True))),
    "timeline": Option(True, "each event of the stage with its actors, so you can see how rarely North Korea is at "
                             "the centre", (needs_events("stage one's events", lambda c: ids_of(in_stages(c, "stage-1"))),)),
    "tone_by_stage": Option(False, "it shows how warm each pair's events were, not how often North Korea was involved."),
    "relations_heatmap": Option(False, "coded relation scores say how good relations were, not how present North "
                                       "Korea was."),
    "relations_network": Option(False, "coded relation scores say how good relations were, not how present North "
                                       "Korea was."),
    "strategic_triangle": Option(False, "it places North Korea by its coded ties to Russia, China and the United States, "
                                        "but South Korea and Japan are not in it, and coded scores say how good relations "
                                        "were, not how present North Korea was."),
    "northeast_asia_map": Option(False, "it shows where events happened, not whom they were about."),
    "stage_motive_matrix": Option(False, "it counts motive tags, not which countries took part."),
}


@task(L02, "t3", "Choose the chart: North Korea in the background?", kind="choice")
def _l02_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether North Korea stayed in the background of stage one "
                                                          "while South Korea and Japan courted Moscow")


@task(L02, "t4", "Code two held-out events", kind="coding")
def _l02_t4(course, answer):
    return check_coding(course, L02, answer)
