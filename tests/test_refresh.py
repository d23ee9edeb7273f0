"""`turn-east refresh` and the numbers in lesson prose (issue 25).

A number a lesson states from the data is registered in turn_east.make.prose: the bundled lessons state every
one as the data give it, a stale one is named with its notebook, cell and new value, and `turn-east refresh`
rewrites it, with the checked outputs, only in the notebooks an edit of the data affects. The slow part (one
kernel running every checked cell's slice of a course copy, twice) is one test; the rest reads files only."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT
from test_periods import add_period
from turn_east import nbfiles
from turn_east.cli import build_parser, main
from turn_east.data import load_course, validate
from turn_east.make import prose
from turn_east.make.refresh import checked_slice, names, rename_sections


@pytest.fixture(scope="module")
def course():
    return load_course()


def _copy_course(tmp_path, lessons):
    (tmp_path / "notebooks").mkdir()
    shutil.copytree(ROOT / "data", tmp_path / "data")
    for lesson in lessons:
        shutil.copy(ROOT / "notebooks" / f"{lesson}.ipynb", tmp_path / "notebooks")
    return tmp_path


# ---------------------------------------------------------------- numbers in prose

def test_every_number_the_lessons_state_from_the_data_is_the_datas(course):
    found = prose.check(course, ROOT / "notebooks")
    assert len([f for f in found if f.status == "current"]) >= len(prose.STATED)
    stale = prose.problems(found)
    assert not stale, "\n".join(map(str, stale))


def test_number_words():
    assert [prose.number_words(n) for n in (0, 6, 11, 21, 26, 40, 99)] == [
        "zero", "six", "eleven", "twenty-one", "twenty-six", "forty", "ninety-nine"]
    assert prose.number_words(13.5) == "thirteen and a half" and prose.number_words(120) == "120"


def test_a_stale_number_is_named_with_notebook_cell_and_new_value_and_refresh_rewrites_it(tmp_path, course):
    folder = _copy_course(tmp_path, ["06_epilogue_after_the_article"]) / "notebooks"
    path = folder / "06_epilogue_after_the_article.ipynb"
    original = path.read_text(encoding="utf-8")
    n = prose.context(course)["events"](stage="epilogue")
    path.write_text(original.replace(f"All {n} events of the epilogue", f"All {n - 1} events of the epilogue"),
                    encoding="utf-8")
    stale = prose.problems(prose.check(course, folder))
    assert len(stale) == 1, stale
    cell = next(i for i, c in enumerate(nbfiles.read(path).cells) if f"All {n - 1} events" in nbfiles.source(c))
    message = str(stale[0])
    assert f"06_epilogue_after_the_article.ipynb, cell {cell}" in message
    assert f"says 'All {n - 1} events of the epilogue'" in message
    assert f"the data now give 'All {n} events of the epilogue'" in message and "turn-east refresh" in message

    rewritten, wrong = prose.refresh(course, folder)
    assert len(rewritten) == 1 and not wrong
    assert path.read_text(encoding="utf-8") == original, "only the number changed back"

    path.write_text(original.replace(f"All {n} events of the epilogue", "Every event of the epilogue"),
                    encoding="utf-8")
    missing = prose.problems(prose.check(course, folder))
    assert len(missing) == 1 and missing[0].status == "missing"
    assert "no sentence reads 'All {{ events(stage='epilogue') }} events of the epilogue'" in str(missing[0])
    assert "STATED in src/turn_east/make/prose.py" in str(missing[0])


def test_the_time_table_follows_lessons_csv(tmp_path):
    root = _copy_course(tmp_path, ["05_stage_4_war_and_alliance"])
    path = root / "data" / "lessons.csv"
    rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i, row = next((i, r) for i, r in enumerate(rows) if r.startswith("05_stage_4_war_and_alliance,"))
    cells = next(csv.reader([row]))
    reading = int(cells[6])
    cells[6] = str(reading + 5)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    rows[i] = buf.getvalue()
    path.write_text("".join(rows), encoding="utf-8")
    copy = load_course(root / "data")
    stale = prose.problems(prose.check(copy, root / "notebooks"))
    assert len(stale) == 1 and stale[0].text.startswith("| Reading") and stale[0].text.endswith(f"| {reading} |")
    assert stale[0].new == stale[0].text.replace(f"| {reading} |", f"| {reading + 5} |")
    prose.refresh(copy, root / "notebooks")
    assert not prose.problems(prose.check(copy, root / "notebooks"))


def test_a_new_period_renames_the_heading_and_the_quiz_pointers_follow(tmp_path):
    """Seven periods: every sentence that counts them, the heading "The six periods" among them, and the two quiz
    questions that send a student back to that heading."""
    root = _copy_course(tmp_path, ["00_course_map"])
    add_period(root / "data")
    copy = load_course(root / "data")
    before = prose.problems(prose.check(copy, root / "notebooks"))
    assert {f.new.split(" periods")[0].split()[-1].lower() for f in before} == {"seven"}, before
    rewritten, wrong = prose.refresh(copy, root / "notebooks")
    assert not wrong and len(rewritten) == len(before) >= 6
    changes = prose.heading_changes(rewritten)
    assert changes == [("00_course_map", "The six periods", "The seven periods")]
    questions = root / "data" / "questions.csv"
    text = questions.read_text(encoding="utf-8")
    ids = rename_sections(questions, changes)
    pointed = [r["id"] for r in csv.DictReader(io.StringIO(text)) if r["section"] == "The six periods"]
    assert ids == pointed and len(ids) >= 1
    after = questions.read_text(encoding="utf-8")
    assert len(after.splitlines()) == len(text.splitlines()) and "\r" not in after
    changed_lines = [a for a, b in zip(after.splitlines(), text.splitlines()) if a != b]
    assert len(changed_lines) == len(ids) and all(",The seven periods," in line for line in changed_lines)
    assert validate(root / "data") == [], "the copy's pointers name the copy's renamed heading"


# ---------------------------------------------------------------- the slice a checked cell needs

def test_the_slice_keeps_what_the_checked_cells_need_and_nothing_else():
    cells = [nbformat.v4.new_markdown_cell("# A lesson"),
             nbformat.v4.new_code_cell("audience = 'student'", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell("ctx = setup('x', audience=audience)\ncourse = ctx.course"),
             nbformat.v4.new_code_cell("ctx.show(charts.timeline(course))"),
             nbformat.v4.new_code_cell("events = course.events\nunused = 1"),
             nbformat.v4.new_code_cell("picked = events[events.stage == 's']"),
             nbformat.v4.new_code_cell("other = 5"),
             nbformat.v4.new_code_cell("picked.drop(columns=['x'], inplace=True)"),
             nbformat.v4.new_code_cell("rows = []\nfor r in picked.itertuples():\n    rows.append(r)"),
             nbformat.v4.new_code_cell("print(len(picked), len(rows))", metadata={"tags": ["nbval-check-output"]}),
             nbformat.v4.new_code_cell("ctx.quiz()")]
    nb = nbformat.v4.new_notebook(cells=cells)
    kept = [c.source.splitlines()[0] for c in checked_slice(nb).cells]
    assert kept == ["audience = 'student'", "ctx = setup('x', audience=audience)", "events = course.events",
                    "picked = events[events.stage == 's']", "picked.drop(columns=['x'], inplace=True)", "rows = []",
                    "print(len(picked), len(rows))"]
    assert names("import pandas as pd\nx, y = f(a)\nd['k'] = b\nl.append(c)").defines == {"pd", "x", "y", "d", "l"}
    nb.cells.insert(5, nbformat.v4.new_code_cell("%timeit events"))
    assert checked_slice(nb) is None, "a cell that is not plain Python: the whole notebook runs"
    assert checked_slice(nbformat.v4.new_notebook(cells=cells[:9])) is None, "no checked cell, nothing to run"


def test_refresh_has_help():
    for command in ("refresh", "refresh-checked-outputs"):
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args([command, "--help"])
        assert done.value.code == 0


# ---------------------------------------------------------------- the command on a copy of the course

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "turn_east", *args], capture_output=True, text=True, cwd=ROOT)


def test_refresh_rewrites_what_one_new_event_invalidates_and_only_that(tmp_path, capsys):
    """One Stage Four event tagged triangle: the course map's table counts, Stage Four's type counts, the triangle
    lesson's per-period counts and its sentence "27 in the three years from 2022" go stale; the agenda lesson is
    not touched."""
    lessons = ["00_course_map", "05_stage_4_war_and_alliance", "11_motive_triangle_grand_strategy",
               "13_motive_agenda_arms_labour_trade"]
    root = _copy_course(tmp_path, lessons)
    events = root / "data" / "events.csv"
    row = ("2024-11-02-test-consultations,2024-11-02,day,,Test consultations in Moscow,A test event.,stage-4,"
           "diplomacy,PRK;RUS,,triangle,moscow,PRK,RUS,4,tass-2025-bridge,\n")
    events.write_text(events.read_text(encoding="utf-8") + row, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (root / "notebooks").glob("*.ipynb")}
    course = load_course(root / "data")
    triangle = prose.context(course)["events"](stage="stage-4", motive="triangle")

    assert main(["refresh", "--check", "--course", str(root)]) == 1        # in this process: no second start-up
    check = capsys.readouterr()
    assert "the data now give" in check.out and f", {triangle} in the three years from 2022" in check.out
    assert "11_motive_triangle_grand_strategy.ipynb: 1 of 1 checked cell(s) stale (slice)" in check.out
    assert "13_motive" not in check.out and os.environ.get("TURN_EAST_DATA") is None
    assert {p.name for p in (root / "notebooks").glob("*.ipynb") if p.read_bytes() != before[p.name]} == set()

    done = _cli("refresh", "--course", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    changed = {p.name for p in (root / "notebooks").glob("*.ipynb") if p.read_bytes() != before[p.name]}
    assert changed == {f"{lesson}.ipynb" for lesson in lessons[:3]}, done.stdout
    assert "4 notebook(s) with checked cells run, 3 changed, 1 unaffected" in done.stderr
    assert not prose.problems(prose.check(course, root / "notebooks"))
    nb = json.loads((root / "notebooks" / "05_stage_4_war_and_alliance.ipynb").read_text(encoding="utf-8"))
    stage4 = int((course.events["stage"] == "stage-4").sum())
    assert any(f"Stage Four events: {stage4}\n" in "".join(o.get("text", "")) for c in nb["cells"]
               for o in c.get("outputs", [])), "the checked output counts the new event"
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"
               and not nbfiles.is_checked_output_cell(c)), "no other output is stored"


def test_the_handouts_warn_before_printing_a_stale_number(tmp_path, course):
    from types import SimpleNamespace

    from turn_east.make.handouts.cli import stale_prose
    from turn_east.make.handouts.plan import Lesson

    folder = _copy_course(tmp_path, ["06_epilogue_after_the_article", "00_course_map"]) / "notebooks"
    path = folder / "06_epilogue_after_the_article.ipynb"
    n = prose.context(course)["events"](stage="epilogue")
    path.write_text(path.read_text(encoding="utf-8").replace(f"data ({n} events)", f"data ({n + 5} events)"),
                    encoding="utf-8")
    plan = SimpleNamespace(course=course, lessons=[Lesson("06_epilogue_after_the_article", path, "Epilogue"),
                                                   Lesson("00_course_map", folder / "00_course_map.ipynb", "Map")])
    warned = [str(f) for f in stale_prose(plan)]
    assert len(warned) == 1 and f"data ({n + 5} events)" in warned[0] and "turn-east refresh" in warned[0]
    plan.lessons = plan.lessons[1:]
    assert stale_prose(plan) == [], "only the lessons being rendered"


def test_a_slice_that_misses_a_dependency_runs_as_the_whole_notebook(tmp_path):
    """`exec` defines a name ast cannot see: the slice fails, the notebook runs whole, the reference is right."""
    from turn_east.make.refresh import refresh_checked_outputs

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("n = 40", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('exec("hidden = n + 1")'),
        nbformat.v4.new_code_cell("print(hidden + 1)", metadata={"tags": ["nbval-check-output"]})])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, str(path))
    [done] = refresh_checked_outputs([path])
    assert done.how == "whole notebook" and "NameError" in done.note and done.changed == 1
    cell = nbformat.read(str(path), as_version=4).cells[2]
    assert cell.execution_count == 1 and cell.outputs[0]["text"] == "42\n"
