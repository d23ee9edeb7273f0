"""Course notebook files through nbformat: reading, writing, a cell's source and tags, lesson prompts.

One module for what the slide, guide and exercise tools all need, so that they read notebooks the
same way and write them in the layout the repository keeps (nbformat's: one-space indent, sorted keys).
"""

from __future__ import annotations

import re
from pathlib import Path

from turn_east.errors import NotebookFormatError

#: A numbered discussion prompt at the start of a line: ``**1.** ...``, ``**1. Essay.** ...`` or ``1. ...``.
#: Groups: 1 the bold number, 2 the bold label, 3 the plain number, 4 the text.
PROMPT = re.compile(r"^\s*(?:\*\*(\d+)\.\s*([^*]*?)\*\*|(\d+)\.)\s+(.*)$")
#: The cell tag that makes nbval compare a code cell's output with the reference stored in the notebook.
CHECKED_OUTPUT_TAG = "nbval-check-output"
#: The older way to say the same, a comment line in the cell; nbval still honours it, so the rule does too.
CHECKED_OUTPUT_COMMENT = "NBVAL_CHECK_OUTPUT"
_CHART_CALL = re.compile(r"\bctx\.show\(")
_QUIZ_CALL = re.compile(r"\bctx\.quiz\(")
_SETUP_CALL = re.compile(r"(^|[\s=(])setup\(")


def read(path):
    """A notebook file as nbformat 4 (a NotebookNode); a file that is not a notebook raises
    NotebookFormatError naming it."""
    import nbformat  # here, not at the top: it takes a second to import (jsonschema) and `turn-east validate` needs none

    try:
        return nbformat.read(str(path), as_version=4)
    except (OSError, ValueError) as exc:  # json errors are ValueErrors
        raise NotebookFormatError(f"{path}: not a readable notebook ({exc})") from exc


def writes(nb) -> str:
    """The notebook as the repository stores it (nbformat's JSON, ending in a newline)."""
    import nbformat

    text = nbformat.writes(nbformat.from_dict(nb))
    return text if text.endswith("\n") else text + "\n"


def write_if_changed(nb, path) -> bool:
    """Write ``nb`` to ``path`` (through a temporary file) unless the file already holds exactly that."""
    path = Path(path)
    text = writes(nb)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


def source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


def first_line(cell) -> str:
    text = source(cell).strip()
    return text.splitlines()[0] if text else ""


def is_chart_cell(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(_CHART_CALL.search(source(cell)))


def is_quiz_cell(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(_QUIZ_CALL.search(source(cell)))


def is_setup_cell(cell) -> bool:
    text = source(cell)
    return cell.get("cell_type") == "code" and bool(_SETUP_CALL.search(text)) and "turn_east.notebook" in text


def is_checked_output_cell(cell) -> bool:
    """Whether nbval checks this cell's output against its stored reference: a code cell tagged
    ``nbval-check-output`` (the course's way: nothing shows in the cell), or one with a
    ``# NBVAL_CHECK_OUTPUT`` comment line, which nbval also accepts.

    The one rule for such cells: the git filter keeps their reference outputs, ``turn-east
    refresh-checked-outputs`` rewrites them, and the tests check both. ``cell`` may be a NotebookNode
    or a plain dict as read from JSON (source a string or a list of lines).
    """
    if cell.get("cell_type") != "code":
        return False
    if CHECKED_OUTPUT_TAG in tags(cell):
        return True
    return any(line.strip().lstrip("#").strip() == CHECKED_OUTPUT_COMMENT
               for line in source(cell).splitlines() if line.strip().startswith("#"))
