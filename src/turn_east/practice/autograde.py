"""Checks run for a grader, in the student's kernel after their notebook has run: the test cells of an
nbgrader assignment (``turn-east nbgrader-export``) and the cell that ``turn-east grade`` appends to a
copy of each submission.

Both read a task's answer from the variable the exercise names and check it with the checker the
student saw, against a course loaded afresh for the grader: a notebook may change its own ``course``,
on purpose (a sensitivity task drops an event) or by accident, and the grade must not depend on that.

    assert_passes("03_stage_2_after_crimea", "t1", resolutions)   # nbgrader: fails the cell when wrong

    grading = Grading("03_stage_2_after_crimea")                   # turn-east grade's appended cell
    grading.check("t1", lambda: ((resolutions,), {}))             # a lambda: a missing name is one
    grading.report()                                              # task's problem, not the cell's
"""

from __future__ import annotations

from typing import Callable

from turn_east.data import load_course
from turn_east.practice.checks import CheckResult, Practice

#: The MIME type of the report ``Grading.report`` displays; ``turn-east grade`` reads it.
MIME = "application/vnd.turn-east.grade+json"

_PRACTICES: dict[str, Practice] = {}


def grader_practice(lesson: str) -> Practice:
    """The checks of ``lesson`` on a course loaded for the grader (once per kernel), never the student's."""
    practice = _PRACTICES.get(lesson)
    if practice is None:
        practice = _PRACTICES[lesson] = Practice(lesson, load_course())
    return practice


def assert_passes(lesson: str, task_id: str, *answer, **more) -> None:
    """Show the check of one task and raise AssertionError (with its hint) unless it passed."""
    from IPython.display import display

    result = grader_practice(lesson).check(task_id, *answer, **more)
    display(result)
    if not result.passed:
        raise AssertionError(str(result))


def _coding_records(answer, course) -> list[dict]:
    """A coding task's answer as rows (event, goldstein, stage, motives) for the class's agreement; [] when
    the course has no coding tasks' reader (``turn_east.practice.coding_rows``) or the answer is unreadable."""
    try:
        from turn_east.practice import coding_rows
    except ImportError:
        return []
    try:
        rows = coding_rows(answer, coder="", course=course)
    except Exception:  # noqa: BLE001 - an unreadable coding is the check's business, not the report's
        return []
    out = []
    for r in rows.drop(columns=["coder"], errors="ignore").to_dict("records"):
        motives = r.get("motives")
        out.append({"event": str(r.get("event", "")),
                    "goldstein": None if r.get("goldstein") != r.get("goldstein") else float(r["goldstein"]),
                    "stage": None if r.get("stage") is None else str(r.get("stage")),
                    "motives": [str(m) for m in motives] if isinstance(motives, (list, tuple)) else []})
    return out


class Grading:
    """Every task of one exercise checked in turn; ``report()`` displays the results for the grader."""

    def __init__(self, lesson: str):
        self.lesson = lesson
        self.results: dict[str, dict] = {}
        self.setup_error = ""
        try:
            self.practice = grader_practice(lesson)
        except Exception as exc:  # noqa: BLE001 - reported to the grader, which names it in every row
            self.practice = None
            self.setup_error = f"{type(exc).__name__}: {exc}"

    def check(self, task_id: str, answer: Callable[[], tuple[tuple, dict]]) -> None:
        """Check task ``task_id`` with the arguments ``answer()`` returns (read now, in this kernel)."""
        if self.practice is None:
            self.results[task_id] = {"status": "error", "message": f"the grader could not load the course "
                                                                   f"({self.setup_error})"}
            return
        try:
            args, kwargs = answer()
        except NameError as exc:
            self.results[task_id] = {"status": "undefined", "name": getattr(exc, "name", None) or "",
                                     "message": f"{type(exc).__name__}: {exc}"}
            return
        except Exception as exc:  # noqa: BLE001 - the answer's own expression failed
            self.results[task_id] = {"status": "error", "message": f"{type(exc).__name__}: {exc}"}
            return
        result: CheckResult = self.practice.check(task_id, *args, **kwargs)
        self.results[task_id] = {"status": result.status, "message": result.message, "title": result.title}
        task = self.practice.tasks.get(task_id)
        if getattr(task, "kind", "") == "coding" and args:
            self.results[task_id]["codings"] = _coding_records(args[0], self.practice.course)

    def report(self) -> None:
        from IPython.display import display

        lines = [f"{tid}: {r['status']}" for tid, r in self.results.items()]
        display({MIME: {"lesson": self.lesson, "tasks": self.results, "setup_error": self.setup_error},
                 "text/plain": "turn-east grade: " + ", ".join(lines)}, raw=True)
