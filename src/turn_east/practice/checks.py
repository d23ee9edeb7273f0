"""Checks that teach: each practice task compares a student's answer with the course data
and, when it is wrong, says what kind of mistake it looks like without printing the answer.

Tasks are declared in ``turn_east.practice.tasks`` with the ``@task`` decorator; a checker
takes (course, answer) and returns ``(True, praise)`` or ``(False, hint)``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

Checker = Callable[[Any, Any], "tuple[bool, str]"]


@dataclass(frozen=True)
class Task:
    lesson: str
    id: str
    title: str
    checker: Checker


_REGISTRY: dict[str, dict[str, Task]] = {}


def task(lesson: str, task_id: str, title: str):
    """Declare the checker of task `task_id` of practice notebook `lesson`."""
    def wrap(fn: Checker) -> Checker:
        _REGISTRY.setdefault(lesson, {})[task_id] = Task(lesson, task_id, title, fn)
        return fn
    return wrap


def tasks_for(lesson: str) -> dict[str, Task]:
    from turn_east.practice import tasks  # noqa: F401  (declares the tasks)

    return dict(_REGISTRY.get(lesson, {}))


STATUS_TEXT = {"pass": "Correct", "fail": "Not yet", "unanswered": "Not answered yet"}
STATUS_ICON = {"pass": "\u2714", "fail": "\u2716", "unanswered": "\u2026"}


@dataclass(frozen=True)
class Verdict:
    task: str
    title: str
    status: str  # "pass" | "fail" | "unanswered"
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __str__(self) -> str:
        return f"{STATUS_ICON[self.status]} Task {self.task} ({self.title}): {STATUS_TEXT[self.status]}. {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        border = {"pass": "#009E73", "fail": "#D55E00", "unanswered": "#999999"}[self.status]
        return (f'<div class="turn-east-check turn-east-check-{self.status}" role="status" '
                f'style="border-left:4px solid {border};padding:4px 10px;margin:4px 0">'
                f"<strong>{STATUS_ICON[self.status]} Task {html.escape(self.task)}: "
                f"{STATUS_TEXT[self.status]}.</strong> {html.escape(self.message)}</div>")


class Practice:
    """The checks of one practice notebook, and the record of how each went."""

    def __init__(self, lesson: str, course):
        self.lesson = lesson
        self.course = course
        self.tasks = tasks_for(lesson)
        if not self.tasks:
            raise ValueError(f"no practice tasks are declared for {lesson!r}; "
                             f"lessons with tasks: {', '.join(sorted(_REGISTRY)) or 'none'}")
        self.results: dict[str, Verdict] = {}

    def check(self, task_id: str, answer) -> Verdict:
        t = self.tasks.get(task_id)
        if t is None:
            raise ValueError(f"{self.lesson} has no task {task_id!r}; its tasks are {', '.join(self.tasks)}")
        if answer is None or answer is Ellipsis:
            v = Verdict(task_id, t.title, "unanswered",
                        "Replace None with your answer in the cell above, run it, then run this check again.")
        else:
            try:
                ok, message = t.checker(self.course, answer)
            except Exception as exc:  # a student's answer of the wrong shape must not crash the lesson
                ok, message = False, (f"Your answer could not be read ({type(exc).__name__}: {exc}). "
                                      "Check its type against the task description.")
            v = Verdict(task_id, t.title, "pass" if ok else "fail", message)
        self.results[task_id] = v
        return v

    def progress(self) -> "Progress":
        rows = []
        for tid, t in self.tasks.items():
            v = self.results.get(tid)
            rows.append((tid, t.title, v.status if v else "unanswered"))
        return Progress(self.lesson, rows)

    def require_all_passed(self) -> None:
        """For solution notebooks: fail loudly if any check did not pass."""
        bad = [f"{tid} ({v.status}: {v.message})" for tid, v in self.results.items() if not v.passed]
        unchecked = [tid for tid in self.tasks if tid not in self.results]
        if bad or unchecked:
            raise AssertionError(f"{self.lesson}: failing {bad}; never checked {unchecked}")


@dataclass(frozen=True)
class Progress:
    lesson: str
    rows: list

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r[2] == "pass")

    def __str__(self) -> str:
        lines = [f"Progress in {self.lesson}: {self.passed} of {len(self.rows)} tasks correct"]
        lines += [f"  {STATUS_ICON[s]} {tid:<4} {title}: {STATUS_TEXT[s]}" for tid, title, s in self.rows]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><td>{html.escape(tid)}</td><td>{html.escape(title)}</td>"
                       f"<td>{STATUS_ICON[s]} {STATUS_TEXT[s]}</td></tr>" for tid, title, s in self.rows)
        return (f"<p><strong>Progress: {self.passed} of {len(self.rows)} tasks correct</strong></p>"
                f"<table><thead><tr><th>Task</th><th>What</th><th>Status</th></tr></thead>"
                f"<tbody>{body}</tbody></table>")


# ---------------------------------------------------------------- diagnosis helpers for checkers

def ids_of(answer, column: str = "id") -> list:
    """The ids in an answer given as a DataFrame (with an id column), a Series or a list."""
    if isinstance(answer, pd.DataFrame):
        if column not in answer:
            raise ValueError(f"the table has no '{column}' column; keep it when you filter")
        return list(answer[column])
    if isinstance(answer, pd.Series):
        return list(answer)
    return list(answer)


def compare_ids(answer_ids, expected_ids, *, boundary_hint: str = "", duplicate_hint: str = "") -> tuple[bool, str]:
    """Compare two collections of ids and name the likely mistake."""
    got, want = list(answer_ids), list(expected_ids)
    if len(got) != len(set(got)):
        return False, duplicate_hint or "Some rows appear more than once: did you count duplicates (e.g. after a join)?"
    missing, extra = set(want) - set(got), set(got) - set(want)
    if not missing and not extra:
        return True, f"All {len(want)} rows are right."
    if boundary_hint and (missing or extra):
        return False, f"{len(got)} rows, expected {len(want)}. {boundary_hint}"
    if extra and not missing:
        return False, f"You have {len(extra)} row(s) too many: is your filter too wide?"
    if missing and not extra:
        return False, f"You are missing {len(missing)} row(s): is your filter too narrow?"
    return False, f"{len(missing)} row(s) missing and {len(extra)} extra: compare your condition with the task."


def compare_counts(answer, expected: pd.Series, *, what: str = "count") -> tuple[bool, str]:
    """Compare a Series (or dict) of counts keyed by label with the expected one."""
    got = pd.Series(answer) if not isinstance(answer, pd.Series) else answer
    got = got[got != 0] if got.dtype.kind in "iuf" else got
    want = expected[expected != 0]
    got.index = got.index.astype(str)
    want.index = want.index.astype(str)
    if set(got.index) != set(want.index):
        missing = sorted(set(want.index) - set(got.index))
        extra = sorted(set(got.index) - set(want.index))
        return False, (f"The labels differ: missing {missing or 'none'}, unexpected {extra or 'none'}. "
                       "Group by the column the task names.")
    diff = [k for k in want.index if float(got[k]) != float(want[k])]
    if not diff:
        return True, f"Every {what} is right."
    if float(got.sum()) > float(want.sum()):
        return False, f"Your {what}s are too high for {', '.join(diff)}: did you count some rows twice?"
    return False, f"Your {what}s are off for {', '.join(diff)}: check your filter before grouping."
