"""Practice notebooks: checks that teach (the kernel side of the exercises).

In a practice notebook::

    from turn_east.practice import Practice
    practice = Practice("01_prelude_six_party_talks", course)
    ...
    practice.check("t1", answer)      # a CheckResult; "not answered yet" while answer is None
    practice.progress()               # which tasks pass

    registry.py   Task and the @task decorator
    compare.py    reading answers of many shapes and comparing them (as_*, norm_*, same_*, check_*)
    tasks/        the checkers, one module per lesson
    checks.py     Practice, CheckResult, Progress

Exercises are generated from the solutions by ``turn-east exercises`` and copied into a student's
folder by ``turn-east workspace`` (``turn_east.make.exercises``, ``turn_east.make.workspace``).
"""

from turn_east.practice.checks import CheckResult, Practice, Progress, tasks_for

__all__ = ["CheckResult", "Practice", "Progress", "tasks_for"]
