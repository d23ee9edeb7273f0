"""Counts and averages per stage: activity, tone (Goldstein scale), motives."""
from __future__ import annotations

import plotly.graph_objects as go  # noqa: F401  (return type)

from turn_east.data import Course

from ._common import (
    actor_color, actor_symbol, check_pairs, finish, join_words, plural, source_line, stage_colors, stage_labels,
)

PAIR_PATTERNS = ["", "/", "x", ".", "\\", "+", "-", "|"]
PAIR_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]


def _staged_events(course: Course) -> list[dict]:
    """The events inside the course's periods (not the background dated before the first), as the stats need them."""
    return [dict(id=e.id, stage=e.stage, a=e.actor_a, b=e.actor_b, goldstein=e.goldstein, motives=e.motives)
            for e in course.event_list if e.stage is not None]


def pair_matches(event: dict, pair: tuple[str, str]) -> bool:
    """Unordered: ('RUS', 'PRK') matches actor_a=PRK, actor_b=RUS too."""
    return {event["a"], event["b"]} == set(pair)


def _pair_color(course, pair) -> str:
    """A pair takes the colour of Russia's partner (or of its first actor when Russia is absent)."""
    a, b = pair
    return actor_color(course, b if a == "RUS" else a if b == "RUS" else a)


def _pair_symbol(course, pair) -> str:
    a, b = pair
    return actor_symbol(course, b if a == "RUS" else a if b == "RUS" else a)


def _pair_label(names, pair) -> str:
    return f"{names.get(pair[0], pair[0])} \u2013 {names.get(pair[1], pair[1])}"


def activity_by_stage(course: Course, *, pairs=None) -> go.Figure:
    """Number of events per stage; with ``pairs``, grouped bars per (unordered) main actor pair."""
    pers = course.periods
    titles = stage_labels(course)
    names = course.actor_names
    events = _staged_events(course)
    x = [titles.get(p, p) for p in pers]
    n_background = len(course.events) - len(events)
    if pairs is None:
        counts = [sum(1 for e in events if e["stage"] == p) for p in pers]
        traces = [dict(type="bar", x=x, y=counts, text=[str(c) for c in counts], textposition="outside",
                       name="All events", customdata=pers,
                       hovertemplate="%{x}: %{y} events<extra></extra>",
                       marker=dict(color=[stage_colors(course)[p] for p in pers],
                                   line=dict(width=1, color="#222222")))]
        series = [("all events", counts)]
        showlegend = False
    else:
        pairs = check_pairs(course, pairs)
        traces, series = [], []
        for i, pair in enumerate(pairs):
            counts = [sum(1 for e in events if e["stage"] == p and pair_matches(e, pair)) for p in pers]
            label = _pair_label(names, pair)
            series.append((label, counts))
            traces.append(dict(type="bar", x=x, y=counts, text=[str(c) for c in counts], textposition="outside",
                               name=label, customdata=pers,
                               hovertemplate=f"{label}<br>%{{x}}: %{{y}} events<extra></extra>",
                               marker=dict(color=_pair_color(course, pair),
                                           pattern=dict(shape=PAIR_PATTERNS[i % len(PAIR_PATTERNS)],
                                                        fgcolor="#222222", solidity=0.25),
                                           line=dict(width=1, color="#222222"))))
        showlegend = True
    ymax = max([max(c) for _, c in series] + [1])
    fig = dict(data=traces, layout=dict(
        barmode="group", showlegend=showlegend,
        xaxis=dict(title=dict(text="Stage"), showgrid=False),
        yaxis=dict(title=dict(text="Number of events"), range=[0, ymax * 1.18]),
        legend=dict(title=dict(text="Main pair (either order)")), height=460))
    title = "How busy was each stage? Events per stage"
    if pairs is not None:
        title += ", by main actor pair"
    desc = "Bar chart of events per stage"
    for label, counts in series:
        desc += (f"; {label}: " + ", ".join(f"{x[i]} {c}" for i, c in enumerate(counts))
                 + f" (total {sum(counts)})")
    desc += "."
    if n_background:
        desc += f" {plural(n_background, 'background event')} dated before 2000 are not counted."
    if pairs is not None:
        desc += " A pair counts an event when it is the event's main pair (actor_a, actor_b) in either order."
    return finish(fig, title=title, description=desc, chart="activity_by_stage",
                  source=source_line("events.csv"))


def tone_by_stage(course: Course, *, pairs=(("RUS", "PRK"), ("RUS", "KOR"))) -> go.Figure:
    """Mean Goldstein score (-10 conflict .. +10 cooperation) of each pair's events per stage."""
    pairs = check_pairs(course, pairs)
    pers = course.periods
    titles = stage_labels(course)
    names = course.actor_names
    events = _staged_events(course)
    x = [titles.get(p, p) for p in pers]
    traces, desc_parts = [], []
    for i, pair in enumerate(pairs):
        means, counts = [], []
        for p in pers:
            vals = [e["goldstein"] for e in events
                    if e["stage"] == p and pair_matches(e, pair) and e["goldstein"] is not None]
            counts.append(len(vals))
            means.append(round(sum(vals) / len(vals), 2) if vals else None)
        label = _pair_label(names, pair)
        traces.append(dict(
            type="scatter", mode="lines+markers+text", x=x, y=means, name=label,
            text=[("" if m is None else f"{m:+.1f}") for m in means], textposition="top center",
            customdata=[[c, p] for c, p in zip(counts, pers)],
            hovertemplate=f"{label}<br>%{{x}}: mean %{{y:+.2f}} over %{{customdata[0]}} events<extra></extra>",
            line=dict(color=_pair_color(course, pair), width=3, dash=PAIR_DASHES[i % len(PAIR_DASHES)]),
            marker=dict(size=12, symbol=_pair_symbol(course, pair), color=_pair_color(course, pair),
                        line=dict(width=1, color="#222222")),
            connectgaps=False,
        ))
        desc_parts.append(f"{label}: " + ", ".join(
            f"{x[j]} {'no events' if m is None else f'{m:+.2f} (n={c})'}" for j, (m, c) in enumerate(zip(means, counts))))
    fig = dict(data=traces, layout=dict(
        xaxis=dict(title=dict(text="Stage"), showgrid=False),
        yaxis=dict(title=dict(text="Mean Goldstein score<br>(-10 conflict, +10 cooperation)"),
                   range=[-10.5, 10.5], zeroline=True, zerolinecolor="#444444", zerolinewidth=1.5),
        legend=dict(title=dict(text="Main pair (either order)")), height=480, hovermode="closest"))
    desc = ("Line chart of the mean Goldstein score of each pair's events per stage; "
            + "; ".join(desc_parts) + ". Gaps mean the pair has no events in that stage.")
    return finish(fig, title="Warmer or colder? Tone of events per stage (Goldstein scale)",
                  description=desc, chart="tone_by_stage", source=source_line("events.csv"))


def stage_motive_matrix(course: Course) -> go.Figure:
    """How often each motive is tagged on the events of each stage (counts written in the cells)."""
    pers = course.periods
    titles = stage_labels(course)
    mtitles = course.motive_titles
    motives = list(mtitles)
    events = _staged_events(course)
    z = [[sum(1 for e in events if e["stage"] == p and m in e["motives"]) for p in pers] for m in motives]
    totals = {p: sum(1 for e in events if e["stage"] == p) for p in pers}
    x = [titles.get(p, p) for p in pers]
    y = [mtitles[m] for m in motives]
    hover = [[f"{mtitles[m]}<br>{titles.get(p, p)}: {z[i][j]} of {totals[p]} events" for j, p in enumerate(pers)]
             for i, m in enumerate(motives)]
    zmax = max([max(r) for r in z] + [1])
    fig = dict(data=[dict(
        type="heatmap", x=x, y=y, z=z, text=[[str(v) for v in r] for r in z], texttemplate="%{text}",
        textfont=dict(size=14), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorscale=[[0, "#FFFFFF"], [1, "#08306B"]], zmin=0, zmax=zmax, xgap=2, ygap=2,
        colorbar=dict(title=dict(text="Events")))],
        layout=dict(xaxis=dict(title=dict(text="Stage"), showgrid=False),
                    yaxis=dict(title=dict(text="Motive"), autorange="reversed", showgrid=False),
                    height=420, margin=dict(l=200)))
    parts = []
    for j, p in enumerate(pers):
        col = sorted(((z[i][j], mtitles[m]) for i, m in enumerate(motives)), key=lambda t: (-t[0], t[1]))
        if col and col[0][0] > 0:
            parts.append(f"{titles.get(p, p)}: {col[0][1]} ({col[0][0]} of {totals[p]})")
    row_tot = sorted(((sum(z[i]), mtitles[m]) for i, m in enumerate(motives)), key=lambda t: (-t[0], t[1]))
    untagged = sum(1 for e in events if not e["motives"])
    desc = (f"Heatmap of motive tags ({plural(len(motives), 'motive')} by {plural(len(pers), 'stage')}) on "
            f"{plural(len(events), 'event')}; an event may carry several motives. Totals: "
            + join_words([f"{t} {n}" for n, t in row_tot]) + ".")
    if parts:
        desc += " Most tagged per stage: " + "; ".join(parts) + "."
    if untagged:
        desc += f" {plural(untagged, 'event has', 'events have')} no motive tag."
    return finish(fig, title="Which motive, when? Motive tags per stage",
                  description=desc, chart="stage_motive_matrix", source=source_line("events.csv, motives.csv"))
