"""Practice checkers of lesson 13 (agenda)."""

from __future__ import annotations

import pandas as pd

from turn_east import charts
from turn_east.practice.compare import check_figure, check_ids, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    by_stage, events_of, ids_of, tagged,
)


L13 = "13_motive_agenda_arms_labour_trade"


def _far_east(course, *, antimeridian=True, east=True):
    p = course.places
    m = p["actor"] == "RUS"
    if east:
        m &= (p["lon"] > 100) | ((p["lon"] < 0) if antimeridian else False)
    return p[m]


@task(L13, "t1", "Places in the Russian Far East")
def _l13_t1(course, answer):
    return check_ids(answer, ids_of(_far_east(course)), [
        (ids_of(_far_east(course, antimeridian=False)),
         "One Far Eastern place lies beyond the 180th meridian, so its longitude is negative (west). "
         "Include Russian places with lon < 0."),
        (ids_of(_far_east(course, east=False)), "You kept every Russian place, Moscow included: keep those east of 100°E."),
    ], what="places")


def _fe_events(course, **kw):
    e = events_of(course)
    return e[e["place"].isin(ids_of(_far_east(course, **kw)))]


@task(L13, "t2", "Events in the Far East, with their place names")
def _l13_t2(course, answer):
    if isinstance(answer, pd.DataFrame) and "id" not in answer.columns and "id_x" in answer.columns:
        return False, ("After the merge both tables' id columns were renamed id_x and id_y. Rename the places' "
                       "columns before merging (e.g. places.rename(columns={'id': 'place', 'name': 'place_name'})).")
    ok, msg = check_ids(answer, ids_of(_fe_events(course)), [
        (ids_of(_fe_events(course, antimeridian=False)),
         "An event at a place beyond the 180th meridian is missing: use your list from task 1."),
        (ids_of(_fe_events(course, east=False)), "You kept events anywhere in Russia: use the Far East places of task 1."),
    ], what="events")
    if ok and isinstance(answer, pd.DataFrame) and not any("name" in str(c) for c in answer.columns):
        return False, "The right events, but the place names are missing: merge with course.places to add them."
    return ok, msg


def _fe_share(course, *, denominator="agenda", share=True):
    e = events_of(course)
    e = e[e["stage"].notna()]
    agenda = e[tagged(e["motives"], "agenda")]
    fe = agenda[agenda["place"].isin(ids_of(_far_east(course)))]
    num = fe.groupby(fe["stage"].astype(str)).size()
    base = agenda if denominator == "agenda" else e
    den = base.groupby(base["stage"].astype(str)).size()
    out = (num.reindex(den.index, fill_value=0) / den) if share else num.reindex(den.index, fill_value=0)
    return by_stage(out)


@task(L13, "t3", "How much of the agenda happened in the Far East")
def _l13_t3(course, answer):
    want = _fe_share(course)
    return check_series(answer, want, [
        (_fe_share(course, denominator="all"),
         "You divided by all the stage's events; divide by the stage's agenda events."),
        (_fe_share(course, share=False), "These are counts; the task asks for the share (a fraction between 0 and 1)."),
        (want * 100, "These are percentages; give the share as a fraction between 0 and 1."),
    ], what="share", tol=0.005)


@task(L13, "t4", "Map of stage four")
def _l13_t4(course, answer):
    return check_figure(answer, charts.northeast_asia_map(course, stage="stage-4"), [
        (charts.northeast_asia_map(course), "This map shows the events of every stage: pass stage=\"stage-4\"."),
    ], call='charts.northeast_asia_map(course, stage="stage-4")')
