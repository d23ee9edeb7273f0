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


def collapse_leader_note(cell) -> bool:
    """Collapse a cell tagged ``leader`` in JupyterLab (``metadata.jupyter.source_hidden``: JupyterLab shows a
    bar with the note's first line, "**Leader note** ...", until it is clicked), so a leader note never
    reaches the projector or a student by accident. Returns True when the cell changed."""
    if "leader" not in tags(cell):
        return False
    meta = cell.setdefault("metadata", {})
    jupyter = meta.get("jupyter") if isinstance(meta.get("jupyter"), dict) else {}
    if jupyter.get("source_hidden") is True:
        return False
    meta["jupyter"] = {**jupyter, "source_hidden": True}
    return True
