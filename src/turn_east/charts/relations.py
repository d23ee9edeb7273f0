"""Charts of the coded relations (relations.csv): network, strategic triangle, heatmap."""
from __future__ import annotations

import plotly.graph_objects as go  # noqa: F401  (return type)

import pandas as pd

from turn_east.data import Course

from ._common import (
    SCORE_COLORS, SCORE_LABELS, ChartArgumentError, actor_symbol, check_choices, finish, fmt_score, plural,
    score_colorscale, score_dash, source_line, stage_labels, wrap,
)

#: Schematic, roughly geographic node positions (x west->east, y south->north).
NETWORK_POSITIONS: dict[str, tuple[float, float]] = {
    "RUS": (0.50, 0.92),
    "CHN": (0.36, 0.50),
    "PRK": (0.60, 0.64),
    "KOR": (0.66, 0.38),
    "JPN": (0.86, 0.52),
    "USA": (0.98, 0.86),
    "IND": (0.08, 0.20),
}

TRIANGLE = ("USA", "CHN", "RUS")
TRIANGLE_POSITIONS = {"RUS": (0.50, 0.93), "CHN": (0.06, 0.10), "USA": (0.94, 0.10)}
SATELLITES = ("PRK", "IND")


# --------------------------------------------------------------------------- data access

def relation_table(course: Course) -> dict[tuple[str, str, str], dict]:
    """{(period, a, b): row} with both (a, b) and (b, a) as keys; each row lists its events' titles."""
    events = course.events_by_id
    out = {}
    for key, rel in course.relations_by_pair.items():
        out[key] = dict(id=rel.id, period=rel.period, a=rel.a, b=rel.b, score=rel.score,
                        justification=rel.justification, events=list(rel.events),
                        titles=[events[e].title if e in events else e for e in rel.events])
    return out


def relation_pairs(course: Course, actors=None) -> list[tuple[str, str]]:
    """Unordered pairs of relation actors in the course's actor order."""
    ids = course.relation_actor_ids
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
            if actors is None or (a in actors and b in actors)]


def _pair_hover(row, names, stitle) -> str:
    lines = [f"<b>{names.get(row['a'], row['a'])} \u2013 {names.get(row['b'], row['b'])}</b>: "
             f"{fmt_score(row['score'])} ({SCORE_LABELS.get(row['score'], '')})", stitle]
    if row["justification"]:
        lines.append(wrap(row["justification"], 65, limit=300))
    if row["titles"]:
        shown = row["titles"][:4]
        lines.append("Events: " + "<br>  ".join(wrap(t, 60, limit=80) for t in shown)
                     + (f"<br>  \u2026 and {len(row['titles']) - 4} more" if len(row["titles"]) > 4 else ""))
    return "<br>".join(lines)


def _score_legend_trace(x=None, y=None) -> dict:
    """An invisible trace that only draws the -3..+3 colourbar."""
    return dict(type="scatter", mode="markers", x=[x], y=[y], hoverinfo="skip", showlegend=False,
                name="score scale",
                marker=dict(size=0.1, color=[0], cmin=-3.5, cmax=3.5, colorscale=score_colorscale(),
                            showscale=True, colorbar=dict(
                                title=dict(text="Relation<br>score"), tickvals=list(range(-3, 4)),
                                ticktext=[f"{fmt_score(s)} {SCORE_LABELS[s]}" for s in range(-3, 4)],
                                len=0.75, thickness=14, x=1.02)))


def _start_period(course, period) -> str:
    """The period a slider chart opens on: ``period`` (checked) or the first one."""
    if period is None:
        return course.periods[0]
    check_choices("period", [period], course.periods, param="period")
    return period


def _slider_and_play(course, prefix="Period: ", active: int = 0) -> tuple[list, list]:
    titles = stage_labels(course)
    anim = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    steps = [dict(label=titles.get(p, p), method="animate", args=[[p], anim], name=p)
             for p in course.periods]
    slider = dict(active=active, steps=steps, x=0.05, len=0.9, y=-0.02, yanchor="top", pad=dict(t=30),
                  currentvalue=dict(prefix=prefix, font=dict(size=14)), name="period")
    play = dict(type="buttons", showactive=False, x=0.0, xanchor="right", y=-0.02, yanchor="top",
                pad=dict(t=40, r=10), direction="left", name="play", buttons=[
                    dict(label="\u25b6 Play", method="animate",
                         args=[None, dict(mode="immediate", fromcurrent=True,
                                          frame=dict(duration=1500, redraw=True),
                                          transition=dict(duration=0))]),
                    dict(label="\u275a\u275a Pause", method="animate",
                         args=[[None], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                            transition=dict(duration=0))])])
    return [slider], [play]


def _require_relations(course, needed, chart) -> dict:
    rel = relation_table(course)
    ids = course.relation_actor_ids
    missing = [a for a in needed if a not in ids]
    if missing:
        raise ChartArgumentError(
            f"{chart} needs relation actors {', '.join(missing)}; actors with in_relations=true: {', '.join(ids)}")
    return rel


def _score(rel, period, a, b):
    row = rel.get((period, a, b))
    return None if row is None else row["score"]


# --------------------------------------------------------------------------- network

def _network_positions(course, ids) -> dict[str, tuple[float, float]]:
    pos = {a: NETWORK_POSITIONS[a] for a in ids if a in NETWORK_POSITIONS}
    others = [a for a in ids if a not in pos]
    if others:  # unknown actors: place by capital coordinates, scaled into the frame
        act = course.actors.set_index(course.actors["id"].astype(str))
        for a in others:
            lon = float(act.loc[a, "capital_lon"]) if pd.notna(act.loc[a, "capital_lon"]) else 100.0
            lat = float(act.loc[a, "capital_lat"]) if pd.notna(act.loc[a, "capital_lat"]) else 40.0
            pos[a] = (round(min(max((lon - 30) / 130, 0.0), 1.0), 4), round(min(max((lat - 10) / 50, 0.0), 1.0), 4))
    return pos


def _edge_style(score: int) -> dict:
    return dict(color=SCORE_COLORS[max(-3, min(3, score))], width=1.5 + 2.2 * abs(score), dash=score_dash(score))


def relations_network(course: Course, *, period: str | None = None) -> go.Figure:
    """Relation actors as nodes (fixed, roughly geographic positions); edges coloured and sized
    by the coded score (-3..+3); a slider (and frames) steps through the periods of stages.csv.

    ``period`` (a period id, default the first) is the one the chart opens on: a lesson shows its own
    period first, in print too (where the slider is gone)."""
    start = _start_period(course, period)
    ids = course.relation_actor_ids
    rel = _require_relations(course, [], "relations_network")
    pos = _network_positions(course, ids)
    colors = course.actor_colors
    names = course.actor_full_names
    short = course.actor_names
    titles = stage_labels(course)
    pers = course.periods
    pairs = relation_pairs(course)

    def period_traces(p):
        traces, mx, my, mtext, mhover = [], [], [], [], []
        for a, b in pairs:
            row = rel.get((p, a, b))
            score = row["score"] if row else 0
            (x0, y0), (x1, y1) = pos[a], pos[b]
            traces.append(dict(type="scatter", mode="lines", x=[x0, x1], y=[y0, y1], hoverinfo="skip",
                               showlegend=False, name=f"{a}-{b}", line=_edge_style(score)))
            mx.append(round(0.5 * (x0 + x1), 4))
            my.append(round(0.5 * (y0 + y1), 4))
            mtext.append(fmt_score(score) if row and score else "")  # 0 = dotted line, no label
            mhover.append(_pair_hover(row, names, titles.get(p, p)) if row else f"{a}-{b}: not coded")
        traces.append(dict(type="scatter", mode="markers+text", x=mx, y=my, text=mtext,
                           textfont=dict(size=11, color="#222222"), hovertext=mhover,
                           hovertemplate="%{hovertext}<extra></extra>", showlegend=False, name="edge scores",
                           marker=dict(size=16, color="rgba(255,255,255,0.85)", line=dict(width=0))))
        node_hover = []
        for a in ids:
            ties = [(b, rel[(p, a, b)]["score"]) for b in ids if b != a and (p, a, b) in rel]
            node_hover.append(f"<b>{names[a]}</b> in {titles.get(p, p)}<br>"
                              + "<br>".join(f"with {short[b]}: {fmt_score(s)}" for b, s in ties))
        traces.append(dict(type="scatter", mode="markers+text", x=[pos[a][0] for a in ids],
                           y=[pos[a][1] for a in ids], text=[short[a] for a in ids], textposition="top center",
                           textfont=dict(size=13), hovertext=node_hover, hovertemplate="%{hovertext}<extra></extra>",
                           showlegend=False, name="actors", customdata=ids,
                           marker=dict(size=26, color=[colors[a] for a in ids],
                                       symbol=[actor_symbol(course, a) for a in ids],
                                       line=dict(width=1.5, color="#222222"))))
        return traces

    first = period_traces(start)
    n_dyn = len(first)
    frames = [dict(name=p, data=period_traces(p), traces=list(range(n_dyn))) for p in pers]
    sliders, menus = _slider_and_play(course, active=pers.index(start))
    axis = dict(visible=False, range=[-0.08, 1.1], fixedrange=True)
    fig = dict(
        data=first + [_score_legend_trace()],
        layout=dict(xaxis=axis, yaxis=dict(axis, range=[0.05, 1.02]), sliders=sliders, updatemenus=menus,
                    height=660, hovermode="closest", margin=dict(t=80, b=200, l=40, r=40)),
        frames=frames)
    return finish(fig, title="Who stands where: relations among the seven actors, period by period",
                  description=_describe_network(course, rel, pairs, pers, titles, short),
                  source=source_line("relations.csv (scores coded by the course team)"),
                  chart="relations_network", source_shift=-178)


def _trend(rel, pers, a, b, titles) -> str:
    return ", ".join(f"{fmt_score(rel[(p, a, b)]['score'])} ({titles.get(p, p)})" for p in pers if (p, a, b) in rel)


def _describe_network(course, rel, pairs, pers, titles, short) -> str:
    ids = course.relation_actor_ids
    text = (f"Network of {plural(len(ids), 'actor')} ({plural(len(pairs), 'pair')}) over "
            f"{plural(len(pers), 'period')}; each line is coloured and sized by the coded score "
            f"from -3 (hostile) to +3 (aligned), dashed when negative.")
    if ("RUS" in ids and "PRK" in ids):
        text += f" Russia-North Korea: {_trend(rel, pers, 'RUS', 'PRK', titles)}."
    for p in (pers[0], pers[-1]):
        rows = [rel[(p, a, b)] for a, b in pairs if (p, a, b) in rel]
        if not rows:
            continue
        mean = sum(r["score"] for r in rows) / len(rows)
        pos_n = sum(1 for r in rows if r["score"] > 0)
        neg_n = sum(1 for r in rows if r["score"] < 0)
        text += (f" {titles.get(p, p)}: mean score {mean:+.2f}, {pos_n} positive and "
                 f"{neg_n} negative pairs.")
    return text


# --------------------------------------------------------------------------- strategic triangle

def _satellite_position(rel, p, sat):
    weights = {}
    for v in TRIANGLE:
        s = _score(rel, p, sat, v)
        weights[v] = (3.5 + (0 if s is None else s)) ** 2
    total = sum(weights.values())
    x = sum(weights[v] * TRIANGLE_POSITIONS[v][0] for v in TRIANGLE) / total
    y = sum(weights[v] * TRIANGLE_POSITIONS[v][1] for v in TRIANGLE) / total
    # a fifth of the way back to the centre, so a satellite never sits on a side of the triangle
    cx, cy = _triangle_centre()
    return 0.8 * x + 0.2 * cx, 0.8 * y + 0.2 * cy


def _triangle_centre():
    return (sum(TRIANGLE_POSITIONS[v][0] for v in TRIANGLE) / 3,
            sum(TRIANGLE_POSITIONS[v][1] for v in TRIANGLE) / 3)


def strategic_triangle(course: Course, *, period: str | None = None) -> go.Figure:
    """The US-China-Russia triangle per period, with North Korea and India placed by their ties.

    Each satellite sits at the weighted centre of the three corners, weights growing with its
    score towards each corner, so it drifts towards the powers it is closest to. ``period`` (a period
    id, default the first) is the one the chart opens on."""
    start = _start_period(course, period)
    rel = _require_relations(course, TRIANGLE + SATELLITES, "strategic_triangle")
    colors = course.actor_colors
    names = course.actor_full_names
    short = course.actor_names
    titles = stage_labels(course)
    pers = course.periods

    def period_traces(p):
        pos = dict(TRIANGLE_POSITIONS)
        for s in SATELLITES:
            pos[s] = _satellite_position(rel, p, s)
        (ax, ay), (bx, by) = pos["PRK"], pos["IND"]
        if abs(ax - bx) + abs(ay - by) < 0.08:  # keep the two labels apart
            pos["IND"] = (bx + 0.06, by - 0.04)
        pos = {k: (round(x, 4), round(y, 4)) for k, (x, y) in pos.items()}
        traces, lx, ly, ltext, lhover, lsize = [], [], [], [], [], []
        edges = [(a, b, True) for a, b in (("RUS", "CHN"), ("RUS", "USA"), ("CHN", "USA"))]
        edges += [(s, v, False) for s in SATELLITES for v in TRIANGLE]
        for a, b, main in edges:
            row = rel.get((p, a, b))
            score = row["score"] if row else 0
            style = _edge_style(score)
            if not main:
                style = dict(style, width=max(1.0, style["width"] * 0.45), dash="dot" if score >= 0 else "dash")
            (x0, y0), (x1, y1) = pos[a], pos[b]
            traces.append(dict(type="scatter", mode="lines", x=[x0, x1], y=[y0, y1], hoverinfo="skip",
                               showlegend=False, name=f"{a}-{b}", line=style, opacity=1.0 if main else 0.8))
            t = 0.5 if main else 0.35  # satellite labels near the satellite end
            px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            if main:  # side labels just outside the triangle
                cx, cy = _triangle_centre()
                dx, dy = px - cx, py - cy
                norm = (dx * dx + dy * dy) ** 0.5 or 1.0
                px, py = px + 0.06 * dx / norm, py + 0.06 * dy / norm
            lx.append(round(px, 4))
            ly.append(round(py, 4))
            ltext.append(fmt_score(score) if row else "")
            lsize.append(16 if main else 11)
            lhover.append(_pair_hover(row, names, titles.get(p, p)) if row else f"{a}-{b}: not coded")
        traces.append(dict(type="scatter", mode="markers+text", x=lx, y=ly, text=ltext,
                           textfont=dict(size=lsize, color="#111111"), hovertext=lhover,
                           hovertemplate="%{hovertext}<extra></extra>", showlegend=False, name="edge scores",
                           marker=dict(size=[22 if s == 16 else 15 for s in lsize], opacity=1,
                                       color="rgba(255,255,255,0.9)", line=dict(width=0))))
        nodes = list(TRIANGLE) + list(SATELLITES)
        traces.append(dict(type="scatter", mode="markers+text", x=[pos[a][0] for a in nodes],
                           y=[pos[a][1] for a in nodes], text=[f"<b>{short[a]}</b>" for a in nodes],
                           textposition=["bottom center" if pos[a][1] > 0.5 else "top center" for a in nodes],
                           textfont=dict(size=14), customdata=nodes,
                           hovertext=[f"<b>{names[a]}</b>" + ("" if a in TRIANGLE else
                                      "<br>placed by its ties: " + ", ".join(
                                          f"{short[v]} {fmt_score(_score(rel, p, a, v) or 0)}" for v in TRIANGLE))
                                      for a in nodes],
                           hovertemplate="%{hovertext}<extra></extra>", showlegend=False, name="actors",
                           marker=dict(size=[40, 40, 40, 26, 26], opacity=1,  # array size: plotly would fade to 0.7
                                       color=[colors[a] for a in nodes],
                                       symbol=[actor_symbol(course, a) for a in nodes],
                                       line=dict(width=1.5, color="#222222"))))
        return traces

    first = period_traces(start)
    frames = [dict(name=p, data=period_traces(p), traces=list(range(len(first)))) for p in pers]
    sliders, menus = _slider_and_play(course, active=pers.index(start))
    axis = dict(visible=False, range=[-0.12, 1.12], fixedrange=True)
    fig = dict(
        data=first + [_score_legend_trace()],
        layout=dict(xaxis=axis, yaxis=dict(axis, range=[-0.05, 1.05], scaleanchor="x", scaleratio=0.8),
                    sliders=sliders, updatemenus=menus, height=660, hovermode="closest",
                    margin=dict(t=80, b=200, l=40, r=40)),
        frames=frames)
    return finish(fig, title="The Grand Strategic Triangle: United States, China and Russia,<br>"
                             "with North Korea and India placed by their ties",
                  description=_describe_triangle(rel, pers, titles, short),
                  source=source_line("relations.csv (scores coded by the course team)"),
                  chart="strategic_triangle", source_shift=-178)


def _describe_triangle(rel, pers, titles, short) -> str:
    parts = []
    for p in pers:
        sides = ", ".join(f"{short[a]}-{short[b]} {fmt_score(_score(rel, p, a, b) or 0)}"
                          for a, b in (("RUS", "CHN"), ("RUS", "USA"), ("CHN", "USA")))
        parts.append(f"{titles.get(p, p)}: {sides}")
    text = ("Triangle of the United States, China and Russia in each period, sides labelled with the "
            "coded score (-3..+3). " + "; ".join(parts) + ".")
    last = pers[-1]
    for s in SATELLITES:
        ties = sorted(((_score(rel, last, s, v) or 0, v) for v in TRIANGLE), key=lambda t: (-t[0], t[1]))
        text += (f" In {titles.get(last, last)} {short[s]} is closest to {short[ties[0][1]]} "
                 f"({fmt_score(ties[0][0])}) and furthest from {short[ties[-1][1]]} ({fmt_score(ties[-1][0])}).")
    return text


# --------------------------------------------------------------------------- heatmap

def relations_heatmap(course: Course, *, actors=None) -> go.Figure:
    """Pair x period grid of coded scores, diverging colours centred on zero, scores written in.

    actors: one actor id -> every pair that involves it; several -> the pairs among them."""
    ids = course.relation_actor_ids
    actors = check_choices("relation actor", actors, ids, param="actors")
    if actors is not None and len(actors) == 1:
        pairs = [(a, b) for a, b in relation_pairs(course) if actors[0] in (a, b)]
    else:
        pairs = relation_pairs(course, actors)
    rel = relation_table(course)
    names = course.actor_full_names
    short = course.actor_names
    titles = stage_labels(course)
    pers = course.periods
    ylabels = [f"{short[a]} \u2013 {short[b]}" for a, b in pairs]
    xlabels = [titles.get(p, p) for p in pers]
    z, text, hover = [], [], []
    for a, b in pairs:
        zr, tr, hr = [], [], []
        for p in pers:
            row = rel.get((p, a, b))
            zr.append(row["score"] if row else None)
            tr.append(fmt_score(row["score"]) if row else "")
            hr.append(_pair_hover(row, names, titles.get(p, p)) if row else f"{a}-{b}: not coded")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = dict(
        data=[dict(type="heatmap", x=xlabels, y=ylabels, z=z, text=text, texttemplate="%{text}",
                   textfont=dict(size=13), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                   zmin=-3.5, zmax=3.5, zmid=0, colorscale=score_colorscale(), xgap=2, ygap=2,
                   colorbar=dict(title=dict(text="Score"), tickvals=list(range(-3, 4)),
                                 ticktext=[f"{fmt_score(s)} {SCORE_LABELS[s]}" for s in range(-3, 4)]))],
        layout=dict(xaxis=dict(title=dict(text="Period"), side="bottom", showgrid=False),
                    yaxis=dict(title=dict(text="Pair of actors"), autorange="reversed", showgrid=False),
                    height=max(320, 140 + 30 * len(pairs)), margin=dict(l=120)),
    )
    return finish(fig, title="Relations, pair by pair and period by period (coded -3 to +3)",
                  description=_describe_heatmap(rel, pairs, pers, titles, short, actors),
                  source=source_line("relations.csv (scores coded by the course team)"),
                  chart="relations_heatmap", source_shift=-62)


def _describe_heatmap(rel, pairs, pers, titles, short, actors) -> str:
    text = f"Grid of {plural(len(pairs), 'pair')} by {plural(len(pers), 'period')} of coded relation scores (-3..+3)"
    text += f", for {', '.join(short[a] for a in actors)}." if actors else "."
    for p in (pers[0], pers[-1]):
        scores = [rel[(p, a, b)]["score"] for a, b in pairs if (p, a, b) in rel]
        if scores:
            text += f" {titles.get(p, p)}: mean {sum(scores) / len(scores):+.2f}."
    changes = []
    for a, b in pairs:
        s0, s1 = _score(rel, pers[0], a, b), _score(rel, pers[-1], a, b)
        if s0 is not None and s1 is not None:
            changes.append((s1 - s0, f"{short[a]}-{short[b]}", s0, s1))
    if changes:
        up = sorted(changes, key=lambda c: (-c[0], c[1]))[0]
        down = sorted(changes, key=lambda c: (c[0], c[1]))[0]
        if up[0] > 0:
            text += f" Largest rise: {up[1]} from {fmt_score(up[2])} to {fmt_score(up[3])}."
        if down[0] < 0:
            text += f" Largest fall: {down[1]} from {fmt_score(down[2])} to {fmt_score(down[3])}."
    return text
