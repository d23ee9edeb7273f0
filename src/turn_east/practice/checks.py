"""Checks that teach: each practice task compares a student's answer with the course data and, when it
is wrong, says what kind of mistake it looks like without printing the answer.

    practice = Practice("01_prelude_six_party_talks", course)
    practice.check("t1", answer)      # a CheckResult: feedback; "not answered yet" while answer is None
    practice.progress()               # which tasks pass

The checkers live in ``turn_east.practice.tasks``, one module per lesson.
"""

from __future__ import annotations

import copy
import html
import json
from dataclasses import dataclass

import pandas as pd

from turn_east.data import Course
from turn_east.errors import PracticeError
from turn_east.practice.coding import CODING_MIME, CodingSheet, coding_payload, coding_sheet
from turn_east.practice.registry import REGISTRY, Task, tasks_for
from turn_east.practice.slips import explain_last_error


#: The course tables the checkers read. A notebook that changes one of them in place (``recoded = relations``
#: then ``recoded.loc[...] = ...``, or ``drop(..., inplace=True)`` on ``course.events``) would be checked against
#: the changed data and could pass with wrong numbers; the check says so instead.
WATCHED_TABLES = ("events", "relations", "places", "glossary", "motives", "stages", "actors", "coding_exercises")
CHANGED_HINT = ("The course data in this notebook have changed since it started: course.{table} is no longer as "
                "loaded ({where}). Something changed the table itself instead of a copy: `recoded = relations` or "
                "`events = course.events` gives a second name to the same table, so a change made through it "
                "(`.loc[...] = ...`, `drop(..., inplace=True)`) changes the course, and every check would then "
                "compare your answer with changed data. Run the notebook's first cell again to reload the data, "
                "then make your change in a copy of the table, one made with .copy().")


def _table_snapshot(df: pd.DataFrame) -> pd.DataFrame:
    """A copy that shares nothing with ``df``: a deep DataFrame copy still shares the lists held in its cells."""
    snap = df.copy(deep=True)
    for col in snap.columns[snap.dtypes == object]:
        snap[col] = pd.Series([copy.deepcopy(v) for v in snap[col]], index=snap.index, dtype=object)
    return snap


def _plain(value):
    """A numpy scalar as the Python value it holds (so a message reads 2, not np.int64(2))."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (list, str)) else value


def _where_changed(before: pd.DataFrame, now) -> str:
    """Where a watched table changed, in words a student can act on (a row id and a column when possible)."""
    if not isinstance(now, pd.DataFrame):
        return f"it is now a {type(now).__name__}"
    if now.shape != before.shape or not now.index.equals(before.index) or list(now.columns) != list(before.columns):
        return f"it had {len(before)} rows and {len(before.columns)} columns, it now has {len(now)} and {len(now.columns)}"
    try:
        for col in before.columns:
            diff = before[col].astype(object).ne(now[col].astype(object)) & ~(before[col].isna() & now[col].isna())
            if diff.any():
                row = diff[diff].index[0]
                label = now.at[row, "id"] if "id" in now.columns else row
                was, is_now = (_plain(x) for x in (before.at[row, col], now.at[row, col]))
                return f"row {label}, column {col}: {was!r} is now {is_now!r}"
    except Exception:  # noqa: BLE001 - naming the place is a courtesy; the table's name is enough
        pass
    return "a value in it differs"


STATUS_TEXT = {"pass": "Correct", "fail": "Not yet", "unanswered": "Not answered yet"}
STATUS_ICON = {"pass": "\u2714", "fail": "\u2716", "unanswered": "\u2026"}


@dataclass(frozen=True)
class CheckResult:
    """How one check of a practice task went: passed, failed (with a hint) or not answered yet."""

    task: str
    title: str
    status: str  # "pass" | "fail" | "unanswered"
    message: str
    data: dict | None = None  # a coding task's answer, carried in the output so a saved notebook keeps it

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
                f"{STATUS_TEXT[self.status]}.</strong> {html.escape(self.message).replace(chr(10), '<br>')}</div>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": str(self), "text/html": self._repr_html_()}
        if self.data:
            bundle[CODING_MIME] = json.loads(json.dumps(self.data, default=str))
        return bundle


class Practice:
    """The checks of one practice notebook, and the record of how each went."""

    def __init__(self, lesson: str, course: Course):
        self.lesson = lesson
        self.course = course
        self.tasks = tasks_for(lesson)
        if not self.tasks:
            raise PracticeError(f"no practice tasks are declared for {lesson!r}; "
                                f"lessons with tasks: {', '.join(sorted(REGISTRY)) or 'none'}")
        self.results: dict[str, CheckResult] = {}
        self._loaded = {name: _table_snapshot(getattr(course, name)) for name in WATCHED_TABLES
                        if isinstance(getattr(course, name, None), pd.DataFrame)}

    def changed_table(self) -> str | None:
        """The hint for a course table changed in place since this Practice began, or None when none was."""
        for name, before in self._loaded.items():
            now = getattr(self.course, name, None)
            if not (isinstance(now, pd.DataFrame) and now.equals(before)):
                return CHANGED_HINT.format(table=name, where=_where_changed(before, now))
        return None

    def check(self, task_id: str, answer) -> CheckResult:
        t = self.tasks.get(task_id)
        if t is None:
            raise PracticeError(f"{self.lesson} has no task {task_id!r}; its tasks are {', '.join(self.tasks)}")
        slip = explain_last_error()  # the answer cell just before this check failed: say what its error means
        changed = self.changed_table()
        if answer is None or answer is Ellipsis:
            message = "Replace None with your answer in the cell above, run it, then run this check again."
            if t.kind == "choice":
                message += " (A figure's .show() returns None: assign the figure the chart function returns.)"
            v = CheckResult(task_id, t.title, "unanswered", f"{slip}\n{message}" if slip else message)
        elif changed:
            v = CheckResult(task_id, t.title, "fail", changed)
        else:
            try:
                ok, message = t.checker(self.course, answer)
            except Exception as exc:  # a student's answer of the wrong shape must not crash the lesson
                ok, message = False, (f"Your answer could not be read ({type(exc).__name__}: {exc}). "
                                      "Check its type against the task description.")
            if slip and not ok:
                message = (f"{slip}\nSo this check reads what your answer held when that cell stopped: "
                           f"{message}")
            data = None
            if t.kind == "coding":
                try:
                    data = coding_payload(self.lesson, answer, self.course)
                except Exception:  # the payload is a convenience for collecting codings; never fail a check for it
                    data = None
            v = CheckResult(task_id, t.title, "pass" if ok else "fail", message, data)
        self.results[task_id] = v
        return v

    def coding_sheet(self) -> CodingSheet:
        """The held-out events this notebook's coding task asks for (what happened, actors, the main pair)."""
        return coding_sheet(self.course, self.lesson)

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
