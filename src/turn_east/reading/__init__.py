"""What a lesson gives students to read besides its own prose: primary documents with their reading
tasks, further reading, and the glossary entries of the terms it marks. Pure builders: a Course in,
HTML and plain text out (from the Jinja template ``templates/reading.html.j2``); the lesson context
(:mod:`turn_east.notebook`) displays them, in JupyterLab and in handouts alike.

    document_html(course, "1961-ussr-dprk-treaty-art1")         # one excerpt, its source and task
    compare_html(course, ["1961-...", "2024-..."], caption, asks)  # excerpts side by side, one task
    further_reading_html(course, lesson_id)                      # data/readings.csv, in order
    glossary_html(course, ["apec", "goldstein-scale"])           # definitions, each with an anchor

Glossary anchors are ``glossary-<term id>``: a lesson marks a term on first use with the Markdown link
``[APEC](#glossary-apec)``, and its glossary cell (``ctx.glossary(...)``) gives the target, so the
definition is never copied into the prose.

Unknown ids raise :class:`ReadingError`, naming the id and the nearest known ones.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from turn_east.data import Course, Document
from turn_east.errors import TurnEastError

TEMPLATES = Path(__file__).resolve().parent / "templates"
GLOSSARY_ANCHOR = "glossary-{}"


class ReadingError(TurnEastError):
    """A lesson asked for a document, reading list or glossary term that the course data do not have."""


@dataclass(frozen=True)
class Reading:
    """One further-reading item: a source of sources.csv and the line that says what a student gets."""

    source_id: str
    citation: str
    url: str | None
    note: str


@dataclass(frozen=True)
class Entry:
    """One glossary entry as a lesson shows it."""

    id: str
    term: str
    definition: str
    anchor: str


@lru_cache(maxsize=1)
def _macros():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("reading.html.j2").module


@lru_cache(maxsize=1)
def css() -> str:
    """The style block the reading outputs need (sent once per lesson)."""
    return "<style>" + (TEMPLATES / "reading.css").read_text(encoding="utf-8").strip() + "</style>"


def _unknown(kind: str, value, known) -> ReadingError:
    known = list(known)
    close = difflib.get_close_matches(str(value), known, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else (
        f"; known {kind}s: {', '.join(known[:12])}{', ...' if len(known) > 12 else ''}")
    return ReadingError(f"{value!r} is not a {kind} id in the course data{hint}")


# ---------------------------------------------------------------- documents
def document(course: Course, doc_id: str) -> Document:
    try:
        return course.documents_by_id[doc_id]
    except KeyError:
        raise _unknown("document", doc_id, course.documents_by_id) from None


def document_html(course: Course, doc_id: str, anchor: str | None = None) -> str:
    doc = document(course, doc_id)
    return str(_macros().document(doc, anchor or f"doc-{doc.id}"))


def document_text(course: Course, doc_id: str) -> str:
    doc = document(course, doc_id)
    asks = "\n".join(f"  {i}. {a}" for i, a in enumerate(doc.asks, start=1))
    return (f"Primary document: {doc.title}. {doc.issuer}, {doc.when}.\n\n"
            f"    \"{doc.excerpt}\"\n\nSource: {doc.citation} About this text: {doc.text_note}\n"
            f"Reading task:\n{asks}")


def compare_html(course: Course, doc_ids, caption: str, asks, anchor: str = "doc-compare") -> str:
    docs = _compared(course, doc_ids, caption, asks)
    return str(_macros().compare(docs, caption, list(asks), anchor))


def compare_text(course: Course, doc_ids, caption: str, asks) -> str:
    docs = _compared(course, doc_ids, caption, asks)
    parts = [f"Primary documents side by side: {caption}"]
    for doc in docs:
        parts.append(f"- {doc.title} ({doc.issuer}, {doc.when}):\n    \"{doc.excerpt}\"\n  Source: {doc.citation}")
    parts.append("Comparing the texts:\n" + "\n".join(f"  {i}. {a}" for i, a in enumerate(asks, start=1)))
    return "\n".join(parts)


def _compared(course, doc_ids, caption, asks) -> list[Document]:
    doc_ids = list(doc_ids)
    if len(doc_ids) < 2:
        raise ReadingError(f"compare_documents needs two or more document ids, got {doc_ids!r}")
    if len(set(doc_ids)) != len(doc_ids):
        raise ReadingError(f"compare_documents got the same document twice: {doc_ids!r}")
    if not str(caption).strip():
        raise ReadingError("compare_documents needs a caption saying what the texts are set side by side for")
    asks = list(asks)
    if not asks or not all(isinstance(a, str) and a.strip().endswith("?") for a in asks):
        raise ReadingError("compare_documents needs asks: one or more questions, each ending in '?'")
    return [document(course, d) for d in doc_ids]


# ---------------------------------------------------------------- further reading
def further_reading(course: Course, lesson_id: str) -> list[Reading]:
    if lesson_id not in course.lesson_titles:
        raise _unknown("lesson", lesson_id, course.lesson_titles)
    rows = course.readings[course.readings["lesson"] == lesson_id].sort_values("order")
    urls = {str(i): u for i, u in zip(course.sources["id"], course.sources["url"])}
    out = []
    for r in rows.itertuples(index=False):
        url = urls.get(str(r.source_id))
        out.append(Reading(str(r.source_id), course.citations[str(r.source_id)],
                           url if isinstance(url, str) and url.strip() else None, str(r.note)))
    return out


def further_reading_html(course: Course, lesson_id: str) -> str:
    items = further_reading(course, lesson_id)
    if not items:
        raise ReadingError(f"readings.csv lists no further reading for lesson {lesson_id!r}; add 3-5 rows")
    return str(_macros().further_reading(items))


def further_reading_text(course: Course, lesson_id: str) -> str:
    return "\n".join(f"{i}. {r.citation}\n   {r.note}"
                     for i, r in enumerate(further_reading(course, lesson_id), start=1))


# ---------------------------------------------------------------- glossary
def glossary_entries(course: Course, term_ids) -> list[Entry]:
    term_ids = list(term_ids)
    if not term_ids:
        raise ReadingError("glossary needs the ids of the terms this lesson marks, e.g. ctx.glossary('apec')")
    rows = {str(i): (str(t), str(d)) for i, t, d in zip(course.glossary["id"], course.glossary["term"],
                                                         course.glossary["definition"])}
    out, seen = [], set()
    for tid in term_ids:
        if tid not in rows:
            raise _unknown("glossary term", tid, rows)
        if tid in seen:
            raise ReadingError(f"glossary term {tid!r} is listed twice")
        seen.add(tid)
        term, definition = rows[tid]
        out.append(Entry(tid, term, definition, GLOSSARY_ANCHOR.format(tid)))
    return out


def glossary_html(course: Course, term_ids) -> str:
    return str(_macros().glossary(glossary_entries(course, term_ids)))


def glossary_text(course: Course, term_ids) -> str:
    return "\n".join(f"{e.term}: {e.definition}" for e in glossary_entries(course, term_ids))
