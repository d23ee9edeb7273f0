"""`turn-east grade` as a leader runs it: a class folder with a correct, a wrong, a raising, an endless, a
stuck (it ignores interrupts), a crashing and an unanswered submission, one that is not valid JSON, one that
is not a notebook, another exercise's notebook and a missing one, graded once by the real command; each
student's rows, points and reasons are checked, and the submissions are the same bytes afterwards.

The run is `benchmarks/bench_grading.py` on the exercise of lesson 02 with one student per kind (the small
version of the 25 x 10 benchmark): it generates the class, runs `turn-east grade` as a subprocess, checks every
student's points against its kind and the submissions' hashes before and after, and prints its figures.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from turn_east.cli import main as turn_east
from turn_east.make.grade.exercise import read_exercise, read_exercises
from turn_east.make.grade.submissions import stray_files

EXERCISE = "02_stage_1_adjusting_to_asia"
KINDS = ["correct", "wrong", "raising", "endless", "stuck", "unanswered", "tampered", "crash", "invalid-json",
         "not-a-notebook", "wrong-exercise", "missing"]
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 10, 40


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_grading.py"), "--exercises", "02",
                           "--kinds", *KINDS, "--jobs", "2", "--cell-timeout", str(CELL_TIMEOUT),
                           "--timeout", str(NOTEBOOK_TIMEOUT), "--keep", str(base)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    out = base / "graded"
    rows = list(csv.DictReader(open(out / "gradebook.csv", newline="", encoding="utf-8")))
    return {"base": base, "subs": base / "submissions", "out": out, "proc": proc, "rows": rows,
            "spec": read_exercise(ROOT / "exercises" / f"{EXERCISE}.ipynb")}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_grading", ROOT / "benchmarks" / "bench_grading.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _student(kind: str) -> str:
    return f"s{KINDS.index(kind) + 1:02d}-{kind}"


def _mine(run, kind: str) -> dict[str, dict]:
    return {r["task"]: r for r in run["rows"] if r["student"] == _student(kind) and r["exercise"] == EXERCISE}


def _checked(run) -> list[str]:
    return [t.id for t in run["spec"].checked]


@pytest.mark.slow
def test_a_correct_submission_gets_every_point(run):
    rows = _mine(run, "correct")
    assert [rows[t]["status"] for t in _checked(run)] == ["pass"] * len(_checked(run))
    assert all(rows[t]["points"] == rows[t]["max_points"] == "1" and rows[t]["feedback"].startswith("Correct.")
               for t in _checked(run))
    written = [t.id for t in run["spec"].written]
    assert written and all(rows[t]["status"] == "to-mark" and rows[t]["points"] == "" for t in written)


def test_a_wrong_answer_gets_no_point_and_the_checkers_hint(run, course):
    from turn_east.practice import Practice

    rows = _mine(run, "wrong")
    first, *rest = _checked(run)
    assert rows[first]["status"] == "pass"
    for task in rest:  # the generator answers them with course.events.head(3)
        hint = Practice(EXERCISE, course).check(task, course.events.head(3)).message
        assert rows[task]["status"] == "fail" and rows[task]["points"] == "0"
        assert rows[task]["feedback"] == f"Not yet. {hint}"


def test_a_raising_cell_costs_its_task_and_says_what_it_raised(run):
    rows = _mine(run, "raising")
    *others, last = _checked(run)
    assert all(rows[t]["status"] == "pass" for t in others)
    assert rows[last]["status"] == "undefined" and rows[last]["points"] == "0"
    assert "is not defined after the notebook ran" in rows[last]["feedback"]
    assert "raised KeyError: 'plac'" in rows[last]["feedback"] and "misspelt = course.events" in rows[last]["feedback"]


def test_an_endless_loop_is_stopped_at_the_cell_limit_and_the_rest_is_graded(run):
    rows = _mine(run, "endless")
    *others, last = _checked(run)
    assert all(rows[t]["status"] == "pass" for t in others)
    assert rows[last]["status"] == "undefined"
    assert f"ran past the {CELL_TIMEOUT} s limit and was stopped" in rows[last]["feedback"]
    line = next(l for l in run["proc"].stderr.splitlines() if "-endless" in l)
    assert float(re.search(r"(\d+\.\d) s", line).group(1)) < CELL_TIMEOUT + 60


@pytest.mark.parametrize("kind", ["unanswered", "tampered"])
def test_an_unanswered_exercise_gets_no_point_even_with_a_fake_report(run, kind):
    rows = _mine(run, kind)
    assert {rows[t]["status"] for t in _checked(run)} == {"unanswered"}
    assert all(rows[t]["feedback"] == "Not answered: the answer is still None." for t in _checked(run))
    assert {rows[t.id]["status"] for t in run["spec"].written} == {"no-answer"}


@pytest.mark.parametrize("kind, status, words", [
    ("crash", "crashed", "kernel stopped while it ran"),
    ("stuck", "timeout", f"did not finish within {NOTEBOOK_TIMEOUT} s and was stopped"),
    ("invalid-json", "invalid-json", "is not valid JSON (line "),
    ("not-a-notebook", "not-a-notebook", "is not a Jupyter notebook"),
    ("wrong-exercise", "wrong-exercise", "holds the exercise of another lesson (01_prelude_six_party_talks)"),
    ("missing", "missing", f"No submission: s12-missing/{EXERCISE}.ipynb was not handed in."),
])
def test_a_submission_that_cannot_run_gets_its_rows_with_the_reason(run, kind, status, words):
    rows = _mine(run, kind)
    assert list(rows) == [t.id for t in run["spec"].tasks]
    checked = [rows[t] for t in _checked(run)]
    assert all(r["status"] == status and r["points"] == "0" and r["max_points"] == "1" and words in r["feedback"]
               for r in checked), checked


def test_submissions_are_unchanged_and_nothing_is_left_beside_the_output(run, tmp_path):
    n = sum(1 for p in run["subs"].rglob("*") if p.is_file())
    assert f"submissions unchanged: {n} files, sha256 before = after" in run["proc"].stdout
    # And independently of the benchmark's own check: the generator is deterministic, so the same class made
    # again is the same bytes as the graded folder holds now.
    bench = _bench()
    students = [_student(k) for k in KINDS]
    name = f"{EXERCISE}.ipynb"
    bench.make_batch(tmp_path / "again", students, ROOT / "exercises", ROOT / "solutions", [name],
                     {(s, name): k for s, k in zip(students, KINDS)})
    assert bench.hashes(tmp_path / "again") == bench.hashes(run["subs"])
    assert sorted(p.name for p in run["base"].iterdir()) == ["graded", "submissions", "submissions-batch.csv"]


def test_the_benchmark_line_reports_the_run(run):
    last = run["proc"].stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"grading: submissions {len(KINDS)}, students {len(KINDS)}, exercises 1, jobs 2, "
                        r"wall [\d.]+ s, per submission p50 [\d.]+ s p95 [\d.]+ s, checks ok", last), last


def test_totals_and_one_feedback_page_per_student(run):
    out = run["out"]
    totals = {r["student"]: r for r in csv.DictReader(open(out / "totals.csv", newline="", encoding="utf-8"))}
    n = len(_checked(run))
    assert totals[_student("correct")]["total"] == str(n) and totals[_student("correct")]["max_points"] == str(n)
    assert totals[_student("raising")][EXERCISE] == str(n - 1) and totals[_student("missing")]["total"] == "0"
    total_rows = [r for r in run["rows"] if r["task"] == "total"]
    assert len(total_rows) == len(KINDS) and all(r["exercise"] == "" for r in total_rows)
    for kind in KINDS:
        page = (out / "feedback" / f"{_student(kind)}.html").read_text(encoding="utf-8")
        assert page.startswith("<!doctype html>") and '<html lang="en">' in page and "<title>Feedback for" in page
        assert page.count("<h1") == 1 and "<caption>" in page and '<th scope="col">' in page
    page = (out / "feedback" / f"{_student('raising')}.html").read_text(encoding="utf-8")
    assert "No answer" in page and "<code>misspelt = course.events[&#34;plac&#34;]" in page
    assert "Hints from the exercise" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="feedback/{_student(k)}.html"' in index for k in KINDS)
    written = list(csv.DictReader(open(out / "written.csv", newline="", encoding="utf-8")))
    assert {r["student"] for r in written} >= {_student("correct"), _student("wrong")}
    assert not any(r["text"].lower().startswith("**your answer") for r in written)
    assert (out / "executed" / _student("raising") / f"{EXERCISE}.ipynb").is_file()


def test_progress_lines_and_the_summary(run):
    err, out = run["proc"].stderr, run["proc"].stdout
    assert len(re.findall(rf"^\[\s*\d+/{len(KINDS)}\] ", err, re.M)) == len(KINDS)
    assert f"{len(KINDS)} submission(s) in" in out and "gradebook:" in out


def test_notes_name_the_files_the_grader_does_not_read(tmp_path):
    subs = tmp_path / "submissions"
    (subs / "ana" / "my-work").mkdir(parents=True)
    (subs / "ana" / "03.ipynb").write_text("{}")
    (subs / "ana" / "my-work" / f"{EXERCISE}.ipynb").write_text("{}")
    (subs / "ana" / ".ipynb_checkpoints").mkdir()
    (subs / "ana" / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    (subs / "loose.ipynb").write_text("{}")
    notes = stray_files(subs, [s.name for s in read_exercises(ROOT / "exercises")])
    assert notes == [
        "loose.ipynb is not in a student's folder (submissions/<student>/<exercise>.ipynb): not graded",
        "ana: 03.ipynb is not graded: no exercise has that name (did you mean 03_stage_2_after_crimea.ipynb?)",
        f"ana: my-work/{EXERCISE}.ipynb is in a subfolder; the grader reads only ana/<exercise>.ipynb "
        f"(did you mean {EXERCISE}.ipynb?)"], notes


@pytest.mark.parametrize("make_args, words", [
    (lambda s, t: [str(t / "nowhere"), "--out", str(t / "o")], "is not a folder"),
    (lambda s, t: [str(s), "--out", str(s / "graded")], "overlap"),
    (lambda s, t: [str(s / "ana"), "--out", str(s)], "overlap"),
    (lambda s, t: [str(s), "--out", str(t / "gradebook.csv")], "names a folder, not a file"),
    (lambda s, t: [str(s), "--out", str(t / "mine")], "is not an output of"),
    (lambda s, t: [str(s), "--out", str(t / "o"), "--exercises", "99"], "no exercise matches 99"),
    (lambda s, t: [str(t / "empty"), "--out", str(t / "o")], "has no student folders"),
])
def test_usage_problems_exit_2_and_write_nothing(tmp_path, capsys, make_args, words):
    subs = tmp_path / "submissions"
    (subs / "ana" / "bob").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert turn_east(["grade", *make_args(subs, tmp_path)]) == 2
    err = capsys.readouterr().err
    assert words in err and "nothing was written" in err, err
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before


def test_every_exercise_checks_every_task_its_lesson_declares():
    specs = read_exercises(ROOT / "exercises")
    assert len(specs) == len(list((ROOT / "exercises").glob("*.ipynb")))
    for spec in specs:
        assert spec.checked and all(t.call.startswith("((") for t in spec.checked), spec.name
        assert len({t.id for t in spec.tasks}) == len(spec.tasks)


def test_feedback_page_names_are_safe_and_distinct():
    from turn_east.make.grade.report import page_names

    assert page_names(["Ana Lee", "Ana_Lee", "ana_lee", "../x", "Zoë"]) == {
        "Ana Lee": "Ana_Lee", "Ana_Lee": "Ana_Lee-2", "ana_lee": "ana_lee-3", "../x": "x", "Zoë": "Zo"}


def test_a_loop_that_prints_is_cut_short_in_the_executed_copy():
    import nbformat

    from turn_east.make.grade.run import MAX_STREAM_CHARS, trim_outputs

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("while True: print('spam')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="spam\n" * 100_000)]
    nb.cells = [cell]
    trim_outputs(nb)
    text = nb.cells[0].outputs[0]["text"]
    assert len(text) < MAX_STREAM_CHARS + 200 and "characters left out by turn-east grade" in text
