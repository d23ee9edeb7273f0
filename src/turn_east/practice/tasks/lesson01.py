"""Practice checkers of lesson 01 (prelude)."""

from __future__ import annotations

from turn_east import charts
from turn_east.practice.compare import check_ids, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    BACKGROUND_HINT, events_of, figure_either, ids_of, in_stages,
)


L01 = "01_prelude_six_party_talks"


def _six_party(course):
    e = events_of(course)
    return e[e["place"] == "beijing-diaoyutai"]


@task(L01, "t1", "Six-Party Talks meetings")
def _l01_t1(course, answer):
    e = events_of(course)
    return check_ids(answer, ids_of(_six_party(course)), [
        (ids_of(e[(e["place"] == "beijing-diaoyutai") & (e["event_type"] == "multilateral")]),
         "You kept only the multilateral events; the agreements signed at the talks are meetings too. "
         "Filter on the place, not on the event type."),
        (ids_of(e[e["id"].str.contains("six-party")]),
         "Filtering the id text also catches the 2009 walk-out, which happened in Pyongyang. Filter on the place column."),
    ], what="events")


@task(L01, "t2", "How long each meeting lasted")
def _l01_t2(course, answer):
    sp = _six_party(course).set_index("id")
    days = (sp["end_date"].fillna(sp["date"]) - sp["date"]).dt.days
    return check_series(answer, days + 1, [
        (days, "Off by one: a meeting from the 27th to the 29th lasts three days, so count both the first and the last day (+1)."),
        ((sp["end_date"] - sp["date"]).dt.days + 1,
         "Single-day meetings have no end_date (NaT); they lasted one day. Fill end_date with date first."),
        ((sp["end_date"] - sp["date"]).dt.days,
         "Single-day meetings are missing (their end_date is NaT) and the lengths are off by one."),
    ], what="length")


@task(L01, "t3", "Events per year, 2000-2011")
def _l01_t3(course, answer):
    e = events_of(course)
    pre = in_stages(course, "prelude")
    want = pre.groupby(pre["date"].dt.year).size()
    older = e[e["date"].dt.year <= 2011]
    later = e[e["date"].dt.year >= 2000]
    return check_series(answer, want, [
        (older.groupby(older["date"].dt.year).size(), BACKGROUND_HINT),
        (later.groupby(later["date"].dt.year).size(),
         "You kept years after 2011: the prelude ends on 31 December 2011."),
        (e.groupby(e["date"].dt.year).size(),
         "You counted every event: keep the prelude only (2000-2011), without the pre-2000 background."),
    ], what="count", drop_zero=True)


@task(L01, "t4", "Tone chart for two pairs")
def _l01_t4(course, answer):
    builds = [charts.tone_by_stage(course, pairs=p) for p in (
        [("RUS", "PRK"), ("USA", "PRK")], [("RUS", "PRK"), ("PRK", "USA")])]
    return figure_either(answer, builds, [
        (charts.tone_by_stage(course), "This is the default pair list (Russia with both Koreas): pass pairs= as the task says."),
        (charts.tone_by_stage(course, pairs=[("USA", "PRK"), ("RUS", "PRK")]),
         "The right pairs in the other order: put Russia-North Korea first, so it gets the first line style."),
    ], call='charts.tone_by_stage(course, pairs=[("RUS", "PRK"), ("USA", "PRK")])')
