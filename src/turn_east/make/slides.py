"""Maintainer tool: set every lesson cell's slide type for jupyterlab-rise, and collapse the leader notes.

    turn-east lesson-metadata [--check] [NOTEBOOK ...]     (also: turn-east slides)

Leader notes (cells tagged ``leader``) are collapsed in JupyterLab (``metadata.jupyter.source_hidden``,
:func:`turn_east.nbfiles.collapse_leader_note`): a bar showing "**Leader note** ..." until clicked, so
they stay off the projector; the git filter keeps them collapsed in commits.

Without NOTEBOOK it updates every lesson in ``notebooks/`` that ``data/lessons.csv``
lists. It writes only ``metadata.slideshow.slide_type`` (sources, outputs and every other
key stay as they are) and only when a value changes, so a second run changes nothing.
``--check`` writes nothing and exits 1 when a notebook's slide types are out of date.

The rules (:func:`slide_type`), applied in order:

* cell tagged ``leader``                      -> ``notes`` (speaker notes, never on a slide)
* code cell tagged ``parameters``              -> ``skip``
* the set-up code cell (``setup(...)`` call)   -> ``skip``
* raw cell                                     -> ``skip``
* other code cells (charts, tables, the quiz)  -> ``-`` (shown on the current slide)
* the title cell (``# ...``) and ``## `` headings -> ``slide``
* ``### `` headings (chart questions) and numbered discussion prompts -> ``subslide``
* markdown right after a chart cell (what the chart shows) -> ``fragment``
* markdown right after another code cell       -> ``-`` (it continues that slide)
* other markdown: up to :data:`SHORT` characters -> ``fragment``, longer -> ``subslide``

"Right after" skips cells that are not shown (notes and skipped cells).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from turn_east import nbfiles
from turn_east.data import load_course
from turn_east.nbfiles import is_chart_cell, is_setup_cell
from turn_east.paths import repo_folder

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
SHOWN = ("slide", "subslide", "fragment", "-")
SHORT = 400  # characters: a short markdown cell appears as a fragment, a long one gets its own subslide

def slide_type(cell, index: int, previous_shown=None) -> str:
    """The slide type of one cell; ``previous_shown`` is the nearest earlier cell that is shown."""
    kind = cell.get("cell_type")
    tags = nbfiles.tags(cell)
    text = nbfiles.source(cell).strip()
    if "leader" in tags:
        return "notes"
    if kind == "code":
        if "parameters" in tags or is_setup_cell(cell):
            return "skip"
        return "-"
    if kind != "markdown":
        return "skip"
    first = text.splitlines()[0] if text else ""
    if index == 0 or first.startswith("# ") or first.startswith("## "):
        return "slide"
    if first.startswith("### ") or nbfiles.PROMPT.match(first):
        return "subslide"
    if previous_shown is not None and previous_shown.get("cell_type") == "code":
        return "fragment" if is_chart_cell(previous_shown) else "-"
    return "fragment" if len(text) <= SHORT else "subslide"


def slide_types(nb: dict) -> list[str]:
    """The slide type of every cell of a notebook (a dict as read from .ipynb JSON)."""
    out, previous = [], None
    for i, cell in enumerate(nb.get("cells", [])):
        st = slide_type(cell, i, previous)
        out.append(st)
        if st in SHOWN:
            previous = cell
    return out


def apply(nb: dict) -> int:
    """Set ``metadata.slideshow.slide_type`` on every cell in place; return how many cells changed."""
    changed = 0
    for cell, st in zip(nb.get("cells", []), slide_types(nb)):
        meta = cell.setdefault("metadata", {})
        if not isinstance(meta.get("slideshow"), dict):
            meta["slideshow"] = {}
        show = meta["slideshow"]  # as stored: a NotebookNode stores a copy of a dict assigned to it
        if show.get("slide_type") != st:
            show["slide_type"] = st
            changed += 1
        changed += nbfiles.collapse_leader_note(cell)
    return changed


def update(path: Path, *, check: bool = False) -> int:
    """Update one notebook file; return the number of cells whose slide type changed (or would)."""
    nb = nbfiles.read(path)
    changed = apply(nb)
    if changed and not check:
        nbfiles.write_if_changed(nb, path)
    return changed


def lesson_notebooks(notebooks_dir: Path | None = None, course=None) -> list[Path]:
    """The lesson notebooks listed in lessons.csv that exist, in lessons.csv order."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else repo_folder("notebooks")
    course = course or load_course()
    return [p for p in (folder / f"{i}.ipynb" for i in course.lesson_titles) if p.exists()]


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="notebooks to update (default: every lesson in notebooks/ listed in data/lessons.csv)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if any notebook is out of date")


def run(args) -> int:
    paths = args.notebooks or lesson_notebooks()
    stale = 0
    for path in paths:
        if not path.exists():
            print(f"{path}: no such notebook", file=sys.stderr)
            return 2
        n = update(path, check=args.check)
        stale += bool(n)
        verb = "would change" if args.check else "changed"
        print(f"{path}: {n} cell(s) {verb}" if n else f"{path}: up to date")
    return 1 if (args.check and stale) else 0
