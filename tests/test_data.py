"""The course data load into typed tables, and bad data is reported precisely."""

import csv
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from turn_east.data import DataError, load_course, stage_of, validate
from turn_east.paths import repo_folder

DATA = ROOT / "data"

# Dated happenings the course outline says the timeline cannot leave out (date of the event's start).
MUST_HAVE = {
    "2000-07-19": "Putin in Pyongyang",
    "2003-08-27": "first round of the Six-Party Talks",
    "2010-03-26": "Cheonan sinking",
    "2013-10-18": "Park's Eurasia Initiative",
    "2014-03-18": "annexation of Crimea",
    "2015-05-08": "docking statement",
    "2015-05-09": "Victory Day parade",
    "2016-03-02": "UNSC 2270",
    "2017-12-22": "UNSC 2397",
    "2018-04-27": "Panmunjom summit",
    "2018-06-12": "Singapore summit",
    "2019-02-27": "Hanoi summit",
    "2019-04-25": "Vladivostok summit",
    "2020-06-15": "Galwan clash",
    "2022-02-24": "invasion of Ukraine",
    "2023-08-18": "Camp David summit",
    "2023-09-13": "Vostochny summit",
    "2024-06-19": "the Comprehensive Strategic Partnership treaty",
}


def test_the_bundled_data_load_into_typed_tables(course):
    ev = course.events
    assert pd.api.types.is_datetime64_any_dtype(ev["date"])
    assert pd.api.types.is_datetime64_any_dtype(ev["end_date"])
    assert isinstance(ev["stage"].dtype, pd.CategoricalDtype) and ev["stage"].cat.ordered
    with (DATA / "stages.csv").open(encoding="utf-8", newline="") as f:
        in_file = [r["id"] for r in sorted(csv.DictReader(f), key=lambda r: int(r["order"]))]
    assert list(ev["stage"].cat.categories) == course.periods == in_file
    assert course.periods[:5] == ["prelude", "stage-1", "stage-2", "stage-3", "stage-4"], "the article's periods first"
    assert all(isinstance(v, list) for v in ev["actors"]) and all(isinstance(v, list) for v in ev["motives"])
    assert ev["date"].is_monotonic_increasing
    assert course.relations["score"].dtype.kind == "i"
    assert course.version


def test_counts_the_issue_asks_for(course):
    ev = course.events
    in_range = ev[(ev.date >= "2000-01-01") & (ev.date <= "2024-12-31")]
    assert len(in_range) >= 70
    assert set(ev["stage"].dropna().unique()) == set(course.periods), "every period has events"
    assert len(course.relations) == 21 * len(course.periods)
    assert len(course.glossary) >= 40
    assert {"RUS", "PRK", "CHN", "USA", "JPN", "KOR", "IND", "UKR", "UNSC"} <= set(course.actors["id"])
    assert set(course.lessons["id"]) == {p.stem for p in repo_folder("notebooks").glob("[0-8]*.ipynb")}


def test_the_epilogue_is_the_courses_own_period_with_sourced_events(course):
    st = course.stages.set_index("id")
    assert course.periods[-1] == "epilogue"
    assert (st["defined_by"] == "course").sum() == 1 and st.loc["epilogue", "defined_by"] == "course"
    assert str(st.loc["epilogue", "start_date"].date()) == "2025-01-01"
    ep = course.events[course.events["stage"] == "epilogue"]
    assert len(ep) >= 30, "issue 17: at least 30 events from 2025-2026"
    assert set(ep["date"].dt.year) == {2025, 2026}
    assert ep["date"].max() == st.loc["epilogue", "end_date"], "the period ends with the latest sourced event"
    assert (ep["date_precision"].astype(str) == "day").sum() >= len(ep) - 1, "dated to the day where known"
    assert ep["source_id"].isin(course.sources["id"]).all() and (ep["source_id"] != "article").all()
    rel = course.relations[course.relations["period"] == "epilogue"]
    assert len(rel) == 21 and rel["justification"].str.len().min() > 40
    ids = set(ep["id"])
    assert all(set(r) <= ids for r in rel["events"]), "relation rows cite events of their own period"


def test_every_event_the_outline_names_is_dated(course):
    dates = set(course.events["date"].dt.strftime("%Y-%m-%d"))
    missing = {d: what for d, what in MUST_HAVE.items() if d not in dates}
    assert not missing, f"events missing or misdated: {missing}"


def test_outline_events_are_dated_to_the_day(course):
    ev = course.events.set_index(course.events["date"].dt.strftime("%Y-%m-%d"))
    for d in MUST_HAVE:
        assert "day" in set(ev.loc[[d], "date_precision"].astype(str)), f"{d} should have day precision"


def test_every_event_has_an_outside_source(course):
    ev = course.events
    assert ev["source_id"].notna().all() and (ev["source_id"] != "article").all()
    cited = set(ev["source_id"])
    assert cited <= set(course.sources["id"])


def test_people_the_article_names_are_there(course):
    names = " ".join(course.people["name"])
    for who in ("Putin", "Kim Jong Un", "Kim Jong Il", "Xi Jinping", "Abe Shinzo", "Park Geun-hye",
                "Moon Jae-in", "Trump", "Biden", "Lavrov"):
        assert who in names, who


def test_stage_of_follows_the_stage_boundaries(course):
    assert stage_of(course, "2000-07-19") == "prelude"
    assert stage_of(course, "2013-09-22") == "stage-1"
    assert stage_of(course, "2015-05-09") == "stage-2"
    assert stage_of(course, "2019-04-25") == "stage-3"
    assert stage_of(course, "2024-06-19") == "stage-4"
    assert stage_of(course, "2025-04-26") == "epilogue"
    assert stage_of(course, "1961-07-06") is None
    last = course.stage_spans[course.periods[-1]][1]
    assert stage_of(course, last) == course.periods[-1] and stage_of(course, last + pd.Timedelta(days=1)) is None


# The one list of the article's sections and their citation names (research: the garbled copy's headings,
# with the spinner undone; docs/ARCHITECTURE.md). Lessons, quiz, charts and data all cite these names.
ARTICLE_SECTIONS = {
    "intro": "\u00a7 Introduction", "prelude": "\u00a7 Six-Party Talks", "stage-1": "\u00a7 Stage One",
    "stage-2": "\u00a7 Stage Two", "stage-3": "\u00a7 Stage Three", "stage-4": "\u00a7 Stage Four",
    "triangle": "\u00a7 Grand Strategic Triangle", "alliances": "\u00a7 US Alliances",
    "agenda": "\u00a7 North Korea's Agenda", "identity": "\u00a7 National Identity",
    "conclusion": "\u00a7 Conclusion",
}


def test_the_article_sections_are_one_table_in_the_articles_order(course):
    assert course.section_citations == ARTICLE_SECTIONS
    assert list(course.section_citations) == list(ARTICLE_SECTIONS)
    cited = {*course.stages["article_section"], *course.motives["article_section"],
             *course.events["article_section"].dropna()}
    assert cited <= set(ARTICLE_SECTIONS)


def test_frictionless_validates_the_package():
    exe = shutil.which("frictionless", path=str(ROOT / ".venv" / "bin")) or shutil.which("frictionless")
    assert exe, "frictionless is a test dependency"
    out = subprocess.run([exe, "validate", "datapackage.json"], cwd=DATA, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


# ---------------------------------------------------------------- corrupted copies

@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(folder, table, row, field, value):
    """Set `field` of data row `row` (0 = first data row; spreadsheet row row+2) to `value`."""
    path = folder / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0].keys())
    rows[row][field] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")  # LF, as every CSV file of the course
        w.writeheader()
        w.writerows(rows)
    return rows[row]["id"]


def messages(folder):
    with pytest.raises(DataError) as err:
        load_course(folder)
    return [str(p) for p in err.value.problems], str(err.value)


CASES = [
    # table, row, field, value, words the message must contain
    ("events", 10, "actor_a", "XYZ", ["events.csv", "row 12", "'actor_a'", "'XYZ'", "not an id in actors.csv"]),
    ("events", 10, "actors", "RUS;NKR", ["events.csv", "row 12", "'actors'", "'NKR'", "actors.csv"]),
    ("events", 3, "date", "2000-13-01", ["events.csv", "row 5", "'date'", "'2000-13-01'", "YYYY-MM-DD"]),
    ("events", 40, "goldstein", "12", ["events.csv", "row 42", "'goldstein'", "'12'", "maximum 10"]),
    ("events", 40, "source_id", "", ["events.csv", "row 42", "'source_id'", "required"]),
    ("events", 40, "source_id", "article", ["events.csv", "row 42", "outside source"]),
    ("events", 40, "stage", "prelude", ["events.csv", "row 42", "'stage'", "does not match the date"]),
    ("events", 40, "event_type", "party", ["events.csv", "row 42", "'event_type'", "'party'", "one of"]),
    ("actors", 0, "color", "red", ["actors.csv", "row 2", "'color'", "'red'", "pattern"]),
    ("relations", 7, "score", "5", ["relations.csv", "row 9", "'score'", "'5'", "maximum 3"]),
    ("people", 0, "to_year", "1900", ["people.csv", "row 2", "'to_year'", "before from_year"]),
    ("glossary", 2, "motives", "triangel", ["glossary.csv", "row 4", "'motives'", "'triangel'", "motives.csv"]),
    ("events", 40, "article_section", "Targeting US Alliances",
     ["events.csv", "row 42", "'article_section'", "'Targeting US Alliances'", "article_sections.csv"]),
    ("motives", 1, "article_section", "alliance", ["motives.csv", "row 3", "'alliance'", "article_sections.csv"]),
]


@pytest.mark.parametrize("table,row,field,value,words", CASES, ids=[f"{c[0]}-{c[2]}-{c[3] or 'empty'}" for c in CASES])
def test_a_corrupted_cell_is_named_precisely(copy, table, row, field, value, words):
    rid = edit(copy, table, row, field, value)
    msgs, _ = messages(copy)
    hits = [m for m in msgs if all(w in m for w in words)]
    assert hits, f"no message with {words} in {msgs}"
    if table != "people" or field != "to_year":
        assert rid in hits[0] or field == "id"


def test_an_event_after_the_last_period_asks_for_a_period(copy):
    path = copy / "events.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    last = rows[-1]
    late = dict(last, id="2031-05-01-late-event", date="2031-05-01", end_date="")
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(last), lineterminator="\n").writerow(late)
    msgs, _ = messages(copy)
    hits = [m for m in msgs if "2031-05-01-late-event" in m]
    assert len(hits) == 1, msgs
    assert "'date'" in hits[0] and "no period covers this date; add one to stages.csv or check the date" in hits[0]


def test_stage_order_must_follow_the_dates(copy):
    edit(copy, "stages", 0, "order", "7")
    msgs, _ = messages(copy)
    assert any("stages.csv, row 2" in m and "'order'" in m and "should be 0" in m for m in msgs), msgs


def test_a_duplicate_id_names_both_rows(copy):
    first = edit(copy, "events", 1, "id", "dup-event")
    edit(copy, "events", 2, "id", "dup-event")
    msgs, _ = messages(copy)
    assert any("events.csv, row 4" in m and "'dup-event'" in m and "duplicate" in m and "row 3" in m for m in msgs), msgs
    assert first == "dup-event"


def test_a_missing_file_and_a_missing_column(copy):
    (copy / "places.csv").unlink()
    text = (copy / "glossary.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    keep = [i for i, h in enumerate(header) if h != "definition"]
    rows = list(csv.reader(text))
    with (copy / "glossary.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
    msgs, summary = messages(copy)
    assert any(m.startswith("places.csv") and "missing" in m for m in msgs)
    assert any("glossary.csv, row 1, field 'definition'" in m and "missing from the header" in m for m in msgs)
    assert "problem" in summary


def test_a_file_that_is_not_text(copy):
    (copy / "sources.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    msgs, _ = messages(copy)
    assert any(m.startswith("sources.csv") and "not a text file" in m for m in msgs), msgs


def test_a_missing_relation_pair(copy):
    path = copy / "relations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = lines.pop(5)
    path.write_text("".join(lines), encoding="utf-8")
    rid = dropped.split(",")[0]
    msgs, _ = messages(copy)
    assert any(rid in m and "missing" in m for m in msgs), msgs


def test_validate_returns_problems_without_raising(copy):
    assert validate() == []
    edit(copy, "events", 0, "place", "atlantis")
    problems = validate(copy)
    assert len(problems) == 1 and problems[0].field == "place" and problems[0].value == "atlantis"


def test_a_missing_data_folder(tmp_path):
    with pytest.raises(DataError, match="data folder not found"):
        load_course(tmp_path / "nowhere")


# ---------------------------------------------------------------- the command line

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "turn_east", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_validate_passes_on_the_bundled_data():
    out = _cli("validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("\n") == 1 and "OK" in out.stdout


def test_cli_validate_lists_each_problem_without_traceback(copy):
    edit(copy, "events", 5, "actor_b", "ZZZ")
    edit(copy, "events", 6, "date", "yesterday")
    out = _cli("validate", str(copy))
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert any("row 7" in l and "'actor_b'" in l and "'ZZZ'" in l for l in lines), lines
    assert any("row 8" in l and "'date'" in l and "'yesterday'" in l for l in lines), lines


def test_empty_list_cells_are_empty_lists(course):
    # An empty ;-list cell must load as [], never as ['nan'].
    for table, col in (("relations", "events"), ("events", "motives"), ("events", "people"), ("glossary", "stages")):
        values = course.table(table)[col]
        assert not any("nan" in v for v in values), f"{table}.{col} has 'nan' ids"
    assert (course.relations["events"].map(len) == 0).any(), "some relation rows cite no event"
