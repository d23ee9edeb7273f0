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
from turn_east.data.bank import SEAL_SCHEME, SEALED_SKIPPED, Question
from turn_east.data.course import Course, Document, Event, Relation, build_course, format_date
from turn_east.data.read import TABLES, check_line_endings, read_package, read_tables
from turn_east.data.read import fix_line_endings as _fix_line_endings
from turn_east.data.rules import check_course_rules
from turn_east.errors import DataError, DataNotFoundError, Problem

__all__ = ["Course", "DataError", "Document", "Event", "Problem", "Question", "Relation", "TABLES", "fix_line_endings",
           "format_date", "load_course", "notes", "stage_of", "summary", "validate"]


def _load(data_dir) -> tuple[Course | None, list[Problem]]:
    try:
        folder = paths.data_dir(data_dir)
    except DataNotFoundError as exc:
        return None, [Problem("data", None, None, None, str(exc))]
    package, rows, problems = read_tables(folder)
    if package is not None:
        problems += check_course_rules(rows)
    sealed = _seal_scheme(package, problems)
    if problems:
        return None, problems
    course = build_course(rows, folder, str(package.get("version", "")), sealed)
    try:
        course.bank  # noqa: B018  (checks the quiz bank against the loaded course, once)
    except DataError as exc:
        return None, exc.problems
    return course, []


def _seal_scheme(package: dict | None, problems: list[Problem]) -> str | None:
    """The scheme of a sealed quiz bank (the questions resource's ``sealed`` marker), None for a plain one."""
    resources = {r.get("name"): r for r in (package or {}).get("resources", [])}
    marker = (resources.get("questions") or {}).get("sealed")
    if not marker:
        return None
    scheme = marker.get("scheme") if isinstance(marker, dict) else None
    if scheme != SEAL_SCHEME:
        problems.append(Problem("datapackage.json", None, "resources.questions.sealed", scheme,
                                f"is not a seal this version of turn-east opens ({SEAL_SCHEME}); make the "
                                "student release again with this version's `turn-east release`"))
    return scheme


def validate(data_dir=None) -> list[Problem]:
    """Every problem in the course data; an empty list when it is sound. Besides what stops the data from
    loading, this reports CSV files whose lines do not end in LF (:func:`read.check_line_endings`): they
    load, but they make whole-file diffs."""
    problems = _load(data_dir)[1]
    try:
        folder = paths.data_dir(data_dir)
    except DataNotFoundError:
        return problems
    package, _ = read_package(folder)
    return problems + (check_line_endings(folder, package) if package else [])


def fix_line_endings(data_dir=None) -> list[str]:
    """Rewrite the data's CSV files whose lines do not all end in LF (only their line endings); returns their
    names. `turn-east validate --fix-line-endings`."""
    folder = paths.data_dir(data_dir)
    package, problems = read_package(folder)
    if package is None:
        raise DataError(problems)
    return _fix_line_endings(folder, package)


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


NO_NOTEBOOKS = ("the lesson notebooks are not installed with the package (no notebooks/ folder found), so the "
                "quiz's reread pointers were not checked against the lessons' headings")


def notes(course: Course) -> list[str]:
    """What `turn-east validate` says once besides problems: checks it could not make here."""
    return ([NO_NOTEBOOKS] if course.lesson_headings is None else []) + ([SEALED_SKIPPED] if course.sealed else [])


def summary(course: Course) -> str:
    """One line for `turn-east validate`: what was loaded."""
    counts = ", ".join(f"{len(course.table(t))} {t}" for t in TABLES)
    return f"course data {course.version} in {course.data_dir}: OK ({counts})"
