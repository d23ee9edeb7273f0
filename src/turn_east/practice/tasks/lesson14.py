"""Practice checkers of lesson 14 (identity)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.choice import Option, check_choice, needs_events
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import events_of, ids_of, tagged

L14 = "14_motive_identity_eurasian_power"
NEW_START = pd.Timestamp("1991-01-01")


EMPTY_TAGS_HINT = ("Your answer is empty: no term passed your test. The motives column holds a list of motive ids "
                   "in each row (such as [\"identity\", \"triangle\"]): == or isin compare the whole list and never "
                   "match, so test membership, .map(lambda m: \"identity\" in m). Use the id, identity, not the "
                   "motive's title, and the motives column, not stages.")


@task(L14, "t1", "Glossary terms of the identity motive")
def _l14_t1(course, answer):
    g = course.glossary
    want = g[tagged(g["motives"], "identity")]
    if isinstance(answer, (list, tuple, set, pd.Series)) and not (isinstance(answer, pd.Series) and
                                                                answer.dtype == bool) \
            and set(map(str, answer)) == set(want["term"]):
        return True, f"All {len(want)} terms are right."
    return check_ids(answer, ids_of(want), empty_hint=EMPTY_TAGS_HINT, mistakes=[
        (ids_of(g[g["definition"].str.contains("identity", case=False)]),
         "You searched the definitions; the task asks for terms tagged with the motive (column motives)."),
        (ids_of(g[tagged(g["motives"], "identity") & (g["source_id"] == "article")]),
         "You kept only terms sourced to the article; the task asks for every term tagged with the motive."),
        (ids_of(g[g["term"].str.contains("identity", case=False)]),
         "You searched the terms' names; the task asks for terms tagged with the motive (column motives)."),
        (ids_of(g[tagged(g["motives"], "identity") & g["stages"].map(len).gt(0)]),
         "You dropped the terms tied to no stage; the task keeps every term tagged with the motive."),
    ], what="terms")


def _prelude_identity(course, *, start=None, motive="identity", end="2011-12-31"):
    e = events_of(course)
    tagged_e = e[tagged(e["motives"], motive)]
    if start is None:
        return int((tagged_e["stage"].astype(object) == "prelude").sum())
    last = tagged_e["date"].max() if end is None else pd.Timestamp(end)
    return int(((tagged_e["date"] >= start) & (tagged_e["date"] <= last)).sum())


@task(L14, "t2", "Move the start of the prelude back to 1991", kind="sensitivity")
def _l14_t2(course, answer):
    before, after = _prelude_identity(course), _prelude_identity(course, start=NEW_START)
    e = events_of(course)
    return check_before_after(answer, before, after, [
        ((int((e["stage"].astype(object) == "prelude").sum()),
          int(((e["date"] >= NEW_START) & (e["date"] <= pd.Timestamp("2011-12-31"))).sum())),
         "You counted every event; the task counts the events tagged with the identity motive."),
        ((before, _prelude_identity(course, start=pd.Timestamp("1990-01-01"))),
         "Your new prelude starts in 1990; the task starts it on 1 January 1991."),
        ((before, _prelude_identity(course, start=pd.Timestamp("1992-01-01"))),
         "Your new prelude starts in 1992, so it misses the end of the Soviet Union (25 December 1991): start on "
         "1 January 1991."),
        ((before, _prelude_identity(course, start=NEW_START, end=None)),
         "Your new prelude has no end, so it runs on to the last event in the data: it still ends on "
         "31 December 2011."),
        ((before, _prelude_identity(course, start=NEW_START, end="2024-12-31")),
         "Your new prelude ends in 2024; it still ends on 31 December 2011."),
        ((int(tagged(e["motives"], "identity").sum() - _prelude_identity(course, start=pd.Timestamp("2000-01-01"),
                                                                          end=None)),
          _prelude_identity(course, start=NEW_START)),
         "Your \"before\" counts the identity events before 2000 (the background, with no stage); \"before\" is "
         "the identity events whose stage is the prelude."),
        ((_prelude_identity(course, motive="triangle"), _prelude_identity(course, start=NEW_START, motive="triangle")),
         "You counted the triangle motive; the task counts identity."),
    ], what="count", tol=0)


CHOICE = {
    "stage_motive_matrix": Option(True, "how often each motive, identity included, is tagged in each stage"),
    "timeline": Option(True, "every identity event in time, stage by stage",
                       (needs_events("the identity events",
                                     lambda c: ids_of(events_of(c)[tagged(events_of(c)["motives"], "identity")])),)),
    "activity_by_stage": Option(False, "it counts all events (or a pair's), whatever their motive."),
    "tone_by_stage": Option(False, "it measures how warm a pair's events were, not which motive they illustrate."),
    "relations_heatmap": Option(False, "coded relation scores say nothing about motives."),
    "relations_network": Option(False, "coded relation scores say nothing about motives."),
    "strategic_triangle": Option(False, "coded relation scores say nothing about motives."),
    "northeast_asia_map": Option(False, "it shows where events happened, not which motive they illustrate."),
}


@task(L14, "t3", "Choose the chart: when does identity matter?", kind="choice")
def _l14_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether the identity motive matters more in some stages "
                                                          "than in others")


@task(L14, "t4", "Code two held-out events", kind="coding")
def _l14_t4(course, answer):
    return check_coding(course, L14, answer)
