"""The website's pages that are not lessons, generated from the course data (MyST Markdown from the Jinja
templates in ``templates/``): the home page, the course map, the glossary, the bibliography and the
leader's overview. Nothing here lists the lessons by hand: they come from ``lessons.csv``.

Each page function takes the :class:`turn_east.data.Course` and returns the page's text; :func:`pages`
returns them all by file name, with the table of contents (Sphinx ``toctree`` s on the home page) that
gives the site its navigation and its previous/next order.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from turn_east.data import Course
from turn_east.make import guide
from turn_east.session import BLOCK_NAMES, SESSION_MIN

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LESSONS_DIR = "lessons"
SOURCE_LABEL = "source-{}"
#: Bibliography sections, in this order, by the ``kind`` of sources.csv; a kind not listed comes last.
SOURCE_KINDS = {
    "article": "The article",
    "book": "Books",
    "journal": "Journal articles",
    "report": "Reports",
    "official": "Official documents and statements",
    "news": "News reports",
    "reference": "Reference works",
}
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


def glossary(course: Course, lessons: list[LessonEntry] | None = None) -> str:
    citations = dict(zip(course.sources["id"], course.sources["citation"]))
    rows = {r["id"]: r for r in _records(course.lessons)}
    motive_docs = {rows[ls.id]["motive"]: ls.doc for ls in (lessons or []) if rows.get(ls.id, {}).get("motive")}
    terms = []
    for r in _records(course.glossary):
        about = []
        if r.get("stages"):
            about.append("*Periods:* " + ", ".join(md(course.stage_titles.get(s, s)) for s in r["stages"]) + ".")
        if r.get("motives"):  # by the course's short names (the triangle motive, ...), linked to their lessons
            about.append("*Motives:* " + ", ".join(f"[{md(m)}]({motive_docs[m]}.ipynb)" if m in motive_docs else md(m)
                                                   for m in r["motives"]) + ".")
        if r.get("source_id"):
            # a role's text is not Markdown: no escapes, only the characters that would end it removed
            cited = re.sub(r"[`<>]", "", short_citation(citations.get(r["source_id"], r["source_id"])))
            about.append(f"*Source:* {{ref}}`{cited} <{SOURCE_LABEL.format(r['source_id'])}>`.")
        terms.append({"term": re.sub(r"\s+", " ", str(r["term"])).strip(), "definition": r["definition"],
                      "about": " ".join(about)})
    terms.sort(key=lambda t: re.sub(r"[^\w ]", "", t["term"]).casefold())  # "no limits" partnership under N
    return render("glossary.md.j2", terms=terms)


def bibliography(course: Course) -> str:
    sources = _records(course.sources)
    order = {kind: i for i, kind in enumerate(SOURCE_KINDS)}
    groups = []
    for kind in sorted({s["kind"] for s in sources}, key=lambda k: (order.get(k, len(order)), k)):
        items = sorted((s for s in sources if s["kind"] == kind), key=lambda s: str(s["citation"]).casefold())
        groups.append({"title": SOURCE_KINDS.get(kind, str(kind).capitalize()), "sources": items})
    return render("bibliography.md.j2", groups=groups, label=SOURCE_LABEL, count=len(sources))


DOCUMENT_LABEL = "document-{}"
#: How documents.csv's ``text`` field reads on the page.
TEXT_STATUS = {
    "official": "The issuer's own text.",
    "reprint": "A reprint of the text.",
    "translation": "A translation of the text.",
    "summary": "A summary, not the document's own wording.",
}


def documents(course: Course, lessons: list[LessonEntry]) -> str | None:
    """The primary documents page (``data/documents.csv`` through ``Course.documents_by_id``), or None for
    course data without documents."""
    try:
        by_id = course.documents_by_id
    except AttributeError:
        return None
    if not by_id:
        return None
    pages_of = {ls.id: ls for ls in lessons}
    items = []
    for d in sorted(by_id.values(), key=lambda d: (d.date, d.id)):
        cited = re.sub(r"[`<>]", "", short_citation(d.citation))
        items.append({
            "id": d.id, "title": d.title, "issuer": d.issuer, "when": d.when, "excerpt": d.excerpt,
            "kind_text": f"{str(d.kind).capitalize()}. {TEXT_STATUS.get(d.text, md(d.text))}",
            "text_note": d.text_note if d.text_note not in ("", "None", "nan") else "",
            "source": f"{{ref}}`{cited} <{SOURCE_LABEL.format(d.source_id)}>`.",
            "purpose": d.purpose, "asks": [a for a in d.asks if a and a not in ("None", "nan")],
            "lessons": [pages_of[i] for i in d.lessons if i in pages_of],
        })
    return render("documents.md.j2", documents=items, label=DOCUMENT_LABEL)


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
NAVIGATION = (("The course", ("course-map",)), ("Lessons", ("lessons",)),
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
