"""What a lesson gives students to read besides its prose: primary documents (data/documents.csv), further
reading (data/readings.csv) and glossary entries, as turn_east.reading renders them and as the data rules
check them."""

from __future__ import annotations

import csv
import shutil
from html.parser import HTMLParser

import pytest

from conftest import ROOT
from turn_east import policy, reading
from turn_east.data import DataError, load_course
from turn_east.reading import ReadingError

DATA = ROOT / "data"


class Tree(HTMLParser):
    """Tags, ids and text of an HTML fragment; fails on a tag closed out of order."""

    VOID = {"br", "img", "meta", "link", "hr", "input"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.ids, self.text, self.attrs = [], [], [], [], []
        self.feed(text)
        assert not self.stack, f"unclosed tags {self.stack}"

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if dict(attrs).get("id"):
            self.ids.append(dict(attrs)["id"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    @property
    def plain(self):
        return " ".join("".join(self.text).split())


def test_a_document_is_a_quotation_with_its_source_text_status_and_task(course):
    html = reading.document_html(course, "1961-ussr-dprk-treaty-art1")
    tree = Tree(html)
    assert tree.tags[:3] == ["figure", "figcaption", "span"] and "blockquote" in tree.tags and "cite" in tree.tags
    assert tree.ids == ["doc-1961-ussr-dprk-treaty-art1"]
    doc = course.documents_by_id["1961-ussr-dprk-treaty-art1"]
    assert "immediately extend military and other assistance with all the means at its disposal" in tree.plain
    assert doc.when == "6 July 1961" and doc.when in tree.plain
    assert "Gibler" in tree.plain and doc.text_note in tree.plain
    assert tree.tags.count("li") == 3 and all(a in tree.plain for a in doc.asks)


def test_an_omission_shows_as_brackets_and_a_source_url_becomes_the_quotations_cite(course):
    doc = course.documents_by_id["2000-putin-new-eastern-perspectives"]
    assert " ... " in doc.excerpt
    tree = Tree(reading.document_html(course, doc.id))
    assert "[\u2026]" in tree.plain and " ... " not in tree.plain
    quote = [a for t, a in tree.attrs if t == "blockquote"][0]
    assert quote["cite"] == doc.url and doc.url.startswith("http")
    assert [a["href"] for t, a in tree.attrs if t == "a"] == [doc.url]


def test_documents_side_by_side_form_a_table_with_a_column_per_document(course):
    ids = ["1961-ussr-dprk-treaty-art1", "2024-dprk-russia-treaty-art4"]
    html = reading.compare_html(course, ids, "Mutual assistance in 1961 and 2024", ["What changed?", "Why?"])
    tree = Tree(html)
    assert tree.tags.count("blockquote") == 2 and tree.tags.count("table") == 1
    headers = [a for t, a in tree.attrs if t == "th"]
    assert sum(1 for a in headers if a.get("scope") == "col") == 3 and sum(1 for a in headers if a.get("scope") == "row") == 4
    assert "6 July 1961" in tree.plain and "19 June 2024" in tree.plain and "Article 51" in tree.plain
    text = reading.compare_text(course, ids, "Mutual assistance", ["What changed?"])
    assert text.count('"') == 4 and "1. What changed?" in text


@pytest.mark.parametrize("ids,caption,asks,words", [
    (["1961-ussr-dprk-treaty-art1"], "c", ["q?"], "two or more"),
    (["1961-ussr-dprk-treaty-art1"] * 2, "c", ["q?"], "same document twice"),
    (["1961-ussr-dprk-treaty-art1", "2024-dprk-russia-treaty-art4"], " ", ["q?"], "caption"),
    (["1961-ussr-dprk-treaty-art1", "2024-dprk-russia-treaty-art4"], "c", ["no question"], "ending in '?'"),
    (["1961-ussr-dprk-treaty-art1", "1961-treaty"], "c", ["q?"], "1961-ussr-dprk-treaty-art1"),
])
def test_a_bad_comparison_says_what_to_fix(course, ids, caption, asks, words):
    with pytest.raises(ReadingError) as err:
        reading.compare_html(course, ids, caption, asks)
    assert words in str(err.value)


def test_an_unknown_document_or_term_names_the_nearest_ids(course):
    with pytest.raises(ReadingError, match="did you mean '2024-dprk-russia-treaty-art4'"):
        reading.document_html(course, "2024-dprk-russia-treaty-art-4")
    with pytest.raises(ReadingError, match="'goldstein-scale'"):
        reading.glossary_html(course, ["goldstein"])
    with pytest.raises(ReadingError, match="listed twice"):
        reading.glossary_html(course, ["juche", "juche"])
    with pytest.raises(ReadingError, match="ids of the terms"):
        reading.glossary_html(course, [])


def test_glossary_entries_carry_the_anchors_lessons_link_to(course):
    tree = Tree(reading.glossary_html(course, ["six-party-talks", "juche"]))
    assert tree.ids == ["glossary-six-party-talks", "glossary-juche"]
    assert tree.tags.count("dfn") == 2 and "Juche" in tree.plain


def test_every_lesson_has_three_to_five_further_readings_from_the_bibliography(course):
    for lesson in course.lesson_titles:
        items = reading.further_reading(course, lesson)
        want = (policy.MIN_READINGS, policy.MAX_READINGS)
        assert want[0] <= len(items) <= want[1], \
            f"{lesson}: {len(items)} further readings in readings.csv; want {want[0]}-{want[1]} (turn_east.policy)"
        assert all(r.note.strip() and r.citation for r in items)
    tree = Tree(reading.further_reading_html(course, "05_stage_4_war_and_alliance"))
    assert tree.tags.count("li") == len(reading.further_reading(course, "05_stage_4_war_and_alliance"))
    with pytest.raises(ReadingError, match="not a lesson id"):
        reading.further_reading(course, "05_stage_four")


def test_the_bibliography_holds_at_least_fifteen_scholarly_works(course):
    scholarly = course.sources[course.sources["kind"].isin(["book", "journal", "report"])]
    assert len(scholarly) >= 15
    cited = set(course.readings["source_id"])
    assert len(cited & set(scholarly["id"])) >= 15, "the further-reading lists use the scholarly works"


def test_the_table_holds_at_least_fifteen_documents_each_checked_and_attributed(course):
    docs = list(course.documents_by_id.values())
    assert len(docs) >= 15
    for d in docs:
        assert d.citation != d.source_id, f"{d.id}: source {d.source_id} is not in sources.csv"
        assert len(d.excerpt.split()) <= 150 and all(a.endswith("?") for a in d.asks)
    kinds = {d.kind for d in docs}
    assert {"treaty", "resolution", "statement", "speech", "concept"} <= kinds


# ---------------------------------------------------------------- the data rules
@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def _edit(path, row, **values):
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[row].update(values)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _messages(folder):
    with pytest.raises(DataError) as err:
        load_course(folder)
    return [str(p) for p in err.value.problems]


def test_bad_document_rows_are_named_precisely(copy):
    _edit(copy / "documents.csv", 0, ask_claim="Say whether it supports the claim.", excerpt="word " * 151,
          lessons="05_stage_4_war_and_alliance;05_stage_four", source_id="nowhere")
    msgs = _messages(copy)
    for words in (["documents.csv, row 2", "'ask_claim'", "ending in '?'"],
                  ["documents.csv, row 2", "'excerpt'", "151 words"],
                  ["documents.csv, row 2", "'lessons'", "'05_stage_four'", "lessons.csv"],
                  ["documents.csv, row 2", "'source_id'", "'nowhere'", "sources.csv"]):
        assert any(all(w in m for w in words) for m in msgs), (words, msgs)


def test_bad_reading_rows_are_named_precisely(copy):
    _edit(copy / "readings.csv", 1, order="1")
    _edit(copy / "readings.csv", 2, lesson="00_course_mapp")
    msgs = _messages(copy)
    assert any("readings.csv, row 3" in m and "'order'" in m and "used twice" in m for m in msgs), msgs
    assert any("readings.csv, row 4" in m and "'00_course_mapp'" in m and "lessons.csv" in m for m in msgs), msgs
