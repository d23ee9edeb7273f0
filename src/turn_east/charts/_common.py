"""Shared pieces of the chart builders: theme, fixed styles, argument checks, text helpers.

Nothing here touches files or plotly's global defaults: the template is registered
under the name ``turn_east`` (so ``template="turn_east"`` works anywhere) but
``plotly.io.templates.default`` is never changed.
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from turn_east.data.course import MONTHS, format_date
from turn_east.errors import ChartArgumentError


# --------------------------------------------------------------------------- colours / styles

#: Okabe-Ito colour per actor (the documented defaults; charts read ``course.actors.color``).
ACTOR_COLORS: dict[str, str] = {
    "RUS": "#D55E00",
    "PRK": "#CC79A7",
    "CHN": "#E69F00",
    "USA": "#0072B2",
    "JPN": "#56B4E9",
    "KOR": "#009E73",
    "IND": "#F0E442",
    "UKR": "#000000",
    "UNSC": "#999999",
}

#: A marker symbol per actor, so that charts stay readable in greyscale.
ACTOR_SYMBOLS: dict[str, str] = {
    "RUS": "circle",
    "PRK": "diamond",
    "CHN": "square",
    "USA": "triangle-up",
    "JPN": "cross",
    "KOR": "x",
    "IND": "star",
    "UKR": "triangle-down",
    "UNSC": "pentagon",
}
_FALLBACK_SYMBOLS = ["hexagon", "star-diamond", "hourglass", "bowtie", "circle-open", "square-open"]

#: Periods are styled by their position, never by name, so a period added to stages.csv needs no code:
#: colours are evenly spaced viridis steps, dark to light (the order survives greyscale), and each period
#: also gets its own marker symbol.
STAGE_SYMBOL_CYCLE = ["circle", "square", "diamond", "triangle-up", "star", "hexagon", "pentagon",
                      "triangle-down", "cross", "x"]
_MAX_STAGE_LUMINANCE = 0.42  # viridis' light end (yellow) is darkened until it shows on white


def _relative_luminance(rgb) -> float:
    def lin(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def stage_palette(n: int) -> list[str]:
    """``n`` colours (#RRGGBB) for ``n`` ordered periods: viridis from dark to light, light steps darkened."""
    from plotly.colors import sample_colorscale, unlabel_rgb

    if n <= 0:
        return []
    out = []
    for c in sample_colorscale("Viridis", [i / max(n - 1, 1) for i in range(n)]):
        rgb = [float(v) for v in unlabel_rgb(c)]
        while _relative_luminance(rgb) > _MAX_STAGE_LUMINANCE:
            rgb = [v * 0.96 for v in rgb]
        out.append("#{:02X}{:02X}{:02X}".format(*(round(v) for v in rgb)))
    return out


def stage_colors(course) -> dict[str, str]:
    """{period id: colour} for the course's periods, in course order."""
    return dict(zip(course.periods, stage_palette(len(course.periods))))


def stage_symbols(course) -> dict[str, str]:
    """{period id: marker symbol} for the course's periods, in course order."""
    return {p: STAGE_SYMBOL_CYCLE[i % len(STAGE_SYMBOL_CYCLE)] for i, p in enumerate(course.periods)}


STAGE_BAND_FILLS = ["#F2F2F2", "#E0E0E0"]  # alternating greys for era bands

#: Event types grouped into families (colour, Paul Tol's colour-blind-safe "muted" set),
#: each type with its own marker symbol.
EVENT_TYPE_STYLE: dict[str, tuple[str, str]] = {
    "summit": ("#332288", "star"),
    "visit": ("#332288", "circle"),
    "diplomacy": ("#332288", "circle-open"),
    "multilateral": ("#332288", "hexagon"),
    "statement": ("#88CCEE", "square-open"),
    "treaty": ("#117733", "diamond"),
    "agreement": ("#117733", "diamond-open"),
    "economic": ("#44AA99", "square"),
    "sanctions": ("#DDCC77", "hourglass"),
    "crisis": ("#CC6677", "x"),
    "military": ("#882255", "triangle-up"),
    "missile-test": ("#882255", "triangle-right"),
    "nuclear-test": ("#882255", "star-triangle-up"),
    "war": ("#000000", "cross"),
}
EVENT_TYPES: list[str] = list(EVENT_TYPE_STYLE)

#: Relation score -3..+3: ColorBrewer RdBu (colour-blind-safe), neutral 0 in mid grey.
SCORE_COLORS: dict[int, str] = {
    -3: "#B2182B",
    -2: "#D6604D",
    -1: "#F4A582",
    0: "#BDBDBD",
    1: "#92C5DE",
    2: "#4393C3",
    3: "#2166AC",
}
SCORE_LABELS: dict[int, str] = {
    -3: "hostile",
    -2: "tense",
    -1: "cool",
    0: "neutral",
    1: "cordial",
    2: "close",
    3: "aligned",
}


def score_dash(score: int) -> str:
    """Line dash for a relation score: solid for positive, dashed for negative, dotted for 0."""
    return "solid" if score > 0 else ("dash" if score < 0 else "dot")


def score_colorscale() -> list[list]:
    """A stepped -3..+3 colourscale (for heatmaps and colourbars) with zero at the centre."""
    scale = []
    for i, s in enumerate(range(-3, 4)):
        scale.append([round(i / 7, 6), SCORE_COLORS[s]])
        scale.append([round((i + 1) / 7, 6), SCORE_COLORS[s]])
    return scale


def fmt_score(score: int) -> str:
    return f"{int(score):+d}" if score else "0"


# --------------------------------------------------------------------------- theme

FONT_FAMILY = "Arial, Helvetica, sans-serif"

TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family=FONT_FAMILY, size=13, color="#222222"),
        title=dict(x=0.01, xanchor="left", font=dict(size=18)),
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        colorway=list(ACTOR_COLORS.values()),
        hoverlabel=dict(bgcolor="#FFFFFF", font=dict(family=FONT_FAMILY, size=12), align="left"),
        xaxis=dict(showgrid=True, gridcolor="#E5E5E5", linecolor="#444444", ticks="outside",
                   zeroline=False, automargin=True),
        yaxis=dict(showgrid=True, gridcolor="#E5E5E5", linecolor="#444444", ticks="outside",
                   zeroline=False, automargin=True),
        legend=dict(bgcolor="rgba(255,255,255,0.85)", borderwidth=0),
        margin=dict(l=70, r=30, t=80, b=90),
    )
)
TEMPLATE_NAME = "turn_east"
# Registered, never made the default: importing the package must not restyle other figures.
pio.templates[TEMPLATE_NAME] = TEMPLATE


# --------------------------------------------------------------------------- course lookups, as charts show them

def stage_labels(course) -> dict[str, str]:
    """Short stage labels for axes, sliders and descriptions: the title up to its colon
    ("Stage Two: after Crimea, ..." -> "Stage Two")."""
    return {sid: title.split(":")[0].strip() or title for sid, title in course.stage_titles.items()}


def actor_color(course, actor_id: str) -> str:
    """The actor's fixed colour (``actors.color``), the same in every chart."""
    found = course.actor_colors.get(str(actor_id))
    if found:
        return found
    if actor_id in ACTOR_COLORS:
        return ACTOR_COLORS[actor_id]
    raise ChartArgumentError(
        f"unknown actor {actor_id!r}; valid actors: {', '.join(course.actor_ids)}")


def actor_symbol(course, actor_id: str) -> str:
    if actor_id in ACTOR_SYMBOLS:
        return ACTOR_SYMBOLS[actor_id]
    ids = [i for i in course.actor_ids if i not in ACTOR_SYMBOLS]
    return _FALLBACK_SYMBOLS[ids.index(actor_id) % len(_FALLBACK_SYMBOLS)] if actor_id in ids else "circle"


ARTICLE_TITLE = "North Korea's Importance for Putin's 'Turn to the East' (2024)"


def source_line(tables: str) -> str:
    return f"Source: turn-east course data, {tables}; article: {ARTICLE_TITLE}"


# --------------------------------------------------------------------------- argument checks

def check_choices(kind: str, given, valid: Sequence[str], *, param: str) -> list[str] | None:
    """Normalise a filter argument (None, one id or a list of ids) and reject unknown ids."""
    if given is None:
        return None
    if isinstance(given, str):
        given = [given]
    given = [str(g) for g in given]
    bad = [g for g in given if g not in valid]
    if bad:
        raise ChartArgumentError(
            f"{param}: unknown {kind} {', '.join(repr(b) for b in bad)}; "
            f"valid {kind}s: {', '.join(valid)}")
    if not given:
        raise ChartArgumentError(f"{param}: give at least one {kind} or None; valid {kind}s: {', '.join(valid)}")
    # keep the course's order, drop repeats
    return [v for v in valid if v in set(given)]


def check_pairs(course, pairs, *, param: str = "pairs") -> list[tuple[str, str]]:
    valid = course.actor_ids
    out: list[tuple[str, str]] = []
    for p in pairs:
        if isinstance(p, str) or len(p) != 2:
            raise ChartArgumentError(
                f"{param}: each pair must be two actor ids such as ('RUS', 'PRK'), got {p!r}")
        a, b = (str(x) for x in p)
        for x in (a, b):
            if x not in valid:
                raise ChartArgumentError(
                    f"{param}: unknown actor {x!r} in pair {p!r}; valid actors: {', '.join(valid)}")
        if a == b:
            raise ChartArgumentError(f"{param}: a pair needs two different actors, got {p!r}")
        if (a, b) in out or (b, a) in out:
            continue
        out.append((a, b))
    if not out:
        raise ChartArgumentError(f"{param}: give at least one pair such as ('RUS', 'PRK')")
    return out


# --------------------------------------------------------------------------- text helpers

def fmt_span(start, end, precision: str | None = "day") -> str:
    """A date or a date range ('13-14 September 2023', '28 June - 2 July 2019')."""
    if end is None or pd.isna(end):
        return format_date(start, precision)
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if precision in ("month", "year"):
        return f"{format_date(s, precision)} to {format_date(e, precision)}"
    if s.year == e.year and s.month == e.month:
        return f"{s.day}-{e.day} {MONTHS[s.month - 1]} {s.year}"
    if s.year == e.year:
        return f"{s.day} {MONTHS[s.month - 1]} - {e.day} {MONTHS[e.month - 1]} {e.year}"
    return f"{format_date(s)} - {format_date(e)}"


def wrap(text: str, width: int = 60, limit: int | None = None) -> str:
    """Hover-friendly text: HTML-escaped, wrapped with <br>, optionally shortened."""
    text = " ".join(str(text).split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines, line = [], ""
    for word in text.split(" "):  # greedy wrap; textwrap is needlessly slow for hover text
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "<br>".join(lines)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def join_words(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def round_or_none(x, nd: int = 2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), nd)


# --------------------------------------------------------------------------- finishing a figure

TITLE_WIDTH = 72  # characters per title line that fit a handout's or a notebook's chart width


def finish(spec: dict, *, title: str, description: str, source: str, chart: str,
           source_shift: int = -62) -> go.Figure:
    """Build the figure from ``dict(data=..., layout=..., frames=...)`` with the theme, title,
    source line and description applied the same way on every chart.

    The figure is constructed once (plotly validates on every update, so adding the theme and
    annotations afterwards would cost as much again). source_shift: pixels from the bottom of
    the plot area to the source line, so it clears the axis title, slider or map at any height.
    """
    layout = dict(spec.get("layout") or {})
    layout["template"] = TEMPLATE
    title_spec = dict(layout.get("title") or {})
    # plotly never wraps a title: a long one runs past the chart's edge, so break it into lines
    title_spec["text"] = title if "<br>" in title or len(title) <= TITLE_WIDTH else wrap(title, TITLE_WIDTH)
    layout["title"] = title_spec
    layout["meta"] = dict(description=description, chart=chart, source=source)
    layout["annotations"] = list(layout.get("annotations") or []) + [dict(
        text=source, showarrow=False, xref="paper", yref="paper", x=0, y=0,
        yshift=source_shift, xanchor="left", yanchor="top", align="left", font=dict(size=10, color="#555555"),
        name="source",
    )]
    return go.Figure(data=spec.get("data") or [], layout=layout, frames=spec.get("frames"))


def describe(fig: go.Figure) -> str:
    """The plain-text description a chart function stored in ``fig.layout.meta``."""
    meta = fig.layout.meta
    if isinstance(meta, dict) and meta.get("description"):
        return str(meta["description"])
    raise ChartArgumentError(
        "this figure carries no description: describe() works on figures made by turn_east.charts")
