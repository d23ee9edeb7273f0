"""The handouts' reference pages, linked from ``handouts/index.html``: ``glossary.html`` (every term of
``glossary.csv``, each with an anchor, its definition and its source) and ``bibliography.html`` (the article,
as much as is known of it; the scholarly works; the primary documents the lessons quote, with the lessons
that show them; the other sources), from ``templates/reference.html.j2``."""

from __future__ import annotations

import html
from pathlib import Path

import jinja2

from turn_east.data import Course
from turn_east.make.files import write_atomic
from turn_east.make.handouts.plan import COURSE_TITLE
from turn_east.make.handouts.postprocess import TEMPLATES_DIR

PAGES = (("glossary.html", "Glossary"), ("bibliography.html", "Bibliography"))
SECTIONS = (
    ("scholarship", "Scholarly works", ("book", "journal", "report")),
    ("official", "Official documents and statements", ("official",)),
    ("news", "News reports", ("news",)),
    ("reference", "Reference works", ("reference",)),
)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["esc"] = lambda text: html.escape(str(text), quote=True)
    return env


def glossary_rows(course: Course) -> list[dict]:
    rows = []
    for r in course.glossary.itertuples(index=False):
        sid = _text(r.source_id)
        rows.append({"id": str(r.id), "term": str(r.term), "definition": str(r.definition),
                     "source": course.citations.get(sid, "") if sid and sid != "article" else "",
                     "article": sid == "article"})
    return sorted(rows, key=lambda e: e["term"].strip('"').casefold())


def bibliography(course: Course) -> dict:
    src = course.sources.astype(object).where(course.sources.notna(), None)
    by_kind: dict[str, list[dict]] = {}
    for r in src.itertuples(index=False):
        if r.id == "article":
            continue
        by_kind.setdefault(str(r.kind), []).append({"id": str(r.id), "citation": str(r.citation),
                                                     "url": _text(r.url), "year": _text(r.year)})
    sections = []
    for key, title, kinds in SECTIONS:
        items = sorted((i for k in kinds for i in by_kind.get(k, [])), key=lambda i: i["citation"].casefold())
        if items:
            sections.append({"id": key, "title": title, "items": items})
    titles = course.lesson_titles
    documents = [{"id": d.id, "title": d.title, "issuer": d.issuer, "when": d.when, "text_note": d.text_note,
                  "source": d.citation, "url": d.url or "",
                  "lessons": [titles.get(l, l) for l in d.lessons]}
                 for d in sorted(course.documents_by_id.values(), key=lambda d: (d.date, d.id))]
    article = course.citations.get("article", "")
    return {"article": article, "sections": sections, "documents": documents,
            "count": sum(len(s["items"]) for s in sections)}


def write_reference_pages(out: Path, course: Course) -> list[Path]:
    """Write ``out/handouts/glossary.html`` and ``bibliography.html``; returns their paths."""
    handouts = Path(out) / "handouts"
    handouts.mkdir(parents=True, exist_ok=True)
    env = _env()
    common = {"course_title": COURSE_TITLE, "version": course.version or "unknown"}
    written = []
    page = env.get_template("reference.html.j2").render(kind="glossary", title="Glossary",
                                                         entries=glossary_rows(course), **common)
    write_atomic(handouts / "glossary.html", page)
    written.append(handouts / "glossary.html")
    page = env.get_template("reference.html.j2").render(kind="bibliography", title="Bibliography",
                                                         **bibliography(course), **common)
    write_atomic(handouts / "bibliography.html", page)
    written.append(handouts / "bibliography.html")
    return written
