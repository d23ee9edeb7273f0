"""Practice task checkers, one block per practice notebook (see checks.task)."""

from turn_east.practice.checks import task  # noqa: F401

