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

try:  # the data layer defines the project's error type; fall back while it is being written
    from turn_east.data import DataError as _DataError
except ImportError:  # pragma: no cover - only before turn_east.data exists
    _DataError = ValueError


class ChartArgumentError(_DataError):
    """A chart was asked for a stage, actor, motive or option that the course does not have.

    A ``ValueError`` (through ``turn_east.data.DataError``) whose message names the bad
    value and lists the valid ones.
    """

    def __init__(self, message: str):
        ValueError.__init__(self, message)  # DataError's own __init__ expects problems
        self.problems = []

    def __str__(self) -> str:
        return str(self.args[0])


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

#: Ordered stages: viridis steps, dark to light, so the order survives greyscale.
STAGE_COLORS: dict[str, str] = {
    "prelude": "#440154",
    "stage-1": "#3B528B",
    "stage-2": "#21918C",
    "stage-3": "#5EC962",
    "stage-4": "#C8B000",  # viridis' last step darkened so it shows on white
}
STAGE_SYMBOLS: dict[str, str] = {
    "prelude": "circle",
    "stage-1": "square",
    "stage-2": "diamond",
    "stage-3": "triangle-up",
    "stage-4": "star",
}
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


# --------------------------------------------------------------------------- data access

def as_list(value) -> list[str]:
    """A multi-valued cell as a list (the Course gives lists; strings are split on ';')."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.split(";") if v]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v) != ""]
    try:
        if pd.isna(value):
            return []
    except (TypeError, ValueError):
        pass
    return [str(v) for v in value]


def clean(value) -> str | None:
    """A scalar cell as a string, or None when empty / NaN / NaT."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if text.strip() else None


def periods(course) -> list[str]:
    """Stage ids in course order."""
    found = getattr(course, "periods", None)
    if found:
        return [str(p) for p in found]
    st = course.stages.sort_values("order")
    return [str(s) for s in st["id"]]


def stage_rows(course) -> list[dict]:
    """Stages as plain dicts, in order, with Timestamp start/end."""
    st = course.stages.copy()
    order = {p: i for i, p in enumerate(periods(course))}
    st["_o"] = [order.get(str(s), 999) for s in st["id"]]
    rows = []
    for r in st.sort_values(["_o", "id"]).itertuples(index=False):
        rows.append(dict(id=str(r.id), title=str(r.title), start=pd.Timestamp(r.start_date),
                         end=pd.Timestamp(r.end_date), summary=clean(getattr(r, "summary", None)) or ""))
    return rows


def stage_titles(course) -> dict[str, str]:
    """Short stage labels for axes, sliders and descriptions: the title up to its colon
    ("Stage Two: after Crimea, ..." -> "Stage Two")."""
    return {r["id"]: r["title"].split(":")[0].strip() or r["title"] for r in stage_rows(course)}


def stage_full_titles(course) -> dict[str, str]:
    return {r["id"]: r["title"] for r in stage_rows(course)}


def motive_titles(course) -> dict[str, str]:
    mo = course.motives.sort_values(["order", "id"])
    return {str(i): str(t) for i, t in zip(mo["id"], mo["title"])}


def actor_table(course) -> pd.DataFrame:
    return course.actors.reset_index(drop=True)


def actor_ids(course) -> list[str]:
    return [str(a) for a in actor_table(course)["id"]]


def relation_actor_ids(course) -> list[str]:
    a = actor_table(course)
    flags = a["in_relations"].map(lambda v: str(v).strip().lower() in ("true", "1", "yes"))
    return [str(x) for x in a.loc[flags, "id"]]


def actor_names(course, short: bool = True) -> dict[str, str]:
    a = actor_table(course)
    col = "short_name" if short and "short_name" in a.columns else "name"
    return {str(i): str(n) for i, n in zip(a["id"], a[col])}


def actor_colors(course) -> dict[str, str]:
    """{actor id: colour} from ``actors.color`` (upper-case hex)."""
    a = actor_table(course)
    return {str(i): str(c).upper() for i, c in zip(a["id"], a["color"]) if clean(c)}


def actor_color(course, actor_id: str) -> str:
    """The actor's fixed colour (``actors.color``), the same in every chart."""
    found = actor_colors(course).get(str(actor_id))
    if found:
        return found
    if actor_id in ACTOR_COLORS:
        return ACTOR_COLORS[actor_id]
    raise ChartArgumentError(
        f"unknown actor {actor_id!r}; valid actors: {', '.join(actor_ids(course))}")


def actor_symbol(course, actor_id: str) -> str:
    if actor_id in ACTOR_SYMBOLS:
        return ACTOR_SYMBOLS[actor_id]
    ids = [i for i in actor_ids(course) if i not in ACTOR_SYMBOLS]
    return _FALLBACK_SYMBOLS[ids.index(actor_id) % len(_FALLBACK_SYMBOLS)] if actor_id in ids else "circle"


def source_citations(course) -> dict[str, str]:
    s = course.sources
    return {str(i): str(c) for i, c in zip(s["id"], s["citation"])}


ARTICLE_TITLE = "North Korea's Importance for Putin's 'Turn to the East' (2024)"


def article_label(course) -> str:
    return ARTICLE_TITLE


def source_line(course, tables: str) -> str:
    return f"Source: turn-east course data, {tables}; article: {article_label(course)}"


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
    valid = actor_ids(course)
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

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def fmt_date(ts, precision: str | None = "day") -> str:
    """'19 July 2000', 'July 2000' or '2000' depending on the date's precision."""
    ts = pd.Timestamp(ts)
    precision = str(precision) if clean(precision) else "day"
    if precision == "year":
        return f"{ts.year}"
    if precision == "month":
        return f"{MONTHS[ts.month - 1]} {ts.year}"
    return f"{ts.day} {MONTHS[ts.month - 1]} {ts.year}"


def fmt_span(start, end, precision: str | None = "day") -> str:
    """A date or a date range ('13-14 September 2023', '28 June - 2 July 2019')."""
    if end is None or pd.isna(end):
        return fmt_date(start, precision)
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if precision in ("month", "year"):
        return f"{fmt_date(s, precision)} to {fmt_date(e, precision)}"
    if s.year == e.year and s.month == e.month:
        return f"{s.day}-{e.day} {MONTHS[s.month - 1]} {s.year}"
    if s.year == e.year:
        return f"{s.day} {MONTHS[s.month - 1]} - {e.day} {MONTHS[e.month - 1]} {e.year}"
    return f"{fmt_date(s)} - {fmt_date(e)}"


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
    title_spec["text"] = title
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
