"""The real lessons as students get them: every student handout rendered once (the way `make handouts`
does), then read for what a student must and must not see. Maintainer markers, raw ids, file names
and unresolved glossary links must not reach a handout; documents, glossary entries with hover text,
and the glossary and bibliography pages must.

One render of the student copies (one per lesson in lessons.csv) serves every test here (about a minute on two cores)."""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT
from turn_east.make import handouts

pytestmark = pytest.mark.slow

LESSONS = [r["id"] for r in csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))]
SECTION_IDS = [r["id"] for r in csv.DictReader((ROOT / "data" / "article_sections.csv").open(encoding="utf-8"))]
# What is meant for maintainers, and must never show to a student.
MARKERS = ["NBVAL", "nbval", "papermill", "Parameters (papermill)", "pytest", "nbconvert",
           "a fixed summary", "the course's tests", "checked automatically", "reference output",
           "Lesson settings", "injected-parameters", "Traceback (most recent call last)"]
RAW_SECTION = re.compile(r"(?:\u00a7|\\u00a7)\s*(?:" + "|".join(map(re.escape, SECTION_IDS)) + r")\b(?![ -][A-Z])")


class Page(HTMLParser):
    """Visible text (scripts and styles left out), element ids, links and their titles."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.text, self.tags = set(), [], [], []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a)
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self):
        return " ".join("".join(self.text).split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("student-handouts")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        rc = handouts.main(["--audience", "student", "--out", str(out), "--jobs", "2", "--quiet"])
    assert rc == 0, err.getvalue()[-3000:]
    return out / "handouts"


@pytest.fixture(scope="module")
def pages(rendered):
    return {lid: (rendered / "student" / f"{lid}.html").read_text(encoding="utf-8") for lid in LESSONS}


@pytest.mark.parametrize("lid", LESSONS)
def test_no_maintainer_marker_or_raw_id_reaches_a_student_handout(pages, lid):
    raw = pages[lid]
    page = Page(raw)
    shown = page.visible
    found = [m for m in MARKERS if m in shown]
    assert not found, f"{lid}: maintainer text in the handout: {found}"
    assert not RAW_SECTION.findall(raw), f"{lid}: an article section shown by its id: {RAW_SECTION.findall(raw)[:3]}"
    files = re.findall(r"\b\d\d_[a-z0-9_]+\.ipynb\b", shown)
    assert not files, f"{lid}: a notebook file name where a reader expects a lesson title: {files}"
    assert "#glossary-" not in shown and "](#" not in shown, f"{lid}: unrendered link markup"


@pytest.mark.parametrize("lid", LESSONS)
def test_documents_are_quotations_with_source_and_task(pages, lid):
    page = Page(pages[lid])
    figures = [a for t, a in page.tags if t == "figure" and a.get("class") in ("te-doc", "te-compare")]
    quotes = [a for t, a in page.tags if t == "blockquote"]
    assert len(quotes) >= 2 and figures, f"{lid}: at least two document excerpts"
    assert page.visible.count("Reading task.") + page.visible.count("Comparing the texts.") == len(figures)
    assert "Source:" in page.visible and "About this text:" in page.visible


@pytest.mark.parametrize("lid", LESSONS)
def test_marked_terms_link_to_their_entry_and_show_the_definition_on_hover(pages, lid, course):
    page = Page(pages[lid])
    terms = [a for a in page.links if a["href"].startswith("#glossary-")]
    assert len(terms) >= 3, f"{lid}: no glossary term marked"
    definitions = dict(zip(course.glossary["id"], course.glossary["definition"]))
    for a in terms:
        gid = a["href"][len("#glossary-"):]
        assert a["href"][1:] in page.ids, f"{lid}: {a['href']} has no target in the handout"
        assert a.get("title", "").endswith(definitions[gid]), f"{lid}: {a['href']} carries no hover definition"


def test_lesson_05_shows_the_treaty_clauses_side_by_side(pages):
    page = Page(pages["05_stage_4_war_and_alliance"])
    assert ("table", {}) in page.tags and "6 July 1961" in page.visible and "19 June 2024" in page.visible
    assert "immediately extend military and other assistance" in page.visible
    assert "Article 51 of the UN Charter" in page.visible


def test_the_chart_hover_cites_article_sections_by_name(pages):
    raw = pages["00_course_map"]
    labels = set(re.findall(r"Article: ((?:\u00a7|\\u00a7) [^<\"\\]+)", raw))
    assert labels, "the course map's timeline carries article citations"
    names = {r["citation"].replace("\u00a7", "") for r in csv.DictReader((ROOT / "data" / "article_sections.csv")
                                                                          .open(encoding="utf-8"))}
    assert all(l.replace("\\u00a7", "").replace("\u00a7", "") in names for l in labels), labels


def test_index_links_the_glossary_and_the_bibliography(rendered, course):
    index = Page((rendered / "index.html").read_text(encoding="utf-8"))
    hrefs = {a["href"] for a in index.links}
    assert {"glossary.html", "bibliography.html"} <= hrefs
    glossary = Page((rendered / "glossary.html").read_text(encoding="utf-8"))
    assert set(course.glossary["id"]) <= glossary.ids
    assert all(t.replace('"', "") in glossary.visible.replace('"', "") for t in course.glossary["term"])
    bib = Page((rendered / "bibliography.html").read_text(encoding="utf-8"))
    scholarly = course.sources[course.sources["kind"].isin(["book", "journal", "report"])]
    assert len(scholarly) >= 15 and {f"src-{i}" for i in scholarly["id"]} <= bib.ids
    assert {f"doc-{i}" for i in course.documents["id"]} <= bib.ids
    assert "could not be confirmed" in bib.visible and "globaldefensedispatch" not in bib.visible
