"""What the practice checkers share: the course's actor order, the hints for typical mistakes, and the
computations the expected answers and the mistakes are built from (always from the course data)."""

from __future__ import annotations

import pandas as pd

from turn_east.practice.compare import check_figure

ORDER = ["RUS", "PRK", "CHN", "USA", "JPN", "KOR", "IND"]

# ---------------------------------------------------------------- shared hints

BOUNDARY = ("Check the stage boundaries: stages do not follow calendar years (see stages.csv). "
            "Filter on the stage column rather than on years.")
ORDER_HINT = ("You seem to have kept only one actor order: actor_a/actor_b are an unordered pair, so an event "
              "between the two can be stored either way round (e.g. PRK-RUS as well as RUS-PRK). Test both orders.")
MAIN_PAIR_HINT = ("You used the actors list; the task is about the main pair, the columns actor_a and actor_b "
                  "(the actors list also names bystanders).")
ACTORS_LIST_HINT = ("You tested only the main pair (actor_a/actor_b); the task asks about the actors list, "
                    "which names every participant.")
SUM_HINT = "These look like sums; the task asks for the mean (average) of the scores."
COUNT_HINT = ("These look like numbers of events (len or count); the task asks for the mean of their goldstein "
              "scores: table[\"goldstein\"].mean().")
WHOLE_DATA_HINT = ("Your selection starts from every period's events; the task is about {stage} only: start from "
                   "the table of its events (the stage column).")
BACKGROUND_HINT = ("You kept background events dated before 2000 (their stage is empty); the task starts in 2000.")
TWICE_HINT = ("Some events are counted twice: after explode or merge, one event can give several rows. "
              "Drop duplicates before counting.")
PRECISION_HINT = ("Some dates are known only to the month or year (see date_precision); write those as "
                  "'April 2015' or '2015', not as a day.")


# ---------------------------------------------------------------- shared computations

def events_of(course) -> pd.DataFrame:
    return course.events


def in_stages(course, *stages) -> pd.DataFrame:
    e = events_of(course)
    return e[e["stage"].astype(object).isin(stages)]


def pair_mask(e, a, b):
    return ((e["actor_a"] == a) & (e["actor_b"] == b)) | ((e["actor_a"] == b) & (e["actor_b"] == a))


def one_order_mask(e, a, b):
    return (e["actor_a"] == a) & (e["actor_b"] == b)


def tagged(col: pd.Series, item) -> pd.Series:
    return col.map(lambda items: isinstance(items, list) and item in items)


def tagged_any(col: pd.Series, wanted) -> pd.Series:
    return col.map(lambda items: isinstance(items, list) and any(x in items for x in wanted))


def in_years(e, y0, y1):
    return e["date"].dt.year.between(y0, y1)


def ids_of(df) -> list[str]:
    return list(df["id"])


def by_stage(s: pd.Series) -> pd.Series:
    """A Series keyed by stage with plain-string labels (an ordered categorical index made plain)."""
    s = s.copy()
    s.index = [str(k) for k in s.index]
    return s


def pair_mean_by_stage(course, a, b, *, one_order=False, agg="mean") -> pd.Series:
    e = events_of(course)
    m = one_order_mask(e, a, b) if one_order else pair_mask(e, a, b)
    sel = e[m & e["stage"].notna()]
    return by_stage(sel.groupby(sel["stage"].astype(str))["goldstein"].agg(agg))



def rel_score(course, period, a, b) -> int | None:
    r = course.relations
    row = r[(r["period"].astype(str) == period) & pair_mask(r, a, b)]
    return int(row["score"].iloc[0]) if len(row) else None


def figure_either(answer, builds, mistakes, call) -> tuple[bool, str]:
    """check_figure against the first of several equivalent figures (e.g. a pair given either way round)."""
    result = (False, "")
    for i, fig in enumerate(builds):
        ok, msg = check_figure(answer, fig, mistakes, call=call)
        if ok:
            return ok, msg
        if i == 0:
            result = (ok, msg)
    return result


def text_series(answer) -> tuple[pd.Series | None, str]:
    if isinstance(answer, pd.Series):
        return answer, ""
    if isinstance(answer, dict):
        return pd.Series(answer), ""
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        return answer.iloc[:, 0], ""
    return None, f"Expected a Series (index: event id, values: text), got {type(answer).__name__}."


# ---------------------------------------------------------------- shared by the new kinds of task

KOREAS = "PRK is North Korea (the Democratic People's Republic of Korea); KOR is South Korea (the Republic of Korea)."


def code_hint(used: str, meant: str, course) -> str:
    """The hint for a wrong actor code, naming both codes."""
    names = course.actor_full_names
    return (f"You used {used} ({names.get(used, used)}) where the task means {meant} ({names.get(meant, meant)}). "
            + (KOREAS if {used, meant} == {"PRK", "KOR"} else "The actor codes are listed in actors.csv."))


def mean_or_nan(values) -> float:
    values = list(values)
    return float(sum(values) / len(values)) if values else float("nan")


def pair_mean(events, a, b, *, one_order=False, agg="mean") -> float:
    m = one_order_mask(events, a, b) if one_order else pair_mask(events, a, b)
    sel = events.loc[m, "goldstein"]
    if agg == "sum":
        return float(sel.sum())
    if agg == "count":
        return float(len(sel))
    return float(sel.mean()) if len(sel) else float("nan")


def drop_ids(events, ids):
    return events[~events["id"].isin(list(ids))]


# What each chart measures, in the words a failing choice check uses (indefensible options say why not).
MEASURES = {
    "timeline": "every event as a point in time; it lists events but does not summarise them",
    "relations_network": "the course's coded relation score of every pair, one period at a time",
    "strategic_triangle": ("the coded scores of the Russia-China-United States triangle, with North Korea and India "
                           "placed by their ties to each corner"),
    "northeast_asia_map": "where events took place, not who was warm or hostile to whom",
    "relations_heatmap": "the course's coded relation scores (-3 to +3), pair by period",
    "activity_by_stage": "how many events there were: how busy a stage or pair was, not how warm",
    "tone_by_stage": "the mean Goldstein tone of each pair's events per stage",
    "stage_motive_matrix": "how often each motive is tagged in each stage, not how any pair got on",
}
