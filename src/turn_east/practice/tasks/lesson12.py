"""Practice checkers of lesson 12 (alliances)."""

from __future__ import annotations

from turn_east import charts
from turn_east.practice.compare import check_ids, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    ACTORS_LIST_HINT, BACKGROUND_HINT, SUM_HINT, TWICE_HINT, by_stage, events_of, figure_either, ids_of, tagged_any,
)


L12 = "12_motive_alliances_us_allies"


def _neg_allies(course, *, main_pair=False, strict=True, background=False):
    e = events_of(course)
    if main_pair:
        inv = e["actor_a"].isin(["JPN", "KOR"]) | e["actor_b"].isin(["JPN", "KOR"])
    else:
        inv = tagged_any(e["actors"], ["JPN", "KOR"])
    neg = e["goldstein"] < 0 if strict else e["goldstein"] <= 0
    keep = inv & neg & (e["stage"].notna() | background)
    return e[keep]


@task(L12, "t1", "Hostile events involving Japan or South Korea")
def _l12_t1(course, answer):
    return check_ids(answer, ids_of(_neg_allies(course)), [
        (ids_of(_neg_allies(course, background=True)), BACKGROUND_HINT),
        (ids_of(_neg_allies(course, main_pair=True)), ACTORS_LIST_HINT),
        (ids_of(_neg_allies(course, strict=False)),
         "You kept scores of exactly 0 too; 0 is neutral on the Goldstein scale, negative means below 0."),
    ], what="events")


@task(L12, "t2", "Hostile events per stage")
def _l12_t2(course, answer):
    n = _neg_allies(course)
    want = by_stage(n.groupby(n["stage"].astype(str)).size())
    x = n.explode("actors")
    x = x[x["actors"].isin(["JPN", "KOR"])]
    return check_series(answer, want, [
        (by_stage(x.groupby(x["stage"].astype(str)).size()),
         TWICE_HINT + " An event involving both Japan and South Korea is one event."),
    ], what="count", drop_zero=True)


def _allies_mean(course, agg="mean", actors=("RUS",)):
    r = course.relations
    sel = r[(r["actor_a"].isin(actors)) & r["actor_b"].isin(["JPN", "KOR"])]
    return by_stage(sel.groupby(sel["period"].astype(str))["score"].agg(agg))


@task(L12, "t3", "Russia's mean score with the two US allies")
def _l12_t3(course, answer):
    r = course.relations
    anyside = r[r["actor_a"].isin(["JPN", "KOR"]) | r["actor_b"].isin(["JPN", "KOR"])]
    return check_series(answer, _allies_mean(course), [
        (_allies_mean(course, agg="sum"), SUM_HINT),
        (by_stage(anyside.groupby(anyside["period"].astype(str))["score"].mean()),
         "You averaged every pair that involves Japan or South Korea; keep Russia's two pairs only."),
    ], what="mean")


@task(L12, "t4", "Timeline of the alliance motive")
def _l12_t4(course, answer):
    builds = [charts.timeline(course, actors=a, motives=["alliances"]) for a in (["JPN", "KOR"], ["KOR", "JPN"])]
    return figure_either(answer, builds, [
        (charts.timeline(course, actors=["JPN", "KOR"]),
         "Your timeline keeps every motive: pass motives=[\"alliances\"]."),
        (charts.timeline(course, motives=["alliances"]),
         "Your timeline keeps every actor: pass actors=[\"JPN\", \"KOR\"]."),
    ], call='charts.timeline(course, actors=["JPN", "KOR"], motives=["alliances"])')
