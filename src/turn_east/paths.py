"""Where things are: the repository (when the package runs from one), the course data, the static assets.

The course data are found, in this order: a folder passed by the caller (``data_dir``), the
environment variable ``TURN_EAST_DATA``, the repository's ``data/`` folder (a source checkout or an
editable install), the copy shipped inside the package (``turn_east/course_data``, in a wheel).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from turn_east.errors import DataNotFoundError

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
#: plotly.js's map outlines, shipped with the course (plotly.js would fetch them from https://cdn.plot.ly/un/).
TOPOJSON_DIR = STATIC_DIR / "topojson"
#: The course data as a wheel ships them (pyproject.toml maps the repository's data/ folder here).
PACKAGED_DATA_DIR = PACKAGE_DIR / "course_data"
ENV_DATA_DIR = "TURN_EAST_DATA"
NO_DATA = (f"no course data found: set {ENV_DATA_DIR} to the folder that holds datapackage.json "
           "(the data/ folder of the course repository), or pass data_dir")

#: plotly trace types drawn on a geo subplot: they need the topojson outlines.
GEO_TRACE_TYPES = ("scattergeo", "choropleth")
_GEO_IN_HTML = re.compile(r'"type":\s*"(?:%s)"' % "|".join(GEO_TRACE_TYPES))


def repo_root() -> Path | None:
    """The course repository this package runs from (``src/turn_east`` inside it), or None when installed."""
    root = PACKAGE_DIR.parents[1]
    if (root / "pyproject.toml").is_file() and (root / "src" / "turn_east").is_dir():
        return root
    return None


def repo_folder(name: str) -> Path:
    """A top-level folder of the repository (``notebooks``, ``solutions``, ...); relative to the working
    directory when the package is installed without its repository."""
    root = repo_root()
    return (root / name) if root else Path(name)


def notebooks_dir(override=None) -> Path | None:
    """The lesson notebooks' folder: ``override`` when given, else the repository's notebooks/ (or
    ./notebooks when the package is installed without its repository); None when there is none (a wheel
    installed on its own), so that callers can say so once instead of failing."""
    folder = Path(override) if override is not None else repo_folder("notebooks")
    return folder if folder.is_dir() else None


def data_dir(override=None) -> Path:
    """The course data folder: ``override`` when given, else the first of $TURN_EAST_DATA, the repository's
    data/, the packaged copy. Raises DataNotFoundError (one line: how to point at the data) when none exists."""
    if override is not None:
        return Path(override)
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    root = repo_root()
    for candidate in ([root / "data"] if root else []) + [PACKAGED_DATA_DIR]:
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise DataNotFoundError(NO_DATA)


def is_map(fig) -> bool:
    """True when a plotly figure (a Figure or its dict) has a geo subplot, i.e. needs the topojson outlines."""
    spec = fig if isinstance(fig, dict) else fig.to_plotly_json()
    return (any(t.get("type") in GEO_TRACE_TYPES for t in spec.get("data") or ())
            or any(re.fullmatch(r"geo\d*", k) for k in spec.get("layout") or {}))


def html_has_map(text: str) -> bool:
    """True when rendered plotly HTML (a static figure's output) draws a geo trace."""
    return bool(_GEO_IN_HTML.search(text or ""))
