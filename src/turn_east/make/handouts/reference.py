"""The handouts' reference pages, linked from ``handouts/index.html``: ``glossary.html`` (every term of
``glossary.csv``, each with an anchor, its definition and its source) and ``bibliography.html`` (the article,
as much as is known of it; the primary documents the lessons quote, with the lessons that show them; the
other sources by section), from ``templates/reference.html.j2``. The entries are
:mod:`turn_east.make.reference`'s, the same the website's glossary and bibliography pages show."""

from __future__ import annotations

from pathlib import Path

import jinja2

from turn_east.data import Course
from turn_east.make import reference
from turn_east.make.files import write_atomic
from turn_east.make.handouts.plan import COURSE_TITLE
from turn_east.make.handouts.postprocess import TEMPLATES_DIR

PAGES = (("glossary.html", "Glossary"), ("bibliography.html", "Bibliography"))


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def write_reference_pages(out: Path, course: Course) -> list[Path]:
    """Write ``out/handouts/glossary.html`` and ``bibliography.html``; returns their paths."""
    handouts = Path(out) / "handouts"
    handouts.mkdir(parents=True, exist_ok=True)
    template = _env().get_template("reference.html.j2")
    common = {"course_title": COURSE_TITLE, "version": course.version or "unknown"}
    titles = course.lesson_titles
    pages = {
        "glossary.html": template.render(kind="glossary", title="Glossary",
                                         terms=reference.glossary_terms(course), **common),
        "bibliography.html": template.render(kind="bibliography", title="Bibliography",
                                             bibliography=reference.bibliography(course),
                                             documents=reference.documents(course), lesson_titles=titles, **common),
    }
    written = []
    for name, _ in PAGES:
        write_atomic(handouts / name, pages[name])
        written.append(handouts / name)
    return written
