"""Practice checkers of lesson 12 (alliances)."""

from __future__ import annotations

from turn_east.practice.choice import Option, check_choice, needs_actors, needs_events, needs_pairs, needs_stages
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import check_before_after, check_ids
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    ACTORS_LIST_HINT, BACKGROUND_HINT, MEASURES, SUM_HINT, code_hint, events_of, ids_of, tagged_any,
)

L12 = "12_motive_alliances_us_allies"
RECODED = "stage-4:RUS-JPN"   # recoded from -2 (adversarial) to -3 (hostile) in task 2


def _neg_allies(course, *, main_pair=False, strict=True, background=False, allies=("JPN", "KOR"), both=False,
                below=0):
    e = events_of(course)
    if main_pair:
        inv = e["actor_a"].isin(list(allies)) | e["actor_b"].isin(list(allies))
    elif both:
        inv = e["actors"].map(lambda items: isinstance(items, list) and all(a in items for a in allies))
    else:
        inv = tagged_any(e["actors"], list(allies))
    neg = e["goldstein"] < below if strict else e["goldstein"] <= below
    keep = inv & neg & (e["stage"].notna() | background)
    return e[keep]


@task(L12, "t1", "Hostile events involving Japan or South Korea")
def _l12_t1(course, answer):
    return check_ids(answer, ids_of(_neg_allies(course)), [
        (ids_of(_neg_allies(course, background=True)), BACKGROUND_HINT),
        (ids_of(_neg_allies(course, main_pair=True)), ACTORS_LIST_HINT),
        (ids_of(_neg_allies(course, strict=False)),
         "You kept scores of exactly 0 too; 0 is neutral on the Goldstein scale, negative means below 0."),
        (ids_of(_neg_allies(course, allies=("KOR",))), "You kept South Korea only; the task asks for Japan or South Korea."),
        (ids_of(_neg_allies(course, allies=("JPN",))), "You kept Japan only; the task asks for Japan or South Korea."),
        (ids_of(_neg_allies(course, allies=("JPN", "PRK"))), code_hint("PRK", "KOR", course)),
        (ids_of(_neg_allies(course, both=True)),
         "You kept the events that involve both Japan and South Korea; the task asks for either one (or): "
         "inside the lambda, \"JPN\" in actors or \"KOR\" in actors."),
        (ids_of(_neg_allies(course, below=-3)),
         "You kept only the most hostile scores; the task keeps every negative score (goldstein < 0)."),
        (ids_of(_neg_allies(course, below=-1)),
         "You left out the mildly negative scores; the task keeps every score below 0 (goldstein < 0)."),
    ], what="events")


def _allies_mean(relations, period="stage-4", *, agg="mean", anyside=False, allies=("JPN", "KOR")):
    r = relations
    if anyside:
        sel = r[r["actor_a"].isin(list(allies)) | r["actor_b"].isin(list(allies))]
    else:
        sel = r[(r["actor_a"] == "RUS") & r["actor_b"].isin(list(allies))]
    if period is not None:
        sel = sel[sel["period"].astype(str) == period]
    return float(sel["score"].agg(agg))


def _recoded(relations, row=RECODED, new_score=-3):
    r = relations.copy()
    r.loc[r["id"] == row, "score"] = new_score
    return r


@task(L12, "t2", "Recode one relation: Russia and Japan in stage four", kind="sensitivity")
def _l12_t2(course, answer):
    r = course.relations
    before, after = _allies_mean(r), _allies_mean(_recoded(r))
    return check_before_after(answer, before, after, [
        ((_allies_mean(r, agg="sum"), _allies_mean(_recoded(r), agg="sum")), SUM_HINT),
        ((_allies_mean(r, anyside=True), _allies_mean(_recoded(r), anyside=True)),
         "You averaged every pair that involves Japan or South Korea; keep Russia's two pairs only."),
        ((before, _allies_mean(_recoded(r, row="stage-4:JPN-KOR"))),
         "You recoded the Japan-South Korea row; the task recodes Russia-Japan (id stage-4:RUS-JPN)."),
        ((before, _allies_mean(_recoded(r, new_score=-1))),
         "You moved the score the wrong way: hostile is -3, below adversarial (-2)."),
        ((_allies_mean(r, allies=("JPN",)), _allies_mean(_recoded(r), allies=("JPN",))),
         "You averaged the Russia-Japan row only; the task averages Russia's two rows, with Japan and with South Korea."),
        ((_allies_mean(r, allies=("JPN", "PRK")), _allies_mean(_recoded(r), allies=("JPN", "PRK"))),
         code_hint("PRK", "KOR", course)),
        ((_allies_mean(r, period=None), _allies_mean(_recoded(r), period=None)),
         "You averaged every period; keep stage four only (period == \"stage-4\")."),
    ], what="mean score")


CHOICE = {
    "tone_by_stage": Option(True, MEASURES["tone_by_stage"],
                            (needs_pairs(("RUS", "JPN"), ("RUS", "KOR"), any_of=True),)),
    "relations_heatmap": Option(True, MEASURES["relations_heatmap"], (needs_actors("RUS", "JPN", "KOR"),)),
    "relations_network": Option(True, MEASURES["relations_network"] + " (step through the slider to compare)"),
    "timeline": Option(True, "when the hostile events involving Japan and South Korea came, event by event",
                       (needs_events("the events involving Japan or South Korea",
                                     lambda c: ids_of(events_of(c)[tagged_any(events_of(c)["actors"], ["JPN", "KOR"])])),
                        needs_stages(2))),
    "activity_by_stage": Option(False, "it counts events: more events with Tokyo or Seoul can be friendly or hostile, "
                                       "so a count cannot date a turn against them."),
    "strategic_triangle": Option(False, "neither Japan nor South Korea is in it."),
    "northeast_asia_map": Option(False, "it shows where events happened, not when relations turned."),
    "stage_motive_matrix": Option(False, "it counts how often the alliance motive is tagged, not whether relations "
                                         "with the allies were good or bad."),
}


@task(L12, "t3", "Choose the chart: when did the turn come?", kind="choice")
def _l12_t3(course, answer):
    return check_choice(answer, course, CHOICE, question="when Russia's turn against Japan and South Korea became "
                                                          "clear")


@task(L12, "t4", "Code two held-out events", kind="coding")
def _l12_t4(course, answer):
    return check_coding(course, L12, answer)
