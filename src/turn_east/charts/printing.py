"""A chart for paper: :func:`printable` turns a course figure into its printed form.

Paper cannot click. The printed form has no dropdowns, slider or play button (a caption says what
they would select and what the page shows instead); the legend and colour bars sit below the plot, so
the plot area keeps most of the text width; the figure has a fixed width (the text width of an A4 or
Letter page at the handouts' margins) and no title or source line inside it: those go into the page's
own HTML text, which wraps instead of running off the edge. A figure with frames prints the frame its
slider shows (a lesson opens on its own period: ``strategic_triangle(course, period="stage-4")``).

Pure: a figure in, a new figure and two strings out; the figure given is not changed.
"""
from __future__ import annotations

import re

import plotly.graph_objects as go

#: CSS pixels: the text width of an A4 page with 15 mm side margins is 180 mm = 680 px (Letter: 702 px).
PRINT_WIDTH = 680
#: The printed plot area's background: white to the eye, and a fill the PDF tests can find (0.988 grey).
PLOT_BG = "#FCFCFC"
MAX_HEIGHT = 560
HEATMAP_ROW = 22  # pixels per row a printed heatmap keeps, however many rows it has
_TAGS = re.compile(r"<[^>]+>")


def plain(text: str | None) -> str:
    """Plotly's text without its tags (``<br>`` becomes a space)."""
    return re.sub(r"\s+", " ", _TAGS.sub(" ", text or "")).strip()


def _controls_caption(layout: dict) -> str:
    """What the interactive controls of the screen version select, and which view the paper shows."""
    parts = []
    for menu in layout.get("updatemenus") or []:
        buttons = [b for b in menu.get("buttons") or [] if b.get("label")]
        if not buttons or menu.get("type") == "buttons":  # play/pause: nothing to choose on paper
            continue
        active = menu.get("active", 0)
        active = active if isinstance(active, int) and 0 <= active < len(buttons) else 0
        others = [plain(b["label"]) for i, b in enumerate(buttons) if i != active]
        shown = plain(buttons[active]["label"])
        example = f" (for example {others[0]})" if others else ""
        parts.append(f"a menu with {len(buttons)} choices{example}; printed: {shown}")
    for slider in layout.get("sliders") or []:
        steps = [plain(s.get("label")) for s in slider.get("steps") or []]
        if not steps:
            continue
        active = slider.get("active", 0)
        active = active if isinstance(active, int) and 0 <= active < len(steps) else 0
        prefix = plain((slider.get("currentvalue") or {}).get("prefix")).rstrip(":").strip() or "view"
        parts.append(f"a slider over {len(steps)} steps ({', '.join(steps)}); printed: {prefix.lower()} "
                     f"{steps[active]}")
    if not parts:
        return ""
    return "On screen this chart has " + "; ".join(parts) + "."


def _colorbar_below(bar: dict | None) -> dict:
    bar = dict(bar or {})
    title = dict(bar.get("title") or {})
    if title.get("text"):
        title["text"] = plain(title["text"])
        title["side"] = "top"
    bar.update(orientation="h", x=0.5, xanchor="center", xref="container", y=0, yanchor="bottom",
               yref="container", len=0.6, lenmode="fraction", thickness=12, title=title)
    if bar.get("ticktext") and bar.get("tickvals"):  # "+3 allied" under each tick would collide
        words = [plain(t).split(" ", 1) for t in bar["ticktext"]]
        bar["ticktext"] = [w[0] for w in words]
        ends = [w for w in (words[0], words[-1]) if len(w) == 2]
        if len(ends) == 2 and title.get("text"):
            title["text"] += f" ({words[0][0]} {words[0][1]} ... {words[-1][0]} {words[-1][1]})"
    return bar


def _wrap_ticks(labels, width: int = 22):
    out = []
    for label in labels:
        words, lines, line = str(label).split(), [], ""
        for w in words:
            if line and len(line) + 1 + len(w) > width:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        lines.append(line)
        out.append("<br>".join(lines))
    return out


def printable(fig, *, width: int = PRINT_WIDTH) -> tuple[go.Figure, str, str, str]:
    """``(figure, title, source, controls)``: the figure as it prints, its title and source line as plain
    text for the page to set, and a sentence on the screen version's controls ("" when it has none)."""
    spec = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
    layout = dict(spec.get("layout") or {})
    data = [dict(t) for t in spec.get("data") or []]
    title = plain((layout.get("title") or {}).get("text") if isinstance(layout.get("title"), dict)
                  else layout.get("title"))
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    source = plain(meta.get("source", ""))
    controls = _controls_caption(layout)

    # frames: the printed data are what the slider shows (the figure's own data already are)
    for key in ("updatemenus", "sliders"):
        layout.pop(key, None)
    layout["title"] = {"text": ""}
    layout["annotations"] = [a for a in layout.get("annotations") or [] if a.get("name") != "source"]
    for a in layout["annotations"]:  # annotations below the plot: keep them inside the figure
        if a.get("yref") == "paper" and a.get("y", 1) <= 0 and a.get("yanchor") == "top":
            a["yshift"] = max(a.get("yshift", 0), -6)
    has_colorbar = False
    for t in data:
        if isinstance(t.get("colorbar"), dict) or t.get("type") in ("heatmap", "choropleth"):
            if t.get("showscale") is not False:
                t["colorbar"] = _colorbar_below(t.get("colorbar"))
                has_colorbar = True
        marker = t.get("marker")
        if isinstance(marker, dict) and marker.get("showscale"):
            t["marker"] = dict(marker, colorbar=_colorbar_below(marker.get("colorbar")))
            has_colorbar = True
    legend = dict(layout.get("legend") or {})
    legend_title = dict(legend.get("title") or {})
    legend = {"orientation": "h", "x": 0, "xanchor": "left", "xref": "container", "y": 0, "yanchor": "bottom",
              "yref": "container", "bgcolor": "rgba(0,0,0,0)", "font": {"size": 11},
              "title": {"text": plain(legend_title.get("text")) + ":" if legend_title.get("text") else "",
                        "side": "left"},
              "traceorder": legend.get("traceorder", "normal")}
    layout["legend"] = legend
    shows_legend = any(t.get("showlegend", True) is not False and t.get("name") for t in data) and \
        layout.get("showlegend", True) is not False
    margin = dict(layout.get("margin") or {})
    top_labels = any(a.get("yref") == "paper" and a.get("y", 0) >= 1 for a in layout["annotations"])
    margin.update(t=36 if top_labels else 16, r=16, l=min(int(margin.get("l", 70)), 70), pad=2)
    n_legend = sum(1 for t in data if t.get("showlegend", True) is not False and t.get("name"))
    bottom = int(margin.get("b", 90))
    bottom = min(bottom, 80)
    if shows_legend:
        bottom += 24 * max(1, -(-n_legend // 3))  # about three entries a row
    if has_colorbar:
        bottom += 56
    margin["b"] = bottom
    layout["margin"] = margin
    for axis in [k for k in layout if k.startswith("yaxis")]:
        ax = dict(layout[axis])
        if ax.get("ticktext") and ax.get("visible", True) is not False:
            ax["ticktext"] = _wrap_ticks(ax["ticktext"])
        ax["automargin"] = True
        layout[axis] = ax
    for t in data:  # heatmaps label their rows with y values, not ticktext
        if t.get("type") == "heatmap" and t.get("y") is not None and all(isinstance(v, str) for v in t["y"]):
            t["y"] = _wrap_ticks(t["y"])
    layout["plot_bgcolor"] = PLOT_BG
    if isinstance(layout.get("geo"), dict):
        layout["geo"] = dict(layout["geo"], bgcolor=PLOT_BG)
    height = int(layout.get("height") or 500)
    height = min(MAX_HEIGHT, max(320, height - 120 if "sliders" in (spec.get("layout") or {}) else height))
    rows = max([len(t.get("y") or []) for t in data if t.get("type") == "heatmap"] or [0])
    layout["height"] = max(height, margin["t"] + margin["b"] + 40 + HEATMAP_ROW * rows)
    layout["width"] = width
    layout["autosize"] = False
    layout["hovermode"] = False
    layout.pop("meta", None)
    return go.Figure(data=data, layout=layout), title, source, controls
