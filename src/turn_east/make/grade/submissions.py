"""Finding and reading submissions: ``SUBMISSIONS/<student>/<exercise>.ipynb``.

A submission that cannot be graded is not an error of the run: it becomes a :class:`Unreadable` with
a status and a reason written for the student (missing, empty, not valid JSON, not a notebook, another
exercise's notebook). Files that are not where the grader looks are listed as notes, with the name
they probably should have. Nothing here writes anything.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from turn_east import nbfiles
from turn_east.make.grade.exercise import ExerciseSpec

MAX_BYTES = 50 * 1024 * 1024
_PRACTICE_CALL = re.compile(r"""Practice\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Unreadable(Exception):
    """A submission the grader cannot run; ``status`` names the kind, ``reason`` explains it to the student."""

    status: str    # missing | empty | too-large | invalid-json | not-a-notebook | wrong-exercise
    reason: str

    def __str__(self) -> str:
        return self.reason


def is_hidden(path: Path) -> bool:
    return path.name.startswith(".") or path.name.startswith("__")


def students(root: Path) -> list[str]:
    """The student folders of ``root``, sorted (hidden folders and checkpoints skipped)."""
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not is_hidden(p))


def _suggest(name: str, wanted: list[str]) -> str:
    stem = Path(name).stem
    by_number = [w for w in wanted if re.match(r"\d+", stem) and w.split("_")[0] == re.match(r"\d+", stem).group(0)]
    close = by_number or difflib.get_close_matches(name, wanted, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def stray_files(root: Path, known: list[str]) -> list[str]:
    """Notes on notebooks the grader never grades: outside a student folder, in a subfolder, or under a name
    that is none of the ``known`` exercise file names (with the name it probably should have)."""
    notes = []
    for p in sorted(root.iterdir()):
        if p.is_file() and not is_hidden(p):
            notes.append(f"{p.name} is not in a student's folder ({root.name}/<student>/<exercise>.ipynb): not graded")
    for student in students(root):
        for p in sorted((root / student).rglob("*.ipynb")):
            rel = p.relative_to(root / student)
            if any(is_hidden(Path(part)) for part in rel.parts):
                continue
            if len(rel.parts) > 1:
                notes.append(f"{student}: {rel} is in a subfolder; the grader reads only {student}/<exercise>.ipynb"
                             f"{_suggest(p.name, known)}")
            elif p.name not in known:
                notes.append(f"{student}: {p.name} is not graded: no exercise has that name{_suggest(p.name, known)}")
    return notes


def read_submission(path: Path | None, spec: ExerciseSpec, student: str = ""):
    """The submission as an nbformat 4 notebook; :class:`Unreadable` when it cannot be graded."""
    import nbformat

    expected = f"{student}/{spec.name}" if student else spec.name
    if path is None or not path.is_file():
        return _raise("missing", f"No submission: {expected} was not handed in.")
    size = path.stat().st_size
    if size == 0:
        _raise("empty", f"{spec.name} is an empty file (0 bytes): save the notebook in JupyterLab and hand it in again.")
    if size > MAX_BYTES:
        _raise("too-large", f"{spec.name} is {size / 2**20:.0f} MB, more than the {MAX_BYTES // 2**20} MB a notebook "
                            "of this course can be: clear its outputs (Edit > Clear Outputs of All Cells), save, "
                            "and hand it in again.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _raise("not-a-notebook", f"{spec.name} is not a Jupyter notebook: it is not text (byte {exc.start} is not "
                                 "UTF-8). Was another kind of file renamed to .ipynb? Hand in the .ipynb file that "
                                 "JupyterLab saves.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        _raise("invalid-json", f"{spec.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}), so "
                               "Jupyter cannot open it; it was probably cut short or edited by hand. Open your own "
                               "copy in JupyterLab, save it, and hand it in again.")
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or "nbformat" not in data:
        _raise("not-a-notebook", f"{spec.name} is valid JSON but not a Jupyter notebook (it has no 'cells' list "
                                 "and 'nbformat' version). Hand in the .ipynb file that JupyterLab saves.")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for a malformed notebook
        _raise("not-a-notebook", f"{spec.name} is not a notebook Jupyter can read ({type(exc).__name__}: {exc}).")
    lessons = {m.group(1) for c in nb.cells if c.get("cell_type") == "code"
               for m in _PRACTICE_CALL.finditer(nbfiles.source(c))}
    made_from = str((nb.metadata.get("turn_east") or {}).get("generated_from") or "")
    if (lessons and spec.lesson not in lessons) or (made_from and Path(made_from).stem != spec.lesson):
        other = sorted(lessons)[0] if lessons else Path(made_from).stem
        _raise("wrong-exercise", f"{spec.name} holds the exercise of another lesson ({other}), not {spec.lesson}: "
                                 f"hand in your {spec.name} (was the file saved under the wrong name?).")
    return nb


def _raise(status: str, reason: str):
    raise Unreadable(status, reason)


def ensure_python_kernel(nb) -> None:
    """Grade in the course's Python kernel, whatever kernel the student's copy names."""
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
