"""What an exercise asks, read from its notebook in ``exercises/``: the checked tasks (each one's check
call, ``practice.check("t1", resolutions)``, names the variable that holds the answer), the written
tasks (markdown cells tagged ``answer``), the section each sits in, and the exercise's own hints.

The grader (``turn-east grade``) and the nbgrader export read exercises only through here, so the two
always agree on the tasks and their points.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import nbfiles
from turn_east.errors import NotebookFormatError
from turn_east.make.exercises import HINT
from turn_east.practice import tasks_for

#: Points of a task the course's checker marks, and of a written answer the leader marks.
POINTS_CHECKED = 1
POINTS_WRITTEN = 2
ANSWER_TAG = "answer"
_TASK_HEADING = re.compile(r"^\s*task\s+(\d+)\s*[:.\-\u2013]?\s*(.*)$", re.IGNORECASE)
_TIME_NOTE = re.compile(r"\s*\((?:about\s+)?\d+\s*(?:-\s*\d+\s*)?min(?:ute)?s?\)\s*$", re.IGNORECASE)


class ExerciseFormatError(NotebookFormatError):
    """An exercise notebook's check cells do not match the tasks declared for its lesson."""


@dataclass(frozen=True)
class TaskSpec:
    id: str
    title: str
    kind: str            # "checked" (by the course's checker) | "written" (marked by the leader)
    points: int
    section: str         # the heading the task sits under, e.g. "Task 1: The UN sanctions resolutions"
    cell: int            # the check cell (checked) or the answer cell (written), in the exercise
    call: str = ""       # checked: the check call's arguments after the task id, as `((args,), {kwargs})`
    arguments: str = ""  # checked: the same arguments as they stand in a call, e.g. `resolutions`
    hints: tuple[str, ...] = ()   # the exercise's "# HINT:" lines in the task's section

    @property
    def checked(self) -> bool:
        return self.kind == "checked"


@dataclass(frozen=True)
class ExerciseSpec:
    name: str            # the file name, e.g. "03_stage_2_after_crimea.ipynb"
    lesson: str          # the practice lesson id (the file's stem)
    path: Path
    title: str
    practice_var: str    # the exercise's Practice variable ("practice")
    tasks: tuple[TaskSpec, ...] = field(default_factory=tuple)

    @property
    def checked(self) -> list[TaskSpec]:
        return [t for t in self.tasks if t.checked]

    @property
    def written(self) -> list[TaskSpec]:
        return [t for t in self.tasks if not t.checked]

    @property
    def max_points(self) -> int:
        """Points the grader can give: the checked tasks' (written answers are marked by the leader)."""
        return sum(t.points for t in self.checked)

    def task(self, task_id: str) -> TaskSpec | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def grading_cell(self) -> str:
        """The cell ``turn-east grade`` appends to a copy of a submission: every checked task's answer,
        read in the student's kernel after the notebook ran, checked on a course loaded for the grader."""
        lines = ["# turn-east grade: each task's answer, read after the notebook ran, checked on a fresh course",
                 "from turn_east.practice.autograde import Grading as _TurnEastGrading",
                 f"_turn_east_grading = _TurnEastGrading({self.lesson!r})"]
        lines += [f"_turn_east_grading.check({t.id!r}, lambda: {t.call})" for t in self.checked]
        lines.append("_turn_east_grading.report()")
        return "\n".join(lines)


def heading_of(cell) -> str:
    """The last heading line of a markdown cell, without its #s ("" when it has none)."""
    if cell.get("cell_type") != "markdown":
        return ""
    found = ""
    for line in nbfiles.source(cell).splitlines():
        if line.lstrip().startswith("#"):
            found = line.lstrip().lstrip("#").strip()
    return found


def sections(nb) -> list[str]:
    """For each cell, the heading it sits under (the cell's own, for a heading cell)."""
    current, out = "", []
    for cell in nb.cells:
        current = heading_of(cell) or current
        out.append(current)
    return out


def _parse(source: str, where: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics, shell escapes: not where a check call lives
        if ".check(" in source:
            raise ExerciseFormatError(f"{where}: a cell with a check call is not plain Python") from None
        return None


def _practice_vars(tree: ast.Module) -> dict[str, str]:
    """{variable: lesson} for assignments ``x = Practice("lesson", ...)``."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            args = node.value.args
            if name == "Practice" and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = args[0].value
    return found


def _check_calls(tree: ast.Module, practice_vars) -> list[tuple[str, str, str]]:
    """(task id, the call's other arguments as `((args,), {kwargs})` and as they stand in the call) of every
    ``<practice>.check("tN", ...)``."""
    calls = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "check"
                and isinstance(node.func.value, ast.Name) and node.func.value.id in practice_vars
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            args = "".join(f"{ast.unparse(a)}, " for a in node.args[1:])
            kwargs = ", ".join(f"{k.arg!r}: {ast.unparse(k.value)}" for k in node.keywords if k.arg)
            plain = ", ".join([ast.unparse(a) for a in node.args[1:]]
                              + [f"{k.arg}={ast.unparse(k.value)}" if k.arg else f"**{ast.unparse(k.value)}"
                                 for k in node.keywords])
            calls.append((node.args[0].value, f"(({args}), {{{kwargs}}})", plain))
    return calls


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in nbfiles.source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def read_exercise(path) -> ExerciseSpec:
    """The tasks of exercise notebook ``path``; ExerciseFormatError when its check cells and the tasks
    declared for its lesson (``turn_east.practice.tasks``) disagree."""
    path = Path(path)
    nb = nbfiles.read(path)
    lesson = path.stem
    declared = tasks_for(lesson)
    if not declared:
        raise ExerciseFormatError(f"{path}: no practice tasks are declared for lesson {lesson!r} "
                                  "(turn_east.practice.tasks)")
    heads = sections(nb)
    practice_vars: dict[str, str] = {}
    hints: dict[str, list[str]] = {}
    found: list[tuple[int, TaskSpec]] = []
    n_written = 0
    for i, cell in enumerate(nb.cells):
        where = f"{path.name}, cell {i}"
        if cell.cell_type == "code":
            source = nbfiles.source(cell)
            hints.setdefault(heads[i], []).extend(
                line.strip()[len(HINT):].strip() for line in source.splitlines() if line.strip().startswith(HINT))
            tree = _parse(source, where)
            if tree is None:
                continue
            for var, other in _practice_vars(tree).items():
                if other != lesson:
                    raise ExerciseFormatError(f"{where}: Practice({other!r}) in the exercise of lesson {lesson!r}")
                practice_vars[var] = other
            for task_id, call, plain in _check_calls(tree, practice_vars):
                task = declared.get(task_id)
                if task is None:
                    raise ExerciseFormatError(f"{where}: checks task {task_id!r}, which lesson {lesson!r} does not "
                                              f"declare (its tasks: {', '.join(declared)})")
                if any(t.id == task_id for _, t in found):
                    raise ExerciseFormatError(f"{where}: task {task_id!r} is checked twice")
                found.append((i, TaskSpec(task_id, task.title, "checked", int(getattr(task, "points", POINTS_CHECKED)),
                                          heads[i], i, call, plain)))
        elif ANSWER_TAG in nbfiles.tags(cell):
            n_written += 1
            m = _TASK_HEADING.match(heads[i])
            # "t5" under "Task 5: Interpretation"; "t2w" for the written part of checked task t2; "w1" elsewhere
            task_id = f"t{m.group(1)}" if m else f"w{n_written}"
            if task_id in declared:
                task_id += "w"
            if any(t.id == task_id for _, t in found):
                task_id = f"w{n_written}"
            title = _TIME_NOTE.sub("", m.group(2) if m else heads[i]).strip() or "Written answer"
            if task_id.endswith("w") and task_id[:-1] in declared:
                title += " (written part)"
            found.append((i, TaskSpec(task_id, title, "written", POINTS_WRITTEN, heads[i], i)))
    unchecked = [t for t in declared if not any(s.id == t for _, s in found)]
    if unchecked:
        raise ExerciseFormatError(f"{path.name}: no check cell for task(s) {', '.join(unchecked)} of lesson {lesson!r}")
    tasks = tuple(
        TaskSpec(**{**t.__dict__, "hints": tuple(hints.get(t.section, ()))}) for _, t in sorted(found, key=lambda x: x[0]))
    return ExerciseSpec(path.name, lesson, path, _title(nb), next(iter(practice_vars), "practice"), tasks)


def read_exercises(folder, only=None) -> list[ExerciseSpec]:
    """Every exercise in ``folder`` (sorted by name), or those whose stem starts with one of ``only``."""
    paths = sorted(Path(folder).glob("*.ipynb"))
    if only:
        paths = [p for p in paths if any(p.stem == o or p.stem.startswith(o) for o in only)]
    return [read_exercise(p) for p in paths]
