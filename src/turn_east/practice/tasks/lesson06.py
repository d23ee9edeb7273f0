"""Practice checkers of lesson 06 (the epilogue: after the article)."""

from __future__ import annotations

import pandas as pd

from turn_east import charts
from turn_east.practice.compare import check_figure, check_frame, check_ids, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    MAIN_PAIR_HINT, ORDER, ORDER_HINT, SUM_HINT, events_of, ids_of, in_stages, one_order_mask, pair_mask,
    tagged,
)


L06 = "06_epilogue_after_the_article"
#: The day Moscow first admitted that North Korean troops had fought in Kursk (an event in events.csv).
ADMISSION_EVENT = "2025-04-26-russia-acknowledges-dprk-troops"


def _admission_day(course) -> pd.Timestamp:
    return course.events_by_id[ADMISSION_EVENT].date


def _after(course, *, strict=False, one_order=False, by_year=False, stage="epilogue"):
    e = in_stages(course, stage)
    day = _admission_day(course)
    when = e["date"] > day if strict else e["date"] >= day
    if by_year:
        when = when & (e["date"].dt.year == day.year)
    pair = one_order_mask(e, "RUS", "PRK") if one_order else pair_mask(e, "RUS", "PRK")
    return ids_of(e[when & pair])


@task(L06, "t1", "Russia-North Korea events after the Kursk admission")
def _l06_t1(course, answer):
    e = in_stages(course, "epilogue")
    day = _admission_day(course)
    listed = e[(e["date"] >= day) & tagged(e["actors"], "RUS") & tagged(e["actors"], "PRK")]
    return check_ids(answer, _after(course), [
        (_after(course, strict=True), "The admission day itself counts: compare with >=, not >."),
        (_after(course, one_order=True), ORDER_HINT),
        (ids_of(listed), MAIN_PAIR_HINT),
        (_after(course, by_year=True), "The epilogue runs into 2026: keep every date from the admission on, "
                                       "not only those of 2025."),
        (ids_of(e[pair_mask(e, "RUS", "PRK")]), "Keep only the events from the day of Moscow's admission on "
                                                "(the date of that event, 26 April 2025)."),
    ], what="events")


def _compare(course, *, one_order=False, agg="mean", main_pair=True):
    rows = {}
    for period in ("stage-4", "epilogue"):
        e = in_stages(course, period)
        if main_pair:
            m = one_order_mask(e, "RUS", "PRK") if one_order else pair_mask(e, "RUS", "PRK")
        else:
            m = tagged(e["actors"], "RUS") & tagged(e["actors"], "PRK")
        sel = e[m]
        rows[period] = {"n_events": len(sel), "mean_tone": sel["goldstein"].agg(agg)}
    return pd.DataFrame.from_dict(rows, orient="index")


@task(L06, "t2", "Stage Four and the epilogue compared")
def _l06_t2(course, answer):
    if isinstance(answer, pd.DataFrame) and not {"n_events", "mean_tone"} <= set(map(str, answer.columns)):
        return False, "Name the two columns n_events and mean_tone, as the task says."
    if isinstance(answer, pd.DataFrame):
        answer = answer[["n_events", "mean_tone"]]
    return check_frame(answer, _compare(course), [
        (_compare(course, one_order=True), ORDER_HINT),
        (_compare(course, agg="sum"), SUM_HINT),
        (_compare(course, main_pair=False), MAIN_PAIR_HINT),
    ], rows="the two periods", cols="the two columns")


def _scores(course, period) -> dict[tuple[str, str], int]:
    r = course.relations[course.relations["period"].astype(str) == period]
    return {(a, b): int(v) for a, b, v in zip(r["actor_a"], r["actor_b"], r["score"])}


def _moved(course, *, sign=1, absolute=False):
    before, after = _scores(course, "stage-4"), _scores(course, "epilogue")
    out = {}
    for (a, b), score in after.items():
        if (a, b) not in before:
            continue
        change = sign * (score - before[(a, b)])
        if change:
            out[f"{a}-{b}"] = abs(change) if absolute else change
    return pd.Series(out, dtype=float)


@task(L06, "t3", "Relations that moved after the article")
def _l06_t3(course, answer):
    return check_series(answer, _moved(course), [
        (_moved(course, sign=-1), "The signs are reversed: subtract the Stage Four score from the epilogue score "
                                  "(later minus earlier), so a rise is positive."),
        (_moved(course, absolute=True), "Keep the sign of each change: a fall is negative."),
    ], what="change", pairs_order=ORDER, drop_zero=True)


@task(L06, "t4", "North Korea's ties, period by period")
def _l06_t4(course, answer):
    return check_figure(answer, charts.relations_heatmap(course, actors=["PRK"]), [
        (charts.relations_heatmap(course), "Your heatmap shows all 21 pairs: pass actors=[\"PRK\"]."),
        (charts.relations_heatmap(course, actors=["PRK", "RUS"]),
         "Two actors give only the pair between them; one actor id, [\"PRK\"], gives every pair that involves it."),
    ], call='charts.relations_heatmap(course, actors=["PRK"])')
