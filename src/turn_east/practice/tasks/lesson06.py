"""Practice checkers of lesson 06 (the epilogue: after the article)."""

from __future__ import annotations

from itertools import combinations

import pandas as pd

from turn_east.practice.choice import Option, check_choice, needs_pairs
from turn_east.practice.coding import check_coding
from turn_east.practice.compare import as_series, check_before_after, check_ids, check_series
from turn_east.practice.registry import task
from turn_east.practice.tasks.common import (
    MAIN_PAIR_HINT, MEASURES, ORDER, ORDER_HINT, SUM_HINT, code_hint, drop_ids, events_of, ids_of, in_stages,
    one_order_mask, pair_mask, pair_mean, tagged,
)

L06 = "06_epilogue_after_the_article"
#: The day Moscow first admitted that North Korean troops had fought in Kursk (an event in events.csv).
ADMISSION_EVENT = "2025-04-26-russia-acknowledges-dprk-troops"
#: The epilogue's Russia-North Korea events that rest on briefings by South Korea's intelligence service (NIS).
REPORTS = ("2025-02-09-nis-dprk-workers-in-russia", "2025-02-27-nis-second-troop-deployment",
           "2025-09-02-nis-2000-dprk-dead")
EPILOGUE_ONLY = ("Keep the epilogue's events only (the stage column is 'epilogue'): you have the pair's events of "
                 "every period.")
INTO_2026 = ("The epilogue runs into 2026 (to 16 March 2026): you kept only the events of 2025. Filter on the "
             "stage column rather than on the year.")


def _admission_day(course) -> pd.Timestamp:
    return course.events_by_id[ADMISSION_EVENT].date


# ---------------------------------------------------------------- task 1 (drill)

def _after(course, *, strict=False, one_order=False, by_year=False, pair=("RUS", "PRK")):
    e = in_stages(course, "epilogue")
    day = _admission_day(course)
    when = e["date"] > day if strict else e["date"] >= day
    if by_year:
        when = when & (e["date"].dt.year == day.year)
    m = one_order_mask(e, *pair) if one_order else pair_mask(e, *pair)
    return ids_of(e[when & m])


@task(L06, "t1", "Russia-North Korea events after the Kursk admission")
def _l06_t1(course, answer):
    e = in_stages(course, "epilogue")
    day = _admission_day(course)
    listed = e[(e["date"] >= day) & tagged(e["actors"], "RUS") & tagged(e["actors"], "PRK")]
    any_prk = e[(e["date"] >= day) & ((e["actor_a"] == "PRK") | (e["actor_b"] == "PRK"))]
    return check_ids(answer, _after(course), [
        (_after(course, strict=True), "The admission day itself counts: compare with >=, not >."),
        (_after(course, one_order=True), ORDER_HINT),
        (_after(course, one_order=True, pair=("PRK", "RUS")), ORDER_HINT),
        (ids_of(listed), MAIN_PAIR_HINT),
        (_after(course, by_year=True), "The epilogue runs into 2026: keep every date from the admission on, "
                                       "not only those of 2025."),
        (ids_of(e[pair_mask(e, "RUS", "PRK")]), "Keep only the events from the day of Moscow's admission on "
                                                "(the date of that event, in the variable admission)."),
        (ids_of(any_prk), "You kept every event with North Korea in the main pair; the task wants the pair Russia and "
                          "North Korea, so the other side must be RUS."),
        (_after(course, pair=("RUS", "KOR")), code_hint("KOR", "PRK", course)),
    ], what="events")


# ---------------------------------------------------------------- task 2 (drill)

def _scores(course, period) -> dict[tuple[str, str], int]:
    r = course.relations[course.relations["period"].astype(str) == period]
    return {(a, b): int(v) for a, b, v in zip(r["actor_a"], r["actor_b"], r["score"])}


def _moved(course, *, sign=1, absolute=False, earlier="stage-4", later="epilogue", values="change"):
    before, after = _scores(course, earlier), _scores(course, later)
    out = {}
    for (a, b), score in after.items():
        if (a, b) not in before:
            continue
        change = sign * (score - before[(a, b)])
        if change:
            out[f"{a}-{b}"] = score if values == "later" else (abs(change) if absolute else change)
    return pd.Series(out, dtype=float)


def _moved_precheck(answer) -> str | None:
    """The two slips that leave a subtraction of two periods with nothing in it."""
    s, _ = as_series(answer)
    if s is None:
        return None
    if len(s) == 0:
        return ("Your Series is empty: one of the two periods selected no rows. Check the period ids, 'stage-4' and "
                "'epilogue', written as in the period column (not the titles 'Stage Four' or 'Epilogue').")
    if pd.api.types.is_bool_dtype(s.dtype):
        return ("Your values are True/False: that is the condition (which pairs changed), not the changes. Use it to "
                "select from your Series of changes: changes[mask].")
    labels = [str(k) for k in s.index]
    if any(":" in k for k in labels):
        return ("Your labels look like relation ids ('epilogue:RUS-PRK'), which differ from period to period, so the "
                "two periods' scores never line up: build the label from actor_a and actor_b only, "
                "as r[\"actor_a\"] + \"-\" + r[\"actor_b\"].")
    if pd.to_numeric(pd.Series(list(s)), errors="coerce").isna().all():
        return ("Every value is NaN (not a number): the two Series you subtracted share no labels, or one of them is "
                "empty or all NaN. Check the period ids ('stage-4' and 'epilogue') and make both labels the same way, "
                "actor_a + '-' + actor_b. If you wrote pd.Series(column, index=labels), pandas looked your new labels "
                "up in the column's old index (row numbers) and found nothing: pass column.values instead.")
    return None


@task(L06, "t2", "Relations that moved after the article")
def _l06_t2(course, answer):
    hint = _moved_precheck(answer)
    if hint:
        return False, hint
    return check_series(answer, _moved(course), [
        (_moved(course, sign=-1), "The signs are reversed: subtract the Stage Four score from the epilogue score "
                                  "(later minus earlier), so a rise is positive."),
        (_moved(course, absolute=True), "Keep the sign of each change: a fall is negative."),
        (_moved(course, earlier="stage-3"), "You compared the epilogue with Stage Three; compare it with Stage Four "
                                            "(period id 'stage-4'), the article's last stage."),
        (_moved(course, earlier="stage-3", later="stage-4"), "You compared Stage Three with Stage Four; the task "
                                                             "compares Stage Four with the epilogue."),
        (_moved(course, values="later"), "These are the epilogue's scores themselves, not the changes: subtract the "
                                         "Stage Four score of each pair from its epilogue score."),
    ], what="change", pairs_order=ORDER, drop_zero=True)


# ---------------------------------------------------------------- task 3 (sensitivity)

def _tone(course, *, stage="epilogue", one_order=False, agg="mean", drop=REPORTS, pair=("RUS", "PRK"),
          year=None, listed=False, from_admission=False):
    e = in_stages(course, stage) if stage else events_of(course)[events_of(course)["stage"].notna()]
    if year is not None:
        e = e[e["date"].dt.year == year]
    if from_admission:
        e = e[e["date"] >= _admission_day(course)]

    def mean(events):
        if pair is None:
            return float(events["goldstein"].agg(agg)) if len(events) else float("nan")
        if not listed:
            return pair_mean(events, *pair, one_order=one_order, agg=agg)
        sel = events[tagged(events["actors"], pair[0]) & tagged(events["actors"], pair[1])]["goldstein"]
        return float(sel.agg(agg)) if len(sel) else float("nan")
    return mean(e), mean(drop_ids(e, drop))


@task(L06, "t3", "Drop the intelligence reports", kind="sensitivity")
def _l06_t3(course, answer):
    before, after = _tone(course)
    hints = [
        (_tone(course, one_order=True), ORDER_HINT),
        (_tone(course, one_order=True, pair=("PRK", "RUS")), ORDER_HINT),
        (_tone(course, listed=True), MAIN_PAIR_HINT),
        (_tone(course, stage=None), EPILOGUE_ONLY),
        (_tone(course, stage="stage-4"), "You used Stage Four's events; the three reports belong to the epilogue "
                                         "(stage 'epilogue'), the period after the article."),
        (_tone(course, year=2025), INTO_2026),
        (_tone(course, from_admission=True), "You started from task 1's events (from the admission on); this task "
                                             "takes the pair's events of the whole epilogue, from 1 January 2025."),
        (_tone(course, agg="sum"), SUM_HINT),
        (_tone(course, pair=("RUS", "KOR")), code_hint("KOR", "PRK", course)),
        (_tone(course, pair=None), "You averaged all the epilogue's events; keep those whose main pair is Russia and "
                                   "North Korea (actor_a/actor_b, either order)."),
    ]
    for k in (1, 2):
        for some in combinations(REPORTS, k):
            hints.append(((before, _tone(course, drop=some)[1]),
                          f"You dropped {k} of the three reports; the task drops all three (workers, second "
                          "deployment, deaths)."))
    return check_before_after(answer, before, after, hints, what="mean")


# ---------------------------------------------------------------- task 4 (choice)

PAIRS = (("RUS", "PRK"), ("PRK", "CHN"))
CHOICE = {
    "relations_heatmap": Option(True, MEASURES["relations_heatmap"] + ": read Stage Four against the epilogue",
                                (needs_pairs(*PAIRS),)),
    "relations_network": Option(True, MEASURES["relations_network"] + " (step the slider from Stage Four to the "
                                                                      "epilogue)"),
    "strategic_triangle": Option(True, MEASURES["strategic_triangle"] + " (step the slider from Stage Four to the "
                                                                       "epilogue)"),
    "tone_by_stage": Option(True, MEASURES["tone_by_stage"] + "; a stage in which a pair has no events has no point, "
                                                              "so check how many events each point rests on",
                            (needs_pairs(*PAIRS),)),
    "activity_by_stage": Option(False, "it counts events: more meetings with Beijing are not by themselves warmer "
                                       "ties, and a count cannot tell an alliance from a quarrel."),
    "timeline": Option(False, "it lists the events one by one but does not summarise how either relationship "
                              "changed from one period to the next."),
    "northeast_asia_map": Option(False, "it shows where events happened, not how close North Korea was to whom."),
    "stage_motive_matrix": Option(False, "it counts motive tags, not how North Korea got on with China or Russia."),
}


@task(L06, "t4", "Choose the chart: China back in the picture?", kind="choice")
def _l06_t4(course, answer):
    return check_choice(answer, course, CHOICE, question="whether North Korea mended its ties with China after the "
                                                          "article while keeping its alliance with Russia")


# ---------------------------------------------------------------- task 5 (coding)

@task(L06, "t5", "Code two held-out events", kind="coding")
def _l06_t5(course, answer):
    return check_coding(course, L06, answer)
