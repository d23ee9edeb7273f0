"""The quiz engine: bank validation, grading through the widgets, static HTML, generated questions.

Engine tests use a small fixture course (built below) so they do not depend on the
course data; the tests at the end run the real bundled bank against the real events.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from conftest import course_from
from turn_east import policy
from turn_east import quiz as qz
from turn_east.data import DataError, load_course
from turn_east.quiz.labels import event_label
from turn_east.quiz.render import selfcheck_hash

ROOT = Path(__file__).resolve().parents[1]

STAGES = [
    ("prelude", 0, "Prelude", "2000-01-01", "2011-12-31"),
    ("stage-1", 1, "Stage One", "2012-01-01", "2014-02-26"),
    ("stage-2", 2, "Stage Two", "2014-02-27", "2017-12-31"),
    ("stage-3", 3, "Stage Three", "2018-01-01", "2021-12-31"),
    ("stage-4", 4, "Stage Four", "2022-01-01", "2024-12-31"),
]
EVENTS = [
    # id, date, precision, stage, title
    ("1990-09-30-moscow-seoul", "1990-09-30", "day", None, "Moscow recognises Seoul"),
    ("2000-07-19-putin-pyongyang", "2000-07-19", "day", "prelude", "Putin visits Pyongyang"),
    ("2010-03-26-cheonan", "2010-03-26", "day", "prelude", "Cheonan sinks"),
    ("2014-01-01-vague", "2014-01-01", "year", None, "Something in 2014"),
    ("2014-03-18-crimea", "2014-03-18", "day", "stage-2", "Crimea annexed"),
    ("2015-05-09-parade", "2015-05-09", "day", "stage-2", "Victory Day parade without Kim"),
    ("2019-04-25-vladivostok", "2019-04-25", "day", "stage-3", "Putin and Kim meet in Vladivostok"),
    ("2024-06-19-treaty", "2024-06-19", "day", "stage-4", "Comprehensive strategic partnership treaty"),
]

# One question of every type, plus an HTML-injection probe. Written as CSV rows.
BANK = [
    dict(id="q-single", lesson="L1", type="single", skill="recall", prompt="Where did Putin stop on his way to the G8?",
         choices="Beijing|Pyongyang|Seoul", answer="Pyongyang",
         feedback="Beijing=>He had been there already; the stop was in Korea.|Seoul=>Seoul came later.",
         explanation="Putin flew to Pyongyang on 19 July 2000.", section="Prelude: the 2000 visit",
         source_id="article"),
    dict(id="q-multi", lesson="L1", type="multi", skill="interpret", prompt="Which were Six-Party members?",
         choices="Russia|India|Japan|Germany", answer="Russia|Japan",
         feedback="India=>India was never a member.|Germany=>No European state took part.",
         explanation="The six were the two Koreas, China, the US, Japan and Russia (2003-2009).",
         section="Prelude: the talks", source_id="ref"),
    dict(id="q-tf", lesson="L1", type="truefalse", skill="interpret", prompt="The North's leader attended the 2015 parade.",
         choices="", answer="false", feedback="true=>He was invited but stayed away.",
         explanation="The Kremlin said on 30 April 2015 that he would not come.",
         section="Stage Two: the parade", source_id="ref"),
    dict(id="q-chron", lesson="L1", type="chronology", skill="interpret", prompt="Put these in order.",
         choices="2015-05-09-parade|2000-07-19-putin-pyongyang|2014-03-18-crimea",
         answer="2000-07-19-putin-pyongyang|2014-03-18-crimea|2015-05-09-parade",
         feedback="2014-03-18-crimea=>Crimea opened Stage Two.",
         explanation="2000, then March 2014, then May 2015.", section="Course map", source_id="article"),
    dict(id="q-match", lesson="L1", type="match_stage", skill="interpret", prompt="Match each event to its stage.",
         choices="2019-04-25-vladivostok|2010-03-26-cheonan",
         answer="2019-04-25-vladivostok=stage-3|2010-03-26-cheonan=prelude",
         feedback="2010-03-26-cheonan=>The Cheonan sank in 2010, before the Turn began.",
         explanation="Vladivostok was April 2019 (Stage Three); the Cheonan March 2010 (prelude).",
         section="Course map: the stages", source_id="article"),
    dict(id="q-year", lesson="L1", type="year", skill="interpret", prompt="When was the partnership treaty signed?",
         choices="2024-06-19-treaty", answer="2024", tolerance="1",
         feedback="2022=>That is when the full-scale war began.",
         explanation="Putin and Kim signed it in Pyongyang on 19 June 2024.", section="Stage Four",
         source_id="ref"),
    dict(id="q-text", lesson="L1", type="text", skill="interpret", prompt="Who leads North Korea since 2011?",
         choices="", answer="Kim Jong Un|Kim Jong-un", tolerance="",
         feedback="Kim Jong Il=>His father, who died in December 2011.",
         explanation="Kim Jong Un succeeded his father in December 2011.", section="Stage One",
         source_id="ref"),
    dict(id="q-evil", lesson="L2", type="single", skill="apply", prompt="Is <script>alert(1)</script> safe & sound?",
         choices="<b>yes</b>|no \"quotes\"", answer="no \"quotes\"", feedback="",
         explanation="Escaping <i>matters</i>.", section="Security <section>", source_id="article"),
]


def _course(bank=BANK):
    stages = pd.DataFrame(STAGES, columns=["id", "order", "title", "start_date", "end_date"])
    stages["start_date"] = pd.to_datetime(stages["start_date"])
    stages["end_date"] = pd.to_datetime(stages["end_date"])
    periods = [s[0] for s in STAGES]
    events = pd.DataFrame(EVENTS, columns=["id", "date", "date_precision", "stage", "title"])
    events["date"] = pd.to_datetime(events["date"])
    events["stage"] = pd.Categorical(events["stage"], categories=periods, ordered=True)
    events["source_id"] = "ref"
    events["article_section"] = ""
    return course_from(
        lessons=pd.DataFrame({"id": ["L1", "L2"], "order": [1, 2], "title": ["Lesson one", "Lesson two"]}),
        stages=stages, events=events, periods=periods,
        sources=pd.DataFrame({"id": ["article", "ref"], "citation": ["The article (fixture).", "A reference (fixture)."]}),
        questions=pd.DataFrame(bank, columns=list(qz.COLUMNS)).fillna(""),
    )


@pytest.fixture
def course():
    return _course()


@pytest.fixture
def quiz(course):
    q = qz.lesson_quiz(course, "L1")
    q.widget()
    return q


def _item(quiz, qid):
    return next(it for it in quiz.items if it.question.id == qid)


def _score(quiz):
    return re.search(r"Score: (\d+) of (\d+) correct", quiz.score.value).groups()


def _text(widget_html):
    text = html.unescape(re.sub(r"<[^>]+>", " ", widget_html))
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" ([.,;:)])", r"\1", text).strip()


# ---------------------------------------------------------------- widgets, every type, right and wrong

def test_single_wrong_then_retry_right(quiz):
    it = _item(quiz, "q-single")
    assert it.feedback.value == "" and it.explanation.value == ""
    it.input.value = "Beijing"
    it.check.click()
    fb = _text(it.feedback.value)
    assert "Not quite" in fb and "Beijing" in fb
    assert "the stop was in Korea" in fb            # per-choice feedback for the wrong choice
    assert "Reread: Prelude: the 2000 visit" in fb
    assert it.explanation.value == ""               # one wrong try: no explanation yet
    assert _score(quiz) == ("0", "7")
    it.input.value = "Pyongyang"
    it.check.click()
    assert "Correct" in _text(it.feedback.value) and "\u2714" in it.feedback.value
    assert "19 July 2000" in _text(it.explanation.value)
    assert _score(quiz) == ("1", "7")


def test_two_wrong_tries_show_the_explanation(quiz):
    it = _item(quiz, "q-single")
    it.input.value = "Seoul"
    it.check.click()
    it.check.click()
    assert "Seoul came later" in _text(it.feedback.value)
    assert "19 July 2000" in _text(it.explanation.value)
    assert _score(quiz) == ("0", "7")


def test_check_with_nothing_chosen_is_not_an_attempt(quiz):
    it = _item(quiz, "q-single")
    it.check.click()
    assert "Choose or type an answer first" in _text(it.feedback.value)
    assert it.attempts == 0 and it.correct is None
    assert "(0 checked)" in _text(quiz.score.value)


def test_multi_checkboxes(quiz):
    it = _item(quiz, "q-multi")
    boxes = dict(zip(it.question.choices, it.parts))
    boxes["Russia"].value = True
    boxes["India"].value = True
    it.check.click()
    fb = _text(it.feedback.value)
    assert "Not quite: 1 of 2" in fb and "India was never a member" in fb and "left out 1 option" in fb
    boxes["India"].value = False
    boxes["Japan"].value = True
    it.check.click()
    assert "Correct" in _text(it.feedback.value)
    assert _score(quiz) == ("1", "7")


def test_truefalse_toggle_buttons(quiz):
    it = _item(quiz, "q-tf")
    assert it.input.value is None
    it.input.value = "true"
    it.check.click()
    assert "Not quite" in _text(it.feedback.value) and "stayed away" in _text(it.feedback.value)
    it.input.value = "false"
    it.check.click()
    assert "Correct" in _text(it.feedback.value)


def test_chronology_dropdowns(quiz):
    it = _item(quiz, "q-chron")
    assert len(it.parts) == 3 and all(d.value is None for d in it.parts)
    # labels carry titles only, never the dated ids
    assert all("2000-07-19" not in label for d in it.parts for label in d.options and [o[0] for o in d.options])
    for d, v in zip(it.parts, ["2014-03-18-crimea", "2000-07-19-putin-pyongyang", "2015-05-09-parade"]):
        d.value = v
    it.check.click()
    fb = _text(it.feedback.value)
    assert "1 of 3 events are in the right place" in fb and "position 3" in fb
    assert "Crimea opened Stage Two" in fb
    for d, v in zip(it.parts, it.question.answer):
        d.value = v
    it.check.click()
    assert "Correct" in _text(it.feedback.value)


def test_match_stage_dropdowns(quiz):
    it = _item(quiz, "q-match")
    vlad, cheonan = it.parts
    vlad.value, cheonan.value = "stage-3", "stage-1"
    it.check.click()
    fb = _text(it.feedback.value)
    assert "1 of 2 events matched" in fb and "before the Turn began" in fb and "not Stage One" in fb
    cheonan.value = "prelude"
    it.check.click()
    assert "Correct" in _text(it.feedback.value)


def test_year_inttext_with_tolerance(quiz):
    it = _item(quiz, "q-year")
    it.input.value = 2022
    it.check.click()
    fb = _text(it.feedback.value)
    assert "too early" in fb and "full-scale war began" in fb
    it.input.value = 2025
    it.check.click()
    assert "Correct" in _text(it.feedback.value) and "within 1 year" in _text(it.feedback.value)
    it.input.value = 2024
    it.check.click()
    assert "Correct: 2024." in _text(it.feedback.value)


def test_text_variants_case_and_punctuation(quiz):
    it = _item(quiz, "q-text")
    it.input.value = "kim jong il"
    it.check.click()
    assert "Not quite" in _text(it.feedback.value) and "His father" in _text(it.feedback.value)
    for said in ("KIM JONG-UN", "Kim  Jong Un.", "kim jong un"):
        it.input.value = said
        it.check.click()
        assert "Correct" in _text(it.feedback.value), said


def test_score_counts_all_types(quiz):
    for it in quiz.items:
        it.set(_right_response(it.question))
        it.check.click()
        assert "Correct" in _text(it.feedback.value), it.question.id
    assert _score(quiz) == ("7", "7")
    assert quiz.score_text == "7 of 7 correct"
    # retry: a later wrong answer lowers the running score again
    _item(quiz, "q-single").input.value = "Seoul"
    _item(quiz, "q-single").check.click()
    assert _score(quiz) == ("6", "7")


def _right_response(q):
    if q.type == "multi":
        return list(q.answer)
    if q.type == "chronology":
        return list(q.answer)
    if q.type == "match_stage":
        return q.stages
    if q.type == "year":
        return q.year
    return q.answer[0]


def test_widget_initial_state_hides_answers_from_students(course):
    quiz = qz.lesson_quiz(course, "L1")
    box = quiz.widget()
    assert quiz.leader_toggle is None
    assert repr(_all_widget_state(box))
    for it in quiz.items:
        q, state = it.question, repr(_all_widget_state(it.box))
        assert q.explanation not in state
        if q.type in ("year", "text"):
            assert q.answer[0] not in state
        if q.type == "chronology":
            assert "2000-07-19-putin-pyongyang" not in state  # option values never reach the front end
    assert all(it.key.value == "" for it in quiz.items)
    # every input widget starts empty: nothing pre-selected
    assert _item(quiz, "q-single").input.value is None
    assert all(cb.value is False for cb in _item(quiz, "q-multi").parts)


def _without_model_ids(value):
    """Widget state with references to other widgets ('IPY_MODEL_<random hex>') made constant: a random
    id may contain the digits of an answer (a year) by chance."""
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return "IPY_MODEL"
    if isinstance(value, (list, tuple)):
        return [_without_model_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_model_ids(v) for k, v in value.items()}
    return value


def _all_widget_state(widget):
    out = [_without_model_ids(widget.get_state())]
    for child in getattr(widget, "children", ()):
        out += _all_widget_state(child)
    return out


def test_leader_toggle_reveals_answers(course):
    quiz = qz.lesson_quiz(course, "L1", audience="leader")
    quiz.widget()
    assert quiz.leader_toggle is not None and quiz.leader_toggle.value is False
    assert all(it.key.value == "" for it in quiz.items)
    quiz.leader_toggle.value = True
    key = _text(_item(quiz, "q-chron").key.value)
    assert "1. Putin visits Pyongyang (19 July 2000)" in key and "2000, then March 2014" in key
    assert "Stage Three" in _text(_item(quiz, "q-match").key.value)
    quiz.leader_toggle.value = False
    assert all(it.key.value == "" for it in quiz.items)


def test_leader_reveals_one_answer_after_the_vote(course):
    """In class (leader, show_answers=False) every answer starts hidden; one question's Show answer opens only
    its own key; a student's quiz has no reveal button at all."""
    quiz = qz.lesson_quiz(course, "L1", audience="leader")
    quiz.widget()
    assert all(it.reveal is not None and it.reveal.value is False and it.key.value == "" for it in quiz.items)
    chron, match = _item(quiz, "q-chron"), _item(quiz, "q-match")
    chron.reveal.value = True
    assert "Putin visits Pyongyang" in _text(chron.key.value)
    assert all(it.key.value == "" for it in quiz.items if it is not chron)
    match.reveal.value = True
    quiz.leader_toggle.value = True  # "Show all answers" opens every key, and off closes them all
    assert all(it.key.value and it.reveal.value for it in quiz.items)
    quiz.leader_toggle.value = False
    assert all(it.key.value == "" and it.reveal.value is False for it in quiz.items)
    preparing = qz.lesson_quiz(course, "L1", audience="leader", show_answers=True)
    preparing.widget()
    assert preparing.leader_toggle.value is True and all(it.key.value for it in preparing.items)
    student = qz.lesson_quiz(course, "L1")
    student.widget()
    assert all(it.reveal is None for it in student.items)


def test_show_answers_from_the_start(course):
    quiz = qz.lesson_quiz(course, "L1", show_answers=True)
    quiz.widget()
    assert "Pyongyang" in _text(_item(quiz, "q-single").key.value)
    assert "2024" in _text(_item(quiz, "q-year").key.value)


def test_widget_styles_are_theme_aware(quiz):
    it = _item(quiz, "q-single")
    it.input.value = "Seoul"
    it.check.click()
    blob = it.feedback.value + quiz.score.value + it.box.children[0].value
    assert "background" not in blob.lower() and "#fff" not in blob.lower()
    assert "var(--jp-" in blob and "\u2718" in blob          # colour plus icon plus word
    assert it.check.description == "Check" and it.check.tooltip
    assert it.input.description


# ---------------------------------------------------------------- order, shuffling, display

def test_same_order_every_run_unless_seeded(course):
    ids = [q.id for q in qz.lesson_quiz(course, "L1").questions]
    assert ids == [r["id"] for r in BANK if r["lesson"] == "L1"]
    a = qz.lesson_quiz(course, "L1", seed=3)
    b = qz.lesson_quiz(course, "L1", seed=3)
    assert [(q.id, q.choices) for q in a.questions] == [(q.id, q.choices) for q in b.questions]
    assert any([q.id for q in qz.lesson_quiz(course, "L1", seed=s).questions] != ids for s in range(5))


def test_unknown_lesson_raises(course):
    with pytest.raises(DataError, match="99_nope"):
        qz.lesson_quiz(course, "99_nope")


def test_mimebundle_live_and_static(course):
    live = qz.lesson_quiz(course, "L1")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in live and "text/html" in live
    static = qz.lesson_quiz(course, "L1", render="static")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in static
    assert "Pyongyang" in static["text/html"] and "19 July 2000" not in static["text/html"]
    keyed = qz.lesson_quiz(course, "L1", render="static", show_answers=True)._repr_mimebundle_()
    assert "19 July 2000" in keyed["text/html"]


# ---------------------------------------------------------------- static HTML

def test_student_html_reveals_nothing(course):
    quiz = qz.lesson_quiz(course, "L1")
    _assert_student_html_hides_answers(quiz)


def _assert_student_html_hides_answers(quiz):
    full = quiz.to_html("student")
    assert "<script" not in full and "te-key" not in full.replace(".te-key", "")
    for i, q in enumerate(quiz.questions):
        frag = quiz.question_html(i, "student")
        plain = _text(frag)
        assert html.escape(q.explanation) not in frag and q.explanation not in plain, q.id
        assert q.section not in plain, q.id
        for why in q.feedback.values():
            assert why not in plain, (q.id, why)
        assert "\u2714" not in frag and "correct" not in plain.lower().replace("choose", ""), q.id
        if q.type == "year":
            assert str(q.year) not in plain, q.id
        if q.type == "text":
            assert not any(qz.normalize(a) in qz.normalize(plain) for a in q.answer), q.id
        if q.type == "chronology":
            labels = [event_label(quiz.course, e) for e in q.choices]
            positions = [plain.index(label) for label in labels]
            assert positions == sorted(positions), q.id          # listed in the scrambled order
            assert not any(e in frag for e in q.choices), q.id   # no dated ids
        if q.type == "match_stage":
            assert not any(e in frag for e in q.choices), q.id
        if q.type in ("single", "multi"):
            positions = [plain.index(html.unescape(o)) for o in q.choices]
            assert positions == sorted(positions), q.id


def test_key_html_has_answers_explanations_sections(course):
    quiz = qz.lesson_quiz(course, "L1")
    key = quiz.to_html("key")
    plain = _text(key)
    for q in quiz.questions:
        assert q.explanation in plain and q.section in plain
    assert "Putin visits Pyongyang (19 July 2000)" in plain
    assert "Kim Jong Un (also accepted: Kim Jong-un)" in plain
    assert "\u2714 correct" in plain


def test_html_is_deterministic(course):
    a, b = qz.lesson_quiz(course, "L1"), qz.lesson_quiz(course, "L1")
    for mode in ("student", "key", "selfcheck"):
        assert a.to_html(mode) == b.to_html(mode)


def test_html_escapes_bank_text(course):
    quiz = qz.lesson_quiz(course, "L2")
    for mode in ("student", "key", "selfcheck"):
        out = quiz.to_html(mode)
        assert "<script>alert(1)</script>" not in out
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
        assert "<b>yes</b>" not in out and "&lt;b&gt;yes&lt;/b&gt;" in out
    assert "<i>matters</i>" not in quiz.to_html("key")
    quiz.widget()
    assert "<script>" not in quiz.items[0].box.children[0].value
    quiz.items[0].input.value = "<b>yes</b>"
    quiz.items[0].check.click()
    assert "<b>yes</b>" not in quiz.items[0].feedback.value


def test_selfcheck_stores_hashes_not_answers(course):
    quiz = qz.lesson_quiz(course, "L1")
    page = quiz.to_html("selfcheck")
    assert "<form" in page and "teQuizCheck" in page
    plain = _text(page)
    for q in quiz.questions:
        assert q.explanation not in plain
        if q.type in ("year", "text"):
            assert q.answer[0] not in page
        if q.type == "chronology":
            assert not any(e in page for e in q.choices)
    # the stored hash is the salted hash of the canonical right answer, and only of it
    form = re.search(r'<form[^>]*data-salt="turn-east:q-single"[^>]*data-h="([0-9a-f ]+)"', page)
    assert form.group(1) == selfcheck_hash("turn-east:q-single", "pyongyang")
    assert selfcheck_hash("turn-east:q-single", "seoul") not in page
    year = re.search(r'data-salt="turn-east:q-year" data-h="([0-9a-f ]+)"', page).group(1).split()
    assert sorted(year) == sorted(selfcheck_hash("turn-east:q-year", str(y)) for y in (2023, 2024, 2025))


def _form_fill(q, right):
    """What to put in a self-check form's inputs for a right or a wrong answer."""
    if q.type == "single":
        return [q.answer[0] if right else next(c for c in q.choices if c != q.answer[0])]
    if q.type == "multi":
        return list(q.answer) if right else list(q.answer)[:1]
    if q.type == "truefalse":
        return [q.answer[0] if right else ("true" if q.answer[0] == "false" else "false")]
    if q.type == "chronology":
        order = list(q.answer) if right else list(reversed(q.answer))
        return ["abcde"[q.choices.index(e)] for e in order]
    if q.type == "match_stage":
        return [q.stages[e] if right else "stage-4" if q.stages[e] != "stage-4" else "prelude" for e in q.choices]
    if q.type == "year":
        return [str(q.year + (0 if right else 9))]
    return [q.answer[-1].upper() + "!" if right else "nobody"]


_DRIVER = """<script>
var plan = %s, out = [];
document.querySelectorAll('form.te-check').forEach(function (f, i) {
  plan[i].forEach(function (step) {
    var t = f.getAttribute('data-type');
    f.querySelectorAll('input[type=radio],input[type=checkbox]').forEach(function (e) {
      e.checked = step.indexOf(e.value) >= 0; });
    f.querySelectorAll('select').forEach(function (e, j) { e.value = step[j]; });
    f.querySelectorAll('input[type=number],input[type=text]').forEach(function (e) { e.value = step[0]; });
    teQuizCheck(f);
    out.push(f.querySelector('.te-result').textContent);
  });
});
document.getElementById('te-results').textContent = JSON.stringify(out);
</script>"""


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs headless Chromium")
def test_selfcheck_page_checks_answers_in_chromium(course, tmp_path):
    quiz = qz.lesson_quiz(course, "L1")
    plan = [[_form_fill(q, False), _form_fill(q, True)] for q in quiz.questions]
    page = tmp_path / "selfcheck.html"
    page.write_text("<html><body>" + quiz.to_html("selfcheck") + '<pre id="te-results"></pre>'
                    + _DRIVER % json.dumps(plan) + "</body></html>", encoding="utf-8")
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    results = json.loads(html.unescape(re.search(r'<pre id="te-results">(.*?)</pre>', dom).group(1)))
    assert len(results) == 2 * len(quiz.questions)
    for q, wrong, right in zip(quiz.questions, results[::2], results[1::2]):
        assert wrong.startswith("\u2718 Not yet") and q.section in wrong, (q.id, wrong)
        assert right == "\u2714 Correct.", (q.id, right)


def test_to_html_rejects_unknown_mode(quiz):
    with pytest.raises(ValueError, match="student"):
        quiz.to_html("teacher")


# ---------------------------------------------------------------- validation

def _write(tmp_path, rows):
    path = tmp_path / "questions.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(qz.COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in qz.COLUMNS})
    return path


def _corrupt(tmp_path, course, qid, **changes):
    rows = [dict(r) for r in BANK]
    for r in rows:
        if r["id"] == qid:
            r.update(changes)
    with pytest.raises(DataError) as err:
        qz.load_bank(course, path=_write(tmp_path, rows))
    return err.value


def test_fixture_bank_is_valid(course, tmp_path):
    assert len(qz.load_bank(course)) == len(BANK)
    assert len(qz.load_bank(course, path=_write(tmp_path, BANK))) == len(BANK)


@pytest.mark.parametrize("qid, changes, field, words", [
    ("q-single", {"lesson": "L9"}, "lesson", "not a lesson"),
    ("q-single", {"answer": "Tokyo"}, "answer", "not among the choices"),
    ("q-multi", {"answer": "Russia|China"}, "answer", "not among the choices"),
    ("q-single", {"explanation": ""}, "explanation", "explanation"),
    ("q-multi", {"id": "q-single"}, "id", "duplicate"),
    ("q-chron", {"choices": "2015-05-09-parade|2000-07-19-putin-pyongyang|1999-01-01-nothing",
                 "answer": "2000-07-19-putin-pyongyang|2015-05-09-parade|1999-01-01-nothing"},
     "choices", "not an event id"),
    ("q-match", {"answer": "2019-04-25-vladivostok=stage-9|2010-03-26-cheonan=prelude"}, "answer", "not a stage"),
    ("q-year", {"tolerance": "a year"}, "tolerance", "not a number"),
    ("q-chron", {"answer": "2014-03-18-crimea|2000-07-19-putin-pyongyang|2015-05-09-parade"},
     "answer", "contradicts events.csv"),
    ("q-match", {"answer": "2019-04-25-vladivostok=stage-2|2010-03-26-cheonan=prelude"},
     "answer", "contradicts events.csv"),
    ("q-year", {"answer": "2023", "tolerance": "0"}, "answer", "contradicts events.csv"),
    ("q-chron", {"choices": "2000-07-19-putin-pyongyang|2014-03-18-crimea|2015-05-09-parade"},
     "choices", "gives the answer away"),
    ("q-chron", {"choices": "2014-03-18-crimea|2014-01-01-vague|2000-07-19-putin-pyongyang",
                 "answer": "2000-07-19-putin-pyongyang|2014-01-01-vague|2014-03-18-crimea"},
     "choices", "cannot be told apart"),
    ("q-tf", {"answer": "maybe"}, "answer", "true or false"),
    ("q-single", {"type": "essay"}, "type", "not a question type"),
    ("q-single", {"feedback": "Beijing: no arrow"}, "feedback", "option=>why"),
    ("q-single", {"feedback": "Tokyo=>not an option"}, "feedback", "not among the choices"),
    ("q-single", {"source_id": "nobody"}, "source_id", "sources.csv"),
    ("q-single", {"section": ""}, "section", "reread"),
])
def test_validation_names_row_field_and_fix(tmp_path, course, qid, changes, field, words):
    err = _corrupt(tmp_path, course, qid, **changes)
    hits = [p for p in err.problems if p.field == field and words in p.expected]
    assert hits, [str(p) for p in err.problems]
    p = hits[0]
    assert p.file == "questions.csv" and p.row == [r["id"] for r in BANK].index(qid) + 2
    assert "questions.csv, row" in str(err) and words in str(err)


def test_validation_reports_every_problem(tmp_path, course):
    rows = [dict(r) for r in BANK]
    rows[0]["answer"] = "Tokyo"
    rows[1]["lesson"] = "L9"
    rows[2]["explanation"] = ""
    with pytest.raises(DataError) as err:
        qz.load_bank(course, path=_write(tmp_path, rows))
    assert {p.row for p in err.value.problems} == {2, 3, 4}


def test_missing_column(tmp_path, course):
    path = tmp_path / "questions.csv"
    path.write_text("id,lesson,type\nq,L1,single\n", encoding="utf-8")
    with pytest.raises(DataError, match="column is missing"):
        qz.load_bank(course, path=path)


# ---------------------------------------------------------------- generated questions

def test_generated_questions_reproducible_and_fair(course):
    a = qz.generated_questions(course, n=9, seed=1)
    b = qz.generated_questions(course, n=9, seed=1)
    assert [(q.id, q.prompt, q.choices, q.answer) for q in a] == [(q.id, q.prompt, q.choices, q.answer) for q in b]
    assert len(a) == 9 and {q.type for q in a} == {"single", "year"}
    for q in a:
        assert q.explanation and q.section
        assert "Something in 2014" not in q.prompt   # year precision straddling a stage boundary
        assert qz.grade(q, _right_response(q), course).correct is True
    other = qz.generated_questions(course, n=9, seed=2)
    assert [q.prompt for q in other] != [q.prompt for q in a]


def test_generated_questions_by_stage(course):
    qs = qz.generated_questions(course, n=4, seed=0, stage="stage-2")
    titles = {"Crimea annexed", "Victory Day parade without Kim"}
    assert qs and all(any(t in q.prompt or t in q.choices for t in titles) for q in qs)


def test_generated_questions_drive_a_quiz(course):
    quiz = qz.Quiz(course, qz.generated_questions(course, n=3, seed=5), lesson_id="gen")
    quiz.widget()
    for it in quiz.items:
        it.set(_right_response(it.question))
        it.check.click()
    assert _score(quiz) == ("3", "3")


# ---------------------------------------------------------------- the real course

@pytest.fixture(scope="module")
def real():
    return load_course()  # the bundled data are always there: failing to load them fails these tests


def test_real_bank_loads_and_covers_every_lesson(real):
    bank = qz.load_bank(real)
    lessons = list(real.lessons["id"])
    counts = {lid: sum(q.lesson == lid for q in bank) for lid in lessons}
    assert all(n >= 5 for n in counts.values()), counts
    assert {q.type for q in bank} == set(qz.TYPES)
    for q in bank:
        assert q.explanation and q.section and q.source_id
        if q.type in ("single", "multi", "truefalse"):
            assert q.feedback, f"{q.id}: per-choice feedback is missing"


def test_real_chronology_and_stage_answers_agree_with_events(real):
    events = real.events.set_index("id")
    for q in qz.load_bank(real):
        if q.type == "chronology":
            dates = [events.loc[e, "date"] for e in q.answer]
            assert dates == sorted(dates) and len(set(dates)) == len(dates), q.id
        if q.type == "match_stage":
            for e, s in q.stages.items():
                assert str(events.loc[e, "stage"]) == s, q.id
        if q.type == "year" and q.choices:
            assert events.loc[q.choices[0], "date"].year == q.year, q.id


def test_real_student_html_hides_answers(real):
    for lid in real.lessons["id"]:
        _assert_student_html_hides_answers(qz.lesson_quiz(real, lid))


def test_real_every_question_right_and_wrong_through_widgets(real):
    for lid in real.lessons["id"]:
        quiz = qz.lesson_quiz(real, lid)
        quiz.widget()
        for it in quiz.items:
            it.set(_wrong_response(it.question, real))
            it.check.click()
            assert "Not quite" in _text(it.feedback.value), it.question.id
            it.set(_right_response(it.question))
            it.check.click()
            assert "Correct" in _text(it.feedback.value), it.question.id
        assert _score(quiz) == (str(len(quiz)), str(len(quiz)))


def _wrong_response(q, course):
    if q.type == "single":
        return next(c for c in q.choices if c != q.answer[0])
    if q.type == "multi":
        return [c for c in q.choices if c not in q.answer][:1] or list(q.answer)[:-1]
    if q.type == "truefalse":
        return "true" if q.answer[0] == "false" else "false"
    if q.type == "chronology":
        return list(reversed(q.answer))
    if q.type == "match_stage":
        other = {s: course.periods[(course.periods.index(s) + 1) % len(course.periods)] for s in course.periods}
        return {e: other[s] for e, s in q.stages.items()}
    if q.type == "year":
        return q.year + int(q.tolerance) + 5
    return "zzz not an answer"


def test_real_generated_questions(real):
    a = qz.generated_questions(real, n=6, seed=7)
    assert len(a) == 6
    assert [q.prompt for q in a] == [q.prompt for q in qz.generated_questions(real, n=6, seed=7)]
    for stage in real.periods:
        for q in qz.generated_questions(real, n=3, seed=0, stage=stage):
            assert qz.grade(q, _right_response(q), real).correct is True


def test_key_names_sources_by_citation_not_by_id():
    course = load_course()
    q = qz.lesson_quiz(course, "02_stage_1_adjusting_to_asia")
    key = q.to_html("key")
    cited = {qq.source_id for qq in q.questions}
    outside = sorted(s for s in cited if s != "article")
    assert outside, "the lesson's quiz cites outside sources"
    citation = course.sources.set_index("id").loc[outside[0], "citation"]
    assert html.escape(citation[:40]) in key or citation[:40] in key
    assert f"source:</i> {outside[0]}<" not in key and f"Source:</i> {outside[0]}<" not in key


# ---------------------------------------------------------------- the real bank: reasoning, feedback, pointers

def test_real_bank_asks_for_reasoning_in_every_lesson(real):
    bank = qz.load_bank(real)
    for lid in real.lessons["id"]:
        qs = [q for q in bank if q.lesson == lid]
        assert len(qs) >= policy.MIN_QUESTIONS, (lid, len(qs), f"want >= {policy.MIN_QUESTIONS} (turn_east.policy)")
        reasoning = [q for q in qs if q.skill != "recall"]
        assert len(reasoning) >= policy.MIN_NOT_RECALL_SHARE * len(qs), \
            f"{lid}: {len(reasoning)} of {len(qs)} questions are not recall"
    assert {q.skill for q in bank} == set(qz.SKILLS)
    assert {q.type for q in bank} == set(qz.TYPES)


def test_real_feedback_on_a_wrong_option_never_names_the_answer(real):
    """A first wrong try must send the student back to think, not hand over the answer."""
    for q in qz.load_bank(real):
        wrong = {k: v for k, v in q.feedback.items() if k not in q.answer}
        if q.type in ("single", "multi"):
            for opt, why in wrong.items():
                for right in q.answer:
                    assert right.lower() not in why.lower(), (q.id, opt)
        elif q.type == "truefalse":
            for why in wrong.values():
                assert not re.search(r"\bit is (true|false)\b|\bthe opposite\b", why, re.I), q.id
        elif q.type == "year":
            assert all(str(q.year) not in why for why in q.feedback.values()), q.id
        elif q.type == "match_stage":
            for eid, why in q.feedback.items():
                stage = qz.grading.stage_label(real, q.stages[eid])
                assert stage.lower() not in why.lower() and q.stages[eid] not in why, (q.id, eid)
        elif q.type == "text":
            for why in wrong.values():
                assert all(qz.normalize(a) not in qz.normalize(why) for a in q.answer), q.id
        # A right answer's feedback adds evidence: a date in the explanation.
        assert re.search(r"\b1[89]\d\d\b|\b20[0-2]\d\b", q.explanation), (q.id, "no dated evidence")


def test_real_right_option_is_not_given_away_by_its_length(real):
    """A test-wise student picks the longest option. Where the right one is usually the longest, a quiz measures
    that habit, not the lesson (issue 23's walk found it in 22 of the 29 single-choice questions of lessons 00, 11-14
    and 20). Chance is one in four: across the bank the right option may be the longest in at most half."""
    singles = [q for q in qz.load_bank(real) if q.type == "single"]
    longest = [q.id for q in singles if len(q.answer[0]) > max(len(c) for c in q.choices if c != q.answer[0])]
    assert 2 * len(longest) <= len(singles), f"the right option is the longest in {len(longest)} of {len(singles)}: {longest}"


def test_real_every_question_cites_an_article_section_by_its_one_name(real):
    for q in qz.load_bank(real):
        assert not q.article_section or q.article_section in real.section_citations, q.id
    quiz = qz.lesson_quiz(real, "02_stage_1_adjusting_to_asia")
    assert "(article, \u00a7 Stage One)" in quiz.to_html("key")


def test_real_pointers_land_on_the_handout_heading_ids(real):
    """Every pointer's link reaches a heading id that nbconvert (the handouts' exporter) gives the lesson;
    the live quiz links to the same anchor (JupyterLab's ids are the text with spaces as hyphens)."""
    from nbconvert import HTMLExporter

    from turn_east.nbfiles import read

    exporter = HTMLExporter(template_name="lab")
    bank = qz.load_bank(real)
    for lid in {q.lesson for q in bank}:
        body, _ = exporter.from_notebook_node(read(ROOT / "notebooks" / f"{lid}.ipynb"))
        ids = set(re.findall(r'<h[1-6] id="([^"]+)"', body))
        for q in (q for q in bank if q.lesson == lid):
            assert html.escape(q.anchor, quote=True) in ids or q.anchor in ids, (lid, q.id, q.anchor)
    item = qz.lesson_quiz(real, "01_prelude_six_party_talks")
    item.widget()
    first = item.items[0]
    first.set(_wrong_response(first.question, real))
    first.check.click()
    assert f'href="#{html.escape(first.question.anchor, quote=True)}"' in first.feedback.value


def _bank_file(tmp_path, rows):
    path = tmp_path / "questions.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(qz.COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return path


def test_a_pointer_to_no_heading_is_rejected_with_the_nearest_headings(real, tmp_path):
    row = {c: "" for c in qz.COLUMNS} | dict(
        id="bad-pointer", lesson="00_course_map", type="truefalse", skill="recall", prompt="A statement.",
        answer="true", explanation="Because of 2000.", section="The argument in one paragraph", source_id="article")
    leader = row | dict(id="leader-pointer", section="Presenting as slides", lesson="00_course_map")
    with pytest.raises(DataError) as err:
        qz.load_bank(real, path=_bank_file(tmp_path, [row]))
    (p,) = err.value.problems
    assert (p.file, p.row, p.field, p.row_id, p.value) == ("questions.csv", 2, "section", "bad-pointer",
                                                          "The argument in one paragraph")
    assert "not a heading of 00_course_map.ipynb" in str(p) and "The argument in brief" in str(p)
    bad_skill = row | dict(id="bad-skill", section="The argument in brief", skill="memory", article_section="stage-9")
    with pytest.raises(DataError) as err:
        qz.load_bank(real, path=_bank_file(tmp_path, [bad_skill]))
    fields = {p.field for p in err.value.problems}
    assert fields == {"skill", "article_section"}, err.value.problems
    del leader


def test_pointer_rules_leader_notes_duplicates_and_unreachable_anchors(tmp_path):
    """A fixture lesson: a pointer into a leader note, to a heading named twice, to a heading whose anchor a
    link cannot carry (an en dash), and a lesson whose notebook is missing (nothing to check there)."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson one\n\n## The visit of 2000"),
                nbformat.v4.new_markdown_cell("## Twice"), nbformat.v4.new_markdown_cell("## Twice"),
                nbformat.v4.new_markdown_cell("## Closed borders, 2020\u20132021"),
                nbformat.v4.new_markdown_cell("```\n## not a heading\n```\n### *Emphasised* heading"),
                nbformat.v4.new_markdown_cell("## Only for leaders", metadata={"tags": ["leader"]})]
    nbformat.write(nb, str(folder / "L1.ipynb"))
    base = dict(BANK[0])
    rows = [base | dict(id=f"p{i}", section=s) for i, s in enumerate(
        ["The visit of 2000", "Twice", "Closed borders, 2020\u20132021", "Only for leaders", "not a heading",
         "Emphasised heading"])]
    rows.append(base | dict(id="p-other", lesson="L2", section="Anything: L2 has no notebook"))
    course = _course(rows)
    object.__setattr__(course, "notebooks_dir", folder)
    with pytest.raises(DataError) as err:
        course.bank
    got = {p.row_id: str(p) for p in err.value.problems}
    assert set(got) == {"p1", "p2", "p3", "p4"}, got
    assert "names 2 headings" in got["p1"]
    assert "'\u2013'" in got["p2"] and "JupyterLab would not jump there" in got["p2"]
    assert "leader note" in got["p3"]
    assert "not a heading of L1.ipynb" in got["p4"]


def test_without_the_notebooks_pointers_are_not_checked_and_validate_says_so_once(tmp_path):
    course = _course([dict(BANK[0]) | dict(section="No such heading anywhere")])
    object.__setattr__(course, "notebooks_dir", tmp_path / "nowhere")
    assert course.lesson_headings is None and len(course.bank) == 1
    from turn_east.data import NO_NOTEBOOKS, notes

    assert notes(course) == [NO_NOTEBOOKS]
    # As a wheel installs the course: its data (turn_east/course_data) with no notebooks/ folder beside them.
    installed = tmp_path / "wheel" / "course_data"
    shutil.copytree(ROOT / "data", installed)
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c",
                          "import sys; import turn_east.paths as p; p.repo_folder = lambda n: p.Path('/nonexistent');"
                          "from turn_east.cli import main; sys.exit(main(['validate']))"],
                         capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "TURN_EAST_DATA": str(installed)})
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("notebooks are not installed") == 1, out.stderr
