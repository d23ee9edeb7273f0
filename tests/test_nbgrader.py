"""`turn-east nbgrader-export`, and nbgrader itself on what it writes: `nbgrader generate_assignment`, then
`nbgrader autograde` on a correct and a wrong submission, with the points read from nbgrader's gradebook
through its own API. nbgrader comes with the [grading] extra, which `make test` installs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from turn_east.make.exercises import solution_lines
from turn_east.make.grade import nbgrader_export
from turn_east.make.grade.exercise import read_exercise, read_exercises

ASSIGNMENT = "02_stage_1_adjusting_to_asia"
TOOL_TIMEOUT_S = 600


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "turn_east", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=TOOL_TIMEOUT_S)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nbgrader") / "course"
    proc = _cli("nbgrader-export", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _nbgrader_cells(nb):
    return [c for c in nb.cells if "nbgrader" in c.metadata]


def test_every_exercise_is_an_assignment_with_a_test_cell_per_checked_task(exported):
    specs = read_exercises(ROOT / "exercises")
    assert sorted(p.name for p in (exported / "source").iterdir()) == [s.lesson for s in specs]
    config = (exported / "nbgrader_config.py").read_text()
    assert "c.CourseDirectory.course_id = 'turn-east'" in config and "c.Execute.timeout" in config
    for spec in specs:
        nb = nbformat.read(exported / "source" / spec.lesson / f"{spec.lesson}.ipynb", as_version=4)
        nbformat.validate(nb)
        meta = [c.metadata["nbgrader"] for c in _nbgrader_cells(nb)]
        ids = [m["grade_id"] for m in meta]
        assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids), ids
        assert all(m["schema_version"] == 3 for m in meta)
        tests = {m["grade_id"]: m for m in meta if m["grade"] and not m["solution"]}
        assert set(tests) == {f"{t.id}_check" for t in spec.checked}, spec.name
        assert all(tests[f"{t.id}_check"]["points"] == t.points and tests[f"{t.id}_check"]["locked"]
                   for t in spec.checked)
        written = {m["grade_id"]: m for m in meta if m["grade"] and m["solution"]}
        assert set(written) == {f"{t.id}_written" for t in spec.written}
        assert all(written[f"{t.id}_written"]["points"] == t.points for t in spec.written)
        # Every solution block is nbgrader's, so generate_assignment strips it; the hints stay outside it.
        for cell in nb.cells:
            src = cell.source
            if cell.cell_type == "code" and "### BEGIN SOLUTION" in src:
                assert cell.metadata["nbgrader"]["solution"]
                inside = src.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
                assert "# HINT:" not in inside
            assert "solution-only" not in cell.metadata.get("tags", [])
        assert "require_all_passed" not in json.dumps(nb)


def test_an_existing_folder_of_other_files_is_never_replaced(tmp_path):
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("my notes")
    proc = _cli("nbgrader-export", str(keep), "--exercises", "02")
    assert proc.returncode == 2 and "not an output of" in proc.stderr and "nothing was written" in proc.stderr
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs alembic (its database migrations) as a program: the venv's bin/ must be on PATH.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=TOOL_TIMEOUT_S)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _solutions_of(source_nb) -> dict[str, str]:
    """{grade_id: the solution code of the source cell, without nbgrader's markers}."""
    out = {}
    for c in source_nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if c.cell_type == "code" and meta.get("solution"):
            out[meta["grade_id"]] = "\n".join(line for line in c.source.splitlines()
                                              if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    return out


def _submit(course: Path, student: str, nb) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    (folder / "timestamp.txt").write_text("2025-03-01 10:00:00.000000 UTC")


@pytest.mark.slow
def test_nbgrader_autogrades_a_correct_and_a_wrong_submission_with_the_course_checks(exported, course):
    from nbgrader.api import Gradebook

    from turn_east.practice import Practice

    spec = read_exercise(ROOT / "exercises" / f"{ASSIGNMENT}.ipynb")
    first, second, *_ = [t.id for t in spec.checked]
    course_dir = exported
    _nbgrader(course_dir, "generate_assignment", ASSIGNMENT)
    release = nbformat.read(course_dir / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = nbformat.read(course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
    released_code = "\n".join(c.source for c in release.cells if c.cell_type == "code")
    leaked = [line for c in solution.cells if c.cell_type == "code" for line in solution_lines(c.source)
              if line in released_code]
    assert not leaked, f"solution code in the released notebook: {leaked}"
    assert "raise NotImplementedError()" in released_code and "# HINT:" in released_code

    answers = _solutions_of(source)
    correct = nbformat.from_dict(json.loads(json.dumps(release)))
    for c in correct.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution") and c.cell_type == "code":
            c.source = answers[meta["grade_id"]]
        elif meta.get("solution"):
            c.source = "North Korea mattered in stage one mostly as a transit route for projects with Seoul."
    # The wrong one: the first task right, the second answered with a table of the wrong rows, the rest as released.
    wrong = nbformat.from_dict(json.loads(json.dumps(release)))
    for c in wrong.cells:
        grade_id = c.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == f"{first}_answer":
            c.source = answers[grade_id]
        elif grade_id == f"{second}_answer":
            c.source = f"{spec.task(second).arguments} = course.events.head(3)"
    _submit(course_dir, "alice", correct)
    _submit(course_dir, "bob", wrong)
    _nbgrader(course_dir, "autograde", ASSIGNMENT)

    checks = {f"{t.id}_check" for t in spec.checked}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        def scores(student):
            nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            return {g.name: g.score for g in nb.grades if g.name in checks}, gb.find_submission(ASSIGNMENT, student)

        alice, alice_sub = scores("alice")
        bob, bob_sub = scores("bob")
        assert alice == {c: 1 for c in checks}
        assert bob == {c: (1 if c == f"{first}_check" else 0) for c in checks}
        assert alice_sub.max_score == bob_sub.max_score == sum(t.points for t in spec.tasks)
        assert (alice_sub.score, bob_sub.score) == (len(checks), 1)
        assert alice_sub.needs_manual_grade  # the written answers wait for the leader
    graded = nbformat.read(course_dir / "autograded" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{second}_check")
    error = next(o for o in cell.outputs if o.output_type == "error")
    hint = Practice(ASSIGNMENT, course).check(second, course.events.head(3)).message
    assert error.ename == "AssertionError" and f"Task {second}" in error.evalue and hint in error.evalue
