"""Practice checkers of lesson 04 (stage three)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.choice import Option, check_choice, needs_events, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    COUNT_HINT, MAIN_PAIR_HINT, MEASURES, ORDER_HINT, SUM_HINT, WHOLE_DATA_HINT, code_hint, events_of, ids_of,
    in_stages, pair_mask, pair_mean, tagged,
)

L04 = "04_stage_3_sidelined_then_summits"
CUT = pd.Timestamp("2019-12-31")


def _s3_summits(course):
    s3 = in_stages(course, "stage-3")
    return s3[s3["event_type"] == "summit"]


@task(L04, "t1", "The summits of stage three")
def _l04_t1(course, answer):
    s3 = in_stages(course, "stage-3")
    sm = _s3_summits(course)
    e = events_of(course)
    return check_ids(answer, ids_of(sm), [
        (ids_of(s3[s3["event_type"].isin(["summit", "multilateral"])]),
         "You also kept multilateral events; the task asks for event_type 'summit' only."),
        (ids_of(s3[s3["event_type"].isin(["summit", "diplomacy"])]),
         "You also kept diplomacy events; the task asks for event_type 'summit' only."),
        (ids_of(sm[(sm["actor_a"] == "PRK") | (sm["actor_b"] == "PRK")]),
         "You kept only Kim Jong Un's summits; the task asks for every summit of the stage."),
        (ids_of(e[e["event_type"] == "summit"]), "Keep stage three only (2018-2021)."),
        (ids_of(sm[tagged(sm["actors"], "PRK")]),
         "You kept only summits with North Korea among the actors; the task asks for every summit of the stage."),
        (ids_of(s3[s3["title"].str.contains("summit", case=False)]),
         "You filtered on words in the title; not every summit has the word in its title, and some titles that "
         "do are not summits. Filter on the event_type column."),
    ], what="summits")


def _rus_prk(course, *, one_order=False, agg="mean", cut=CUT, stage="stage-3", a="RUS", b="PRK"):
    s3 = in_stages(course, stage) if stage else events_of(course)
    return (pair_mean(s3, a, b, one_order=one_order, agg=agg),
            pair_mean(s3[s3["date"] <= cut], a, b, one_order=one_order, agg=agg))


@task(L04, "t2", "Move the cut: 2018-2019 without 2020-2021", kind="sensitivity")
def _l04_t2(course, answer):
    before, after = _rus_prk(course)
    s3 = in_stages(course, "stage-3")
    return check_before_after(answer, before, after, [
        (_rus_prk(course, one_order=True), ORDER_HINT),
        ((None, pair_mean(s3[s3["date"] <= pd.Timestamp("2018-12-31")], "RUS", "PRK")),
         "Your 'after' keeps 2018 only; the task keeps 2018 and 2019."),
        ((None, pair_mean(s3[s3["date"] > CUT], "RUS", "PRK")),
         "Your 'after' keeps 2020-2021, the years the task drops; keep 2018 and 2019."),
        ((pair_mean(s3, "USA", "PRK"), pair_mean(s3[s3["date"] <= CUT], "USA", "PRK")),
         "Those are the United States-North Korea events; the task asks about Russia and North Korea (RUS, PRK)."),
        (_rus_prk(course, agg="sum"), SUM_HINT),
        (_rus_prk(course, one_order=True, a="PRK", b="RUS"), ORDER_HINT),
        (_rus_prk(course, agg="count"), COUNT_HINT),
        (_rus_prk(course, b="KOR"), code_hint("KOR", "PRK", course)),
        (_rus_prk(course, stage=None), WHOLE_DATA_HINT.format(stage="stage three")),
        ((float(s3[tagged(s3["actors"], "RUS") & tagged(s3["actors"], "PRK")]["goldstein"].mean()),
          float(s3[tagged(s3["actors"], "RUS") & tagged(s3["actors"], "PRK") & (s3["date"] <= CUT)]["goldstein"].mean())),
         MAIN_PAIR_HINT),
    ], what="mean")


def _stage3_prk(course):
    s3 = in_stages(course, "stage-3")
    return ids_of(s3[tagged(s3["actors"], "PRK")])


def _stage3_rus_prk(course):
    s3 = in_stages(course, "stage-3")
    return ids_of(s3[pair_mask(s3, "RUS", "PRK")])


CHOICE = {
    "activity_by_stage": Option(True, MEASURES["activity_by_stage"] + ": North Korea's pairs side by side",
                                (needs_pairs(("RUS", "PRK")),
                                 needs_pairs(("USA", "PRK"), ("KOR", "PRK"), ("CHN", "PRK"), any_of=True))),
    "timeline": Option(True, "who met Kim Jong Un, and when, event by event",
                       (needs_events("North Korea's stage-three events", _stage3_prk),
                        needs_events("Russia's own meetings with North Korea in stage three (a question about "
                                     "Russia being left out needs Russia's events beside the others')",
                                     _stage3_rus_prk))),
    "tone_by_stage": Option(False, "it says how warm each pair's events were, not who was at the table."),
    "relations_heatmap": Option(False, "coded relation scores for a whole period cannot show who took part in the "
                                       "summits of 2018-2019."),
    "relations_network": Option(False, "coded relation scores for a whole period cannot show who took part in the "
                                       "summits of 2018-2019."),
    "strategic_triangle": Option(False, "it gives coded scores for whole periods (North Korea placed by its ties to "
                                        "the three powers), so it cannot show who met Kim Jong Un, or when."),
    "northeast_asia_map": Option(False, "it shows where events happened, not who was left out of them."),
    "stage_motive_matrix": Option(False, "it counts motive tags, not who took part."),
}


@task(L04, "t3", "Choose the chart: was Russia sidelined?", kind="choice")
def _l04_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether Russia was sidelined in the Korean diplomacy of "
                                                          "2018-2019")


@task(L04, "t4", "Code two held-out events", kind="coding")
def _l04_t4(course, answer):
    return check_coding(course, L04, answer)
