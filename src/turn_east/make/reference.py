"""The course's reference lists from the data, for every page that shows one: the glossary, the bibliography
and the primary documents. One reading of the tables, whatever the page is made of: the handouts' HTML
pages (:mod:`turn_east.make.handouts.reference`: ``glossary.html``, ``bibliography.html``) and the
website's MyST pages (:mod:`turn_east.make.site.pages`: glossary, bibliography, primary documents,
syllabus) render the same entries, in the same order, under the same section titles.

    glossary_terms(course)   every term of glossary.csv, sorted as a reader looks one up
    bibliography(course)     the article, then sources.csv in sections (scholarship, official, news, ...)
    documents(course)        documents.csv (Course.documents_by_id) in date order; text_status(doc)

Pure functions: a Course in, frozen dataclasses out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from turn_east.data import Course, Document

ARTICLE = "article"   # the source id of the article the course is built on
#: Bibliography sections after the article, in this order, by the ``kind`` of sources.csv. A kind not
#: listed gets a section of its own after these, so no source is ever left out.
SECTIONS = (
    ("scholarship", "Scholarly works", ("book", "journal", "report")),
    ("official", "Official documents and statements", ("official",)),
    ("news", "News reports", ("news",)),
    ("reference", "Reference works", ("reference",)),
)
#: How documents.csv's ``text`` field reads on a page.
TEXT_STATUS = {
    "official": "The issuer's own text.",
    "reprint": "A reprint of the text.",
    "translation": "A translation of the text.",
    "summary": "A summary, not the document's own wording.",
}


def text_of(value) -> str:
    """A field as text: "" for a missing value (None, NaN, pandas' NA) and for the words pandas gives one."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) or str(value).strip() in ("", "None", "nan"):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _ids(value) -> tuple[str, ...]:
    """A list field (already split by turn_east.data) as a tuple of ids."""
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if text_of(v))
    return tuple(v for v in re.split(r"[;\s]+", text_of(value)) if v)


# ---------------------------------------------------------------- glossary
@dataclass(frozen=True)
class Term:
    """One entry of glossary.csv, with what its source is."""

    id: str
    term: str
    definition: str
    source_id: str          # "" when the entry names no source
    citation: str           # that source's citation ("" when none)
    url: str                # that source's address ("" when none)
    stages: tuple           # the periods where the term matters, as titles
    motives: tuple          # the motives where it matters, as ids (the course's short names)

    @property
    def from_article(self) -> bool:
        return self.source_id == ARTICLE


def term_key(term: str) -> str:
    """How a reader looks a term up: by its words, so '"no limits" partnership' files under N."""
    return re.sub(r"[^\w ]", "", term).casefold()


def glossary_terms(course: Course) -> list[Term]:
    sources = {s.id: s for s in _sources(course)}
    out = []
    for r in course.glossary.astype(object).to_dict("records"):
        sid = text_of(r.get("source_id"))
        source = sources.get(sid)
        out.append(Term(id=str(r["id"]), term=text_of(r["term"]), definition=text_of(r["definition"]), source_id=sid,
                        citation=source.citation if source else "", url=source.url if source else "",
                        stages=tuple(course.stage_titles.get(s, s) for s in _ids(r.get("stages"))),
                        motives=_ids(r.get("motives"))))
    return sorted(out, key=lambda t: (term_key(t.term), t.id))


# ---------------------------------------------------------------- bibliography
@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    citation: str
    url: str
    year: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    sources: tuple


def _sources(course: Course) -> list[Source]:
    return [Source(id=str(r["id"]), kind=text_of(r.get("kind")), citation=text_of(r["citation"]), url=text_of(r.get("url")),
                   year=text_of(r.get("year")).removesuffix(".0"))
            for r in course.sources.astype(object).to_dict("records")]


@dataclass(frozen=True)
class Bibliography:
    article: Source | None
    sections: tuple

    @property
    def count(self) -> int:
        """Every source listed, the article included."""
        return (self.article is not None) + sum(len(s.sources) for s in self.sections)


def bibliography(course: Course) -> Bibliography:
    """The article, then every other source in :data:`SECTIONS` (each sorted by citation)."""
    sources = _sources(course)
    article = next((s for s in sources if s.id == ARTICLE), None)
    rest = [s for s in sources if s.id != ARTICLE]
    listed = {kind for _, _, kinds in SECTIONS for kind in kinds}
    groups = list(SECTIONS) + [(kind, kind.capitalize() or "Other sources", (kind,))
                               for kind in sorted({s.kind for s in rest} - listed)]
    sections = []
    for key, title, kinds in groups:
        items = sorted((s for s in rest if s.kind in kinds), key=lambda s: (s.citation.casefold(), s.id))
        if items:
            sections.append(Section(key, title, tuple(items)))
    return Bibliography(article, tuple(sections))


# ---------------------------------------------------------------- primary documents
def documents(course: Course) -> list[Document]:
    """Every primary document (documents.csv), in date order; [] for course data without any."""
    return sorted(getattr(course, "documents_by_id", {}).values(), key=lambda d: (d.date, d.id))


def text_status(doc: Document) -> str:
    """What the excerpt's text is ("A translation of the text."), from documents.csv's ``text``."""
    return TEXT_STATUS.get(doc.text, f"{text_of(doc.text).capitalize()}." if text_of(doc.text) else "")


def text_note(doc: Document) -> str:
    return text_of(doc.text_note)
