"""Choice tasks: the student picks the chart that answers a question, builds it with turn_east.charts and
defends the pick in a sentence. The check reads what the figure shows (which chart, which pairs, actors,
stages or events) and accepts every defensible choice; an indefensible one gets the reason it cannot answer
the question, never the name of a chart to use instead.

    options = {
        "tone_by_stage": Option(True, "mean tone of each pair's events per stage", needs_pairs(("RUS", "PRK"), ...)),
        "activity_by_stage": Option(False, "it counts events: busier is not warmer"),
        ...
    }
    check_choice(answer, course, options)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import plotly.graph_objects as go

CHART_NAMES = ("timeline", "relations_network", "strategic_triangle", "northeast_asia_map", "relations_heatmap",
               "activity_by_stage", "tone_by_stage", "stage_motive_matrix")


@dataclass(frozen=True)
class FigureInfo:
    """What a course figure shows, read from the figure itself."""

    chart: str
    pairs: frozenset = frozenset()          # unordered pairs (frozensets of two actor ids) drawn as lines, bars or rows
    actors: frozenset = frozenset()         # actors of those pairs
    events: frozenset = frozenset()         # event ids drawn (timeline)
    description: str = ""


def _pair_from_label(label: str, by_name: dict[str, str]) -> frozenset | None:
    for sep in ("\u2013", "-"):
        if sep in label:
            a, _, b = label.partition(sep)
            a, b = a.strip(), b.strip()
            ids = [by_name.get(a, a if a in by_name.values() else None), by_name.get(b, b if b in by_name.values() else None)]
            if all(ids):
                return frozenset(ids)
    return None


def figure_info(fig, course) -> FigureInfo | None:
    """The chart name and what it shows, or None when the figure was not built by turn_east.charts."""
    if not isinstance(fig, go.Figure):
        return None
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    chart = str(meta.get("chart") or "")
    if not chart:
        return None
    by_name = {name: aid for aid, name in course.actor_names.items()}
    pairs, events = set(), set()
    for trace in fig.data:
        labels = []
        if chart in ("tone_by_stage", "activity_by_stage", "relations_network", "strategic_triangle") and trace.name:
            labels.append(str(trace.name))
        if chart == "relations_heatmap" and trace.type == "heatmap" and trace.y is not None:
            labels += [str(y) for y in trace.y]
        for label in labels:
            pair = _pair_from_label(label, by_name)
            if pair and len(pair) == 2:
                pairs.add(pair)
        if chart == "timeline" and isinstance(trace.meta, dict) and trace.meta.get("kind") in ("events", "spans") \
                and trace.customdata is not None:
            events.update(str(x) for x in trace.customdata)
    actors = frozenset(a for p in pairs for a in p)
    return FigureInfo(chart, frozenset(pairs), actors, frozenset(events), str(meta.get("description", "")))


Need = Callable[[FigureInfo, object], "str | None"]


@dataclass(frozen=True)
class Option:
    """One chart for a choice task: defensible or not, why, and what a defensible figure must show."""

    defensible: bool
    why: str
    needs: tuple = field(default_factory=tuple)   # Need functions: each returns a hint when the figure lacks something


def needs_pairs(*pairs, any_of: bool = False) -> Need:
    """The figure must draw these unordered pairs (all of them, or at least one with any_of)."""
    want = [frozenset(p) for p in pairs]

    def need(info: FigureInfo, course) -> str | None:
        missing = [p for p in want if p not in info.pairs]
        if (any_of and len(missing) < len(want)) or not missing:
            return None
        names, order = course.actor_names, {a: i for i, a in enumerate(course.actor_ids)}
        shown = [" \u2013 ".join(names.get(a, a) for a in sorted(p, key=lambda x: (order.get(x, 99), x))) for p in missing]
        return (f"Your {info.chart} figure does not show {', '.join(shown)}, which the question is about"
                + (" (one of them is enough)" if any_of else "") + ": " + PASS_PAIRS.get(info.chart, PASS_PAIRS[""]))
    return need


# How each chart is told which pairs to draw (a hint must name an argument the function has).
PASS_PAIRS = {
    "relations_heatmap": ("pass the actors you need with actors= (the heatmap draws every pair among them, or with one "
                          "actor every pair that involves it)."),
    "": "pass the pairs you need with pairs=, a list of two-code tuples: pairs=[(\"A\", \"B\"), ...].",
}


def needs_actors(*actors) -> Need:
    def need(info: FigureInfo, course) -> str | None:
        missing = [a for a in actors if a not in info.actors]
        if not missing:
            return None
        names = course.actor_names
        return (f"Your {info.chart} figure leaves out {', '.join(names.get(a, a) for a in missing)}, which the question "
                "is about: pass them in actors=.")
    return need


def needs_events(label: str, select: Callable) -> Need:
    """A timeline must show at least one of the events `select(course)` returns (e.g. a stage's PRK events)."""
    def need(info: FigureInfo, course) -> str | None:
        wanted = set(select(course))
        if info.events & wanted:
            return None
        return f"Your timeline shows none of {label}: check its stages=, actors= and motives= filters."
    return need


def needs_stages(count: int = 2) -> Need:
    """A timeline must span at least ``count`` periods (a question about when something changed needs a before)."""
    def need(info: FigureInfo, course) -> str | None:
        shown = {course.events_by_id[e].stage for e in info.events if e in course.events_by_id} - {None}
        if len(shown) >= count:
            return None
        return (f"Your timeline shows {'one period' if len(shown) == 1 else 'no period'} only, so it cannot show when "
                "something changed: a change needs a before and an after. Check its stages= filter.")
    return need


def check_choice(answer, course, options: dict[str, Option], *, question: str) -> tuple[bool, str]:
    """Accept any defensible chart that shows what the question needs; explain why an indefensible one cannot."""
    if isinstance(answer, str):
        return False, ("Build the figure itself with the chart function you chose (e.g. fig = charts.<name>(course, ...)) "
                       "and put the figure here, not its name.")
    if callable(answer) and not isinstance(answer, go.Figure):
        return False, ("You gave the chart function itself, not a figure: call it with the course and the arguments "
                       "you need (fig = charts.<name>(course, ...)) and put the figure here.")
    if not isinstance(answer, go.Figure):
        return False, (f"Expected a plotly Figure built with turn_east.charts, got {type(answer).__name__}. "
                       "Assign the figure itself, not fig.show().")
    info = figure_info(answer, course)
    if info is None:
        return False, ("This figure was not built by turn_east.charts, so the check cannot tell what it shows: "
                       "choose one of the course's chart functions.")
    option = options.get(info.chart)
    if option is None:
        return False, f"charts.{info.chart} cannot answer {question}: think about what each chart measures."
    if not option.defensible:
        return False, f"charts.{info.chart} is not a defensible choice for {question}: {option.why}"
    for need in option.needs:
        hint = need(info, course)
        if hint:
            return False, hint
    return True, f"A defensible choice: charts.{info.chart} shows {option.why}. Now defend it in one or two sentences."
