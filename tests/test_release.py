"""`turn-east release`: the course as students get it holds no answer, and still teaches and checks.

One release is built per module (into a temporary folder, with its zip). The scan reads every file of
it, and every member of the zip, for every answer of the plain bank *as an answer* (a right option's text
may well appear in a lesson's prose; it may not appear in an answer column, under an "answer" key or
after "Answer:"), for every explanation and piece of feedback, for every part of a solution that the
exercises leave out (solution code, model answers, solution-only cells) and for every leader note; a
test first plants such leaks in a copy and checks that the scan finds each. A lesson of the release runs
through `turn_east.make.execute` on the release's own package, with its quiz answered wrong and right
through the widgets, and `turn-east validate` and the tests the release ships run inside it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import marshal
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT
from turn_east import nbfiles, quiz as qz
from turn_east.data import load_course
from turn_east.data.bank import SEALED_COLUMNS
from turn_east.make import release as rel
from turn_east.make.exercises import BEGIN, END, HINT
from turn_east.quiz import seal

LESSON = "04_stage_3_sidelined_then_summits"   # single, multi, truefalse, chronology and match_stage questions


@pytest.fixture(scope="module")
def course():
    return load_course()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release") / "turn-east-students"
    return rel.build_release(folder, make_zip=True)


@pytest.fixture(scope="module")
def release(built) -> Path:
    return built.folder


def _run_in(release: Path, *args, **kw) -> subprocess.CompletedProcess:
    """A command with the release's own package first on the path (its src/, its data, its notebooks)."""
    env = dict(os.environ, PYTHONPATH=str(release / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    env.pop("TURN_EAST_DATA", None)
    return subprocess.run([sys.executable, *args], cwd=release, env=env, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------- what the scan looks for

def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _right_response(q):
    return {"single": lambda: q.answer[0], "multi": lambda: list(q.answer), "truefalse": lambda: q.answer[0],
            "chronology": lambda: list(q.answer), "match_stage": lambda: q.stages, "year": lambda: q.year,
            "text": lambda: q.answer[0]}[q.type]()


def _wrong_response(q, course):
    if q.type == "single":
        return next(c for c in q.choices if c != q.answer[0])
    if q.type == "multi":
        return [c for c in q.choices if c not in q.answer][:1] + list(q.answer[:1])
    if q.type == "truefalse":
        return "true" if q.answer[0] == "false" else "false"
    if q.type == "chronology":
        return list(reversed(q.answer))
    if q.type == "match_stage":
        nxt = {s: course.periods[(course.periods.index(s) + 1) % len(course.periods)] for s in course.periods}
        return {e: nxt[s] for e, s in q.stages.items()}
    if q.type == "year":
        return q.year + int(q.tolerance) + 3
    return "not the answer at all"


@dataclass(frozen=True)
class Leak:
    """One thing that must not be in a release: a text, or an answer after an answer's label, or a pattern
    (found only where ``must`` is, which keeps the scan fast)."""

    what: str
    text: str = ""                  # anywhere, after whitespace is normalised
    answer: str = ""                # after "answer", "correct" or "solution" and at most 12 marks or tags
    pattern: re.Pattern | None = None
    must: str = ""
    rendered_only: bool = False     # a mark of a rendered key: looked for outside the package's own source


ANSWER_LABEL = r"\b(?:answers?|correct|solution)\b(?:\W|</?\w+>){0,12}?"


def leak_patterns(course) -> list[Leak]:
    """Every way the plain bank's answers could show up in a file as an answer."""
    found = []
    for q in course.bank:
        if len(_norm(q.explanation)) >= 25:
            found.append(Leak(f"{q.id}: explanation", text=_norm(q.explanation)))
        found += [Leak(f"{q.id}: feedback for {key}", text=_norm(text)) for key, text in q.feedback.items()]
        if q.type in ("single", "multi", "text"):
            found += [Leak(f"{q.id}: answer {a!r}", answer=_norm(a)) for a in q.answer]
        elif q.type == "year":
            found.append(Leak(f"{q.id}: answer {q.year}", answer=str(q.year)))
        elif q.type == "chronology":
            sep = r"[\s\"',|\[\]]{1,6}"
            found.append(Leak(f"{q.id}: the order", pattern=re.compile(sep.join(re.escape(e) for e in q.answer)),
                              must=q.answer[0]))
        elif q.type == "match_stage":
            found += [Leak(f"{q.id}: {e}={s}", must=e, pattern=re.compile(
                re.escape(e) + r"[\"']?\s*[:=]\s*[\"']?" + re.escape(s) + r"(?![\w-])")) for e, s in q.stages.items()]
        if q.type in ("chronology", "match_stage"):
            found += [Leak(f"{q.id}: key line {line!r}", text=_norm(line)) for line in qz.answer_text(q, course)]
    found += [Leak(f"answer-key mark {m!r}", text=m, rendered_only=True)
              for m in ("te-quiz-key", 'class="te-key"', "Quiz: answer key", "\u2714 correct")]
    return found


def solution_patterns(root: Path) -> list[Leak]:
    """Every part of a solution the exercises leave out, and every leader note of the course. A solution
    line that the course itself shows students (an exercise gives the same call for another task, a task's
    prompt spells it out) is no secret, and is not looked for."""
    shown = _norm(" ".join(nbfiles.source(c) for folder in ("notebooks", "exercises")
                           for p in sorted((root / folder).glob("*.ipynb")) for c in nbfiles.read(p).cells
                           if "leader" not in nbfiles.tags(c)))
    found = []

    def secret(what, text):
        text = _norm(text)
        if len(text) >= 20 and text not in shown:
            found.append(Leak(what, text=text))

    for path in sorted((root / "solutions").glob("*.ipynb")):
        for i, cell in enumerate(nbfiles.read(path).cells):
            src, tags, where = nbfiles.source(cell), nbfiles.tags(cell), f"solutions/{path.name} cell {i}"
            if {"model-answer", "solution-only", "leader"} & set(tags):
                secret(f"{where} ({', '.join(tags)})", src)
            elif cell.cell_type == "code" and BEGIN in src:
                for code in re.findall(re.escape(BEGIN) + r".*?\n(.*?)" + re.escape(END), src, re.S):
                    lines = [ln for ln in code.splitlines() if ln.strip() and not ln.strip().startswith(HINT)]
                    secret(f"{where}: a solution block", "\n".join(lines))
                    for ln in lines:
                        secret(f"{where}: solution line {ln.strip()!r}", ln)
    for folder in ("notebooks", "exercises"):
        for path in sorted((root / folder).glob("*.ipynb")):
            for i, cell in enumerate(nbfiles.read(path).cells):
                if "leader" in nbfiles.tags(cell):
                    found.append(Leak(f"{folder}/{path.name} cell {i}: leader note", text=_norm(nbfiles.source(cell))))
    return found


# ---------------------------------------------------------------- the scan

def _texts(name: str, raw: bytes):
    """The readings of one file a leak could hide in: its text, its JSON strings, its HTML unescaped, the
    strings of compiled Python, and every member of an archive."""
    if name.endswith((".zip", ".whl")):
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            for member in zf.namelist():
                yield from _texts(f"{name}!{member}", zf.read(member))
        return
    if name.endswith(".pyc"):
        code = marshal.loads(raw[16:])
        strings, stack = [], [code]
        while stack:
            obj = stack.pop()
            for const in getattr(obj, "co_consts", ()):
                (stack.append(const) if hasattr(const, "co_consts") else strings.append(str(const)))
        yield name, "\n".join(strings)
        return
    text = raw.decode("utf-8", errors="replace")
    yield name, text
    if name.endswith((".ipynb", ".json")):
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        yield f"{name} (JSON strings)", "\n".join(_json_strings(doc))
    if "&" in text:
        yield f"{name} (HTML unescaped)", html.unescape(text)


def _json_strings(obj, key=None):
    """The strings of a JSON document in document order, each value after its key ("answer: X"); a list of
    strings (a notebook cell's source lines) as one string."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _json_strings(v, k)
    elif isinstance(obj, list) and obj and all(isinstance(v, str) for v in obj):
        yield f"{key}: {''.join(obj)}" if key else "".join(obj)
    elif isinstance(obj, list):
        for v in obj:
            yield from _json_strings(v)
    elif isinstance(obj, str):
        yield f"{key}: {obj}" if key else obj


def _csv_answers(name: str, text: str, course) -> list[str]:
    """A questions table anywhere must hold hashes in its answer column and sealed texts beside it."""
    if not name.endswith(".csv") or not text.startswith("id,lesson,type"):
        return []
    rows = list(csv.DictReader(io.StringIO(text)))
    bad = []
    for row in rows:
        if not re.fullmatch(r"[0-9a-f]{8}(\|[0-9a-f]{8})*", row.get("answer") or ""):
            bad.append(f"{name}: question {row.get('id')}: the answer column is not hashes: {row.get('answer')!r}")
        for col in ("explanation", "feedback"):
            if row.get(col) and not re.fullmatch(r"[A-Za-z0-9_-]{40,}(\|[A-Za-z0-9_-]{40,})*", row[col]):
                bad.append(f"{name}: question {row.get('id')}: {col} is not sealed")
    return bad


def scan(folder: Path, leaks: list[Leak], course) -> list[str]:
    """Every leak in every file under ``folder`` (and in its zip beside it), as 'file: what'."""
    answers = {leak.answer: leak.what for leak in leaks if leak.answer}
    after_label = re.compile("(?i)" + ANSWER_LABEL + "(" + "|".join(
        re.escape(a) for a in sorted(answers, key=len, reverse=True)) + r")(?!\w)")
    lowered = {a.lower(): w for a, w in answers.items()}
    hits = []
    files = [p for p in folder.rglob("*") if p.is_file()] + list(folder.parent.glob(folder.name + ".zip"))
    for path in files:
        for name, text in _texts(str(path.relative_to(folder.parent)), path.read_bytes()):
            hits += _csv_answers(name, text, course)
            flat = _norm(text)
            source = f"{folder.name}/src/" in name
            for leak in leaks:
                if leak.text and leak.text in flat and not (leak.rendered_only and source):
                    hits.append(f"{name}: {leak.what}")
                elif leak.pattern is not None and leak.must in flat and leak.pattern.search(flat):
                    hits.append(f"{name}: {leak.what}")
            hits += [f"{name}: {lowered[m.group(1).lower()]}" for m in after_label.finditer(flat)]
    return sorted(set(hits))


@pytest.fixture(scope="module")
def patterns(course):
    return leak_patterns(course) + solution_patterns(ROOT)


def test_the_scan_finds_each_kind_of_leak_it_looks_for(release, patterns, course, tmp_path):
    """Leaks planted in a copy of part of the release, in every form a file can take, are all found."""
    import py_compile

    from turn_east.make.exercises import solution_lines

    q = next(q for q in course.bank if q.type == "single" and q.explanation)
    chrono = next(q for q in course.bank if q.type == "chronology")
    note = next(nbfiles.source(c) for c in nbfiles.read(ROOT / "notebooks" / f"{LESSON}.ipynb").cells
                if "leader" in nbfiles.tags(c))
    line = next(ln for p in sorted((ROOT / "solutions").glob("*.ipynb")) for c in nbfiles.read(p).cells
                if c.cell_type == "code" for ln in solution_lines(nbfiles.source(c)) if len(ln) >= 20)
    copy = tmp_path / "copy"
    shutil.copytree(release / "data", copy / "data")
    (copy / "notes.md").write_text(f"**Answer:** {q.answer[0]}\n", encoding="utf-8")
    (copy / "page.html").write_text(f"<p>{html.escape(q.explanation)}</p>", encoding="utf-8")
    nb = {"cells": [{"cell_type": "markdown", "source": note.splitlines(keepends=True)}]}
    (copy / "lesson.ipynb").write_text(json.dumps(nb, ensure_ascii=True), encoding="utf-8")
    (copy / "mod.py").write_text("ORDER = " + repr("|".join(chrono.answer)) + "\n", encoding="utf-8")
    py_compile.compile(str(copy / "mod.py"), cfile=str(copy / "mod.pyc"))
    (copy / "mod.py").unlink()
    with zipfile.ZipFile(copy.parent / "copy.zip", "w") as zf:
        zf.writestr("copy/solution.py", line + "\n")
    with (copy / "data" / "questions.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            ["leaked", q.lesson, "single", "recall", "p", "|".join(q.choices), q.answer[0], "", "", "x", "s", "",
             "article", "salt", ""])
    hits = scan(copy, patterns, course)
    assert any(h.startswith("copy/notes.md:") and f"answer {q.answer[0]!r}" in h for h in hits), hits
    assert any(h.startswith("copy/page.html (HTML unescaped)") and "explanation" in h for h in hits), hits
    assert any(h.startswith("copy/lesson.ipynb (JSON strings)") and "leader note" in h for h in hits), hits
    assert any(h.startswith("copy/mod.pyc") and "the order" in h for h in hits), hits
    assert any(h.startswith("copy.zip!copy/solution.py") and "solution line" in h for h in hits), hits
    assert any("question leaked: the answer column is not hashes" in h for h in hits), hits


def test_the_release_holds_no_answer_no_solution_and_no_leader_note(release, patterns, course):
    assert len(patterns) > 400
    hits = scan(release, patterns, course)
    assert hits == [], "\n".join(hits[:40])


def test_what_the_release_holds(built, release, course):
    assert built.lessons == len(course.lesson_titles) and built.questions == len(course.bank)
    assert built.exercises == len(list((ROOT / "exercises").glob("*.ipynb")))
    top = sorted(p.name for p in release.iterdir())
    assert top == sorted(["README.md", "Makefile", "pyproject.toml", "conftest.py", "environment.yml", ".gitignore",
                          ".gitattributes", "src", "data", "notebooks", "exercises", "tests"])
    lessons = sorted(p.stem for p in (release / "notebooks").glob("*.ipynb"))
    assert "90_leader_guide" not in lessons and "91_chart_gallery" in lessons
    assert set(course.lesson_titles) <= set(lessons)
    assert sorted(p.name for p in (release / "tests").iterdir()) == sorted(rel.SHIPPED_TESTS)
    for path in list((release / "notebooks").glob("*.ipynb")) + list((release / "exercises").glob("*.ipynb")):
        for cell in nbfiles.read(path).cells:
            assert "leader" not in nbfiles.tags(cell), path.name
            if cell.cell_type == "code" and cell.outputs:
                assert nbfiles.is_checked_output_cell(cell), path.name  # the tag (or the older comment)
    assert not list(release.rglob("__pycache__")) and not list(release.rglob("*.egg-info"))
    with (release / "data" / "questions.csv").open(encoding="utf-8") as fh:
        assert tuple(next(csv.reader(fh))) == SEALED_COLUMNS
    readme = (release / "README.md").read_text(encoding="utf-8")
    for command in ("make handouts", "make test", "make lab", "make workspace"):
        assert command in readme
    assert len(readme.splitlines()) < 60 and "no solutions and no leader notes" in readme
    with zipfile.ZipFile(built.zip_path) as zf:
        members = sorted(n for n in zf.namelist() if not n.endswith("/"))
    files = sorted(str(Path(release.name) / p.relative_to(release)) for p in release.rglob("*") if p.is_file())
    assert members == files


def test_every_question_grades_sealed_as_it_does_plain(course):
    """Right and wrong answers to every question of the bank, sealed: the same verdicts, feedback and
    explanation as the plain bank gives, except that a sealed explanation waits for the right answer."""
    for q in course.bank:
        s = seal.sealed(q, seal.seal_question(q, periods=course.periods, stage_titles=course.stage_titles))
        for response in (_wrong_response(q, course), _right_response(q)):
            plain, sealed = qz.grade(q, response, course), qz.grade(s, response, course)
            assert (sealed.correct, sealed.headline, sealed.details) == (plain.correct, plain.headline,
                                                                         plain.details), (
                f"{q.id}: sealed grading differs (a right option's feedback in a multi opens only with the "
                "whole answer: turn_east.quiz.grading)")
            assert (sealed.opened is not None) == plain.correct, q.id
        assert sealed.opened.explanation == q.explanation and sealed.opened.answer == q.answer, q.id


def test_a_lesson_of_the_release_runs_with_its_quiz_answered_wrong_then_right(release, course, tmp_path,
                                                                           monkeypatch):
    """The lesson executes (turn_east.make.execute) on the release's own package and data, live, as a student
    runs it; its quiz, answered through the widgets, says "Not quite" without opening anything, then
    "Correct" with the explanation the plain bank holds; a new quiz restores the answers from the student's
    progress and opens them again."""
    import nbformat

    from turn_east.make.execute import Kernels, execute_notebook

    questions = [q for q in course.bank if q.lesson == LESSON]
    answers = {q.id: [_wrong_response(q, course), _right_response(q)] for q in questions}
    nb = nbformat.read(release / "notebooks" / f"{LESSON}.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "ctx.quiz()" in c.source)
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(f"""
import json, turn_east
from turn_east.quiz import lesson_quiz
from turn_east.quiz.progress import LessonProgress
answers = json.loads({json.dumps(json.dumps(answers))})
quiz, seen = ctx.last_quiz, {{"package": turn_east.__file__, "sealed": ctx.course.sealed, "items": {{}}}}
for it in quiz.items:
    wrong, right = answers[it.question.id]
    it.set(wrong); it.check.click()
    after_wrong = (it.feedback.value, it.explanation.value, it.question.seal is not None)
    it.set(right); it.check.click()
    seen["items"][it.question.id] = after_wrong + (it.feedback.value, it.explanation.value)
again = lesson_quiz(ctx.course, ctx.lesson_id)
again.store = LessonProgress.load(ctx.lesson_id)
again.widget()
seen["restored"] = [it.question.seal is None and bool(it.explanation.value) for it in again.items]
seen["score"] = quiz.score_text
print(json.dumps(seen))
"""))
    notebook = tmp_path / f"{LESSON}.ipynb"
    nbformat.write(nb, notebook)
    monkeypatch.setenv("PYTHONPATH", str(release / "src"))
    monkeypatch.setenv("TURN_EAST_PROGRESS", str(tmp_path / "progress"))
    monkeypatch.delenv("TURN_EAST_DATA", raising=False)
    kernels = Kernels()
    try:
        done, _ = execute_notebook(notebook, tmp_path / "out.ipynb", {}, kernels=kernels,
                                   cwd=release / "notebooks", timeout=300)
    finally:
        kernels.close()
    out = "".join(o.get("text", "") for o in done.cells[at + 1].outputs if o.output_type == "stream")
    seen = json.loads(out)
    assert seen["package"] == str(release / "src" / "turn_east" / "__init__.py") and seen["sealed"] == seal.SCHEME
    assert seen["score"] == f"{len(questions)} of {len(questions)} correct"
    assert set(seen["items"]) == {q.id for q in questions} and {q.type for q in questions} >= {
        "single", "multi", "truefalse", "chronology", "match_stage"}
    for q in questions:
        wrong_fb, wrong_why, still_sealed, right_fb, right_why = seen["items"][q.id]
        assert "Not quite" in wrong_fb and wrong_why == "" and still_sealed, q.id
        assert "Correct" in right_fb and html.escape(q.explanation, quote=True) in right_why, q.id
    assert seen["restored"] == [True] * len(questions)


def test_validate_and_the_shipped_tests_pass_in_the_release(release):
    out = _run_in(release, "-m", "turn_east", "validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"in {release / 'data'}: OK (" in out.stdout
    assert out.stderr.count("note: the quiz bank is sealed") == 1, out.stderr
    exercises = _run_in(release, "-m", "turn_east", "exercises")  # a lesson tells students to run make exercises
    assert exercises.returncode == 0 and "are ready as they are; `make workspace` copies them" in exercises.stdout, exercises.stderr
    tests = _run_in(release, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_sealed_bank.py",
                    "tests/test_lesson_structure.py", "tests/test_data.py::test_frictionless_validates_the_package",
                    timeout=600)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", tests.stdout) and "skipped" not in tests.stdout


def test_a_release_never_overwrites_and_never_leaves_half_a_folder(tmp_path, monkeypatch, capsys):
    from turn_east.cli import main

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "my-work.ipynb").write_text("{}", encoding="utf-8")
    assert main(["release", str(taken)]) == 2
    err = capsys.readouterr().err
    assert "exists already" in err and "nothing was written" in err
    assert sorted(p.name for p in taken.iterdir()) == ["my-work.ipynb"]

    def half_written(root, dest, course):
        (dest / "notebooks").mkdir()
        (dest / "notebooks" / "00_course_map.ipynb").write_text("{}", encoding="utf-8")
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(rel, "write_release", half_written)
    with pytest.raises(RuntimeError, match="disk is full"):
        rel.build_release(tmp_path / "new", make_zip=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
