"""Practice checkers of lesson 04 (stage three)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.compare import check_ids, check_number, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    ORDER_HINT, SUM_HINT, events_of, ids_of, in_stages, pair_mean_by_stage,
)


L04 = "04_stage_3_sidelined_then_summits"


def _s3_summits(course):
    s3 = in_stages(course, "stage-3")
    return s3[s3["event_type"] == "summit"]


@task(L04, "t1", "The summits of stage three")
def _l04_t1(course, answer):
    s3 = in_stages(course, "stage-3")
    sm = _s3_summits(course)
    return check_ids(answer, ids_of(sm), [
        (ids_of(s3[s3["event_type"].isin(["summit", "multilateral"])]),
         "You also kept multilateral events; the task asks for event_type 'summit' only."),
        (ids_of(sm[(sm["actor_a"] == "PRK") | (sm["actor_b"] == "PRK")]),
         "You kept only Kim Jong Un's summits; the task asks for every summit of the stage."),
        (ids_of(events_of(course)[events_of(course)["event_type"] == "summit"]), "Keep stage three only (2018-2021)."),
    ], what="summits")


def _partners(sm, *, mode="both"):
    rows = []
    for r in sm.itertuples():
        if mode == "both" and "PRK" in (r.actor_a, r.actor_b):
            rows.append(r.actor_b if r.actor_a == "PRK" else r.actor_a)
        elif mode == "b" and r.actor_b == "PRK":
            rows.append(r.actor_a)
        elif mode == "a" and r.actor_a == "PRK":
            rows.append(r.actor_b)
    return pd.Series(rows, dtype=object).value_counts()


@task(L04, "t2", "Kim Jong Un's summit partners")
def _l04_t2(course, answer):
    sm = _s3_summits(course)
    kim = sm[(sm["actor_a"] == "PRK") | (sm["actor_b"] == "PRK")]
    return check_series(answer, _partners(sm), [
        (_partners(sm, mode="b"), ORDER_HINT),
        (_partners(sm, mode="a"), ORDER_HINT),
        (kim["actor_a"].value_counts(),
         "You counted the actor_a column; the partner is whichever of actor_a/actor_b is not PRK."),
    ], what="count", drop_zero=True)


def _summit_people(course, *, dedupe=True):
    x = _s3_summits(course)[["id", "people"]].explode("people")
    if dedupe:
        x = x.drop_duplicates("people")
    x = x.merge(course.people[["id", "actor"]].rename(columns={"id": "person"}),
                left_on="people", right_on="person", how="inner")
    return x["actor"].value_counts()


@task(L04, "t3", "Who met whom: leaders per country")
def _l04_t3(course, answer):
    return check_series(answer, _summit_people(course), [
        (_summit_people(course, dedupe=False),
         "You counted every appearance: a leader who attended several summits is counted twice or more. "
         "Count distinct people (drop duplicates on the person)."),
    ], what="count", drop_zero=True)


@task(L04, "t4", "Reading the tone chart")
def _l04_t4(course, answer):
    means = pair_mean_by_stage(course, "RUS", "PRK")
    want = means["stage-3"]
    mistakes = [
        (pair_mean_by_stage(course, "RUS", "PRK", agg="sum")["stage-3"], SUM_HINT),
        (pair_mean_by_stage(course, "RUS", "PRK", one_order=True)["stage-3"], ORDER_HINT),
    ]
    usa = pair_mean_by_stage(course, "USA", "PRK")
    if "stage-3" in usa:
        mistakes.append((usa["stage-3"], "That is the United States-North Korea line; read the Russia-North Korea one."))
    mistakes += [(v, "That is the Russia-North Korea value of another stage; read the point above Stage Three.")
                 for k, v in means.items() if k != "stage-3" and abs(v - want) > 0.01]
    return check_number(answer, want, mistakes, tol=0.01)
