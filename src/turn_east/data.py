"""Load and validate the course data: ``data/*.csv`` described by ``data/datapackage.json``.

``load_course()`` returns a :class:`Course` of typed pandas DataFrames, or raises
:class:`DataError` listing every problem found, each naming the file, the row (as a
spreadsheet shows it: the header is row 1), the field, the bad value and what was
expected. ``validate()`` returns the same problems without raising.

The column rules (types, required fields, enums, keys) come from ``datapackage.json``,
so the ``frictionless`` tool checks the same schema; the rules that schema cannot say
(dates inside their stage, lists of ids, a complete relations grid) live here.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

TABLES = (
    "stages", "motives", "actors", "people", "places", "events",
    "relations", "glossary", "sources", "lessons", "questions",
)
# Multi-valued fields (";"-separated ids) and the table their ids must exist in.
LIST_FIELDS = {
    ("events", "actors"): "actors",
    ("events", "people"): "people",
    ("events", "motives"): "motives",
    ("relations", "events"): "events",
    ("glossary", "stages"): "stages",
    ("glossary", "motives"): "motives",
}
LAST_DAY_COVERED = dt.date(2024, 12, 31)
ENV_DATA_DIR = "TURN_EAST_DATA"


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


class DataError(ValueError):
    """The course data cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:30])
        more = len(self.problems) - 30
        tail = f"\n  ... and {more} more" if more > 0 else ""
        n = len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the course data:\n{shown}{tail}")


@dataclass(frozen=True)
class Course:
    """Every table of the course as a typed DataFrame."""

    stages: pd.DataFrame
    motives: pd.DataFrame
    actors: pd.DataFrame
    people: pd.DataFrame
    places: pd.DataFrame
    events: pd.DataFrame
    relations: pd.DataFrame
    glossary: pd.DataFrame
    sources: pd.DataFrame
    lessons: pd.DataFrame
    questions: pd.DataFrame
    data_dir: Path
    version: str
    periods: list[str] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; the course has {', '.join(TABLES)}")
        return getattr(self, name)


def bundled_data_dir() -> Path:
    """The ``data/`` folder shipped with the course (or ``$TURN_EAST_DATA``)."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data"


def _resolve(data_dir) -> Path:
    return bundled_data_dir() if data_dir is None else Path(data_dir)


# ---------------------------------------------------------------- reading

def _read_package(folder: Path) -> tuple[dict | None, list[Problem]]:
    path = folder / "datapackage.json"
    if not folder.is_dir():
        return None, [Problem(str(folder), None, None, None,
                              "data folder not found; pass the folder that holds datapackage.json "
                              "and the CSV files, or None for the bundled data")]
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return None, [Problem("datapackage.json", None, None, None,
                              f"file is missing from {folder}; copy it from the course repository")]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Problem("datapackage.json", None, None, None, f"is not valid JSON ({exc})")]


def _read_csv(folder: Path, resource: dict) -> tuple[list[str] | None, list[dict], list[Problem]]:
    name = resource["path"]
    path = folder / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [], [Problem(name, None, None, None,
                                  f"file is missing from {folder}; restore it from the course repository")]
    if b"\x00" in raw:
        return None, [], [Problem(name, None, None, None, "is not a text file (it contains NUL bytes); "
                                  "save it as UTF-8 CSV")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [], [Problem(name, None, None, None,
                                  f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV")]
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        return None, [], [Problem(name, None, None, None, "is empty; expected a header row")]
    header = [h.strip() for h in header]
    expected = [f["name"] for f in resource["schema"]["fields"]]
    problems = []
    missing = [c for c in expected if c not in header]
    for col in missing:
        problems.append(Problem(name, 1, col, None,
                                f"column is missing from the header; expected columns: {', '.join(expected)}"))
    for col in header:
        if col not in expected:
            problems.append(Problem(name, 1, col, None,
                                    f"unknown column; expected columns: {', '.join(expected)}"))
    if expected and header and header[0] != expected[0] and not missing:
        problems.append(Problem(name, 1, header[0], None, f"the first column must be '{expected[0]}'"))
    if missing:
        return None, [], problems
    rows = []
    for lineno, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(name, lineno, None, None,
                                    f"has {len(cells)} cells but the header has {len(header)}; "
                                    "check for an unquoted comma"))
            continue
        row = dict(zip(header, (c.strip() for c in cells)))
        row["__row__"] = lineno
        rows.append(row)
    return header, rows, problems


# ---------------------------------------------------------------- field checks

def _parse(kind: str, value: str):
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "date":
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else _bad_date(value)
    if kind == "boolean":
        low = value.lower()
        if low in ("true", "false"):
            return low == "true"
        raise ValueError(value)
    return value


def _bad_date(value):
    raise ValueError(value)


EXPECT = {
    "integer": "expected a whole number",
    "number": "expected a number",
    "date": "expected a date as YYYY-MM-DD, e.g. 2000-07-19",
    "boolean": "expected true or false",
}


def _check_fields(fname: str, resource: dict, rows: list[dict]) -> list[Problem]:
    problems: list[Problem] = []
    fields = resource["schema"]["fields"]
    seen: dict[str, dict[str, int]] = {}
    for row in rows:
        rid = row.get("id") or None
        for spec in fields:
            col, kind = spec["name"], spec.get("type", "string")
            cons = spec.get("constraints", {})
            value = row.get(col, "")
            if value == "":
                if cons.get("required"):
                    problems.append(Problem(fname, row["__row__"], col, None,
                                            f"is empty; a value is required ({spec.get('description') or col})",
                                            rid))
                row[col] = None
                continue
            try:
                parsed = _parse(kind, value)
            except ValueError:
                problems.append(Problem(fname, row["__row__"], col, value, EXPECT[kind], rid))
                row[col] = None
                continue
            if "enum" in cons and value not in cons["enum"]:
                problems.append(Problem(fname, row["__row__"], col, value,
                                        f"is not allowed; expected one of: {', '.join(cons['enum'])}", rid))
            if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
                problems.append(Problem(fname, row["__row__"], col, value,
                                        f"does not match the pattern {cons['pattern']}", rid))
            if "minimum" in cons and parsed < cons["minimum"]:
                problems.append(Problem(fname, row["__row__"], col, value,
                                        f"is below the minimum {cons['minimum']}", rid))
            if "maximum" in cons and parsed > cons["maximum"]:
                problems.append(Problem(fname, row["__row__"], col, value,
                                        f"is above the maximum {cons['maximum']}", rid))
            if cons.get("unique"):
                first = seen.setdefault(col, {})
                if value in first:
                    problems.append(Problem(fname, row["__row__"], col, value,
                                            f"is a duplicate; row {first[value]} has the same {col}", rid))
                else:
                    first[value] = row["__row__"]
            row[col] = parsed
    return problems


def _check_foreign_keys(fname, resource, rows, ids) -> list[Problem]:
    problems = []
    for fk in resource["schema"].get("foreignKeys", []):
        col = fk["fields"][0]
        target = fk["reference"]["resource"]
        known = ids.get(target)
        if known is None:
            continue
        for row in rows:
            value = row.get(col)
            if value not in (None, "") and value not in known:
                problems.append(Problem(fname, row["__row__"], col, value,
                                        f"is not an id in {target}.csv{_hint(value, known)}", row.get("id")))
    for (table, col), target in LIST_FIELDS.items():
        if table != resource["name"] or ids.get(target) is None:
            continue
        for row in rows:
            for item in _split(row.get(col)):
                if item not in ids[target]:
                    problems.append(Problem(fname, row["__row__"], col, item,
                                            f"is not an id in {target}.csv{_hint(item, ids[target])}",
                                            row.get("id")))
    return problems


def _hint(value: str, known: set[str]) -> str:
    if not known:
        return " (that table has no rows yet)"
    close = sorted(k for k in known if k.lower().startswith(str(value).lower()[:3]))[:5]
    if close:
        return f"; did you mean {' or '.join(close)}?"
    if len(known) <= 12:
        return f"; known ids: {', '.join(sorted(known))}"
    return "; add it there first or correct the id"


def _split(value) -> list[str]:
    # pandas turns an empty cell (None) into NaN when it builds a frame; both mean "no ids".
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return []
    return [v for v in str(value).split(";") if v]


# ---------------------------------------------------------------- course rules

def _stage_ranges(stage_rows):
    good = [r for r in stage_rows if r.get("start_date") and r.get("end_date")]
    return sorted(((r["start_date"], r["end_date"], r["id"]) for r in good))


def _stage_for(date, ranges):
    for start, end, sid in ranges:
        if start <= date <= end:
            return sid
    return None


def _check_course_rules(rows: dict[str, list[dict]]) -> list[Problem]:
    problems: list[Problem] = []
    ranges = _stage_ranges(rows.get("stages", []))
    for prev, nxt in zip(ranges, ranges[1:]):
        if nxt[0] != prev[1] + dt.timedelta(days=1):
            problems.append(Problem("stages.csv", None, "start_date", str(nxt[0]),
                                    f"stage {nxt[2]} should start the day after {prev[2]} ends ({prev[1]})"))
    first_day = ranges[0][0] if ranges else None

    for r in rows.get("events", []):
        rid, n = r.get("id"), r["__row__"]
        date = r.get("date")
        if date is None:
            continue
        if date > LAST_DAY_COVERED:
            problems.append(Problem("events.csv", n, "date", str(date),
                                    f"is after {LAST_DAY_COVERED}, the last day the course covers", rid))
        if ranges:
            want = _stage_for(date, ranges)
            if date < first_day:
                want = None
            got = r.get("stage")
            if got != want:
                problems.append(Problem("events.csv", n, "stage", got or "",
                                        f"does not match the date {date}; expected "
                                        f"{want or 'an empty stage (background before 2000)'}", rid))
        end = r.get("end_date")
        if end is not None and end < date:
            problems.append(Problem("events.csv", n, "end_date", str(end),
                                    f"is before the start date {date}", rid))
        precision = r.get("date_precision")
        if precision == "month" and date.day != 1:
            problems.append(Problem("events.csv", n, "date", str(date),
                                    "has month precision, so store the 1st of the month", rid))
        if precision == "year" and (date.month, date.day) != (1, 1):
            problems.append(Problem("events.csv", n, "date", str(date),
                                    "has year precision, so store 1 January", rid))
        if r.get("source_id") == "article":
            problems.append(Problem("events.csv", n, "source_id", "article",
                                    "an event needs an outside source, not the article alone; "
                                    "cite the article in article_section instead", rid))
        a, b = r.get("actor_a"), r.get("actor_b")
        if a and a == b and r.get("goldstein") not in (0, 0.0):
            problems.append(Problem("events.csv", n, "actor_b", b,
                                    "equals actor_a; a same-actor pair marks a domestic event, "
                                    "whose goldstein score must be 0", rid))
        listed = set(_split(r.get("actors")))
        for col, actor in (("actor_a", a), ("actor_b", b)):
            if actor and listed and actor not in listed:
                problems.append(Problem("events.csv", n, col, actor,
                                        f"should also appear in the actors list ({r.get('actors')})", rid))

    for r in rows.get("people", []):
        if r.get("from_year") and r.get("to_year") and r["to_year"] < r["from_year"]:
            problems.append(Problem("people.csv", r["__row__"], "to_year", r["to_year"],
                                    f"is before from_year {r['from_year']}", r.get("id")))

    rel_actors = [a["id"] for a in rows.get("actors", []) if a.get("in_relations")]
    periods = [sid for _, _, sid in ranges]
    seen = {}
    for r in rows.get("relations", []):
        a, b, p = r.get("actor_a"), r.get("actor_b"), r.get("period")
        if not (a and b and p):
            continue
        if a in rel_actors and b in rel_actors and rel_actors.index(a) >= rel_actors.index(b):
            problems.append(Problem("relations.csv", r["__row__"], "actor_a", a,
                                    f"pairs are written in the order {' '.join(rel_actors)}; "
                                    f"write {b}-{a} as actor_a={b}, actor_b={a}", r.get("id")))
        want = f"{p}:{a}-{b}"
        if r.get("id") and r["id"] != want:
            problems.append(Problem("relations.csv", r["__row__"], "id", r["id"],
                                    f"should be {want} (period:actor_a-actor_b)", r.get("id")))
        key = (p, frozenset((a, b)))
        if key in seen:
            problems.append(Problem("relations.csv", r["__row__"], "actor_b", b,
                                    f"pair {a}-{b} in {p} is coded twice (also row {seen[key]})", r.get("id")))
        seen[key] = r["__row__"]
    if rows.get("relations") is not None and rel_actors and periods:
        for p in periods:
            for a, b in itertools.combinations(rel_actors, 2):
                if (p, frozenset((a, b))) not in seen:
                    problems.append(Problem("relations.csv", None, "id", f"{p}:{a}-{b}",
                                            "is missing; every pair of the seven actors is coded "
                                            "in every period"))
    return problems


# ---------------------------------------------------------------- frames

def _frames(rows: dict[str, list[dict]], periods: list[str]) -> dict[str, pd.DataFrame]:
    frames = {}
    for name, table in rows.items():
        records = [{k: v for k, v in r.items() if k != "__row__"} for r in table]
        frames[name] = pd.DataFrame.from_records(records)
    for name, df in frames.items():
        for (table, col), _ in LIST_FIELDS.items():
            if table == name and col in df:
                df[col] = df[col].map(_split)
        for col in ("date", "end_date", "start_date"):
            if col in df:
                df[col] = pd.to_datetime(df[col])
        for col in ("stage", "period"):
            if col in df and name != "stages":
                df[col] = pd.Categorical(df[col], categories=periods, ordered=True)
    ev = frames["events"]
    ev["event_type"] = ev["event_type"].astype("category")
    ev["date_precision"] = pd.Categorical(ev["date_precision"], categories=["day", "month", "year"])
    ev["goldstein"] = ev["goldstein"].astype(float)
    frames["events"] = ev.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    rel = frames["relations"]
    rel["score"] = rel["score"].astype(int)
    frames["stages"] = frames["stages"].sort_values("order").reset_index(drop=True)
    frames["motives"] = frames["motives"].sort_values("order").reset_index(drop=True)
    frames["lessons"] = frames["lessons"].sort_values("order").reset_index(drop=True)
    for name in ("people",):
        frames[name]["to_year"] = frames[name]["to_year"].astype("Int64")
    return frames


# ---------------------------------------------------------------- public API

def _collect(data_dir) -> tuple[Path, dict | None, dict[str, list[dict]], list[Problem]]:
    folder = _resolve(data_dir)
    package, problems = _read_package(folder)
    rows: dict[str, list[dict]] = {}
    if package is None:
        return folder, None, rows, problems
    resources = {r["name"]: r for r in package.get("resources", [])}
    for name in TABLES:
        if name not in resources:
            problems.append(Problem("datapackage.json", None, "resources", name,
                                    "table is not described; add a resource for it"))
    for name in TABLES:
        res = resources.get(name)
        if res is None:
            continue
        header, table, found = _read_csv(folder, res)
        problems += found
        if header is None:
            continue
        problems += _check_fields(res["path"], res, table)
        rows[name] = table
    ids = {name: {r["id"] for r in table if r.get("id")} for name, table in rows.items()}
    for name, table in rows.items():
        problems += _check_foreign_keys(resources[name]["path"], resources[name], table, ids)
    problems += _check_course_rules(rows)
    return folder, package, rows, problems


def validate(data_dir=None) -> list[Problem]:
    """Every problem in the course data; an empty list when it is sound."""
    return _collect(data_dir)[3]


def load_course(data_dir=None) -> Course:
    """Load the course from ``data_dir`` (the bundled ``data/`` when None).

    Raises DataError listing every problem when the data are not sound.
    """
    folder, package, rows, problems = _collect(data_dir)
    if problems:
        raise DataError(problems)
    periods = [r["id"] for r in sorted(rows["stages"], key=lambda r: r["order"])]
    frames = _frames(rows, periods)
    return Course(**frames, data_dir=folder, version=str(package.get("version", "")), periods=periods)


def stage_of(course: Course, date) -> str | None:
    """The period a date falls in, or None before the prelude / after the data."""
    when = pd.Timestamp(date)
    for row in course.stages.itertuples():
        if row.start_date <= when <= row.end_date:
            return row.id
    return None


def summary(course: Course) -> str:
    """One line for `turn-east validate`: what was loaded."""
    counts = ", ".join(f"{len(course.table(t))} {t}" for t in TABLES)
    return f"course data {course.version} in {course.data_dir}: OK ({counts})"
