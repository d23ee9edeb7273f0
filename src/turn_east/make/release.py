"""`turn-east release OUT`: the course as a leader hands it to students.

    turn-east release ../turn-east-students          # a folder
    turn-east release ../turn-east-students --zip    # and ../turn-east-students.zip beside it

What goes in: the lessons (``notebooks/``, without the leader guide, :data:`LEFT_OUT_NOTEBOOKS`), the
exercises, the data and the package, with the ``Makefile`` and ``pyproject.toml`` so that ``make handouts``
and ``make test`` work there as in the repository, the tests that make sense without solutions or
answers (:data:`SHIPPED_TESTS`), and a short README for students (``templates/release_README.md.j2``).

What stays out or is changed:

* ``solutions/`` (and with it the model answers and rubrics), ``docs/``, ``benchmarks/``, ``deploy/``;
* every cell tagged ``leader`` (leader notes), from the lessons and the exercises; notebook outputs (the
  git filter's :func:`~turn_east.make.gitfilter.clean`: only the reference outputs of
  checked cells (tag ``nbval-check-output``) stay, which hold counts from the data);
* the quiz bank is sealed (:mod:`turn_east.quiz.seal`): ``data/questions.csv`` holds salted hashes of the
  answers and the answer, explanation and feedback encrypted, and ``data/datapackage.json`` marks it
  sealed, so the quiz engine knows (``Course.sealed``) and ``turn-east validate`` accepts it.

Safety: the course is checked first (its data, the exercises up to date with the solutions: an exercise
edited by hand could hold an answer); the release is written into a temporary folder beside ``OUT`` and
renamed into place only when it is complete and its sealed bank loads and opens with every answer, so a
failure never leaves a half-written release; ``OUT`` must not exist yet (or be an empty folder), so
nothing already there (a student's work in an earlier release) is ever overwritten.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import os
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from turn_east import nbfiles, paths
from turn_east.data import Course, DataError, load_course
from turn_east.data.bank import COLUMNS, FILE, SEALED_COLUMNS, rows_of_frame, check_questions
from turn_east.errors import NotebookFormatError, UsageError
from turn_east.make import exercises as exercise_tool
from turn_east.make.files import atomic_path
from turn_east.make.gitfilter import clean as clean_notebook
from turn_east.make.handouts.plan import LEADER_NOTEBOOKS
from turn_east.quiz import seal

#: Files at the top of the repository that the release needs to install and run as the repository does.
TOP_FILES = ("Makefile", "pyproject.toml", "conftest.py", "environment.yml", ".gitignore", ".gitattributes")
#: Notebooks that are the leader's, not the students'.
LEFT_OUT_NOTEBOOKS = tuple(LEADER_NOTEBOOKS)
#: Tests that need neither solutions/ nor the plain quiz bank nor a git checkout nor a browser: they run in
#: the release's `make test`, with nbval over its lessons and exercises. test_sealed_bank tests the release's
#: own (sealed) bank there, test_lesson_structure that its lessons have no leader notes, test_data its data
#: package (frictionless) and data rules; tests/test_release.py runs those release-specific checks in a release.
SHIPPED_TESTS = ("conftest.py", "test_charts.py", "test_data.py", "test_lesson_structure.py", "test_sealed_bank.py")
#: Left out of every copied folder: caches and build leftovers.
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.egg-info", ".ipynb_checkpoints", ".DS_Store",
                              ".pytest_cache")
TEMPLATE = Path(__file__).resolve().parent / "templates" / "release_README.md.j2"
SEAL_DESCRIPTION = {
    "scheme": seal.SCHEME,
    "answer": "FNV-1a (32-bit) of salt U+001F canonical answer, 8 hex digits (the handouts' self-check hash)",
    "texts": "AES-256-GCM, key HKDF-SHA256 of the canonical answer (or response) with the question's salt, "
             "nonce || ciphertext as URL-safe base64",
    "note": "hides the answers from a reader, not from someone who tries every option with the course's code",
}
SEALED_FIELDS = {
    "answer": "Salted hashes of every accepted answer (the self-check's FNV-1a), |-separated",
    "feedback": "Feedback for each wrong response, sealed under that response (AES-256-GCM), |-separated",
    "explanation": "The answer, explanation and feedback, sealed under each accepted answer, |-separated",
    "salt": "The question's random salt (of the hashes and of the keys)",
    "probes": "Salted hashes of the answer's parts: right options (multi), places (chronology), stages "
              "(match_stage), which way a wrong year is off (year); |-separated",
}


@dataclass
class Summary:
    """What a release holds, for the command's report."""

    folder: Path
    lessons: int
    exercises: int
    questions: int
    files: int
    bytes: int
    zip_path: Path | None = None
    zip_bytes: int = 0

    def lines(self) -> list[str]:
        out = [f"student release in {self.folder}: {self.lessons} lessons, {self.exercises} exercises, "
               f"{self.questions} quiz questions sealed; {self.files} files, {self.bytes / 1e6:.1f} MB",
               "left out: solutions/, leader notes, the leader guide, answer keys; the quiz answers are sealed "
               "in data/questions.csv",
               "students run: make handouts, make test, make lab, make workspace (README.md)"]
        if self.zip_path:
            out.append(f"zip: {self.zip_path} ({self.zip_bytes / 1e6:.1f} MB)")
        return out


# ---------------------------------------------------------------- checks before anything is written

def _target(out: Path) -> Path:
    out = Path(out).expanduser().absolute()
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise UsageError(f"{out} exists already; a release goes into a new (or empty) folder, so that nothing in "
                         "it, a student's work for one, is overwritten: give another folder, or remove this one")
    return out


def _course(root: Path) -> Course:
    try:
        course = load_course(root / "data")
    except DataError as exc:
        raise UsageError(f"{exc}\n`turn-east validate` lists the same problems; fix them, then make the release")
    if course.sealed:
        raise UsageError(f"{root / 'data'} holds a sealed quiz bank: this is a student release already; make a "
                         "release from the course repository")
    return course


def _check_exercises(root: Path) -> None:
    try:
        changed, _ = exercise_tool.generate_all(root / "solutions", root / "exercises", check_only=True)
    except NotebookFormatError as exc:
        raise UsageError(f"the exercises cannot be checked against the solutions: {exc}") from exc
    if changed:
        raise UsageError("exercises/ is not what solutions/ generates (" + ", ".join(changed) + "); an exercise "
                         "edited by hand could hold an answer: run `make exercises`, then make the release")


# ---------------------------------------------------------------- what goes in

def student_notebook(path: Path) -> str:
    """A lesson or exercise as students get it: no outputs (but the checked cells' references), no cell
    tagged ``leader``."""
    import nbformat

    try:
        text = clean_notebook(path.read_text(encoding="utf-8"), str(path))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot be read as a notebook ({exc})") from exc
    nb = nbformat.reads(text, as_version=4)
    nb.cells = [c for c in nb.cells if "leader" not in nbfiles.tags(c)]
    for cell in nb.cells:
        bad = {"model-answer", "solution-only"} & set(nbfiles.tags(cell))
        if bad:
            raise UsageError(f"{path}: a cell is tagged {', '.join(sorted(bad))}, which only a solution may hold; "
                             "regenerate the exercises with `make exercises`")
    return nbfiles.writes(nb)


def sealed_bank(course: Course) -> tuple[str, int]:
    """questions.csv as a sealed bank (CSV text) and the number of questions in it."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SEALED_COLUMNS)
    for q in course.bank:
        s = seal.seal_question(q, periods=course.periods, stage_titles=course.stage_titles)
        row = {c: "" for c in SEALED_COLUMNS}
        row.update(id=q.id, lesson=q.lesson, type=q.type, skill=q.skill, prompt=q.prompt,
                   choices="|".join(q.choices) if q.type != "truefalse" else "",
                   answer="|".join(s.hashes), tolerance=f"{q.tolerance:g}" if q.tolerance else "",
                   feedback="|".join(s.feedback), explanation="|".join(s.envelopes), section=q.section,
                   article_section=q.article_section, source_id=q.source_id, salt=s.salt, probes="|".join(s.probes))
        writer.writerow([row[c] for c in SEALED_COLUMNS])
    return buf.getvalue(), len(course.bank)


def sealed_package(package: dict) -> dict:
    """datapackage.json with the questions resource marked sealed and its fields described as sealed."""
    package = json.loads(json.dumps(package))
    res = next(r for r in package["resources"] if r["name"] == "questions")
    res["sealed"] = dict(SEAL_DESCRIPTION)
    res["description"] = (res.get("description", "") + " Sealed for a student release: no answer, explanation "
                          "or feedback in plain text (see the codebook, 'A sealed bank').").strip()
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    if [f for f in fields if f in COLUMNS] != list(COLUMNS):
        raise UsageError(f"data/datapackage.json: the questions resource's fields are not {', '.join(COLUMNS)}")
    for name in ("salt", "probes"):
        fields[name] = {"name": name, "type": "string", "description": SEALED_FIELDS[name], "constraints": {}}
    fields["salt"]["constraints"] = {"required": True}
    for name in ("answer", "feedback", "explanation"):
        fields[name]["description"] = SEALED_FIELDS[name]
    fields["answer"]["constraints"] = {"required": True, "pattern": r"^[0-9a-f]{8}(\|[0-9a-f]{8})*$"}
    res["schema"]["fields"] = [fields[c] for c in SEALED_COLUMNS]
    return package


def readme(course: Course, exercises: int) -> str:
    import jinja2

    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    lessons = [{"id": str(r.id), "title": str(r.title), "number": str(r.id).split("_", 1)[0]}
               for r in course.lessons.itertuples(index=False)]
    return env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        title="North Korea in Russia's Turn to the East", lessons=lessons, exercises=exercises)


def _copy_tests(root: Path, dest: Path) -> None:
    (dest / "tests").mkdir()
    for name in SHIPPED_TESTS:
        shutil.copy2(root / "tests" / name, dest / "tests" / name)


def write_release(root: Path, dest: Path, course: Course) -> tuple[int, int, int]:
    """Write the release into the empty folder ``dest``; (lessons, exercises, questions)."""
    for name in TOP_FILES:
        if (root / name).exists():
            shutil.copy2(root / name, dest / name)
    shutil.copytree(root / "src", dest / "src", ignore=JUNK)
    data = dest / "data"
    shutil.copytree(root / "data", data, ignore=shutil.ignore_patterns(FILE, "datapackage.json", "*.tmp"))
    bank, questions = sealed_bank(course)
    (data / FILE).write_text(bank, encoding="utf-8")
    package = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    (data / "datapackage.json").write_text(json.dumps(sealed_package(package), indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    counts = {}
    for folder in ("notebooks", "exercises"):
        (dest / folder).mkdir()
        paths_ = sorted(p for p in (root / folder).glob("*.ipynb") if p.stem not in LEFT_OUT_NOTEBOOKS)
        for path in paths_:
            (dest / folder / path.name).write_text(student_notebook(path), encoding="utf-8")
        counts[folder] = len(paths_)
    _copy_tests(root, dest)
    (dest / "README.md").write_text(readme(course, counts["exercises"]), encoding="utf-8")
    lessons = sum(1 for lid in course.lesson_titles if (dest / "notebooks" / f"{lid}.ipynb").exists())
    return lessons, counts["exercises"], questions


def check_release(dest: Path, course: Course) -> None:
    """The written release loads as a sealed course against its own lessons, and every question opens with
    its answer and with nothing else the hashes accept (a release that could not grade is never handed out)."""
    try:
        release = load_course(dest / "data")
    except DataError as exc:
        raise RuntimeError(f"the release's own data do not load (a bug in turn-east release): {exc}") from exc
    release = dataclasses.replace(release, notebooks_dir=dest / "notebooks")
    questions, problems = check_questions(rows_of_frame(release.questions, True), release)
    if not release.sealed or problems or len(questions) != len(course.bank):
        raise RuntimeError(f"the release's sealed bank does not check (a bug in turn-east release): {problems}")
    for plain, sealed in zip(course.bank, questions):
        for answer in seal.canonical_answers(plain):
            if seal.open_question(sealed, answer) is None:
                raise RuntimeError(f"question {plain.id}: the sealed bank does not open with its answer "
                                   "(a bug in turn-east release)")


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _zip(folder: Path, target: Path) -> int:
    with atomic_path(target, suffix=".zip.tmp") as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, Path(folder.name) / path.relative_to(folder))
    return target.stat().st_size


def build_release(out, *, root: Path | None = None, make_zip: bool = False) -> Summary:
    """Check the course, write the release into ``out`` (a new folder) and, with ``make_zip``, ``out``.zip."""
    root = Path(root) if root is not None else paths.repo_root()
    if root is None or not (root / "solutions").is_dir():
        raise UsageError("turn-east release runs in the course repository (with its solutions/); this copy has "
                         "none, it may be a student release itself")
    out = _target(out)
    course = _course(root)
    _check_exercises(root)
    zip_path = out.with_name(out.name + ".zip") if make_zip else None
    if zip_path is not None and zip_path.exists():
        raise UsageError(f"{zip_path} exists already; remove it or give another folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        lessons, exercises, questions = write_release(root, work, course)
        check_release(work, course)
        os.chmod(work, 0o755)  # mkdtemp makes 0700; a release is for sharing
        if out.is_dir():
            out.rmdir()  # empty, checked above
        work.rename(out)
    finally:
        if work.exists():
            shutil.rmtree(work)
    files, size = _size(out)
    summary = Summary(out, lessons, exercises, questions, files, size)
    if zip_path is not None:
        summary.zip_path, summary.zip_bytes = zip_path, _zip(out, zip_path)
    return summary


# ---------------------------------------------------------------- `turn-east release`

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, metavar="OUT", help="a new folder for the student release")
    p.add_argument("--zip", action="store_true", help="also write OUT.zip, to hand out as one file")


def run(args) -> int:
    try:
        summary = build_release(args.out, make_zip=args.zip)
    except UsageError as exc:
        print(f"turn-east release: error: {exc}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 0
