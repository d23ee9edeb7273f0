"""Shared test set-up. Fixture notebooks are inputs for tests, not lessons: nbval must not collect them."""

import json
from pathlib import Path

import pandas as pd
import pytest

collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]

ROOT = Path(__file__).resolve().parents[1]
LIST_FIELDS = {("events", "actors"), ("events", "people"), ("events", "motives"), ("relations", "events"),
               ("glossary", "stages"), ("glossary", "motives"), ("documents", "lessons")}


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def course():
    from turn_east.data import load_course

    return load_course()


def course_from(**tables):
    """A :class:`turn_east.data.Course` made from hand-written test tables.

    Tables left out are empty; columns left out of a table are filled (empty lists for the ;-list
    fields, None otherwise), with the columns of data/datapackage.json, so a test states only what
    it is about.
    """
    from turn_east.data import TABLES, Course

    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    columns = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in package["resources"]}
    frames = {}
    for name in TABLES:
        df = tables.pop(name, None)
        df = pd.DataFrame(columns=columns[name]) if df is None else df.copy()
        for col in columns[name]:
            if col not in df.columns:
                df[col] = [[] for _ in range(len(df))] if (name, col) in LIST_FIELDS else None
        frames[name] = df
    return Course(**frames, data_dir=tables.pop("data_dir", None), version=tables.pop("version", "test"),
                  periods=tables.pop("periods", []))
