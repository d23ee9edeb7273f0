"""Practice checkers of lesson 03 (stage two)."""

from __future__ import annotations

from turn_east import charts
from turn_east.data import format_date
from turn_east.practice.compare import check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    PRECISION_HINT, events_of, figure_either, ids_of, in_stages, in_years, tagged, text_series,
)


L03 = "03_stage_2_after_crimea"


@task(L03, "t1", "UN sanctions resolutions, 2016-2017")
def _l03_t1(course, answer):
    e = events_of(course)
    sanc = e[(e["event_type"] == "sanctions")]
    return check_ids(answer, ids_of(sanc[(sanc["actor_a"] == "UNSC") & in_years(sanc, 2016, 2017)]), [
        (ids_of(sanc[in_years(sanc, 2016, 2017)]),
         "Not every sanctions event is a UN resolution: one was imposed by a single state. Check who acted (actor_a)."),
        (ids_of(sanc[sanc["actor_a"] == "UNSC"]), "Keep 2016 and 2017 only: you have UN resolutions from other years."),
        (ids_of(sanc[tagged(sanc["actors"], "UNSC") & in_years(sanc, 2016, 2017)]),
         "Not every sanctions event is a UN resolution: check who acted (actor_a), not who is mentioned."),
    ], what="resolutions")


def _khasan_rajin(course):
    e = in_stages(course, "stage-1", "stage-2")
    return e[e["place"].isin(["rajin", "khasan"])]


@task(L03, "t2", "The Khasan-Rajin line in the data")
def _l03_t2(course, answer):
    e = events_of(course)
    at = e[e["place"].isin(["rajin", "khasan"])]
    return check_ids(answer, ids_of(_khasan_rajin(course)), [
        (ids_of(at), "You kept a Khasan or Rajin event from after 2017; the task covers stages one and two."),
        (ids_of(at[at["stage"] == "stage-2"]),
         "The line reopened in September 2013, in stage one: keep stages one and two."),
    ], what="events")


@task(L03, "t3", "Dates as precisely as they are known")
def _l03_t3(course, answer):
    kr = _khasan_rajin(course)
    want = {r.id: format_date(r.date, str(r.date_precision)) for r in kr.itertuples()}
    naive = {r.id: format_date(r.date, "day") for r in kr.itertuples()}
    s, why = text_series(answer)
    if s is None:
        return False, why

    def norm(v) -> str:
        text = " ".join(str(v).replace(",", " ").split()).lower()
        return text[1:] if text.startswith("0") else text

    got = {str(k): norm(v) for k, v in s.items()}
    if set(got) != set(want):
        return False, ("The index should hold the event ids of task 2 (one row per event); "
                       f"yours has {len(got)} labels, {len(set(got) & set(want))} of them right.")
    if all(got[k] == norm(v) for k, v in want.items()):
        return True, "Every date is written as precisely as it is known, and no more."
    if all(got[k] == norm(v) for k, v in naive.items()):
        return False, PRECISION_HINT
    return False, ("Some labels differ from the form asked for: '22 September 2013' for a day, "
                   "'April 2015' for a month, '2015' for a year.")


@task(L03, "t4", "Activity chart: two pairs")
def _l03_t4(course, answer):
    builds = [charts.activity_by_stage(course, pairs=p) for p in (
        [("RUS", "PRK"), ("RUS", "CHN")], [("PRK", "RUS"), ("CHN", "RUS")])]
    return figure_either(answer, builds, [
        (charts.activity_by_stage(course), "This chart counts all events: pass pairs= to count the two pairs."),
        (charts.activity_by_stage(course, pairs=[("RUS", "CHN"), ("RUS", "PRK")]),
         "The right pairs in the other order: list Russia-North Korea first."),
    ], call='charts.activity_by_stage(course, pairs=[("RUS", "PRK"), ("RUS", "CHN")])')
