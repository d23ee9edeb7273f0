"""Practice checkers of lesson 11 (triangle)."""

from __future__ import annotations

from turn_east.practice.choice import Option, check_choice, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import MEASURES, SUM_HINT, code_hint, events_of, ids_of

L11 = "11_motive_triangle_grand_strategy"
TRIAD = ["RUS", "CHN", "USA"]
RECODED = "prelude:RUS-CHN"   # recoded from 2 (close partners) to 1 (cordial) in task 2


def _triangle_rel(relations):
    return relations[relations["actor_a"].isin(TRIAD) & relations["actor_b"].isin(TRIAD)]


@task(L11, "t1", "The triangle's rows in relations.csv")
def _l11_t1(course, answer):
    r = course.relations
    return check_ids(answer, ids_of(_triangle_rel(r)), [
        (ids_of(r[(r["actor_a"] == "RUS") & r["actor_b"].isin(TRIAD)]),
         "A triangle has three sides: you have Russia's two, but not China-United States."),
        (ids_of(r[r["actor_a"].isin(TRIAD) | r["actor_b"].isin(TRIAD)]),
         "Both ends of a pair must be in the triangle: use & between the two conditions, not |."),
        (ids_of(_triangle_rel(r)[_triangle_rel(r)["period"].astype(str) == "stage-4"]),
         "You kept one period; the task asks for every period (three pairs in each)."),
        (ids_of(r[r["actor_a"].isin(["RUS", "PRK", "USA"]) & r["actor_b"].isin(["RUS", "PRK", "USA"])]),
         code_hint("PRK", "CHN", course) + " The triangle's third corner is China."),
        (ids_of(r[r["actor_a"].isin(TRIAD)]),
         "You tested one end of each pair (actor_a) only: both ends must be in the triangle, so test actor_b "
         "as well and join the two tests with &."),
        (ids_of(r[r["actor_b"].isin(TRIAD)]),
         "You tested one end of each pair (actor_b) only: both ends must be in the triangle, so test actor_a "
         "as well and join the two tests with &."),
        (ids_of(events_of(course)[events_of(course)["actor_a"].isin(TRIAD) & events_of(course)["actor_b"].isin(TRIAD)]),
         "These are events (events.csv, ids with a date); the task asks for the coded relations, the rows of "
         "course.relations (ids such as prelude:RUS-PRK, a period and a pair)."),
    ], what="rows")


def _lean(relations, *, flip=False, other="RUS-USA", op="-"):
    t = _triangle_rel(relations)
    p = t.assign(pair=t["actor_a"] + "-" + t["actor_b"]).pivot(index="period", columns="pair", values="score")
    a, b = (p[other], p["RUS-CHN"]) if flip else (p["RUS-CHN"], p[other])
    return float((a - b).mean()) if op == "-" else float((a + b).mean())


def _lean_sum(relations):
    t = _triangle_rel(relations)
    p = t.assign(pair=t["actor_a"] + "-" + t["actor_b"]).pivot(index="period", columns="pair", values="score")
    return float((p["RUS-CHN"] - p["RUS-USA"]).sum())


def _recoded(relations, new_score=1, row=RECODED):
    r = relations.copy()
    r.loc[r["id"] == row, "score"] = new_score
    return r


@task(L11, "t2", "Recode one relation: Russia and China in the prelude", kind="sensitivity")
def _l11_t2(course, answer):
    r = course.relations
    before, after = _lean(r), _lean(_recoded(r))
    return check_before_after(answer, before, after, [
        ((_lean(r, flip=True), _lean(_recoded(r), flip=True)),
         "The sign is flipped: subtract the Russia-US score from the Russia-China score, not the other way round."),
        ((_lean(r, other="CHN-USA"), _lean(_recoded(r), other="CHN-USA")),
         "You used the China-US side; the lean compares Russia's two sides (RUS-CHN minus RUS-USA)."),
        ((_lean(r, op="+"), _lean(_recoded(r), op="+")), "You added the two scores; the lean is their difference."),
        ((before, _lean(_recoded(r, new_score=3))),
         "You raised the score; the task lowers it, from close partners (+2) to cordial (+1)."),
        ((_lean_sum(r), _lean_sum(_recoded(r))), SUM_HINT.replace("of the scores", "of the leans over the periods")),
    ], what="mean lean")


CHOICE = {
    "strategic_triangle": Option(True, MEASURES["strategic_triangle"] + ", period by period"),
    "relations_heatmap": Option(True, MEASURES["relations_heatmap"], (needs_pairs(("RUS", "CHN"), ("RUS", "USA")),)),
    "relations_network": Option(True, MEASURES["relations_network"] + " (step through the slider to compare)"),
    "tone_by_stage": Option(True, "the tone of Russia's events with each side (event tone, not the coded relation)",
                            (needs_pairs(("RUS", "CHN"), ("RUS", "USA")),)),
    "activity_by_stage": Option(False, "it counts events: many events with Washington can be many quarrels, so a "
                                       "count cannot show a lean."),
    "timeline": Option(False, "it lists events without summarising where Russia stood between the two."),
    "northeast_asia_map": Option(False, "it shows where events happened, not where Russia stood."),
    "stage_motive_matrix": Option(False, "it counts how often the triangle motive is tagged, not which way Russia "
                                         "leaned."),
}


@task(L11, "t3", "Choose the chart: leaning towards Beijing?", kind="choice")
def _l11_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether Russia leaned towards China rather than the United "
                                                          "States, period by period")


@task(L11, "t4", "Code two held-out events", kind="coding")
def _l11_t4(course, answer):
    return check_coding(course, L11, answer)
