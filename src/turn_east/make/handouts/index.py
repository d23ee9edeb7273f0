"""``handouts/index.html``: the course map of the handouts (``templates/course-index.html.j2``), linking
every copy that exists on disk, with the date, the course's version and the data version."""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
from pathlib import Path

import jinja2

from turn_east import __version__
from turn_east.make.files import write_atomic
from turn_east.make.handouts.plan import COURSE_TITLE, Lesson
from turn_east.make.handouts.postprocess import TEMPLATES_DIR
from turn_east.make.handouts.reference import PAGES

COPIES = (("student", "Student"), ("leader", "Leader"))


def _minutes(row: dict) -> str:
    with contextlib.suppress(ValueError, TypeError):
        return str(sum(int(row.get(k) or 0) for k in ("reading_min", "exercise_min", "discussion_min")) or "")
    return ""


def write_index(out: Path, lessons: list[Lesson], version: str) -> Path:
    """Write ``out/handouts/index.html`` and return its path."""
    handouts = out / "handouts"
    rows = []
    for lesson in lessons:
        links = []
        for aud, label in COPIES:
            f = handouts / aud / f"{lesson.id}.html"
            if f.exists():
                links.append({"href": f"{aud}/{lesson.id}.html", "label": label})
                if f.with_suffix(".pdf").exists():
                    links.append({"href": f"{aud}/{lesson.id}.pdf", "label": f"{label} PDF"})
        rows.append({"id": lesson.id, "title": lesson.title, "summary": lesson.row.get("summary", ""),
                     "kind": lesson.row.get("kind", ""), "minutes": _minutes(lesson.row), "links": links})
    cohort = []
    cohort_dir = handouts / "cohort"
    if cohort_dir.is_dir():
        for d in sorted(p for p in cohort_dir.iterdir() if p.is_dir()):
            done = [ls.id for ls in lessons if (d / f"{ls.id}.html").exists()]
            if done:
                cohort.append({"name": d.name, "lessons": done})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["esc"] = lambda text: html.escape(str(text), quote=True)
    page = env.get_template("course-index.html.j2").render(
        course_title=COURSE_TITLE, today=_dt.date.today().isoformat(), version=version or "unknown",
        course_version=__version__,
        rows=rows, cohort=cohort,
        pages=[{"href": name, "label": label} for name, label in PAGES if (handouts / name).exists()])
    index = handouts / "index.html"
    write_atomic(index, page)
    return index
