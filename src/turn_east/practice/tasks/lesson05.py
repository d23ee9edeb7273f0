"""Practice checkers of lesson 05 (stage four)."""

from __future__ import annotations

import pandas as pd

from turn_east import charts
from turn_east.practice.compare import check_figure, check_frame, check_ids, check_number
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    MAIN_PAIR_HINT, ORDER, ORDER_HINT, SUM_HINT, events_of, ids_of, in_stages, one_order_mask, pair_mask, pair_mean_by_stage, tagged,
)


L05 = "05_stage_4_war_and_alliance"


@task(L05, "t1", "Russia-North Korea events of stage four")
def _l05_t1(course, answer):
    s4 = in_stages(course, "stage-4")
    return check_ids(answer, ids_of(s4[pair_mask(s4, "RUS", "PRK")]), [
        (ids_of(s4[one_order_mask(s4, "RUS", "PRK")]), ORDER_HINT),
        (ids_of(s4[tagged(s4["actors"], "RUS") & tagged(s4["actors"], "PRK")]), MAIN_PAIR_HINT),
        (ids_of(events_of(course)[pair_mask(events_of(course), "RUS", "PRK")]), "Keep stage four only (2022-2024)."),
    ], what="events")


def _tone_table(course, **kw) -> pd.DataFrame:
    return pd.DataFrame({"RUS-PRK": pair_mean_by_stage(course, "RUS", "PRK", **kw),
                         "RUS-KOR": pair_mean_by_stage(course, "RUS", "KOR", **kw)})


@task(L05, "t2", "Mean tone per stage: North vs South")
def _l05_t2(course, answer):
    return check_frame(answer, _tone_table(course), [
        (_tone_table(course, agg="sum"), SUM_HINT),
        (_tone_table(course, one_order=True), ORDER_HINT),
    ], pairs_order=ORDER, rows="stages", cols="pairs")


def _treaty_days(events):
    t = events[events["event_type"] == "treaty"]
    return (t["date"].max() - t["date"].min()).days


@task(L05, "t3", "From signature to entry into force")
def _l05_t3(course, answer):
    s4 = in_stages(course, "stage-4")
    want = _treaty_days(s4)
    return check_number(answer, want, [
        (want + 1, "Off by one: this is the difference between two dates, not a count of days; do not add 1."),
        (_treaty_days(events_of(course)), "You used every treaty event since 1961: keep stage four only."),
        (_treaty_days(in_stages(course, "prelude", "stage-1", "stage-2", "stage-3", "stage-4")),
         "You used treaty events from several stages: keep stage four only."),
        (want / 7, "That is in weeks; the task asks for days."),
    ], tol=0.01)


@task(L05, "t4", "Timeline of North Korea's stage four")
def _l05_t4(course, answer):
    return check_figure(answer, charts.timeline(course, stages=["stage-4"], actors=["PRK"], color_by="actor"), [
        (charts.timeline(course, stages=["stage-4"], color_by="actor"),
         "Your timeline shows every stage-four event: pass actors=[\"PRK\"]."),
        (charts.timeline(course, actors=["PRK"], color_by="actor"),
         "Your timeline covers every stage: pass stages=[\"stage-4\"]."),
    ], call='charts.timeline(course, stages=["stage-4"], actors=["PRK"], color_by="actor")')
