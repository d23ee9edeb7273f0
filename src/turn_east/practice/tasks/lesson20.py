"""Practice checkers of lesson 20 (synthesis)."""

from __future__ import annotations

import pandas as pd

from turn_east import charts
from turn_east.practice.compare import as_series, check_figure, check_frame, norm_label
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    BACKGROUND_HINT, ORDER_HINT, events_of, one_order_mask, pair_mask, rel_score,
)


L20 = "20_synthesis_weighing_the_argument"


def _stage_motive(course):
    e = events_of(course)
    x = e[e["stage"].notna()][["id", "stage", "motives"]].explode("motives")
    x = x[x["motives"].isin(list(course.motives["id"]))]
    p = pd.crosstab(x["stage"].astype(str), x["motives"])
    return p


@task(L20, "t1", "The stage x motive table")
def _l20_t1(course, answer):
    if isinstance(answer, pd.DataFrame) and any(str(c) in ("nan", "None", "<NA>") for c in answer.columns):
        return False, ("Your table has a column for events with no motive; keep the four motive ids only "
                       "(filter the exploded motives with isin(course.motives['id'])).")
    if isinstance(answer, pd.DataFrame) and "background" in map(str, answer.index):
        return False, BACKGROUND_HINT + f" Keep the {len(course.periods)} periods as rows."
    want = _stage_motive(course)
    e = events_of(course)
    nodup = e[e["stage"].notna()]
    counts = nodup.groupby(nodup["stage"].astype(str)).size()
    wrong = pd.DataFrame({m: counts for m in want.columns})
    return check_frame(answer, want, [
        (wrong, "Every motive has the same count as the stage's events: count the motive tags, after explode."),
    ], fill_zero=True, rows="stages", cols="motives")


@task(L20, "t2", "The leading motive of each stage")
def _l20_t2(course, answer):
    p = _stage_motive(course)
    s, why = as_series(answer)
    if s is None:
        return False, why
    titles = dict(zip(course.motives["title"], course.motives["id"]))
    got = {norm_label(k): titles.get(str(v), str(v)) for k, v in s.items()}
    want_sets = {st: set(row[row == row.max()].index) for st, row in p.iterrows()}
    if set(got) != set(want_sets):
        return False, (f"The index should hold the {len(course.periods)} stage ids, one row per stage "
                       "(idxmax along each row).")
    if all(got[k] in want_sets[k] for k in want_sets):
        return True, "The leading motive of every stage is right."
    fewest = {st: set(row[row == row.min()].index) for st, row in p.iterrows()}
    if all(got[k] in fewest[k] for k in fewest):
        return False, "These are the least tagged motives: use idxmax, not idxmin."
    if set(got.values()) <= set(course.periods):
        return False, "Your values are stages; the task asks, for each stage, which motive leads (idxmax with axis=1)."
    bad = sorted(k for k in want_sets if got[k] not in want_sets[k])
    return False, f"Not the leading motive for {', '.join(bad)}: take the largest cell of each row of your task 1 table."


def _pair_table(course, *, one_order=False):
    e = events_of(course)
    m = one_order_mask(e, "RUS", "PRK") if one_order else pair_mask(e, "RUS", "PRK")
    sel = e[m & e["stage"].notna()]
    n = sel.groupby(sel["stage"].astype(str)).size().reindex(course.periods, fill_value=0)
    score = pd.Series({p: rel_score(course, p, "RUS", "PRK") for p in course.periods})
    return pd.DataFrame({"n_events": n, "score": score})


@task(L20, "t3", "Events and relation score, stage by stage")
def _l20_t3(course, answer):
    if isinstance(answer, pd.DataFrame) and not {"n_events", "score"} <= set(map(str, answer.columns)):
        return False, "Name the two columns n_events and score, as the task says."
    if isinstance(answer, pd.DataFrame):
        answer = answer[["n_events", "score"]]
    want = _pair_table(course)
    one = _pair_table(course, one_order=True)
    return check_frame(answer, want, [
        (one, ORDER_HINT),
    ], rows="stages", cols="the two columns")


@task(L20, "t4", "The matrix chart")
def _l20_t4(course, answer):
    return check_figure(answer, charts.stage_motive_matrix(course), [], call="charts.stage_motive_matrix(course)")
