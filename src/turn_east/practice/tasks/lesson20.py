"""Practice checkers of lesson 20 (synthesis)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.choice import Option, check_choice, needs_events, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_frame
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import BACKGROUND_HINT, events_of, ids_of, in_stages, pair_mask, tagged

L20 = "20_synthesis_weighing_the_argument"


def _stage_motive(course):
    e = events_of(course)
    x = e[e["stage"].notna()][["id", "stage", "motives"]].explode("motives")
    x = x[x["motives"].isin(list(course.motives["id"]))]
    return pd.crosstab(x["stage"].astype(str), x["motives"])


@task(L20, "t1", "The stage x motive table")
def _l20_t1(course, answer):
    if isinstance(answer, pd.DataFrame) and any(str(c) in ("nan", "None", "<NA>") for c in answer.columns):
        return False, ("Your table has a column for events with no motive; keep the four motive ids only "
                       "(filter the exploded motives with isin(course.motives['id'])).")
    if isinstance(answer, pd.DataFrame) and "background" in map(str, answer.index):
        return False, BACKGROUND_HINT + f" Keep the {len(course.periods)} periods as rows."
    want = _stage_motive(course)
    e = events_of(course)
    nodup = e[e["stage"].notna()]
    counts = nodup.groupby(nodup["stage"].astype(str)).size()
    wrong = pd.DataFrame({m: counts for m in want.columns})
    tagged_events = pd.DataFrame({m: nodup[tagged(nodup["motives"], m)].groupby(
        nodup["stage"].astype(str)).size() for m in want.columns}).fillna(0)
    if isinstance(answer, pd.DataFrame) and answer.empty:
        return False, ("Your table is empty: no tag passed your filter. The exploded motives column holds motive ids "
                       "(triangle, alliances, agenda, identity): keep them with isin(course.motives[\"id\"]), not with "
                       "the motives' titles; and the stage column holds ids such as stage-2.")
    return check_frame(answer, want, [
        (wrong, "Every motive has the same count as the stage's events: count the motive tags, after explode."),
        (tagged_events.drop(columns=[c for c in tagged_events.columns if c != "triangle"]),
         "You have the triangle column only; the task asks for one column per motive."),
        (want.div(want.sum(axis=1), axis=0),
         "These are shares of each stage's tags (normalize=); the task asks for counts."),
        (want.div(want.sum(axis=0), axis=1),
         "These are shares of each motive's tags (normalize=); the task asks for counts."),
    ], fill_zero=True, rows="stages", cols="motives")


def _triangle_tags(course, *, stage="stage-2", un_only=True, motive="triangle", all_tags=False, rows=False,
                   kept_votes=False):
    e = in_stages(course, stage) if stage else events_of(course)[events_of(course)["stage"].notna()]
    un = (e["event_type"] == "sanctions") & ((e["actor_a"] == "UNSC") if un_only else True)
    if rows:
        count = len
    elif all_tags:
        count = lambda d: int(d["motives"].map(len).sum())  # noqa: E731
    else:
        count = lambda d: int(tagged(d["motives"], motive).sum())  # noqa: E731
    return count(e), count(e[un] if kept_votes else e[~un])


@task(L20, "t2", "Drop the UN votes: does the triangle still lead?", kind="sensitivity")
def _l20_t2(course, answer):
    before, after = _triangle_tags(course)
    return check_before_after(answer, before, after, [
        (_triangle_tags(course, un_only=False),
         "You dropped every sanctions event, Seoul's own sanctions included; the task drops the UN Security Council's "
         "(actor_a UNSC)."),
        (_triangle_tags(course, stage=None), "Keep stage two only."),
        (_triangle_tags(course, all_tags=True), "You counted every motive tag; the task counts the triangle tags."),
        (_triangle_tags(course, motive="alliances"), "You counted the alliances tags; the task counts the triangle."),
        (_triangle_tags(course, stage="stage-4"), "That is stage four; the task is about stage two."),
        (_triangle_tags(course, rows=True),
         "You counted stage two's events; the task counts the events tagged triangle among them."),
        (_triangle_tags(course, kept_votes=True),
         "Your \"after\" counts the UN votes themselves; drop them (~ turns the True/False column round) and count "
         "the rest."),
    ], what="count", tol=0)


def _rus_prk_events(course):
    e = events_of(course)
    return ids_of(e[pair_mask(e, "RUS", "PRK") & e["stage"].notna()])


CHOICE = {
    "activity_by_stage": Option(True, "how many Russia-North Korea events each stage has: attention",
                                (needs_pairs(("RUS", "PRK")),)),
    "tone_by_stage": Option(True, "how warm the Russia-North Korea events were, stage by stage",
                            (needs_pairs(("RUS", "PRK")),)),
    "relations_heatmap": Option(True, "the course's coded Russia-North Korea score per period",
                                (needs_pairs(("RUS", "PRK")),)),
    "relations_network": Option(True, "the course's coded Russia-North Korea score, period by period on the slider"),
    "timeline": Option(True, "the Russia-North Korea events in time, before and after February 2022",
                       (needs_events("the Russia-North Korea events", _rus_prk_events),)),
    "strategic_triangle": Option(True, "the course's coded Russia-North Korea score, period by period on the slider, "
                                       "as one of North Korea's ties to the three powers"),
    "northeast_asia_map": Option(False, "it shows where events happened, not whether North Korea mattered more."),
    "stage_motive_matrix": Option(False, "it counts motive tags over all events; it cannot isolate Russia and North "
                                         "Korea."),
}


@task(L20, "t3", "Choose the evidence: did the war make North Korea matter more?", kind="choice")
def _l20_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="whether the war made North Korea matter more to Russia")


@task(L20, "t4", "Code two held-out events", kind="coding")
def _l20_t4(course, answer):
    return check_coding(course, L20, answer)
