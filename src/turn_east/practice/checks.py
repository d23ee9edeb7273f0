"""Checks that teach: each practice task compares a student's answer with the course data and, when it
is wrong, says what kind of mistake it looks like without printing the answer.

    practice = Practice("01_prelude_six_party_talks", course)
    practice.check("t1", answer)      # a CheckResult: feedback; "not answered yet" while answer is None
    practice.progress()               # which tasks pass

The checkers live in ``turn_east.practice.tasks``, one module per lesson.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from turn_east.data import Course
from turn_east.errors import PracticeError
from turn_east.practice.coding import CODING_MIME, CodingSheet, coding_payload, coding_sheet
from turn_east.practice.registry import REGISTRY, Task, tasks_for
from turn_east.practice.slips import explain_last_error


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

    def check(self, task_id: str, answer) -> CheckResult:
        t = self.tasks.get(task_id)
        if t is None:
            raise PracticeError(f"{self.lesson} has no task {task_id!r}; its tasks are {', '.join(self.tasks)}")
        slip = explain_last_error()  # the answer cell just before this check failed: say what its error means
        if answer is None or answer is Ellipsis:
            message = "Replace None with your answer in the cell above, run it, then run this check again."
            if t.kind == "choice":
                message += " (A figure's .show() returns None: assign the figure the chart function returns.)"
            v = CheckResult(task_id, t.title, "unanswered", f"{slip}\n{message}" if slip else message)
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
