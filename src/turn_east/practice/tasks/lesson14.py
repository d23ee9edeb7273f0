"""Practice checkers of lesson 14 (identity)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.compare import check_ids, check_number, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    by_stage, events_of, ids_of, tagged,
)


L14 = "14_motive_identity_eurasian_power"


@task(L14, "t1", "Glossary terms of the identity motive")
def _l14_t1(course, answer):
    g = course.glossary
    want = g[tagged(g["motives"], "identity")]
    if isinstance(answer, (list, tuple, set, pd.Series)) and set(map(str, answer)) == set(want["term"]):
        return True, f"All {len(want)} terms are right."
    return check_ids(answer, ids_of(want), [
        (ids_of(g[g["definition"].str.contains("identity", case=False)]),
         "You searched the definitions; the task asks for terms tagged with the motive (column motives)."),
        (ids_of(g[tagged(g["motives"], "identity") & (g["source_id"] == "article")]),
         "You kept only terms sourced to the article; the task asks for every term tagged with the motive."),
    ], what="terms")


def _identity_per_stage(course, *, background=True):
    e = events_of(course)
    ide = e[tagged(e["motives"], "identity")]
    stage = ide["stage"].astype(object).where(ide["stage"].notna(), "background")
    out = ide.groupby(stage).size()
    if not background:
        out = out.drop("background", errors="ignore")
    return by_stage(out)


@task(L14, "t2", "Identity events per period, background included")
def _l14_t2(course, answer):
    return check_series(answer, _identity_per_stage(course), [
        (_identity_per_stage(course, background=False),
         "The background events (before 2000, empty stage) are missing: groupby drops empty keys. "
         "Fill the empty stage with 'background' first."),
    ], what="count", drop_zero=True)


def _identity_terms_per_stage(course, *, keep_empty=False):
    g = course.glossary
    x = g[tagged(g["motives"], "identity")].explode("stages")
    if not keep_empty:
        x = x[x["stages"].isin(course.periods)]
    return x["stages"].astype(str).value_counts()


@task(L14, "t3", "Identity terms per stage")
def _l14_t3(course, answer):
    g = course.glossary
    x = g.explode("stages")
    x = x[x["stages"].isin(course.periods)]
    return check_series(answer, _identity_terms_per_stage(course), [
        (_identity_terms_per_stage(course, keep_empty=True),
         "You counted the terms with no stage as a label of their own ('nan'); keep real stage ids only."),
        (x["stages"].astype(str).value_counts(), "You counted every glossary term; keep the identity terms of task 1."),
    ], what="count", drop_zero=True)


@task(L14, "t4", "Reading the stage x motive matrix")
def _l14_t4(course, answer):
    e = events_of(course)
    staged = e[e["stage"].notna()]

    def cell(stage, motive):
        sel = staged[staged["stage"].astype(str) == stage]
        return int(tagged(sel["motives"], motive).sum())

    want = cell("stage-2", "identity")
    mistakes = [(cell(s, "identity"), "That is the identity row, but in another stage's column: read the Stage Two column.")
                for s in course.periods if s != "stage-2" and cell(s, "identity") != want]
    mistakes += [(cell("stage-2", m), "That is the Stage Two column, but another motive's row: read the identity row.")
                 for m in course.motives["id"] if m != "identity" and cell("stage-2", m) != want]
    mistakes.append((len(staged[staged["stage"].astype(str) == "stage-2"]),
                     "That is the number of all the stage's events; read the identity cell."))
    return check_number(answer, want, mistakes, tol=0)
