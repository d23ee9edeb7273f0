"""The website's pages that are not lessons, generated from the course data (MyST Markdown from the Jinja
templates in ``templates/``): the home page, the course map, the syllabus, the primary documents, the
glossary, the bibliography and the leader's overview. The glossary, bibliography and documents are the
entries of :mod:`turn_east.make.reference`, which the handouts' reference pages show too. Nothing here lists
the lessons by hand: they come from ``lessons.csv``.

Each page function takes the :class:`turn_east.data.Course` and returns the page's text; :func:`toc` gives
the table of contents (Sphinx ``toctree`` s on the home page) that makes the site's navigation and its
previous/next order.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from turn_east import nbfiles, reading
from turn_east.data import Course
from turn_east.make import guide, reference
from turn_east.session import BLOCK_NAMES, SESSION_MIN

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LESSONS_DIR = "lessons"
EXERCISES_DIR = "_exercises"   # the practice notebooks, offered for download on the syllabus page
SOURCE_LABEL = "source-{}"
DOCUMENT_LABEL = "document-{}"
# CommonMark's backslash escapes: a character from the data never starts markup.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def md(text) -> str:
    """Text from the data, safe in MyST Markdown (prose and table cells): markup characters escaped,
    line breaks folded."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["md"] = md
    return env


def render(template: str, **context) -> str:
    return _env().get_template(template).render(**context)


@dataclass(frozen=True)
class LessonEntry:
    id: str
    title: str
    kind: str
    covers: str           # the stage or motive it follows, as a title ("" for the map and synthesis)
    minutes: tuple        # (reading, exercises, discussion)
    summary: str

    @property
    def doc(self) -> str:
        return f"{LESSONS_DIR}/{self.id}"

    @property
    def total(self) -> int:
        return sum(self.minutes)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def lesson_entries(course: Course, ids=None) -> list[LessonEntry]:
    """The lessons in ``lessons.csv`` order (only ``ids`` when given), with what the pages show of them."""
    table = course.lessons.sort_values("order", kind="stable").astype(object)
    rows = table.where(table.notna(), "").to_dict("records")
    out = []
    for r in rows:
        if ids is not None and r["id"] not in ids:
            continue
        covers = course.stage_titles.get(r.get("stage") or "", "") or course.motive_titles.get(r.get("motive") or "", "")
        out.append(LessonEntry(r["id"], str(r["title"]), str(r.get("kind") or ""), covers,
                               tuple(_int(r.get(k)) for k in ("reading_min", "exercise_min", "discussion_min")),
                               str(r.get("summary") or "")))
    return out


def _records(df) -> list[dict]:
    df = df.astype(object)
    return df.where(df.notna(), "").to_dict("records")


def _number_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if 0 <= n < len(words) else str(n)


def _by_article(course: Course) -> tuple[list[str], list[str]]:
    """Period titles in course order: the article's own, and the course's extension beyond it (stages.csv
    ``defined_by``; every period is the article's when the column is absent)."""
    rows = _records(course.stages.sort_values("order"))
    ours = [r["title"] for r in rows if str(r.get("defined_by") or "article") == "course"]
    return [r["title"] for r in rows if r["title"] not in ours], ours


def home(course: Course, lessons: list[LessonEntry], *, version: str, toc: list[dict], title: str) -> str:
    stages, extension = _by_article(course)
    return render("index.md.j2", title=title, lessons=lessons, stages=stages, extension=extension,
                  documents=bool(reference.documents(course)),
                  actors=_number_word(len(course.relation_actor_ids)),
                  motives=list(course.motive_titles.values()), version=version,
                  data_version=course.version or "unknown", toc=toc, first=lessons[0] if lessons else None)


def course_map(course: Course, lessons: list[LessonEntry]) -> str:
    stages = _records(course.stages.sort_values("order"))
    for s in stages:
        s["span"] = f"{_date(s['start_date'])} to {_date(s['end_date'])}"
        s["ours"] = str(s.get("defined_by") or "article") == "course"
    motives = _records(course.motives.sort_values("order"))
    return render("course-map.md.j2", lessons=lessons, stages=stages, motives=motives)


def _date(value) -> str:
    try:
        return f"{value.day} {value:%B %Y}"
    except (AttributeError, ValueError):
        return str(value or "")


def short_citation(citation: str, words: int = 12) -> str:
    """A citation cut to its first sentence, at most ``words`` words (the link text of a "Source:" line)."""
    text = re.sub(r"\s+", " ", str(citation)).strip()
    first = re.split(r"(?<=[a-z0-9)\"'])\.\s", text, maxsplit=1)[0].rstrip(".")
    cut = first.split(" ")
    return " ".join(cut[:words]) + (" ..." if len(cut) > words else "")


def _cited(source_id: str, citation: str) -> str:
    """A ``{ref}`` role to a source's bibliography entry, its text the citation's first words (a role's text
    is not Markdown: no escapes, only the characters that would end it removed)."""
    return f"{{ref}}`{re.sub(r'[`<>]', '', short_citation(citation or source_id))} <{SOURCE_LABEL.format(source_id)}>`"


def glossary(course: Course, lessons: list[LessonEntry] | None = None) -> str:
    """Every term (:func:`turn_east.make.reference.glossary_terms`) in Sphinx's glossary directive, each with
    the periods and motives where it matters (a motive linked to its lesson) and its source."""
    rows = {r["id"]: r for r in _records(course.lessons)}
    motive_docs = {rows[ls.id]["motive"]: ls.doc for ls in (lessons or []) if rows.get(ls.id, {}).get("motive")}
    terms = []
    for t in reference.glossary_terms(course):
        about = []
        if t.stages:
            about.append("*Periods:* " + ", ".join(md(s) for s in t.stages) + ".")
        if t.motives:  # by the course's short names (the triangle motive, ...), linked to their lessons
            about.append("*Motives:* " + ", ".join(f"[{md(m)}]({motive_docs[m]}.ipynb)" if m in motive_docs else md(m)
                                                   for m in t.motives) + ".")
        if t.source_id:
            about.append(f"*Source:* {_cited(t.source_id, t.citation)}.")
        terms.append({"term": t.term, "definition": t.definition, "about": " ".join(about)})
    return render("glossary.md.j2", terms=terms)


def bibliography(course: Course, *, documents_page: bool = False) -> str:
    """Every source (:func:`turn_east.make.reference.bibliography`), the article first, each with a label
    the other pages' ``{ref}`` roles link to."""
    return render("bibliography.md.j2", bibliography=reference.bibliography(course), label=SOURCE_LABEL,
                  documents=len(reference.documents(course)) if documents_page else 0)


def documents(course: Course, lessons: list[LessonEntry], anchors=None) -> str | None:
    """The primary documents page (:func:`turn_east.make.reference.documents`, in date order), or None for
    course data without documents. ``anchors``: {lesson id: the ids its page holds}; a lesson that shows a
    document under ``doc-<id>`` (``ctx.document``) is linked at that point of its page."""
    docs = reference.documents(course)
    if not docs:
        return None
    pages_of = {ls.id: ls for ls in lessons}
    anchors = anchors or {}
    items = []
    for d in docs:
        read_in = []
        for lesson_id in d.lessons:
            if lesson_id in pages_of:
                ls = pages_of[lesson_id]
                at = f"#doc-{d.id}" if f"doc-{d.id}" in anchors.get(lesson_id, ()) else ""
                read_in.append({"title": ls.title, "target": f"{ls.doc}.ipynb{at}"})
        items.append({
            "id": d.id, "title": d.title, "issuer": d.issuer, "when": d.when, "excerpts": d.excerpt.split(" ... "),
            "kind_text": f"{md(str(d.kind).capitalize())}. {md(reference.text_status(d))}",
            "text_note": reference.text_note(d), "source": _cited(d.source_id, d.citation),
            "purpose": d.purpose, "asks": [a for a in d.asks if reference.text_of(a)], "lessons": read_in,
        })
    return render("documents.md.j2", documents=items, label=DOCUMENT_LABEL)


_LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)")
_ITEM = re.compile(r"^\s{0,3}\d+[.)]\s+")


def unlinked(text: str) -> str:
    """Markdown with every link reduced to its text (a lesson's glossary links point into the lesson)."""
    return _LINK.sub(r"\1", text)


def section_items(nb: dict, heading: str) -> list[str]:
    """The numbered items under a notebook's ``## heading`` (up to the next heading), each on one line, as
    the lesson writes them (Markdown, links reduced to their text)."""
    items, inside = [], False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown" or "leader" in nbfiles.tags(cell):
            continue
        for line in nbfiles.source(cell).splitlines():
            if line.startswith("#"):
                if inside:
                    return [unlinked(i) for i in items]
                inside = line.lstrip("#").strip().casefold() == heading.casefold()
            elif inside and _ITEM.match(line):
                items.append(_ITEM.sub("", line).strip())
            elif inside and items and line.startswith((" ", "\t")) and line.strip():
                items[-1] += " " + line.strip()
    return [unlinked(i) for i in items]


def practice_of(nb: dict) -> dict:
    """A practice notebook's title (without "Practice:") and its tasks' headings."""
    heads = [line.lstrip("#").strip() for cell in nb.get("cells", []) if cell.get("cell_type") == "markdown"
             for line in nbfiles.source(cell).splitlines() if line.startswith("#")]
    title = next((h for h in heads if h), "")
    return {"title": re.sub(r"^Practice:\s*", "", title),
            "tasks": [unlinked(h) for h in heads if re.match(r"Task \d+\b", h)]}


def syllabus(course: Course, lessons: list[LessonEntry], *, notebooks: dict, exercises: dict) -> str:
    """A week per lesson, in course order: its times, its learning objectives (from the lesson notebook),
    its primary documents, its further reading (``readings.csv``, as the lesson lists it) and its practice
    notebook (``exercises/``, offered for download). ``notebooks`` and ``exercises``: {lesson id: path}."""
    weeks = []
    for ls in lessons:
        nb = nbfiles.read(notebooks[ls.id]) if ls.id in notebooks else {}
        practice = None
        if ls.id in exercises:
            practice = {**practice_of(nbfiles.read(exercises[ls.id])), "download": f"{EXERCISES_DIR}/{ls.id}.ipynb"}
        readings = reading.further_reading(course, ls.id) if ls.id in course.lesson_titles else []
        weeks.append({"lesson": ls, "objectives": section_items(nb, "Learning objectives"),
                      "documents": course.documents_for(ls.id) if reference.documents(course) else [],
                      "readings": [{"source": _cited(r.source_id, r.citation), "note": r.note} for r in readings],
                      "practice": practice})
    return render("syllabus.md.j2", weeks=weeks, session=SESSION_MIN, total=sum(ls.total for ls in lessons),
                  document_label=DOCUMENT_LABEL)


def leaders(course: Course, lessons: list[LessonEntry], *, show_answers: bool = False, notebooks_dir=None) -> str:
    """The leader's overview: how a session runs and each lesson's plan; without the live questions' answers
    unless ``show_answers`` (the leader build)."""
    plans = [guide.seminar_plan(course, ls.id, notebooks_dir) for ls in lessons]
    sections = []
    for plan in plans:
        text = plan.to_markdown(show_answers=show_answers, course=course)
        sections.append(re.sub(r"^(#+) ", r"\1# ", text, flags=re.M))  # one level down: under "Plans"
    rows = []
    for ls, plan in zip(lessons, plans):
        minutes = dict(plan.blocks)
        rows.append({"title": ls.title, "doc": ls.doc, "blocks": [minutes.get(name, 0) for name in BLOCK_NAMES]})
    return render("leaders.md.j2", show_answers=show_answers, session=SESSION_MIN, block_names=BLOCK_NAMES, rows=rows,
                  overview=guide.overview_markdown(plans), plans=sections)


#: The site's navigation below the home page: captions and the generated pages under each ("lessons" stands
#: for every lesson, in lessons.csv order). This order is also the order of the previous/next links.
NAVIGATION = (("The course", ("course-map", "syllabus")), ("Lessons", ("lessons",)),
              ("Reference", ("documents", "glossary", "bibliography")), ("For seminar leaders", ("leaders",)))


def toc(lessons: list[LessonEntry], generated) -> list[dict]:
    """:data:`NAVIGATION` with the lessons filled in and only the pages that exist (``generated``)."""
    out = []
    for caption, names in NAVIGATION:
        docs = [d for name in names for d in ([ls.doc for ls in lessons] if name == "lessons" else [name])
                if name == "lessons" or name in generated]
        if docs:
            out.append({"caption": caption, "docs": docs})
    return out
