"""The practice tasks' checkers, one module per practice notebook (``lessonNN``), declared with
``turn_east.practice.registry.task``; importing this package declares them all.

Every checker computes the expected answer from the course data (never a hard-coded number),
accepts the equivalent forms a task allows, and, for a wrong answer, recomputes the typical
mistakes (wrong stage boundaries, one actor order only, sum for mean, counting duplicates...)
to say which one the answer looks like, without printing the answer.
"""

from turn_east.practice.tasks import (
    lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson11, lesson12, lesson13, lesson14, lesson20,
)

__all__ = ["lesson01", "lesson02", "lesson03", "lesson04", "lesson05", "lesson06", "lesson11", "lesson12",
           "lesson13", "lesson14", "lesson20"]
