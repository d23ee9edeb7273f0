"""Static images of the course's charts (PNG, SVG, PDF, JPEG, WebP), offline.

kaleido renders a figure in a local Chromium. Map charts need plotly's topojson, which
kaleido would fetch from plotly's CDN; here the course's own copy
(``turn_east/static/topojson``) is served on 127.0.0.1 for the length of the export, so a
map exports without internet access.

    from turn_east import charts
    from turn_east.make import export
    export.write_images({"tone": charts.tone_by_stage(course)}, "build/figures", format="svg")
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

from turn_east.data import DataError, load_course
from turn_east.errors import ExportError
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


# ---------------------------------------------------------------- `turn-east figures`

def add_arguments(f: argparse.ArgumentParser) -> None:
    f.add_argument("--out", default="build/figures", help="folder for the images (default: build/figures)")
    f.add_argument("--format", default="png", choices=FORMATS)
    f.add_argument("--width", type=int, default=1200)
    f.add_argument("--height", type=int, default=700)
    f.add_argument("--data-dir", default=None, help="data folder (default: the bundled data/)")


def run(args) -> int:
    from turn_east import charts  # here, not at the top: plotly is slow to import, other commands need none

    try:
        course = load_course(args.data_dir)
        paths = write_images(charts.all_figures(course), args.out, format=args.format,
                             width=args.width, height=args.height)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    except ExportError as exc:
        print(f"turn-east figures: {exc}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    print(f"{len(paths)} figure(s) written to {args.out}")
    return 0
