"""How a quiz names things for a learner: events by title (never by date, which could give an order
away), stages by title, sources by citation."""

from __future__ import annotations

from turn_east.data import Course

ARTICLE = "the article, \u201cNorth Korea\u2019s Importance for Putin\u2019s \u2018Turn to the East\u2019\u201d (2024)"
CITATION_CHARS = 160


def event_label(course: Course, event_id: str) -> str:
    """An event's title, with no date; the id itself for an id the course does not know."""
    ev = course.events_by_id.get(event_id)
    return ev.title if ev else event_id


def event_when(course: Course, event_id: str) -> str:
    """An event's date, as precisely as it is known ('19 July 2000', 'April 2015', '2015')."""
    return course.events_by_id[event_id].when


def stage_label(course: Course, stage_id: str) -> str:
    return course.stage_titles.get(stage_id, stage_id)


def cite(course: Course, source_id: str) -> str:
    """A readable source for a student: the article's title, or the citation, shortened."""
    if source_id == "article":
        return ARTICLE
    text = course.citations.get(source_id, source_id)
    if len(text) > CITATION_CHARS:
        text = text[:CITATION_CHARS - 3].rsplit(" ", 1)[0] + "\u2026"
    return text


def reread(course: Course, q) -> dict:
    """Where a question sends a learner back to: the lesson's heading (its text and the link to it) and the
    article's section, by its one citation name ("\u00a7 Stage One"), or "" when the question cites none."""
    article = course.section_citations.get(q.article_section, "") if q.article_section else ""
    return {"section": q.section, "href": "#" + q.anchor if q.section else "", "article": article}
