"""Practice checkers of lesson 02 (stage one)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.compare import check_ids, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    ACTORS_LIST_HINT, BOUNDARY, ORDER, ORDER_HINT, SUM_HINT, TWICE_HINT, events_of, ids_of, in_stages, in_years, one_order_mask, pair_mask, tagged,
)


L02 = "02_stage_1_adjusting_to_asia"


@task(L02, "t1", "The events of stage one")
def _l02_t1(course, answer):
    e = events_of(course)
    return check_ids(answer, ids_of(in_stages(course, "stage-1")), [
        (ids_of(e[in_years(e, 2012, 2014)]),
         "Stage one ends on 26 February 2014, with the seizure of Crimea: your filter runs to the end of 2014. " + BOUNDARY),
        (ids_of(e[in_years(e, 2012, 2013)]),
         "Stage one runs until 26 February 2014: your filter stops at the end of 2013. " + BOUNDARY),
    ], what="events")


@task(L02, "t2", "Where North Korea appears")
def _l02_t2(course, answer):
    s1 = in_stages(course, "stage-1")
    return check_ids(answer, ids_of(s1[tagged(s1["actors"], "PRK")]), [
        (ids_of(s1[(s1["actor_a"] == "PRK") | (s1["actor_b"] == "PRK")]), ACTORS_LIST_HINT),
        (ids_of(s1[s1["actor_a"] == "PRK"]), ACTORS_LIST_HINT),
        (ids_of(s1[s1["actor_b"] == "PRK"]), ACTORS_LIST_HINT),
    ], what="events")


def _people_by_country(events, course, *, dedupe=True):
    x = events[["id", "people"]].explode("people")
    x = x.merge(course.people[["id", "actor"]].rename(columns={"id": "person"}),
                left_on="people", right_on="person", how="inner")
    if dedupe:
        x = x.drop_duplicates(["id", "actor"])
    return x["actor"].value_counts()


@task(L02, "t3", "Leaders' countries in stage one")
def _l02_t3(course, answer):
    s1 = in_stages(course, "stage-1")
    acts = s1[["id", "actors"]].explode("actors")
    return check_series(answer, _people_by_country(s1, course), [
        (_people_by_country(s1, course, dedupe=False), TWICE_HINT
         + " Here: an event with two Chinese leaders counts once for China."),
        (acts["actors"].value_counts(),
         "You counted the countries in the events' actors list; the task asks for the countries of the people "
         "named (people.csv, column actor)."),
    ], what="count", drop_zero=True)


@task(L02, "t4", "Tone of the courtship: Japan and South Korea")
def _l02_t4(course, answer):
    def means(one_order=False, agg="mean", stage=True):
        e = in_stages(course, "stage-1") if stage else events_of(course)
        out = {}
        for a, b in (("RUS", "JPN"), ("RUS", "KOR")):
            m = one_order_mask(e, a, b) if one_order else pair_mask(e, a, b)
            out[f"{a}-{b}"] = e.loc[m, "goldstein"].agg(agg)
        return pd.Series(out)

    return check_series(answer, means(), [
        (means(one_order=True), ORDER_HINT),
        (means(agg="sum"), SUM_HINT),
        (means(stage=False), "These are means over the whole course; keep the events of stage one only."),
    ], what="mean", pairs_order=ORDER)
