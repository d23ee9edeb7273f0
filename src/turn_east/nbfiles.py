"""Course notebook files through nbformat: reading, writing, a cell's source and tags, lesson prompts.

One module for what the slide, guide and exercise tools all need, so that they read notebooks the
same way and write them in the layout the repository keeps (nbformat's: one-space indent, sorted keys).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
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
    refresh`` rewrites them, and the tests check both. ``cell`` may be a NotebookNode
    or a plain dict as read from JSON (source a string or a list of lines).
    """
    if cell.get("cell_type") != "code":
        return False
    if CHECKED_OUTPUT_TAG in tags(cell):
        return True
    return any(line.strip().lstrip("#").strip() == CHECKED_OUTPUT_COMMENT
               for line in source(cell).splitlines() if line.strip().startswith("#"))


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


# ---------------------------------------------------------------- headings and their anchors

@dataclass(frozen=True)
class Heading:
    """A markdown heading of a notebook: its level, its text as a reader sees it, its anchor, and whether
    it sits in a leader-only cell (tagged ``leader``, which student handouts drop)."""

    level: int
    text: str
    leader: bool = False

    @property
    def anchor(self) -> str:
        return heading_anchor(self.text)


_HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(\S(?:.*?\S)?)\1")
_CODE = re.compile(r"`+([^`]*)`+")
#: Characters an anchor may not hold: a browser percent-encodes them in a URL's fragment and
#: JupyterLab 4 then matches the encoded form against its heading ids, so a link never arrives
#: (non-ASCII such as an en dash, quotation marks, angle brackets, a backtick); nbconvert encodes
#: the rest in its heading ids.
UNSAFE_IN_ANCHOR = re.compile(r"[^\x21-\x7e]|[\"<>`#%\[\]{}|\\^]")


def heading_text(markdown: str) -> str:
    """A heading's text as a reader sees it (the textContent JupyterLab and nbconvert take their heading
    ids from): inline markup dropped, entities decoded, whitespace collapsed."""
    import html

    text = _LINK.sub(r"\1", markdown)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):
        text = _EMPHASIS.sub(r"\2", text)
    text = html.unescape(_TAG.sub("", text)).replace("\\", "")
    return " ".join(text.split())


def heading_anchor(text: str) -> str:
    """THE anchor of a heading, used by every link the course makes to a lesson's heading: the id
    JupyterLab gives it (``createHeaderId``: the text with each space a hyphen), which is also nbconvert's
    id in a handout for any text :data:`UNSAFE_IN_ANCHOR` does not match (nbconvert percent-encodes
    only those characters). A Jupyter Book site must give its headings the same id (docs/ARCHITECTURE.md)."""
    return text.replace(" ", "-")


def headings(path) -> list[Heading]:
    """Every markdown heading of the notebook at ``path``, in order. Read as plain JSON (fast: a kernel's
    course load checks the quiz's pointers with it); OSError or ValueError for a file that is not one."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        leader = "leader" in tags(cell)
        fenced = False
        for line in source(cell).splitlines():
            if _FENCE.match(line):
                fenced = not fenced
                continue
            m = None if fenced else _HEADING_LINE.match(line)
            if m:
                out.append(Heading(len(m.group(1)), heading_text(m.group(2)), leader))
    return out
