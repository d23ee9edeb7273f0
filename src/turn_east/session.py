"""The 90-minute seminar session of a lesson, from its minutes in ``data/lessons.csv``.

A lesson's row gives its reading, exercise and discussion minutes; a session spends exactly those in
class and shares what is left of the 90 minutes between an opening and a wrap-up. The lesson's banner
(``turn_east.notebook``) and the leader guide's plans (``turn_east.make.guide``) both read the blocks from
here, so the two cannot disagree.

    session_blocks({"kind": "stage", "reading_min": 35, "exercise_min": 20, "discussion_min": 25})
    -> [("Opening", 5), ("Reading and charts", 35), ("Exercises and quiz", 20), ("Discussion", 25),
        ("Wrap-up", 5)]
"""

from __future__ import annotations

SESSION_MIN = 90
WRAP_UP_MAX = 5
OPENING_MIN = 5   # a session always opens with a recap (or the course's set-up), even when its reading is cut
BLOCK_NAMES = ("Opening", "Reading and charts", "Exercises and quiz", "Discussion", "Wrap-up")


def lesson_minutes(row: dict | None) -> tuple[int, int, int] | None:
    """``(reading, exercise, discussion)`` minutes of a lessons.csv row, or None when it has none."""
    if not row:
        return None
    try:
        return tuple(int(row.get(k) or 0) for k in ("reading_min", "exercise_min", "discussion_min"))
    except (TypeError, ValueError):
        return None


def session_blocks(row: dict | None, session: int = SESSION_MIN) -> list[tuple[str, int]]:
    """The five blocks of a lesson's session (name, minutes), summing to ``session``.

    When the lesson's minutes leave no room for an opening and a wrap-up, the reading is cut to fit (the plan
    says to set the rest before class); the exercise and discussion minutes are kept.
    """
    minutes = lesson_minutes(row) or (0, 0, 0)
    reading, exercise, discussion = minutes
    reading = max(0, min(reading, session - exercise - discussion - OPENING_MIN - WRAP_UP_MAX))
    left = session - reading - exercise - discussion
    wrap = min(WRAP_UP_MAX, left // 2)
    blocks = [("Opening", left - wrap), ("Reading and charts", reading), ("Exercises and quiz", exercise),
              ("Discussion", discussion), ("Wrap-up", wrap)]
    return blocks


def banner_timing(row: dict | None) -> str:
    """The lesson banner's sentence on time, in the session's own blocks."""
    minutes = lesson_minutes(row)
    if not minutes:
        return ""
    blocks = session_blocks(row)
    parts = ", ".join(f"{name.lower()} {m} min" for name, m in blocks if m)
    own = sum(minutes)
    cut = minutes[0] - dict(blocks)["Reading and charts"]
    note = (f" (the lesson's {own} minutes are more than a session: set reading before class, about {cut} min)"
            if cut > 0 else "")
    return f"The {SESSION_MIN}-minute session: {parts}{note}."
