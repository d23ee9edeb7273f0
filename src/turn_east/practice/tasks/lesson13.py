"""Practice checkers of lesson 13 (agenda)."""

from __future__ import annotations

from turn_east.practice.choice import Option, check_choice, needs_events
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import events_of, ids_of, tagged

L13 = "13_motive_agenda_arms_labour_trade"


def _far_east(course, *, antimeridian=True, east=True, cut=100, actor="RUS", precedence=False):
    p = course.places
    m = p["actor"] == actor if actor else p["actor"].notna() | p["actor"].isna()
    if precedence:  # (russia) & (east) | (beyond): & binds first, so every place beyond 180 degrees joins in
        return p[(m & (p["lon"] > cut)) | (p["lon"] < 0)]
    if east:
        m &= (p["lon"] > cut) | ((p["lon"] < 0) if antimeridian else False)
    return p[m]


@task(L13, "t1", "Places in the Russian Far East")
def _l13_t1(course, answer):
    return check_ids(answer, ids_of(_far_east(course)), [
        (ids_of(_far_east(course, antimeridian=False)),
         "One Far Eastern place lies beyond the 180th meridian, so its longitude is negative (west). "
         "Include Russian places with lon < 0."),
        (ids_of(_far_east(course, east=False)), "You kept every Russian place, Moscow included: keep those east of 100°E."),
        (ids_of(_far_east(course, actor=None)),
         "You kept places in China, Korea and Japan too: keep the places in Russia (actor RUS)."),
        (ids_of(_far_east(course, actor="PRK")), "You kept North Korea's places (PRK); the task asks for Russia's (RUS)."),
        (ids_of(_far_east(course, precedence=True)),
         "Your filter keeps places outside Russia that lie beyond the 180th meridian: & binds more tightly than |, so "
         "(in_russia) & (east) | (beyond) reads as ((in_russia) & (east)) | (beyond). Put brackets around the | pair."),
        (ids_of(_far_east(course, cut=130)),
         "Your boundary is 130°E, the one task 2 moves to; task 1 keeps the places east of 100°E."),
    ], what="places")


def _share(course, cut, *, antimeridian=True, denominator="agenda", count=False):
    e = events_of(course)
    e = e[e["stage"].notna()]
    agenda = e[tagged(e["motives"], "agenda")]
    fe = ids_of(_far_east(course, cut=cut, antimeridian=antimeridian))
    if count:
        return float(agenda["place"].isin(fe).sum())
    base = {"agenda": agenda, "all": e, "placed": agenda[agenda["place"].notna()]}[denominator]
    return float(agenda["place"].isin(fe).sum() / len(base)) if len(base) else float("nan")


@task(L13, "t2", "Move the boundary of the Far East", kind="sensitivity")
def _l13_t2(course, answer):
    before, after = _share(course, 100), _share(course, 130)
    return check_before_after(answer, before, after, [
        ((_share(course, 100, antimeridian=False), _share(course, 130, antimeridian=False)),
         "The place beyond the 180th meridian (negative longitude) is missing from your Far East: keep lon < 0 too."),
        ((_share(course, 100, denominator="all"), _share(course, 130, denominator="all")),
         "You divided by all the events; the share is of the agenda events."),
        ((before * 100, after * 100), "These are percentages; give the share as a fraction between 0 and 1."),
        ((before, _share(course, 120)), "Your new boundary is 120°E; the task moves it to 130°E."),
        ((_share(course, 100, count=True), _share(course, 130, count=True)),
         "These are counts of events; the share divides that count by the number of agenda events (a fraction "
         "between 0 and 1; the mean of a True/False column gives it directly)."),
        ((_share(course, 100, denominator="placed"), _share(course, 130, denominator="placed")),
         "You divided by the agenda events that have a place; the share is of all the agenda events, those without "
         "a place included (an inner merge with places drops them: test place.isin(...) on the events instead)."),
    ], what="share")


def _agenda_events(course):
    e = events_of(course)
    return ids_of(e[tagged(e["motives"], "agenda") & e["place"].notna()])


CHOICE = {
    "northeast_asia_map": Option(True, "where the events took place, on a map of the region"),
    "timeline": Option(True, "each agenda event with its place in the hover text",
                       (needs_events("the agenda events", _agenda_events),)),
    "tone_by_stage": Option(False, "it shows how warm events were, not where they took place."),
    "activity_by_stage": Option(False, "it counts events per stage, not where they took place."),
    "relations_heatmap": Option(False, "coded relation scores have no place."),
    "relations_network": Option(False, "coded relation scores have no place."),
    "strategic_triangle": Option(False, "it shows coded relation scores (North Korea placed by its ties to the three "
                                        "powers), not where anything happened."),
    "stage_motive_matrix": Option(False, "it counts agenda tags per stage but cannot say where they happened."),
}


@task(L13, "t3", "Choose the chart: where did the agenda happen?", kind="choice")
def _l13_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="where North Korea's agenda with Russia (arms, labour, "
                                                          "transport) took place")


@task(L13, "t4", "Code two held-out events", kind="coding")
def _l13_t4(course, answer):
    return check_coding(course, L13, answer)
