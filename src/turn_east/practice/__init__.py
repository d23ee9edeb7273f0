"""Practice notebooks: checks that teach, exercises generated from solutions, a student workspace.

In a practice notebook::

    from turn_east.practice import Practice
    practice = Practice("01_prelude_six_party_talks", course)
    ...
    practice.check("t1", answer)      # feedback; "not answered yet" while answer is None
    practice.progress()               # which tasks pass

`turn-east exercises` regenerates exercises/ from solutions/; `turn-east workspace`
copies the exercises into my-work/ without ever overwriting a file.
"""

from turn_east.practice.checks import Practice, Verdict, tasks_for
from turn_east.practice.cli import register

__all__ = ["Practice", "Verdict", "register", "tasks_for"]
