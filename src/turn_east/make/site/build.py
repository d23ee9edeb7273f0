"""Building the website: the handouts' executions reused (or made), the Sphinx sources written, Sphinx run,
the result checked and put in place.

1. **Executions.** The lessons are planned as ``turn-east handouts`` plans them for the audience
   (:func:`turn_east.make.handouts.make_plan`: the same parameters, so the same fingerprints). An executed
   notebook in ``build/executed/<audience>/`` whose recorded fingerprint is the one the plan computes is
   reused; the others are rendered by the handouts' own batch (:func:`turn_east.make.handouts.render_all`),
   which executes each once and writes its handout too. Either way the site and the handouts show one
   execution.
2. **Sources** (``build/site-work/<audience>/src/``, rewritten only where they changed, so Sphinx rereads
   only what changed): ``conf.py``, the generated pages (:mod:`.pages`), one page notebook per lesson
   (:mod:`.lessons`), the clean notebooks to download, plotly.js and the map outlines.
3. **Sphinx** (myst-nb, execution off, the book theme) builds HTML in ``build/site-work/<audience>/html``,
   keeping its environment between runs. Any warning (a broken cross-reference, a missing page) fails the
   build.
4. **Checks and publishing.** No page may load anything from another host. Then the HTML replaces
   ``build/site/`` (``build/site-leader/`` for the leader build) in one rename; a failed build leaves the
   previous site as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import io
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import __version__, nbfiles, paths
from turn_east.errors import TurnEastError, UsageError
from turn_east.make import fingerprint
from turn_east.make.files import folder_lock, write_if_changed
from turn_east.make.gitfilter import clean as clean_notebook
from turn_east.make.handouts import assets as handout_assets
from turn_east.make.handouts.plan import COURSE_TITLE, GEO_JS, Plan, make_plan, with_jobs
from turn_east.make.handouts.postprocess import external_references
from turn_east.make.handouts.render import render_all
from turn_east.make.handouts.cli import failure_report
from turn_east.make.site import pages as site_pages
from turn_east.make.site.config import SiteConfig
from turn_east.make.site.lessons import html_ids, site_notebook
from turn_east.make.site.links import launch_links

AUDIENCES = ("student", "leader")
DOWNLOADS = "_notebooks"     # the clean lesson notebooks, offered through Sphinx's {download} role
PLOTLY_JS = "plotly.min.js"
#: The theme's components this site replaces (templates/theme/): one light colour scheme (the lessons' charts
#: and quizzes are drawn for a light page), a search button named by its visible text.
THEME_OVERRIDES = ("theme-switcher.html", "search-button-field.html")
#: Files the theme copies into _static that are its Jinja macros, not pages; they are not published.
NOT_PUBLISHED = (".buildinfo", ".doctrees", "_sources", "*webpack-macros.html")
CONTENT_LICENCE = ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0")
CODE_LICENCE = ("https://opensource.org/license/mit", "MIT")


LEADER_BANNER = ("Seminar leader's copy: leader notes and answer keys are shown. Do not publish it where "
                 "students can read it.")


class SiteError(TurnEastError):
    """The site could not be built; the message lists every reason. The previous site is left in place."""


@dataclass
class SiteResult:
    site: Path
    pages: int = 0
    reused: list = field(default_factory=list)      # lesson ids whose execution was reused
    executed: list = field(default_factory=list)    # lesson ids executed for this build
    timings: dict = field(default_factory=dict)     # seconds: plan, execute, sources, sphinx, publish
    placeholders: list = field(default_factory=list)


def site_folder(out: Path, audience: str) -> Path:
    return Path(out) / ("site" if audience == "student" else f"site-{audience}")


def work_folder(out: Path, audience: str) -> Path:
    return Path(out) / "site-work" / audience


# ------------------------------------------------------------------------------ 1. executions
def _handouts_args(args, audience: str) -> argparse.Namespace:
    return argparse.Namespace(lessons=args.lessons, audience=audience, out=args.out, param=[], jobs=args.jobs,
                              pdf=False, cohort=None, notebooks_dir=None)


def site_plan(p: Plan) -> Plan:
    """The handouts' plan narrowed to the site's pages: the course's lessons (not the notebooks that only
    print as leaders' handouts, such as the leader guide), one job each."""
    lessons = [ls for ls in p.lessons if not ls.leader_only]
    ids = {ls.id for ls in lessons}
    narrowed = with_jobs(p, [job for job in p.jobs if job.lesson in ids])
    narrowed.lessons = lessons
    missing = ids - {job.lesson for job in narrowed.jobs}
    if missing:
        raise SiteError(f"no execution planned for {', '.join(sorted(missing))}")
    return narrowed


def ensure_executions(p: Plan, *, progress=None, lock_wait: float = 0.0) -> tuple[list[str], list[str]]:
    """Reuse every execution whose fingerprint matches; render the other lessons with the handouts' batch.

    Returns (reused ids, executed ids). Raises SiteError naming each lesson that failed.
    """
    stale = [job for job in p.jobs if not job.fingerprint or fingerprint.recorded(job.executed_path) != job.fingerprint]
    reused = [job.lesson for job in p.jobs if job not in stale]
    if stale:
        results, _ = render_all(with_jobs(p, stale), progress=progress, lock_wait=lock_wait)
        failed = [r for r in results if r.status != "ok"]
        if failed:
            raise SiteError("the site needs every lesson executed, and these failed (the previous site is left "
                            "as it was):\n" + "\n".join(failure_report(r) for r in failed))
    return reused, [job.lesson for job in stale]


# ------------------------------------------------------------------------------ 2. sources
def _footer(version: str, data_version: str) -> str:
    return (f"Version {version} (course data {data_version or 'unknown'}). Text and data: "
            f'<a href="{CONTENT_LICENCE[0]}">{CONTENT_LICENCE[1]}</a>; code: '
            f'<a href="{CODE_LICENCE[0]}">{CODE_LICENCE[1]}</a> licence.')


def _sync(folder: Path, files: dict[str, str | bytes], keep=()) -> None:
    """Make ``folder`` hold exactly ``files`` (relative path -> content), rewriting only what changed."""
    for rel, data in files.items():
        write_if_changed(folder / rel, data)
    wanted = {folder / rel for rel in files}
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted and not any(path.is_relative_to(folder / k) for k in keep):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def site_sources(p: Plan, audience: str, config: SiteConfig) -> dict[str, str | bytes]:
    """Every file of the Sphinx source folder, by relative path."""
    course = p.course
    lesson_ids = [ls.id for ls in p.lessons]
    entries = site_pages.lesson_entries(course, set(lesson_ids))
    known = {e.id for e in entries}
    # a lesson of the plan that lessons.csv does not list (another notebooks folder) still gets a page
    entries += [site_pages.LessonEntry(ls.id, ls.title, "", "", (0, 0, 0), "") for ls in p.lessons if ls.id not in known]
    jobs = {job.lesson: job for job in p.jobs}
    executed = {ls.id: json.loads(Path(jobs[ls.id].executed_path).read_text(encoding="utf-8")) for ls in p.lessons}
    anchors = {lesson_id: output_ids(nb) for lesson_id, nb in executed.items()}
    exercises = _exercises(lesson_ids)
    generated = {
        "course-map": site_pages.course_map(course, entries),
        "syllabus": site_pages.syllabus(course, entries, notebooks={ls.id: Path(ls.notebook) for ls in p.lessons},
                                        exercises=exercises),
        "glossary": site_pages.glossary(course, entries),
        "leaders": site_pages.leaders(course, entries, show_answers=audience == "leader"),
    }
    documents = site_pages.documents(course, entries, anchors)
    if documents is not None:  # course data with documents.csv
        generated["documents"] = documents
    generated["bibliography"] = site_pages.bibliography(course, documents_page=documents is not None)
    toc = site_pages.toc(entries, generated)
    files: dict[str, str | bytes] = {f"{name}.md": text for name, text in generated.items()}
    files["index.md"] = site_pages.home(course, entries, version=__version__, toc=toc, title=COURSE_TITLE)
    for lesson_id, path in exercises.items():
        files[f"{site_pages.EXERCISES_DIR}/{lesson_id}.ipynb"] = clean_notebook(path.read_text(encoding="utf-8"), str(path))

    lessons_conf = {}
    on_site = [ls.id for ls in p.lessons]  # a link to a lesson left out of a draft site keeps its text only
    for lesson in p.lessons:
        job = jobs[lesson.id]
        links = launch_links(lesson.id, repository=config.repository, branch=config.branch,
                             binderhub=config.binderhub, jupyterhub=config.jupyterhub)
        download = f"{DOWNLOADS}/{lesson.id}.ipynb"
        read = [(d.title, f"../documents.md#{site_pages.DOCUMENT_LABEL.format(d.id)}")
                for d in course.documents_for(lesson.id)] if documents is not None else []
        nb = site_notebook(executed[lesson.id], lesson.row, audience=audience, lesson_ids=on_site, links=links,
                           download=f"../{download}", glossary=dict(job.glossary), documents=read)
        files[f"{site_pages.LESSONS_DIR}/{lesson.id}.ipynb"] = nbfiles.writes(nb)
        files[download] = clean_notebook(Path(lesson.notebook).read_text(encoding="utf-8"), str(lesson.notebook))
        lessons_conf[f"{site_pages.LESSONS_DIR}/{lesson.id}"] = {"download": download, "binder": links.binder,
                                                                 "hub": links.hub}

    year = _dt.date.today().year
    files["conf.py"] = site_pages.render(
        "conf.py.j2", title=COURSE_TITLE, copyright=f"{year}, the turn-east contributors", version=__version__,
        repository=config.repository, branch=config.branch or "main", lessons=lessons_conf,
        footer=_footer(__version__, course.version), site_code=fingerprint.folder_digest(Path(__file__).parent),
        announcement=LEADER_BANNER if audience == "leader" else "")
    files["_static/turn-east.css"] = (site_pages.TEMPLATES_DIR.parent / "static" / "turn-east.css").read_text(encoding="utf-8")
    files[f"_static/{GEO_JS}"] = handout_assets.geo_assets_js()
    import plotly

    files[f"_static/{PLOTLY_JS}"] = (Path(plotly.__file__).parent / "package_data" / PLOTLY_JS).read_bytes()
    # light mode only: the lessons' charts and quizzes are drawn for a light page
    for name in THEME_OVERRIDES:
        files[f"_templates/{name}"] = (site_pages.TEMPLATES_DIR / "theme" / name).read_text(encoding="utf-8")
    return files


def output_ids(nb: dict) -> set[str]:
    """The ids of the elements an executed notebook's HTML outputs hold (its glossary entries, documents)."""
    return {i for cell in nb.get("cells", []) for out in cell.get("outputs", [])
            for i in html_ids(nbfiles.source({"source": out.get("data", {}).get("text/html", "")}))}


def _exercises(lesson_ids) -> dict[str, Path]:
    """{lesson id: its practice notebook} for each lesson that has one (``exercises/<lesson>.ipynb``)."""
    folder = paths.repo_folder("exercises")
    return {i: folder / f"{i}.ipynb" for i in lesson_ids if (folder / f"{i}.ipynb").is_file()}


# ------------------------------------------------------------------------------ 3. Sphinx
def run_sphinx(src: Path, html: Path, doctrees: Path, *, jobs: int = 1) -> list[str]:
    """Build ``src`` into ``html`` (incrementally); returns Sphinx's warnings (empty when clean)."""
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    nocolor()
    status, warnings = io.StringIO(), io.StringIO()
    with patch_docutils(src), docutils_namespace():
        app = Sphinx(str(src), str(src), str(html), str(doctrees), "html", status=status, warning=warnings,
                     freshenv=False, parallel=jobs)
        app.build()
    return [line for line in warnings.getvalue().splitlines() if line.strip()]


# ------------------------------------------------------------------------------ 4. checks, publishing
def offline_problems(html: Path) -> list[str]:
    """Pages that would load something from another host (script, stylesheet, image, frame)."""
    problems = []
    for page in sorted(html.rglob("*.html")):
        refs = external_references(page.read_text(encoding="utf-8"),
                                   tags=("script", "link", "script (inline)", "img", "iframe", "source", "embed"))
        problems += [f"{page.relative_to(html)}: {t} {u}" for t, u in refs]
    return problems


_MISSING_TERM = re.compile(r"src/lessons/(?P<lesson>[^/:]+)\.ipynb:\d+: WARNING: 'myst' cross-reference target not "
                           r"found: 'glossary-(?P<term>[^']+)'")


def warning_hints(warnings: list[str]) -> str:
    """What to do about the warnings a lesson's author can cause (a marked term its glossary cell lacks)."""
    missing: dict[str, list[str]] = {}
    for line in warnings:
        m = _MISSING_TERM.search(line)
        if m:
            missing.setdefault(m.group("lesson"), []).append(m.group("term"))
    return "".join(f"\nnotebooks/{lesson}.ipynb marks term(s) {', '.join(sorted(set(terms)))} "
                   f"([term](#glossary-<id>)) that its ctx.glossary(...) cell does not list: add them there"
                   for lesson, terms in missing.items())


def publish(html: Path, dest: Path) -> None:
    """Replace ``dest`` with a copy of ``html`` in one rename (the old site is removed after)."""
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.new")
    old = dest.with_name(f".{dest.name}.old")
    for leftover in (tmp, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(html, tmp, ignore=shutil.ignore_patterns(*NOT_PUBLISHED))
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)


def build_site(args, *, config: SiteConfig, progress=None, log=print) -> SiteResult:
    """Build the site as ``args`` say (``audience``, ``lessons``, ``out``, ``jobs``, ``wait``); see the module."""
    audience = args.audience
    if audience not in AUDIENCES:
        raise UsageError(f"--audience {audience!r}: choose one of {', '.join(AUDIENCES)}")
    out = Path(args.out).resolve()
    result = SiteResult(site_folder(out, audience), placeholders=config.placeholders())
    t0 = time.perf_counter()
    p = site_plan(make_plan(_handouts_args(args, audience)))
    result.timings["plan"] = time.perf_counter() - t0

    t = time.perf_counter()
    result.reused, result.executed = ensure_executions(p, progress=progress, lock_wait=getattr(args, "wait", 0.0))
    result.timings["execute"] = time.perf_counter() - t

    work = work_folder(out, audience)
    with folder_lock(work, wait=getattr(args, "wait", 0.0), what="another `turn-east site`"):
        t = time.perf_counter()
        src = work / "src"
        _sync(src, site_sources(p, audience, config))
        result.timings["sources"] = time.perf_counter() - t

        t = time.perf_counter()
        html = work / "html"
        warnings = run_sphinx(src, html, work / "doctrees", jobs=1)
        result.timings["sphinx"] = time.perf_counter() - t
        if warnings:
            raise SiteError(f"Sphinx reported {len(warnings)} problem(s); the site was not updated:\n"
                            + "\n".join(warnings) + warning_hints(warnings))
        problems = offline_problems(html)
        if problems:
            raise SiteError("pages would load from another host; the site was not updated:\n" + "\n".join(problems))

        t = time.perf_counter()
        publish(html, result.site)
        result.timings["publish"] = time.perf_counter() - t
    result.pages = sum(1 for _ in result.site.rglob("*.html"))
    return result
