"""Load and validate the course data: ``data/*.csv`` described by ``data/datapackage.json``.

``load_course()`` returns a :class:`Course` of typed pandas DataFrames with cached lookups, or raises
:class:`DataError` listing every problem found, each naming the file, the row (as a spreadsheet shows
it: the header is row 1), the field, the bad value and what was expected. ``validate()`` returns the
same problems without raising.

The column rules (types, required fields, enums, keys) come from ``datapackage.json`` (``read``), so
the ``frictionless`` tool checks the same schema; the rules that schema cannot say live in ``rules``
(dates inside their stage, lists of ids, a complete relations grid) and ``bank`` (the quiz bank
against the events, stages, lessons and sources). The bank is checked once the tables are sound.
"""

from __future__ import annotations

import pandas as pd

from turn_east import paths
from turn_east.data.bank import Question
from turn_east.data.course import Course, Document, Event, Relation, build_course, format_date
from turn_east.data.read import TABLES, read_tables
from turn_east.data.rules import check_course_rules
from turn_east.errors import DataError, DataNotFoundError, Problem

__all__ = ["Course", "DataError", "Document", "Event", "Problem", "Question", "Relation", "TABLES", "format_date",
           "load_course", "stage_of", "summary", "validate"]


def _load(data_dir) -> tuple[Course | None, list[Problem]]:
    try:
        folder = paths.data_dir(data_dir)
    except DataNotFoundError as exc:
        return None, [Problem("data", None, None, None, str(exc))]
    package, rows, problems = read_tables(folder)
    if package is not None:
        problems += check_course_rules(rows)
    if problems:
        return None, problems
    course = build_course(rows, folder, str(package.get("version", "")))
    try:
        course.bank  # noqa: B018  (checks the quiz bank against the loaded course, once)
    except DataError as exc:
        return None, exc.problems
    return course, []


def validate(data_dir=None) -> list[Problem]:
    """Every problem in the course data; an empty list when it is sound."""
    return _load(data_dir)[1]


def load_course(data_dir=None) -> Course:
    """Load the course from ``data_dir`` (the bundled data when None; see :mod:`turn_east.paths`).

    Raises DataError listing every problem when the data are not sound.
    """
    course, problems = _load(data_dir)
    if problems:
        raise DataError(problems)
    return course


def stage_of(course: Course, date) -> str | None:
    """The period a date falls in, or None before the prelude / after the data."""
    when = pd.Timestamp(date)
    for sid, (start, end) in course.stage_spans.items():
        if start <= when <= end:
            return sid
    return None


def summary(course: Course) -> str:
    """One line for `turn-east validate`: what was loaded."""
    counts = ", ".join(f"{len(course.table(t))} {t}" for t in TABLES)
    return f"course data {course.version} in {course.data_dir}: OK ({counts})"
