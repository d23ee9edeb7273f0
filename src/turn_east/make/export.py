"""Static images of the course's charts (PNG, SVG, PDF, JPEG, WebP), offline.

kaleido renders a figure in a local Chromium. Map charts need plotly's topojson, which
kaleido would fetch from plotly's CDN; here the course's own copy
(``turn_east/static/topojson``) is served on 127.0.0.1 for the length of the export, so a
map exports without internet access.

    from turn_east import charts
    from turn_east.make import export
    export.write_images({"tone": charts.tone_by_stage(course)}, "build/figures", format="svg")

``turn-east figures --lessons 05`` exports only that lesson's charts, each as the lesson calls it (its
``ctx.show(charts.<name>(course, ...))`` cells, read with :mod:`ast`: literal arguments only, nothing
executed) and in its printed form (:func:`turn_east.charts.printable`: no menus, slider or play button;
legends below), with the title and source line set back as wrapped text: images for slides and print.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

from turn_east import nbfiles
from turn_east.data import DataError, load_course
from turn_east.errors import ExportError, UsageError
from turn_east.paths import TOPOJSON_DIR, is_map

FORMATS = ("png", "svg", "pdf", "jpeg", "webp")


@contextlib.contextmanager
def topojson_server(folder: Path = TOPOJSON_DIR, served: list | None = None):
    """Serve the topojson folder on 127.0.0.1; yields the URL prefix plotly.js expects.

    served: a list that receives the path of every request answered (to see that maps drew from here).
    """
    if not (folder / "world_50m.json").exists():
        raise ExportError(f"map outlines missing: {folder / 'world_50m.json'}; reinstall the course")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_head(self):
            if served is not None:
                served.append(self.path)
            return super().send_head()

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def write_images(figures: dict, folder, *, format: str = "png",
                 width: int | None = None, height: int | None = None, scale: float | None = None) -> list[Path]:
    """Write each figure to ``folder/<name>.<format>``; returns the paths written.

    Each file is written to a temporary name and renamed into place, so an export that fails
    half-way leaves the previous image intact. Needs Chromium (Debian: ``apt install chromium``).
    """
    if format not in FORMATS:
        raise ExportError(f"format {format!r} is not supported; use one of {', '.join(FORMATS)}")
    import kaleido  # imported here: it is slow to import and only exports need it
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    opts = {k: v for k, v in (("format", format), ("width", width), ("height", height), ("scale", scale)) if v}
    written: list[Path] = []
    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(topojson_server())
               if any(is_map(f) for f in figures.values()) else None)
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=folder, prefix=".export-")))
        jobs = []
        for name, fig in figures.items():
            job = {"fig": fig, "path": tmp / f"{name}.{format}", "opts": dict(opts)}
            if url and is_map(fig):
                job["topojson"] = url
            jobs.append(job)
        try:
            kaleido.write_fig_from_object_sync(jobs)
        except Exception as exc:
            raise ExportError(f"kaleido could not render the images ({type(exc).__name__}: {exc}). "
                              "It needs Chromium: install it (Debian: apt install chromium) "
                              "or set BROWSER_PATH to a Chrome or Chromium binary.") from exc
        for job in jobs:
            final = folder / Path(job["path"]).name
            os.replace(job["path"], final)
            written.append(final)
    return written


# ---------------------------------------------------------------- a lesson's charts
def lesson_chart_calls(notebook: Path) -> list[tuple[str, dict]]:
    """``[(chart function, keyword arguments)]`` of a lesson's chart cells, in order.

    A chart cell calls ``ctx.show(charts.<name>(course, key=literal, ...))``; anything else in the call
    (a variable, an expression) raises ExportError naming the notebook and the cell.
    """
    from turn_east import charts

    calls = []
    for index, cell in enumerate(nbfiles.read(notebook).cells):
        if not nbfiles.is_chart_cell(cell):
            continue
        where = f"{notebook.name}, cell {index}"
        try:
            tree = ast.parse(nbfiles.source(cell))
        except SyntaxError as exc:
            raise ExportError(f"{where}: not valid Python ({exc.msg})") from exc
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "show"):
                continue
            inner = node.args[0] if node.args else None
            if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                    and isinstance(inner.func.value, ast.Name) and inner.func.value.id == "charts"
                    and callable(getattr(charts, inner.func.attr, None))):
                raise ExportError(f"{where}: ctx.show(...) does not call a turn_east.charts function directly; "
                                  "export it with turn-east figures (every chart) or write_images()")
            if len(inner.args) != 1 or not (isinstance(inner.args[0], ast.Name) and inner.args[0].id == "course"):
                raise ExportError(f"{where}: charts.{inner.func.attr} must take `course` as its only positional "
                                  "argument")
            try:
                kwargs = {k.arg: ast.literal_eval(k.value) for k in inner.keywords}
            except ValueError as exc:
                raise ExportError(f"{where}: charts.{inner.func.attr} has an argument that is not a literal "
                                  f"({exc}); the export reads arguments, it does not run the lesson") from exc
            calls.append((inner.func.attr, kwargs))
    return calls


def _wrap(text: str, width: int) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line] if line else lines)


def image_figure(fig):
    """A course figure as an image shows it: its printed form (:func:`turn_east.charts.printable`) with the
    title above and the source line below, wrapped to the figure's width."""
    from turn_east.charts import printable

    pfig, title, source, _ = printable(fig)
    width = int(pfig.layout.width)
    chars = max(40, width // 8)
    title_text, source_text = _wrap(title, chars), _wrap(source, int(chars * 1.35))
    title_lines = title_text.count("<br>") + 1 if title else 0
    source_lines = source_text.count("<br>") + 1 if source else 0
    top, bottom = 12 + 20 * title_lines, 13 * source_lines + 8
    margin_t, margin_b = pfig.layout.margin.t or 0, pfig.layout.margin.b or 0  # the printed form's
    height = int(pfig.layout.height) + top + bottom
    pfig.update_layout(margin={"t": margin_t + top, "b": margin_b + bottom}, height=height)
    if title:  # an annotation, not layout.title: plotly anchors a title's first line, an annotation its block
        pfig.add_annotation(text=title_text, xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="bottom",
                            xshift=8 - (pfig.layout.margin.l or 0), yshift=margin_t + 4, align="left",
                            showarrow=False, font={"size": 15}, name="title")
    # the legend and colour bars sit at the foot of the printed figure: lift them over the source line
    lift = bottom / height
    if pfig.layout.legend.yref == "container" and (pfig.layout.legend.y or 0) == 0:
        pfig.layout.legend.y = lift
    for trace in pfig.data:
        for bar in (getattr(trace, "colorbar", None), getattr(getattr(trace, "marker", None), "colorbar", None)):
            if bar is not None and bar.yref == "container" and (bar.y or 0) == 0:
                bar.y = lift
    if source:
        pfig.add_annotation(text=source_text, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                            xshift=8 - (pfig.layout.margin.l or 0), yshift=-margin_b - 2, align="left",
                            showarrow=False, font={"size": 10}, name="source")
    return pfig


def lesson_figures(course, lesson_ids: list[str], notebooks_dir: Path) -> dict:
    """``{"<lesson>-<n>-<chart>": figure}`` for the charts of each lesson, as images show them."""
    from turn_east import charts

    figures = {}
    for lid in lesson_ids:
        for n, (name, kwargs) in enumerate(lesson_chart_calls(notebooks_dir / f"{lid}.ipynb"), start=1):
            figures[f"{lid}-{n}-{name}"] = image_figure(getattr(charts, name)(course, **kwargs))
    return figures


# ---------------------------------------------------------------- `turn-east figures`

def add_arguments(f: argparse.ArgumentParser) -> None:
    f.add_argument("--out", default="build/figures", help="folder for the images (default: build/figures)")
    f.add_argument("--format", default="png", choices=FORMATS)
    f.add_argument("--lessons", nargs="+", metavar="ID",
                   help="only these lessons' charts (ids or prefixes, e.g. 05), as the lessons call them, in "
                        "their printed form (no menus or sliders)")
    f.add_argument("--width", type=int, default=None, help="pixels (default: 1200, or a lesson chart's print width)")
    f.add_argument("--height", type=int, default=None, help="pixels (default: 700, or a lesson chart's own)")
    f.add_argument("--scale", type=float, default=None, help="scale factor of PNG/JPEG/WebP images (e.g. 2)")
    f.add_argument("--data-dir", default=None, help="data folder (default: the bundled data/)")


def run(args) -> int:
    from turn_east import charts  # here, not at the top: plotly is slow to import, other commands need none

    try:
        course = load_course(args.data_dir)
        if args.lessons:
            from turn_east.make.handouts.plan import select_lessons
            from turn_east.make.slides import lesson_notebooks

            notebooks = lesson_notebooks(course=course)
            chosen = select_lessons([_Named(p.stem) for p in notebooks], args.lessons)
            figures = lesson_figures(course, [c.id for c in chosen], notebooks[0].parent)
            width, height = args.width, args.height
        else:
            figures = charts.all_figures(course)
            width, height = args.width or 1200, args.height or 700
        paths = write_images(figures, args.out, format=args.format, width=width, height=height, scale=args.scale)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"turn-east figures: {exc}", file=sys.stderr)
        return 2
    except ExportError as exc:
        print(f"turn-east figures: {exc}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    print(f"{len(paths)} figure(s) written to {args.out}")
    return 0


class _Named:
    """A lesson id where select_lessons expects a Lesson."""

    def __init__(self, id_: str):
        self.id = id_
