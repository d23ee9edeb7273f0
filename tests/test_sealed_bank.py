"""A sealed quiz bank (a student release): the quizzes check answers that the course's files do not hold.

This file ships with the student release (`turn-east release`, SHIPPED_TESTS), where it tests the release's
own bank; in the course repository it tests a sealed copy of the course's bank. Where a test needs a right
answer it works it out from the data, as a student could (a chronology's order and an event's stage from
events.csv): the bank's answers themselves are in neither place.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from turn_east import quiz as qz
from turn_east.data import load_course, notes
from turn_east.data.bank import SEALED_SKIPPED
from turn_east.quiz import seal

FROM_DATA = ("chronology", "match_stage")


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    """The release's course, or (in the repository) the course with its bank sealed as a release seals it."""
    course = load_course()
    if course.sealed:
        return course
    from turn_east.make.release import sealed_bank, sealed_package

    data = tmp_path_factory.mktemp("sealed") / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "questions.csv").write_text(sealed_bank(course)[0], encoding="utf-8")
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    (data / "datapackage.json").write_text(json.dumps(sealed_package(package), indent=1), encoding="utf-8")
    return load_course(data)


def _right_from_data(q, course):
    events = course.events_by_id
    if q.type == "chronology":
        return sorted(q.choices, key=lambda e: events[e].date)
    if q.type == "match_stage":
        return {e: events[e].stage for e in q.choices}
    raise ValueError(q.type)


def _wrong_from_data(q, course):
    right = _right_from_data(q, course)
    if q.type == "chronology":
        return list(reversed(right))
    periods = course.periods
    return {e: periods[(periods.index(s) + 1) % len(periods)] for e, s in right.items()}


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_every_question_is_sealed(sealed):
    assert sealed.sealed == seal.SCHEME and len(sealed.bank) >= 60
    for q in sealed.bank:
        assert q.seal is not None and q.answer == () and q.explanation == "" and q.feedback == {}, q.id
        assert q.seal.hashes and len(q.seal.envelopes) == len(q.seal.hashes), q.id
        with pytest.raises(ValueError, match="sealed"):
            qz.answer_text(q, sealed)
    assert SEALED_SKIPPED in notes(sealed)


def test_validate_accepts_the_sealed_bank_and_says_once_what_it_skipped(sealed):
    out = subprocess.run([sys.executable, "-m", "turn_east", "validate", str(sealed.data_dir)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert ": OK (" in out.stdout
    assert out.stderr.count("the quiz bank is sealed (a student release)") == 1, out.stderr


def test_answers_worked_out_from_the_data_open_their_questions_in_the_widgets(sealed):
    opened = 0
    for lid in sealed.lessons["id"]:
        quiz = qz.lesson_quiz(sealed, lid)
        quiz.widget()
        for it in (it for it in quiz.items if it.question.type in FROM_DATA):
            for _ in range(2):
                it.set(_wrong_from_data(it.question, sealed))
                it.check.click()
                assert "Not quite" in _text(it.feedback.value), it.question.id
            assert _text(it.explanation.value) == "The explanation opens when your answer is right."
            assert it.question.seal is not None and it.correct is False
            it.set(_right_from_data(it.question, sealed))
            it.check.click()
            assert _text(it.feedback.value).startswith("\u2714 Correct"), it.question.id
            assert it.question.seal is None and it.question.explanation, it.question.id
            why = _text(it.explanation.value)
            assert why.startswith("Why:") and it.question.explanation in why
            opened += 1
        assert f"Score: {sum(1 for it in quiz.items if it.correct)} of {len(quiz)} correct" in _text(quiz.score.value)
    assert opened >= 8


def test_a_wrong_answer_never_opens_a_question(sealed):
    wrong = {"single": "not one of the options", "multi": ["not one of the options"], "year": 1000,
             "text": "not the answer at all"}
    for q in sealed.bank:
        if q.type == "truefalse":
            responses = ["true", "false"]  # one is wrong, and only one opens
            verdicts = [qz.grade(q, r, sealed) for r in responses]
            assert sorted(v.correct for v in verdicts) == [False, True], q.id
            assert [v.opened is not None for v in verdicts] == [v.correct for v in verdicts], q.id
            continue
        response = _wrong_from_data(q, sealed) if q.type in FROM_DATA else wrong[q.type]
        v = qz.grade(q, response, sealed)
        assert v.correct is False and v.opened is None and v.headline.startswith("Not quite"), q.id


def test_the_self_check_holds_the_sealed_hashes_and_there_is_no_key(sealed):
    for lid in sealed.lessons["id"]:
        for audience, show in (("student", False), ("leader", True)):
            quiz = qz.lesson_quiz(sealed, lid, audience=audience, show_answers=show)
            assert quiz.sealed and quiz.printed_mode == "selfcheck"
            page = quiz.to_html("selfcheck")
            for q in quiz.questions:
                assert f'data-salt="{q.seal.salt}" data-h="{" ".join(q.seal.hashes)}"' in page, q.id
                if q.type in FROM_DATA:  # the response a student would enter hashes to a stored hash
                    canonical = seal.canonical_response(q, _right_from_data(q, sealed))
                    assert seal.selfcheck_hash(q.seal.salt, canonical) in q.seal.hashes
            with pytest.raises(ValueError, match="student release"):
                quiz.to_html("key")


def test_a_leader_copy_of_a_quiz_says_once_that_the_answers_are_sealed(sealed):
    quiz = qz.lesson_quiz(sealed, "02_stage_1_adjusting_to_asia", audience="leader", show_answers=True)
    box = quiz.widget()
    notes_shown = [c.value for c in box.children if hasattr(c, "value") and "answers are sealed" in str(c.value)]
    assert len(notes_shown) == 1 and quiz.leader_toggle is None
    assert all(it.reveal is None and it.key.value == "" for it in quiz.items)


def test_handouts_from_a_sealed_bank_are_student_copies_only(sealed):
    from turn_east.errors import UsageError
    from turn_east.make.handouts import make_plan, parser

    data = [] if sealed.data_dir == load_course().data_dir else ["-p", f"data_dir={sealed.data_dir}"]
    plan = make_plan(parser().parse_args(["--lessons", "02", "--out", "unused", *data]))
    assert plan.audiences == ("student",) and [j.audience for j in plan.jobs] == ["student"]
    for audience in ("leader", "both"):
        with pytest.raises(UsageError, match="student release of the course"):
            make_plan(parser().parse_args(["--lessons", "02", "--audience", audience, "--out", "unused", *data]))
