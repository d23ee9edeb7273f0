"""Practice checkers of lesson 11 (triangle)."""

from __future__ import annotations

from turn_east import charts
from turn_east.practice.compare import check_frame, check_ids, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    ORDER, figure_either, ids_of,
)


L11 = "11_motive_triangle_grand_strategy"
TRIAD = ["RUS", "CHN", "USA"]


def _triangle_rel(course):
    r = course.relations
    return r[r["actor_a"].isin(TRIAD) & r["actor_b"].isin(TRIAD)]


@task(L11, "t1", "The triangle's rows in relations.csv")
def _l11_t1(course, answer):
    r = course.relations
    return check_ids(answer, ids_of(_triangle_rel(course)), [
        (ids_of(r[(r["actor_a"] == "RUS") & r["actor_b"].isin(TRIAD)]),
         "A triangle has three sides: you have Russia's two, but not China-United States."),
        (ids_of(r[r["actor_a"].isin(TRIAD) | r["actor_b"].isin(TRIAD)]),
         "Both ends of a pair must be in the triangle: use & between the two conditions, not |."),
    ], what="rows")


def _triangle_pivot(course):
    t = _triangle_rel(course).assign(pair=lambda d: d["actor_a"] + "-" + d["actor_b"])
    p = t.pivot(index="period", columns="pair", values="score")
    p.index = [str(i) for i in p.index]
    return p


@task(L11, "t2", "Scores by period, side by side")
def _l11_t2(course, answer):
    return check_frame(answer, _triangle_pivot(course), [], pairs_order=ORDER, rows="periods", cols="pairs")


def _balance(course):
    p = _triangle_pivot(course)
    return p["RUS-CHN"] - p["RUS-USA"]


@task(L11, "t3", "Russia's lean towards China")
def _l11_t3(course, answer):
    p = _triangle_pivot(course)
    return check_series(answer, _balance(course), [
        (p["RUS-USA"] - p["RUS-CHN"], "The sign is flipped: subtract the Russia-US score from the Russia-China score, not the other way round."),
        (p["RUS-CHN"] - p["CHN-USA"], "You used the China-US side; the task compares Russia's two sides."),
        (p["RUS-CHN"] + p["RUS-USA"], "You added the scores; the task asks for the difference."),
    ], what="difference")


@task(L11, "t4", "Heatmap of the triangle")
def _l11_t4(course, answer):
    builds = [charts.relations_heatmap(course, actors=a) for a in (TRIAD, ["RUS", "USA", "CHN"], ["CHN", "RUS", "USA"],
                                                                    ["CHN", "USA", "RUS"], ["USA", "RUS", "CHN"],
                                                                    ["USA", "CHN", "RUS"])]
    return figure_either(answer, builds, [
        (charts.relations_heatmap(course), "This heatmap shows all 21 pairs: pass actors= with the three triangle actors."),
        (charts.relations_heatmap(course, actors="RUS"),
         "With one actor the heatmap shows every pair involving it; pass all three triangle actors as a list."),
    ], call='charts.relations_heatmap(course, actors=["RUS", "CHN", "USA"])')
