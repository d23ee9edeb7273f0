"""Shared test set-up. Fixture notebooks are inputs for tests, not lessons: nbval must not collect them."""

from pathlib import Path

import pytest

collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def course():
    from turn_east.data import load_course

    return load_course()
