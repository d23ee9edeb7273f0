"""The course's errors: every one is a :class:`TurnEastError`, a ``ValueError`` whose message says what
is wrong, where, and how to fix it. Catch ``TurnEastError`` to catch them all."""

from __future__ import annotations

from dataclasses import dataclass


class TurnEastError(ValueError):
    """Base of every error the course raises on bad input (data, parameters, arguments, files)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, worded so a course author can fix it."""

    file: str
    row: int | None
    field: str | None
    value: object
    expected: str
    row_id: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
            if self.row_id:
                where += f" (id {self.row_id})"
        if self.field:
            where += f", field '{self.field}'"
        value = "" if self.value is None else f"{str(self.value)!r}: "
        return f"{where}: {value}{self.expected}"


class DataError(TurnEastError):
    """The course data cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:30])
        more = len(self.problems) - 30
        tail = f"\n  ... and {more} more" if more > 0 else ""
        n = len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the course data:\n{shown}{tail}")


class DataNotFoundError(TurnEastError):
    """No course data folder was found (an installed package without its data, a wrong path)."""


class ChartArgumentError(TurnEastError):
    """A chart was asked for a stage, actor, motive or option that the course does not have;
    the message names the bad value and lists the valid ones."""


class LessonParameterError(TurnEastError):
    """A lesson parameter has a value the course cannot use; the message says how to fix it."""


class PracticeError(TurnEastError):
    """A practice notebook asked for a lesson or task that has no checker."""


class NotebookFormatError(TurnEastError):
    """A course notebook cannot be read."""


class GenerationError(NotebookFormatError):
    """A solution notebook's markers (solution blocks) are malformed, so no exercise can be made from it."""


class UsageError(TurnEastError):
    """A problem with a command line or its inputs: reported, exit 2, nothing written."""


class ExportError(TurnEastError, RuntimeError):
    """An image could not be written (no Chromium, a bad format); the message says why and what to do."""
