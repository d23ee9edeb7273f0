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

import contextlib
import functools
import http.server
import os
import tempfile
import threading
from pathlib import Path

import plotly.graph_objects as go

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


def write_images(figures: dict[str, go.Figure], folder, *, format: str = "png",
                 width: int | None = None, height: int | None = None, scale: float | None = None) -> list[Path]:
    """Write each figure to ``folder/<name>.<format>``; returns the paths written.

    Each file is written to a temporary name and renamed into place, so an export that fails
    half-way leaves the previous image intact. Needs Chromium (Debian: ``apt install chromium``).
    """
    if format not in FORMATS:
        raise ExportError(f"format {format!r} is not supported; use one of {', '.join(FORMATS)}")
    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - kaleido is a dependency
        raise ExportError("static export needs the kaleido package: pip install kaleido") from exc
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
