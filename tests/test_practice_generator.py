"""Exercises are generated from solutions, idempotently, with no solution text left; workspaces never overwrite."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from turn_east.make.exercises import generate_all, generate_exercise, solution_lines
from turn_east.make.workspace import make_workspace
from turn_east.errors import GenerationError

FIX = ROOT / "tests" / "fixtures" / "practice"


def _nb(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _all_source(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_solution_code_becomes_hints_and_placeholders():
    ex = generate_exercise(_nb(FIX / "solution-pass-two-tasks.ipynb"), name="x.ipynb")
    src = _all_source(ex)
    assert "per_stage = None  # your answer: replace None" in src
    assert "# HINT: group by stage and count the rows." in src
    assert "    result = None  # your answer: replace None" in src, "indentation of a block inside a function is kept"
    assert "df.groupby('stage').size()" not in src and "x * 2" not in src
    assert "print(per_stage)" in src, "code outside the markers stays"


def test_model_answers_and_solution_only_cells_are_removed():
    ex = generate_exercise(_nb(FIX / "solution-pass-two-tasks.ipynb"), name="x.ipynb")
    src = _all_source(ex)
    assert "secret model answer" not in src
    assert "secret rubric" not in src and "secret leader note" not in src, "rubrics and leader notes stay in solutions"
    assert "assert per_stage" not in src
    answer_cells = [c for c in ex["cells"] if "answer" in c["metadata"].get("tags", [])]
    assert len(answer_cells) == 1 and "Your answer" in "".join(answer_cells[0]["source"])


def test_an_untouched_exercise_runs(tmp_path):
    ex = generate_exercise(_nb(FIX / "solution-pass-two-tasks.ipynb"), name="x.ipynb")
    code = "\n".join("".join(c["source"]) for c in ex["cells"] if c["cell_type"] == "code")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None"


def test_generation_is_idempotent_and_reports_staleness(tmp_path):
    sols, exs = tmp_path / "solutions", tmp_path / "exercises"
    sols.mkdir()
    shutil.copy(FIX / "solution-pass-two-tasks.ipynb", sols / "a.ipynb")
    changed, same = generate_all(sols, exs)
    assert changed == ["a.ipynb"] and same == []
    first = (exs / "a.ipynb").read_bytes()
    changed, same = generate_all(sols, exs)
    assert changed == [] and same == ["a.ipynb"]
    assert (exs / "a.ipynb").read_bytes() == first
    (exs / "a.ipynb").write_text("{}", encoding="utf-8")
    changed, _ = generate_all(sols, exs, check_only=True)
    assert changed == ["a.ipynb"] and (exs / "a.ipynb").read_text() == "{}", "--check changes nothing"


def test_malformed_markers_are_named(tmp_path):
    sols = tmp_path / "solutions"
    sols.mkdir()
    shutil.copy(FIX / "solution-fail-unclosed-marker.ipynb", sols / "b.ipynb")
    with pytest.raises(GenerationError, match=r"b.ipynb, cell 0: '# BEGIN SOLUTION' is never closed"):
        generate_all(sols, tmp_path / "exercises")


def test_workspace_never_overwrites_a_students_file(tmp_path):
    exs = tmp_path / "exercises"
    exs.mkdir()
    (exs / "a.ipynb").write_text("course a v1")
    (exs / "b.ipynb").write_text("course b v1")
    dest = tmp_path / "my-work"
    copied, skipped = make_workspace(exs, dest)
    assert copied == ["a.ipynb", "b.ipynb"] and skipped == []
    (dest / "a.ipynb").write_text("my answers")
    (exs / "a.ipynb").write_text("course a v2")
    (exs / "c.ipynb").write_text("course c v1")
    copied, skipped = make_workspace(exs, dest)
    assert copied == ["c.ipynb"] and skipped == ["a.ipynb", "b.ipynb"]
    assert (dest / "a.ipynb").read_text() == "my answers"
    assert not list(dest.glob(".*copying"))


def test_workspace_cli_says_what_it_skipped(tmp_path):
    exs = tmp_path / "exercises"
    exs.mkdir()
    (exs / "a.ipynb").write_text("x")
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "a.ipynb").write_text("mine")
    out = subprocess.run([sys.executable, "-m", "turn_east", "workspace", "--exercises", str(exs), "--dest", str(dest)],
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert "skipped  mine/a.ipynb (already there: your work is kept)" in out.stdout
    assert (dest / "a.ipynb").read_text() == "mine"


# ---------------------------------------------------------------- the committed practice notebooks

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_at_least_ten_lessons_have_solutions_and_exercises_one_to_one():
    exercises = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert len(SOLUTIONS) >= 10
    assert exercises == [p.name for p in SOLUTIONS]


def test_committed_exercises_are_what_the_generator_makes(tmp_path):
    """Compared as git stores them (turn_east.make.gitfilter): a student who ran an exercise in place and
    saved it has outputs in the file, which git never sees and this check must not see either."""
    from turn_east.make.gitfilter import clean

    for folder in ("solutions", "exercises"):
        (tmp_path / folder).mkdir()
        for path in (ROOT / folder).glob("*.ipynb"):
            rel = path.relative_to(ROOT).as_posix()
            (tmp_path / rel).write_text(clean(path.read_text(encoding="utf-8"), rel), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "turn_east", "exercises", "--check", "--solutions",
                          str(tmp_path / "solutions"), "--exercises", str(tmp_path / "exercises")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_no_solution_text_survives_in_the_exercise(path):
    sol = _nb(path)
    ex = _nb(ROOT / "exercises" / path.name)
    ex_src = _all_source(ex)
    leaked = [l for c in sol["cells"] if c["cell_type"] == "code" for l in solution_lines("".join(c["source"]))
              if len(l) > 12 and l in ex_src]
    assert not leaked, f"solution code left in exercises/{path.name}: {leaked[:3]}"
    for c in sol["cells"]:
        if "model-answer" in c["metadata"].get("tags", []):
            answer = "".join(c["source"]).strip()
            assert answer[:80] not in ex_src, "a model answer survived"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_have_four_to_six_checked_tasks_and_a_progress_cell(path):
    src = _all_source(_nb(path))
    checks = src.count("practice.check(")
    assert 4 <= checks <= 6, f"{checks} checks; a practice notebook has 4-6 tasks"
    assert "practice.progress()" in src
    assert "require_all_passed" in src
    assert "model-answer" in json.dumps(_nb(path)), "one written interpretation with a model answer"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_written_task_has_a_rubric_that_stays_out_of_the_exercise(path):
    cells = _nb(path)["cells"]
    for i, c in enumerate(cells):
        if "model-answer" in c["metadata"].get("tags", []):
            nxt = cells[i + 1]
            text = "".join(nxt["source"])
            assert "rubric" in nxt["metadata"].get("tags", []), f"cell {i}: a model answer without a rubric after it"
            assert "| Criterion |" in text and "2: full" in text and "0: missing" in text, f"cell {i + 1}: not a rubric"
    ex = _nb(ROOT / "exercises" / path.name)
    tags = {t for c in ex["cells"] for t in c["metadata"].get("tags", [])}
    assert not tags & {"rubric", "leader", "model-answer", "solution-only"}, tags
    assert "Marking rubric" not in _all_source(ex)
