"""Planning a batch: which lessons, which copies, with which parameters; all checked before anything runs.

``make_plan(args)`` reads the course once, picks the lessons, checks every ``-p`` parameter against each
notebook's ``parameters`` cell (through ``papermill.inspect_notebook``), reads a cohort file and lists
the :class:`Job` s (lesson x copy). Any problem raises :class:`turn_east.errors.UsageError`, before a
file is written.
"""

from __future__ import annotations

import ast
import csv
import datetime as _dt
import hashlib
import argparse
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import __version__, nbfiles, paths
from turn_east.data import Course, DataError, load_course
from turn_east.errors import UsageError
from turn_east.make.fingerprint import clear_cache, execution_fingerprint

AUDIENCES = ("student", "leader")
COURSE_TITLE = "North Korea in Russia's Turn to the East"
GEO_JS = "plotly-geo-topojson.js"  # the map outlines beside the handouts (see assets.py)
#: --paper: the CSS page size of the handouts' print stylesheet (PDF and a browser's Print)
PAPER_SIZES = {"a4": "A4", "letter": "letter"}

# Parameters the tool itself injects; -p may not set them.
RESERVED = {
    "render": "always 'static' for handouts",
    "audience": "use --audience student|leader|both",
    "show_answers": "set by the audience (student: False, leader: True)",
    "student_name": "use --cohort students.csv",
    "quiz_seed": "use --cohort students.csv (derived from each student's name)",
}
# Types allowed for template parameters whose default (None) says nothing about the type.
KNOWN_TYPES = {"data_dir": (type(None), str)}


def default_notebooks_dir() -> Path:
    return paths.repo_folder("notebooks")


# ------------------------------------------------------------------------------ lessons
def course_for(data_dir: Path | None) -> Course:
    """The course data, through the one loader; bad data stop the batch before anything renders."""
    try:
        return load_course(data_dir)
    except DataError as exc:
        shown = data_dir if data_dir is not None else ""
        raise UsageError(f"{exc}\nNothing was rendered. `turn-east validate {shown}` lists the same "
                         "problems; fix them, or pass -p data_dir=FOLDER for other data.") from exc


def _notebook_title(path: Path) -> str:
    try:
        nb = nbfiles.read(path)
    except ValueError:
        return path.stem
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", nbfiles.source(cell), re.M)
            if m:
                return m.group(1).strip()
    return path.stem


#: Notebooks that are not lessons but print as leaders' handouts (``--lessons 90``), after the lessons.
LEADER_NOTEBOOKS = ("90_leader_guide",)


@dataclass
class Lesson:
    id: str
    notebook: Path
    title: str
    row: dict = field(default_factory=dict)
    leader_only: bool = False


def jobs_arg(text: str) -> int:
    """argparse type of every command's --jobs: a whole number, at least 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs needs a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return n


def discover_lessons(course: Course, notebooks_dir: Path | None = None) -> list[Lesson]:
    """The lessons to render: ``lessons.csv`` order for the course's notebooks/, else every notebook
    in the folder."""
    lessons = course.lessons.astype(object)
    rows = {r["id"]: r for r in lessons.where(lessons.notna(), "").to_dict("records")}
    default = default_notebooks_dir()
    if notebooks_dir is None or Path(notebooks_dir).resolve() == default.resolve():
        folder, ids = default, list(rows)
    else:
        folder = Path(notebooks_dir)
        if not folder.is_dir():
            raise UsageError(f"notebooks folder {folder} does not exist")
        ids = sorted(p.stem for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    out = []
    for lid in ids:
        path = folder / f"{lid}.ipynb"
        row = rows.get(lid, {})
        title = row.get("title") or (_notebook_title(path) if path.exists() else lid)
        out.append(Lesson(lid, path.resolve(), title, row))
    if folder == default:
        for lid in LEADER_NOTEBOOKS:
            path = folder / f"{lid}.ipynb"
            if path.exists():
                out.append(Lesson(lid, path.resolve(), _notebook_title(path), {"kind": "guide"}, leader_only=True))
    return out


def select_lessons(lessons: list[Lesson], wanted: list[str] | None) -> list[Lesson]:
    """Keep lessons whose id equals or starts with one of ``wanted`` (comma- or space-separated)."""
    if not wanted:
        return lessons
    tokens = [t for w in wanted for t in re.split(r"[,\s]+", w) if t]
    chosen, unknown = [], []
    for tok in tokens:
        hits = [ls for ls in lessons if ls.id == tok] or [ls for ls in lessons if ls.id.startswith(tok)]
        if not hits:
            unknown.append(tok)
        for h in hits:
            if h not in chosen:
                chosen.append(h)
    if unknown:
        raise UsageError(f"--lessons: no lesson matches {', '.join(map(repr, unknown))}; "
                         f"known lessons: {', '.join(ls.id for ls in lessons)}")
    return [ls for ls in lessons if ls in chosen]  # course order


# ------------------------------------------------------------------------------ parameters
def notebook_parameters(path: Path) -> dict[str, object]:
    """Names and default values of the notebook's ``parameters`` cell ({} when it has none), as
    papermill reads them; a default that is not a Python literal is ``...`` (any type accepted)."""
    import papermill

    out: dict[str, object] = {}
    for name, spec in papermill.inspect_notebook(str(path)).items():
        try:
            out[name] = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            out[name] = ...
    return out


def parse_param(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` -> (name, value); VALUE is a Python literal, else taken as a plain string."""
    if "=" not in text:
        raise UsageError(f"-p/--param {text!r}: expected NAME=VALUE, e.g. -p data_dir=../data")
    name, raw = text.split("=", 1)
    name = name.strip()
    if not name.isidentifier():
        raise UsageError(f"-p/--param {text!r}: {name!r} is not a parameter name")
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError):
        value = raw
    return name, value


def _type_ok(name: str, default, value) -> tuple[bool, str]:
    if name in KNOWN_TYPES:
        allowed = KNOWN_TYPES[name]
        return isinstance(value, allowed), " or ".join("None" if t is type(None) else t.__name__ for t in allowed)
    if default is ... or default is None:
        return True, "any literal"
    if isinstance(default, bool):
        return isinstance(value, bool), "bool (True or False)"
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool), "int"
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool), "float"
    return isinstance(value, type(default)), type(default).__name__


def validate_params(params: dict[str, object], lessons: list[Lesson]) -> dict[str, object]:
    """Check every ``-p`` against each selected notebook's parameters cell; return the values to inject."""
    problems = [f"parameter {name!r} is set by turn-east handouts ({RESERVED[name]}); it cannot be given with -p"
                for name in params if name in RESERVED]
    if problems:
        raise UsageError("\n".join(problems))
    for lesson in lessons:
        if not lesson.notebook.is_file():
            continue  # reported as a failed job
        declared = notebook_parameters(lesson.notebook)
        allowed = ", ".join(sorted(n for n in declared if n not in RESERVED)) or "(none)"
        for name, value in params.items():
            if name not in declared:
                problems.append(f"unknown parameter {name!r} for notebook {lesson.notebook}: "
                                f"not in its parameters cell; allowed names: {allowed} "
                                f"({', '.join(sorted(RESERVED))} are set by turn-east handouts itself)")
                continue
            ok, expected = _type_ok(name, declared[name], value)
            if not ok:
                problems.append(f"parameter {name!r} for notebook {lesson.notebook}: value {value!r} is a "
                                f"{type(value).__name__}, expected {expected} (default {declared[name]!r}); "
                                f"allowed names: {allowed}")
    if problems:
        raise UsageError("\n".join(problems))
    out = dict(params)
    if isinstance(out.get("data_dir"), str):
        folder = Path(out["data_dir"]).expanduser().resolve()
        if not folder.is_dir():
            raise UsageError(f"-p data_dir={params['data_dir']}: the folder {folder} does not exist; give a folder "
                             "holding datapackage.json and the course CSV files, or leave data_dir out")
        out["data_dir"] = str(folder)  # notebooks run with their own folder as working directory
    return out


# ------------------------------------------------------------------------------ cohort
def slugify(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug or "student-" + hashlib.sha256(text.encode()).hexdigest()[:8]


def quiz_seed_for(name: str) -> int:
    """A stable quiz seed for a student: the same name always gives the same question order."""
    return int.from_bytes(hashlib.sha256(name.strip().encode("utf-8")).digest()[:4], "big")


def read_cohort(path: Path) -> list[dict]:
    """``[{name, slug, seed}]`` from a CSV with a ``name`` column and an optional ``id`` column."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--cohort: the file {path} does not exist")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip() for f in (reader.fieldnames or [])]
        if "name" not in fields:
            raise UsageError(f"--cohort {path}: needs a 'name' column (optional 'id'); found {fields or 'no header'}")
        students, seen = [], {}
        for lineno, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            if not row.get("name"):
                continue
            slug = slugify(row.get("id") or row["name"])
            if slug in seen:
                raise UsageError(f"--cohort {path} line {lineno}: {row['name']!r} gives the folder name {slug!r}, "
                                 f"already used on line {seen[slug]}; add a distinct 'id' column value")
            seen[slug] = lineno
            students.append({"name": row["name"], "slug": slug, "seed": quiz_seed_for(row["name"])})
    if not students:
        raise UsageError(f"--cohort {path}: no student names found")
    return students


# ------------------------------------------------------------------------------ jobs
@dataclass(frozen=True)
class Job:
    lesson: str
    title: str
    notebook: str
    audience: str            # student | leader (what the notebook is told)
    label: str               # student | leader | cohort/<slug> (where it goes, shown in the summary)
    html_path: str
    executed_path: str
    parameters: tuple        # ((name, value), ...) injected by papermill
    plotly_url: str          # plotly.min.js relative to the HTML file
    geo_url: str             # the offline map outlines, loaded only by handouts with a map
    index_url: str
    footer: str
    pdf: bool = False
    chromium: str = ""
    lesson_ids: tuple = ()   # every lesson of the course: links to them point at their handouts
    prestart_next: bool = False  # more jobs follow: start the next kernel while this one runs
    paper: str = "a4"        # a key of PAPER_SIZES
    self_contained: bool = False  # plotly.js and the map outlines inlined: one file to e-mail or upload
    fingerprint: str = ""    # what the execution depends on (turn_east.make.fingerprint), recorded in it
    lesson_titles: tuple = ()  # ((lesson id, title), ...): a link showing a file name shows the title
    glossary: tuple = ()     # ((term id, "term: definition"), ...): hover text of the terms a lesson marks


def _rel(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _fingerprint(notebook: Path, parameters: dict, data_dir) -> str:
    if not notebook.is_file():
        return ""  # reported as a failed job
    return execution_fingerprint(notebook, parameters, data_dir)


def glossary_hovers(course: Course) -> tuple:
    """((term id, "Term: definition"), ...) from glossary.csv, for the handouts' hover text."""
    return tuple((str(i), f"{t}: {d}") for i, t, d in zip(course.glossary["id"], course.glossary["term"],
                                                           course.glossary["definition"]))


def build_jobs(lessons, audiences, out: Path, params: dict, *, cohort=None, pdf=False, chromium="",
               data_version="", lesson_ids=(), paper="a4", self_contained=False, data_dir=None,
               lesson_titles=(), glossary=()) -> list[Job]:
    handouts = out / "handouts"
    plotly_js = handouts / "plotly.min.js"
    index = handouts / "index.html"
    today = _dt.date.today().isoformat()
    jobs = []

    def make(lesson, audience, label, html_dir, exec_dir, extra, who=""):
        html_path = html_dir / f"{lesson.id}.html"
        injected = {**params, "render": "static", "audience": audience,
                    "show_answers": audience == "leader", **extra}
        footer = (f"{COURSE_TITLE} - {lesson.title} - {label} handout{who} - version {__version__} "
                  f"(course data version {data_version or 'unknown'}) - rendered {today}")
        return Job(lesson=lesson.id, title=lesson.title, notebook=str(lesson.notebook), audience=audience,
                   label=label, html_path=str(html_path), executed_path=str(exec_dir / f"{lesson.id}.ipynb"),
                   parameters=tuple(sorted(injected.items())), plotly_url=_rel(plotly_js, html_dir),
                   geo_url=_rel(handouts / GEO_JS, html_dir),
                   index_url=_rel(index, html_dir), footer=footer, pdf=pdf, chromium=chromium, paper=paper,
                   self_contained=self_contained,
                   lesson_ids=tuple(lesson_ids) or tuple(ls.id for ls in lessons),
                   fingerprint=_fingerprint(lesson.notebook, injected, data_dir),
                   lesson_titles=tuple(lesson_titles) or tuple((ls.id, ls.title) for ls in lessons),
                   glossary=tuple(glossary))

    for lesson in lessons:
        for audience in audiences:
            if lesson.leader_only and audience != "leader":
                continue
            jobs.append(make(lesson, audience, audience, handouts / audience, out / "executed" / audience, {}))
        for st in cohort or [] if not lesson.leader_only else []:
            label = f"cohort/{st['slug']}"
            jobs.append(make(lesson, "student", label, handouts / "cohort" / st["slug"],
                             out / "executed" / "cohort" / st["slug"],
                             {"student_name": st["name"], "quiz_seed": st["seed"]}, who=f" for {st['name']}"))
    return jobs


def find_chromium() -> str | None:
    for cand in (os.environ.get("TURN_EAST_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


@dataclass
class Plan:
    """Everything checked and decided before the first notebook runs."""

    jobs: list[Job]
    course: Course
    all_lessons: list[Lesson]
    lessons: list[Lesson]
    audiences: tuple
    cohort: list | None
    out: Path
    workers: int


def make_plan(args) -> Plan:
    """Check the command line (lessons, -p parameters, cohort file, chromium) and list the jobs.

    Raises UsageError before anything is written.
    """
    clear_cache()  # the data and code as they are on disk now
    params = dict(parse_param(p) for p in args.param)
    data_dir = params.get("data_dir") if isinstance(params.get("data_dir"), str) else None
    course = course_for(Path(data_dir) if data_dir else None)
    all_lessons = discover_lessons(course, Path(args.notebooks_dir) if args.notebooks_dir else None)
    if not all_lessons:
        raise UsageError(f"no lessons found (looked in {args.notebooks_dir or default_notebooks_dir()} and "
                         f"{course.data_dir / 'lessons.csv'})")
    lessons = select_lessons(all_lessons, args.lessons)
    injected = validate_params(params, lessons)
    cohort = read_cohort(Path(args.cohort)) if getattr(args, "cohort", None) else None
    audience = args.audience or ("none" if cohort else "student" if course.sealed else "both")
    if course.sealed and audience in ("leader", "both"):
        raise UsageError(f"--audience {audience}: this is a student release of the course (its quiz answers are "
                         "sealed and its leader notes left out), so it makes student handouts only; leave out "
                         "--audience, or make leader handouts from the course repository")
    audiences = {"both": AUDIENCES, "none": ()}.get(audience, (audience,))
    chromium = ""
    if args.pdf:
        chromium = find_chromium() or ""
        if not chromium:
            raise UsageError("--pdf needs Chromium, which was not found at /usr/bin/chromium or on PATH. "
                             "Install it (Debian/Ubuntu: sudo apt-get install chromium) or leave out --pdf.")
    out = Path(args.out).resolve()
    jobs = build_jobs(lessons, audiences, out, injected, cohort=cohort, pdf=args.pdf, chromium=chromium,
                      data_version=course.version, lesson_ids=[ls.id for ls in all_lessons],
                      paper=getattr(args, "paper", "a4"), self_contained=getattr(args, "self_contained", False),
                      data_dir=course.data_dir,
                      lesson_titles=[(ls.id, ls.title) for ls in all_lessons], glossary=glossary_hovers(course))
    return with_jobs(Plan(jobs, course, all_lessons, lessons, audiences, cohort, out, args.jobs), jobs)


def with_jobs(p: Plan, jobs: list[Job]) -> Plan:
    """The plan with only ``jobs`` (e.g. those whose execution cannot be reused), its workers sized to them."""
    workers = max(1, min(p.workers, len(jobs) or 1))
    # A worker starts the next kernel during a job only when it will surely get another job.
    jobs = [Job(**{**job.__dict__, "prestart_next": i + workers < len(jobs)}) for i, job in enumerate(jobs)]
    return Plan(jobs, p.course, p.all_lessons, p.lessons, p.audiences, p.cohort, p.out, workers)
