"""The question bank: ``data/questions.csv`` as :class:`Question` objects, checked against the course.

``load_course`` has checked the bundled bank already (``course.bank``); ``load_bank(course, path)``
checks another questions file (a draft) against the same course with the same rules.
"""

from __future__ import annotations

from turn_east.data import Course
from turn_east.data.bank import COLUMNS, TYPES, Question, check_questions, rows_of_csv
from turn_east.errors import DataError

__all__ = ["COLUMNS", "TYPES", "Question", "load_bank"]


def load_bank(course: Course, path=None) -> list[Question]:
    """The validated question bank, in file order: the course's own, or the CSV at ``path``.

    Raises :class:`turn_east.errors.DataError` listing every problem (file, row, field, fix).
    """
    if path is None:
        return list(course.bank)
    questions, problems = check_questions(rows_of_csv(path), course)
    if problems:
        raise DataError(problems)
    return questions
