"""Practice notebooks: checks that teach (the kernel side of the exercises).

In a practice notebook::

    from turn_east.practice import Practice
    practice = Practice("01_prelude_six_party_talks", course)
    ...
    practice.check("t1", answer)      # a CheckResult; "not answered yet" while answer is None
    practice.coding_sheet()           # the held-out events of the coding task
    practice.progress()               # which tasks pass

For a class (the leader's agreement exercise)::

    from turn_east.practice import agreement, collect_codings
    found = collect_codings("submissions/", course=course)   # saved notebooks or CSV codings
    agreement(found.codings, course=course)                   # Krippendorff's alpha, and where coders disagree

    registry.py   Task (with its kind: drill, sensitivity, choice, coding) and the @task decorator
    compare.py    reading answers of many shapes and comparing them (as_*, norm_*, same_*, check_*)
    choice.py     what a course figure shows, and which charts can answer a question
    coding.py     held-out events: the coding sheet, the coding check, reading codings from notebooks
    intercoder.py agreement(codings) -> Agreement: Krippendorff's alpha (the krippendorff package)
    tasks/        the checkers, one module per lesson
    checks.py     Practice, CheckResult, Progress
    slips.py      the error the answer cell before a check stopped with, said in plain words (and/or, brackets, id_x)

Exercises are generated from the solutions by ``turn-east exercises`` and copied into a student's
folder by ``turn-east workspace`` (``turn_east.make.exercises``, ``turn_east.make.workspace``).
"""

from turn_east.practice import tasks  # noqa: F401  (importing it declares every lesson's tasks)
from turn_east.practice.intercoder import Agreement, agreement
from turn_east.practice.checks import CheckResult, Practice, Progress
from turn_east.practice.coding import Collected, coding_rows, coding_sheet, collect_codings, read_coding
from turn_east.practice.registry import KINDS, Task, tasks_for

__all__ = ["Agreement", "CheckResult", "Collected", "KINDS", "Practice", "Progress", "Task", "agreement",
           "coding_rows", "coding_sheet", "collect_codings", "read_coding", "tasks_for"]
