"""Reading the data package: ``datapackage.json``, each CSV file, and the checks its schema states
(column names, types, required fields, enums, patterns, ranges, unique values, foreign keys).

Rows come out as dicts of parsed values (dates as ``datetime.date``, empty cells as None) with the
spreadsheet row number in ``__row__`` (the header is row 1), so that every later check can name it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from turn_east.errors import Problem

TABLES = (
    "stages", "motives", "article_sections", "actors", "people", "places", "events",
    "relations", "glossary", "sources", "documents", "readings", "lessons", "questions", "coding_exercises",
)
# Multi-valued fields (";"-separated ids) and the table their ids must exist in.
LIST_FIELDS = {
    ("events", "actors"): "actors",
    ("events", "people"): "people",
    ("events", "motives"): "motives",
    ("relations", "events"): "events",
    ("glossary", "stages"): "stages",
    ("glossary", "motives"): "motives",
    ("coding_exercises", "actors"): "actors",
    ("coding_exercises", "motives"): "motives",
    ("coding_exercises", "motives_also"): "motives",
    ("documents", "lessons"): "lessons",
}
EXPECT = {
    "integer": "expected a whole number",
    "number": "expected a number",
    "date": "expected a date as YYYY-MM-DD, e.g. 2000-07-19",
    "boolean": "expected true or false",
}


def split_ids(value) -> list[str]:
    """A multi-valued cell as a list of ids; empty (None, "" or NaN) means none."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return []
    return [v for v in str(value).split(";") if v]


def read_package(folder: Path) -> tuple[dict | None, list[Problem]]:
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


def read_csv(folder: Path, resource: dict) -> tuple[list[str] | None, list[dict], list[Problem]]:
    """(header, rows of raw strings, problems); header None when the file cannot be used at all."""
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


def line_endings(raw: bytes) -> dict[str, int]:
    """How many lines of a file end in CRLF (Windows), LF alone (Unix) and CR alone (old Macs)."""
    crlf = raw.count(b"\r\n")
    return {"crlf": crlf, "lf": raw.count(b"\n") - crlf, "cr": raw.count(b"\r") - crlf}


FIX_LINE_ENDINGS = ("Fix: `turn-east validate --fix-line-endings` rewrites the line endings of the data's CSV "
                    "files and nothing else (or save the file with LF line endings in your editor)")


def check_line_endings(folder: Path, package: dict) -> list[Problem]:
    """One convention for every CSV file of the package: LF. A file saved with CRLF (a Windows editor, a
    spreadsheet's export) would turn a one-row edit into a whole-file diff; ``.gitattributes`` makes git
    store LF, and this check says so before a commit. The tables still load either way."""
    problems = []
    for res in package.get("resources", []):
        path = folder / res.get("path", "")
        if path.suffix != ".csv" or not path.is_file():
            continue
        ends = line_endings(path.read_bytes())
        if not ends["crlf"] and not ends["cr"]:
            continue
        lines = sum(ends.values())
        if ends["lf"] or (ends["crlf"] and ends["cr"]):
            what = (f"mixes line endings ({ends['crlf']} CRLF, {ends['lf']} LF, {ends['cr']} CR of {lines} lines); "
                    "the course's CSV files end every line in LF (Unix)")
        else:
            kind = "Windows (CRLF)" if ends["crlf"] else "old Mac (CR)"
            what = f"ends its lines in {kind}; the course's CSV files end every line in LF (Unix)"
        problems.append(Problem(res["path"], None, None, None,
                                f"{what}, so that an edit of one row is a one-line change in git. {FIX_LINE_ENDINGS}"))
    return problems


def fix_line_endings(folder: Path, package: dict) -> list[str]:
    """Rewrite every CSV file of the package whose lines do not all end in LF; returns the files rewritten.
    Only the line endings change (a CR inside a quoted cell becomes LF too); each file is replaced whole."""
    fixed = []
    for res in package.get("resources", []):
        path = folder / res.get("path", "")
        if path.suffix != ".csv" or not path.is_file():
            continue
        raw = path.read_bytes()
        if b"\r" not in raw:
            continue
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp.csv")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
            shutil.copymode(path, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        fixed.append(res["path"])
    return fixed


def _parse(kind: str, value: str):
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    if kind == "boolean":
        low = value.lower()
        if low in ("true", "false"):
            return low == "true"
        raise ValueError(value)
    return value


def check_fields(fname: str, resource: dict, rows: list[dict]) -> list[Problem]:
    """Parse every cell by its field's type, in place, and check the schema's constraints."""
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


def check_foreign_keys(fname, resource, rows, ids) -> list[Problem]:
    """Single ids (the schema's foreignKeys) and ;-lists (LIST_FIELDS) must name rows of their table."""
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
            for item in split_ids(row.get(col)):
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


def read_tables(folder: Path) -> tuple[dict | None, dict[str, list[dict]], list[Problem]]:
    """The package, every table's parsed rows, and every problem the schema finds."""
    package, problems = read_package(folder)
    rows: dict[str, list[dict]] = {}
    if package is None:
        return None, rows, problems
    resources = {r["name"]: r for r in package.get("resources", [])}
    for name in TABLES:
        if name not in resources:
            problems.append(Problem("datapackage.json", None, "resources", name,
                                    "table is not described; add a resource for it"))
    for name in TABLES:
        res = resources.get(name)
        if res is None:
            continue
        header, table, found = read_csv(folder, res)
        problems += found
        if header is None:
            continue
        problems += check_fields(res["path"], res, table)
        rows[name] = table
    ids = {name: {r["id"] for r in table if r.get("id")} for name, table in rows.items()}
    for name, table in rows.items():
        problems += check_foreign_keys(resources[name]["path"], resources[name], table, ids)
    return package, rows, problems
