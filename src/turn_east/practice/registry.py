"""The registry of practice tasks: each lesson module of ``turn_east.practice.tasks`` declares its
checkers with ``@task``; a checker takes (course, answer) and returns ``(True, praise)`` or
``(False, hint)``.

A task has a kind, so that a grader or a leader can tell them apart: ``drill`` (a pandas step with
one right answer), ``sensitivity`` (change the data, recompute, say what moved), ``choice`` (choose
the chart that answers a question; every defensible choice passes) and ``coding`` (code held-out
events with the codebook's rules; see ``turn_east.practice.coding``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

Checker = Callable[[Any, Any], "tuple[bool, str]"]
KINDS = ("drill", "sensitivity", "choice", "coding")


@dataclass(frozen=True)
class Task:
    lesson: str
    id: str
    title: str
    checker: Checker
    kind: str = "drill"


REGISTRY: dict[str, dict[str, Task]] = {}


def task(lesson: str, task_id: str, title: str, kind: str = "drill"):
    """Declare the checker of task `task_id` of practice notebook `lesson`."""
    if kind not in KINDS:
        raise ValueError(f"task kind {kind!r} is not one of {', '.join(KINDS)}")

    def wrap(fn: Checker) -> Checker:
        REGISTRY.setdefault(lesson, {})[task_id] = Task(lesson, task_id, title, fn, kind)
        return fn
    return wrap


def tasks_for(lesson: str) -> dict[str, Task]:
    """The tasks declared for practice notebook ``lesson``, by id ({} when it has none). The lesson modules
    declare them when ``turn_east.practice`` is imported (its ``__init__`` imports ``practice.tasks``), which
    Python does before any module of the package runs."""
    return dict(REGISTRY.get(lesson, {}))
