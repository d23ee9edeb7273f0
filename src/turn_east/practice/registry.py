"""The registry of practice tasks: each lesson module of ``turn_east.practice.tasks`` declares its
checkers with ``@task``; a checker takes (course, answer) and returns ``(True, praise)`` or
``(False, hint)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

Checker = Callable[[Any, Any], "tuple[bool, str]"]


@dataclass(frozen=True)
class Task:
    lesson: str
    id: str
    title: str
    checker: Checker


REGISTRY: dict[str, dict[str, Task]] = {}


def task(lesson: str, task_id: str, title: str):
    """Declare the checker of task `task_id` of practice notebook `lesson`."""
    def wrap(fn: Checker) -> Checker:
        REGISTRY.setdefault(lesson, {})[task_id] = Task(lesson, task_id, title, fn)
        return fn
    return wrap
