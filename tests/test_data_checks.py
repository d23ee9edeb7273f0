"""What the codebook states, the validator checks (issue 25): one line-ending convention for every CSV file,
event ids that begin with their date, relations that cite only events of their own period, dates after the
last period, the pattern of source ids. Each check meets a corrupted copy of the data, as a teaching assistant
would make it by mistake, and must name the file, row, field and fix."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from turn_east.data import DataError, load_course, validate

DATA = ROOT / "data"


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _change(folder, table, row_id, **values):
    """Set fields of the row with id ``row_id``; returns its spreadsheet row number."""
    path = folder / f"{table}.csv"
    rows = _rows(path)
    n = next(i for i, r in enumerate(rows) if r["id"] == row_id)
    rows[n].update(values)
    _write(path, rows)
    return n + 2


def _problems(folder) -> list[str]:
    return [str(p) for p in validate(folder)]


# ---------------------------------------------------------------- line endings

def test_every_csv_file_of_the_course_ends_its_lines_in_lf():
    crlf = sorted(p.name for p in DATA.glob("*.csv") if b"\r" in p.read_bytes())
    assert not crlf, f"{crlf} have CR line endings; run `turn-east validate --fix-line-endings`"
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "*.csv text eol=lf" in attributes, "git stores and checks out every CSV file with LF"


def test_a_crlf_or_mixed_file_is_named_with_the_fix_and_the_fix_changes_only_line_endings(copy):
    events = copy / "events.csv"
    original = events.read_bytes()
    events.write_bytes(original.replace(b"\n", b"\r\n"))          # a Windows editor saved the whole file
    people = copy / "people.csv"
    lines = people.read_bytes().split(b"\n")
    lines[3] += b"\r"                                              # one row pasted from a spreadsheet
    people.write_bytes(b"\n".join(lines))
    found = _problems(copy)
    assert len(found) == 2, found
    whole = next(p for p in found if p.startswith("events.csv"))
    assert "Windows (CRLF)" in whole and "--fix-line-endings" in whole and "one-line change" in whole
    mixed = next(p for p in found if p.startswith("people.csv"))
    assert "mixes line endings (1 CRLF" in mixed and "--fix-line-endings" in mixed
    assert len(load_course(copy).events) == len(load_course().events), "a CRLF file still loads: lessons run"

    out = subprocess.run([sys.executable, "-m", "turn_east", "validate", "--fix-line-endings", str(copy)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "events.csv: line endings rewritten as LF" in out.stderr and "people.csv" in out.stderr
    assert events.read_bytes() == original, "only the line endings changed"
    assert b"\r" not in people.read_bytes() and _problems(copy) == []


# ---------------------------------------------------------------- event ids begin with their date

def test_an_event_id_whose_date_disagrees_with_the_date_field(copy):
    """The issue's mistake: an id that says 2024-11-04, a date typed as 2021-11-04."""
    row = _change(copy, "events", "2024-06-19-putin-pyongyang-treaty", date="2021-06-19", stage="stage-3")
    found = [p for p in _problems(copy) if "2024-06-19-putin-pyongyang-treaty" in p and "'id'" in p]
    assert len(found) == 1, _problems(copy)
    assert f"events.csv, row {row}" in found[0]
    assert "begins with the date 2024-06-19, but the date field says 2021-06-19" in found[0]
    assert "Correct the date, or the id" in found[0]


def test_a_month_or_year_precision_id_may_begin_with_the_month_or_the_year(copy):
    _change(copy, "events", "2015-04-01-second-coal-pilot", id="2015-04-second-coal-pilot")
    _change(copy, "events", "2024-06-01-nsr-container-deal", id="2024-05-nsr-container-deal")
    rel = copy / "relations.csv"
    rel.write_text(rel.read_text(encoding="utf-8").replace("2015-04-01-second-coal-pilot", "2015-04-second-coal-pilot")
                   .replace("2024-06-01-nsr-container-deal", "2024-05-nsr-container-deal"), encoding="utf-8")
    found = _problems(copy)
    assert not [p for p in found if "2015-04-second-coal-pilot" in p], found
    wrong = [p for p in found if "2024-05-nsr-container-deal" in p]
    assert len(wrong) == 1 and "2024-06-01-<slug> or 2024-06-<slug>" in wrong[0], found


def test_a_coding_exercise_id_must_begin_with_its_date_too(copy):
    first = _rows(copy / "coding_exercises.csv")[0]
    _change(copy, "coding_exercises", first["id"], date=first["date"].replace(first["date"][:4], "1999", 1),
            stage="")
    found = [p for p in _problems(copy) if p.startswith("coding_exercises.csv") and "'id'" in p]
    assert len(found) == 1 and f"but the date field says 1999" in found[0], _problems(copy)


# ---------------------------------------------------------------- relations cite events of their own period

def test_a_relation_citing_an_event_of_another_period(copy):
    rows = _rows(copy / "relations.csv")
    n = next(i for i, r in enumerate(rows) if r["id"] == "stage-4:RUS-PRK")
    rows[n]["events"] += ";2019-04-25-putin-kim-vladivostok"
    _write(copy / "relations.csv", rows)
    found = [p for p in _problems(copy) if "2019-04-25-putin-kim-vladivostok" in p]
    assert len(found) == 1, _problems(copy)
    assert f"relations.csv, row {n + 2} (id stage-4:RUS-PRK), field 'events'" in found[0]
    assert "is an event of stage-3, not of stage-4" in found[0] and "stage-3 row of this pair" in found[0]
    with pytest.raises(DataError):
        load_course(copy)


# ---------------------------------------------------------------- dates after the last period

def test_a_coding_exercise_after_the_last_period_asks_for_a_period(copy):
    first = _rows(copy / "coding_exercises.csv")[0]
    late = "2031-05-01"
    _change(copy, "coding_exercises", first["id"], id=f"{late}-late", date=late, date_precision="day")
    found = [p for p in _problems(copy) if f"{late}-late" in p]
    assert len(found) == 1, _problems(copy)
    assert "'date'" in found[0] and "no period covers this date; add one to stages.csv or check the date" in found[0]


# ---------------------------------------------------------------- source ids

def test_source_ids_follow_the_pattern_and_name_their_year(copy):
    _change(copy, "sources", "tass-2025-bridge", year="2024")                 # the year typed wrong
    _change(copy, "sources", "panmunjom-declaration", kind="news")           # a news report with an old-style id
    _change(copy, "sources", "kremlin-glossary-apec", kind="news")           # a news report with no year
    found = _problems(copy)
    assert len(found) == 3, found
    year = next(p for p in found if "tass-2025-bridge" in p)
    assert "sources.csv, row" in year and "field 'id'" in year
    assert "names the year 2025 but the year field says 2024" in year
    shape = next(p for p in found if "panmunjom-declaration" in p)
    assert "field 'id'" in shape and "<outlet>-<year>-<slug>, e.g. tass-2018-bridge" in shape
    missing = next(p for p in found if "kremlin-glossary-apec" in p)
    assert "field 'year'" in missing and "needs the year it was published" in missing


def test_the_bundled_sources_follow_the_pattern():
    """Every news id is <outlet>-<year>-<slug>, and no UN resolution number is taken for a year."""
    assert not [p for p in validate() if p.file == "sources.csv"]


def test_the_changelog_has_an_entry_for_the_data_version():
    """The codebook's rule, "Versions of the data": every data version has its lines in CHANGELOG.md."""
    import json

    version = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"Course data {version}" in changelog, f"add a 'Course data {version}' heading to CHANGELOG.md"
