"""The course timeline: events on swim lanes over the shaded periods of stages.csv."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go  # noqa: F401  (return type)

from turn_east.data import Course, Event

from ._common import (
    EVENT_TYPE_STYLE, EVENT_TYPES, STAGE_BAND_FILLS, ChartArgumentError, actor_symbol, check_choices, finish,
    fmt_span, join_words, plural, source_line, stage_labels, wrap,
)

DEFAULT_START = "2000-01-01"
COLOR_BY = ("event_type", "actor")


def _stages(course: Course) -> list[dict]:
    """The stages in course order, each with its title, first and last day, and whether the course (not the
    article) defined it."""
    ours = set()
    if "defined_by" in course.stages:
        ours = set(course.stages.loc[course.stages["defined_by"] == "course", "id"].astype(str))
    return [dict(id=sid, title=title, start=course.stage_spans[sid][0], end=course.stage_spans[sid][1],
                 ours=sid in ours)
            for sid, title in course.stage_titles.items()]


def filter_events(course: Course, *, stages=None, motives=None, actors=None, start=DEFAULT_START,
                  end=None) -> list[Event]:
    """The events a timeline with these arguments draws, sorted by (date, id).

    Arguments are checked first: unknown ids raise ``ChartArgumentError`` (a ValueError).
    """
    stages = check_choices("stage", stages, course.periods, param="stages")
    motives = check_choices("motive", motives, list(course.motive_titles), param="motives")
    actors = check_choices("actor", actors, course.actor_ids, param="actors")
    lo = None if start is None else _as_ts(start, "start")
    hi = None if end is None else _as_ts(end, "end")
    out = []
    for e in course.event_list:
        if lo is not None and e.date < lo:
            continue
        if hi is not None and e.date > hi:
            continue
        if stages is not None and e.stage not in stages:
            continue
        if motives is not None and not set(e.motives) & set(motives):
            continue
        if actors is not None and not set(e.actors) & set(actors):
            continue
        out.append(e)
    return out


def _as_ts(value, param):
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ChartArgumentError(f"{param}: {value!r} is not a date; give 'YYYY-MM-DD' or None") from None


def _hover(e, names, citations, stitles, mtitles, sections, full=True) -> str:
    """Hover text; ``full=False`` (an event repeated on several actor lanes) leaves out the
    motives and the summary to keep the figure small."""
    lines = [f"<b>{wrap(e.title, 60)}</b>", fmt_span(e.date, e.end, e.precision)]
    lines.append(f"Stage: {stitles.get(e.stage, e.stage)}" if e.stage else "Background (before 2000)")
    lines.append("Type: " + e.event_type)
    if e.actors:
        lines.append(wrap("Actors: " + ", ".join(names.get(a, a) for a in e.actors), 70))
    if e.motives and full:
        lines.append(wrap("Motives: " + ", ".join(mtitles.get(m, m) for m in e.motives), 70))
    if e.summary and full:
        lines.append(wrap(e.summary, 70, limit=220))
    if e.source_id:
        cite = citations.get(e.source_id, e.source_id)
        lines.append(wrap("Source: " + cite, 70, limit=120 if full else 90))
    if e.article_section:
        lines.append(f"Article: {sections.get(e.article_section, e.article_section)}")
    return "<br>".join(lines)


def timeline(course: Course, *, stages=None, motives=None, actors=None, color_by: str = "event_type",
             buttons: bool = True, start=DEFAULT_START, end=None) -> go.Figure:
    """Events on a time axis over the shaded eras (the periods of stages.csv).

    stages, motives, actors: keep only events in these stages / tagged with any of these
      motives / involving any of these actors (ids; None keeps all).
    color_by: "event_type" (one lane, colour family and symbol per event type) or
      "actor" (one lane per actor; an event sits on the lane of every actor it involves).
    buttons: add in-figure menus: "zoom" to one stage's years, and "show" only the events of
      one motive or actor (they combine; the function arguments filter before drawing).
    start, end: date window; ``start=None`` adds the pre-2000 background events.
    """
    if color_by not in COLOR_BY:
        raise ChartArgumentError(f"color_by: unknown option {color_by!r}; valid options: {', '.join(COLOR_BY)}")
    events = filter_events(course, stages=stages, motives=motives, actors=actors, start=start, end=end)
    # normalised (one id -> [id], course order) for the bands, buttons and title
    stages = check_choices("stage", stages, course.periods, param="stages")
    motives = check_choices("motive", motives, list(course.motive_titles), param="motives")
    actors = check_choices("actor", actors, course.actor_ids, param="actors")
    stages_all = _stages(course)
    stitles = stage_labels(course)
    mtitles = course.motive_titles
    names = course.actor_names
    long_names = course.actor_full_names
    citations = course.citations
    hover = {e.id: _hover(e, names, citations, stitles, mtitles, course.section_citations,
                          full=color_by == "event_type")
             for e in events}

    # ---- lanes and traces: each trace is a list of (event, lane) points
    if color_by == "event_type":
        present = [t for t in EVENT_TYPES if any(e.event_type == t for e in events)]
        present += sorted({e.event_type for e in events} - set(EVENT_TYPES))
        lanes = present
        groups = [(t, t, EVENT_TYPE_STYLE.get(t, ("#666666", "circle")),
                   [(e, t) for e in events if e.event_type == t]) for t in present]
    else:
        lanes = [a for a in course.actor_ids if any(a in e.actors for e in events)]
        colors = course.actor_colors
        groups = [(a, names.get(a, a), (colors[a], actor_symbol(course, a)),
                   [(e, a) for e in events if a in e.actors]) for a in lanes]
    lane_y = {lane: i for i, lane in enumerate(reversed(lanes))}  # first lane on top

    data, span_traces = [], []
    for key, label, (color, symbol), pts in groups:
        data.append(dict(
            type="scatter", mode="markers", name=f"{label} ({len(pts)})", legendgroup=key,
            x=[e.date.strftime("%Y-%m-%d") for e, _ in pts], y=[lane_y[l] for _, l in pts],
            hovertext=[hover[e.id] for e, _ in pts], hovertemplate="%{hovertext}<extra></extra>",
            customdata=[e.id for e, _ in pts],
            marker=dict(color=color, symbol=symbol, size=11, line=dict(width=1, color="#222222")),
            meta=dict(key=key, kind="events"),
        ))
        spans = [(e, l) for e, l in pts if e.end is not None and e.end > e.date]
        if spans:
            xs, ys = [], []
            for e, l in spans:
                xs += [e.date.strftime("%Y-%m-%d"), e.end.strftime("%Y-%m-%d"), None]
                ys += [lane_y[l], lane_y[l], None]
            span_traces.append(dict(
                type="scatter", mode="lines", name=f"{label}: multi-day", legendgroup=key,
                showlegend=False, x=xs, y=ys, hoverinfo="skip",
                line=dict(color=color, width=7), opacity=0.55,
                customdata=[e.id for e, _ in spans], meta=dict(key=key, kind="spans"),
            ))
    traces = span_traces + data  # spans under the markers

    # ---- era bands: one shaded rectangle and one label per stage shown
    shown_stages = [s for s in stages_all if stages is None or s["id"] in set(stages)]
    shapes, annotations = [], []
    for i, s in enumerate(shown_stages):
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=s["start"].strftime("%Y-%m-%d"),
                           x1=(s["end"] + pd.Timedelta(days=1)).strftime("%Y-%m-%d"), y0=0, y1=1,
                           fillcolor=STAGE_BAND_FILLS[stages_all.index(s) % 2], line=dict(width=0),
                           layer="below", name=f"era:{s['id']}"))
        mid = s["start"] + (s["end"] - s["start"]) / 2
        band_hover = s["title"] + (" (the course's own period, after the article)" if s["ours"] else "")
        annotations.append(dict(text=stitles[s["id"]], hovertext=wrap(band_hover, 50), x=mid.strftime("%Y-%m-%d"), xref="x",
                                y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                                font=dict(size=11, color="#333333"), name=f"era:{s['id']}"))
    background = [e for e in events if e.stage is None]
    if background and shown_stages:
        annotations.append(dict(text="Background<br>(before 2000)", x=0.0, xref="paper", y=1.0,
                                yref="paper", yanchor="bottom", xanchor="left", showarrow=False,
                                font=dict(size=11, color="#333333"), name="era:background"))

    # ---- x range: the shown eras (plus background events when asked for)
    x_lo = min([s["start"] for s in shown_stages] + [e.date for e in events]) if (shown_stages or events) else None
    x_hi = max([s["end"] for s in shown_stages] + [(e.end or e.date) for e in events]) if (shown_stages or events) else None
    if start is not None and x_lo is not None:
        x_lo = max(x_lo, pd.Timestamp(start))
    xrange = None
    if x_lo is not None:
        pad = max(pd.Timedelta(days=60), (x_hi - x_lo) * 0.01)
        xrange = [(x_lo - pad).strftime("%Y-%m-%d"), (x_hi + pad).strftime("%Y-%m-%d")]

    lane_labels = {lane: (lane if color_by == "event_type" else names.get(lane, lane)) for lane in lanes}
    layout = dict(
        xaxis=dict(title=dict(text="Date"), type="date", range=xrange, showgrid=False),
        yaxis=dict(title=dict(text="Event type" if color_by == "event_type" else "Actor involved"),
                   tickvals=[lane_y[l] for l in lanes], ticktext=[lane_labels[l] for l in lanes],
                   range=[-0.7, len(lanes) - 0.3], showgrid=True, fixedrange=True),
        shapes=shapes, annotations=annotations, height=max(420, 120 + 34 * len(lanes)),
        legend=dict(title=dict(text="Event type" if color_by == "event_type" else "Actor"),
                    traceorder="normal"),
        hovermode="closest", margin=dict(t=110, r=200),
    )

    if buttons and events:
        layout["updatemenus"] = _menus(course, events, traces, stages_all, stitles, mtitles, names, xrange,
                                       by_actor=color_by == "actor")
        layout["legend"]["y"] = 0.78 if len(lanes) > 6 else 0.7
        layout["legend"]["yanchor"] = "top"

    fig = dict(data=traces, layout=layout)

    filters = _filter_phrase(stages, motives, actors, stitles, mtitles, long_names)
    title = "Russia and North Korea in the Turn to the East: timeline of events"
    if filters:
        title += f"<br><sup>{filters}</sup>"
    return finish(fig, title=title, chart="timeline",
                  description=_describe(events, groups, color_by, filters, stitles, names),
                  source=source_line("events.csv, stages.csv"), source_shift=-62)


def _menus(course, events, traces, stages_all, stitles, mtitles, names, xrange, by_actor=False) -> list[dict]:
    """Two dropdowns that combine: "Zoom" to one stage's years, and "Show" all events or only
    those of one motive / actor (the other points are removed, not dimmed).

    With actor lanes the actor entries are left out: the lanes already separate the actors
    (and double-clicking an actor in the legend isolates it)."""
    def restyle_for(keep) -> dict:
        ys = []
        for t in traces:
            ids = t["customdata"]
            if t["meta"]["kind"] == "events":
                ys.append([y if i in keep else None for i, y in zip(ids, t["y"])])
            else:  # spans: three y values per event (start, end, gap)
                ys.append([y if ids[k // 3] in keep else None for k, y in enumerate(t["y"])])
        return {"y": ys}

    zoom = [dict(label=f"All years ({len(events)})", method="relayout", args=[{"xaxis.range": xrange}])]
    for s in stages_all:
        n = sum(1 for e in events if e.stage == s["id"])
        if n:
            pad = pd.Timedelta(days=45)
            rng = [(s["start"] - pad).strftime("%Y-%m-%d"), (s["end"] + pad).strftime("%Y-%m-%d")]
            zoom.append(dict(label=f"Stage: {stitles[s['id']]} ({n})", method="relayout",
                             args=[{"xaxis.range": rng}]))
    show = [dict(label=f"All events ({len(events)})", method="restyle",
                 args=[restyle_for({e.id for e in events})])]
    for m, mt in mtitles.items():
        keep = {e.id for e in events if m in e.motives}
        if keep:
            show.append(dict(label=f"Motive: {mt} ({len(keep)})", method="restyle", args=[restyle_for(keep)]))
    for a in ([] if by_actor else course.actor_ids):
        keep = {e.id for e in events if a in e.actors}
        if keep:
            show.append(dict(label=f"Actor: {names.get(a, a)} ({len(keep)})", method="restyle",
                             args=[restyle_for(keep)]))
    common = dict(type="dropdown", direction="down", showactive=True, active=0, x=1.02, xanchor="left",
                  yanchor="top", pad=dict(l=0, t=0))
    return [dict(common, buttons=zoom, y=1.0, name="zoom"),
            dict(common, buttons=show, y=0.9, name="filter")]


def _filter_phrase(stages, motives, actors, stitles, mtitles, long_names) -> str:
    parts = []
    if stages:
        parts.append("stages: " + ", ".join(stitles.get(s, s) for s in stages))
    if motives:
        parts.append("motives: " + ", ".join(mtitles.get(m, m) for m in motives))
    if actors:
        parts.append("involving: " + ", ".join(long_names.get(a, a) for a in actors))
    return "; ".join(parts)


def _describe(events, groups, color_by, filters, stitles, names) -> str:
    if not events:
        return "Timeline: no events match " + (filters or "these arguments") + "."
    y0, y1 = events[0].date.year, events[-1].date.year
    text = f"Timeline of {plural(len(events), 'event')} from {y0} to {y1}"
    text += f" ({filters})." if filters else "."
    per_stage = {}
    for e in events:
        if e.stage:
            per_stage[e.stage] = per_stage.get(e.stage, 0) + 1
    if per_stage:
        parts = [f"{stitles.get(s, s)} {n}" for s, n in per_stage.items()]
        text += " Events per stage: " + "; ".join(parts) + "."
    n_bg = sum(1 for e in events if e.stage is None)
    if n_bg:
        text += f" {plural(n_bg, 'background event')} before 2000."
    counts = sorted(((len(pts), label) for _, label, _, pts in groups), key=lambda t: (-t[0], t[1]))
    if color_by == "event_type":
        text += " Most common types: " + join_words([f"{l} ({n})" for n, l in counts[:3]]) + "."
    else:
        text += " Actors most often involved: " + join_words([f"{l} ({n})" for n, l in counts[:3]]) + "."
    n_span = sum(1 for e in events if e.end is not None and e.end > e.date)
    if n_span:
        text += f" {plural(n_span, 'multi-day event is', 'multi-day events are')} drawn as bars."
    first, last = events[0], events[-1]
    text += (f" First: {first.title} ({fmt_span(first.date, None, first.precision)});"
             f" last: {last.title} ({fmt_span(last.date, None, last.precision)}).")
    return text
