"""A lesson's quiz: :func:`lesson_quiz` picks the lesson's questions from the bank, and :class:`Quiz`
shows them as widgets when live and as static HTML in a handout.

What ``audience`` and ``show_answers`` do (the lesson's parameters):

* live, ``audience="student"``: questions, Check, feedback; no answer can be revealed.
* live, ``audience="leader"``, ``show_answers=False`` (presenting in class): answers hidden; each question has
  a **Show answer** button for after the room has voted, and **Show all answers** opens every key at once.
* live, ``audience="leader"``, ``show_answers=True`` (preparing): the same, with every key open at the start.
* live, ``audience="student"``, ``show_answers=True``: every key shown, with no buttons (a self-study key).
* static (handouts): the printed key for leaders or with ``show_answers``, else the offline self-check.

One place decides the printed form (:attr:`Quiz.printed_mode`): the answer key for a leader (or with
``show_answers``), else the questions with the offline self-check.
"""

from __future__ import annotations

import dataclasses
import random

from turn_east.data import Course
from turn_east.errors import DataError, Problem
from turn_east.quiz import render
from turn_east.quiz.widgets import quiz_box

AUDIENCES = ("student", "leader")


class Quiz:
    """A lesson's questions, with a widget UI and static HTML renderings."""

    def __init__(self, course: Course, questions, *, lesson_id="quiz", title="Quiz", audience="student",
                 show_answers=False, render="live"):
        self.course = course
        self.questions = list(questions)
        self.lesson_id, self.title = lesson_id, title
        self.audience, self.show_answers, self.render = audience, bool(show_answers), render
        self.items: list = []
        self.score = None
        self.leader_toggle = None
        #: Where checked answers are saved and restored from (a progress.LessonProgress); None: nowhere. A
        #: lesson sets it for its live quiz (turn_east.notebook); handouts and bare quizzes keep none.
        self.store = None

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        return f"<Quiz {self.lesson_id}: {len(self.questions)} questions>"

    @property
    def printed_mode(self) -> str:
        """The static form this quiz prints in: "key" for leaders or with show_answers, else "selfcheck"."""
        return "key" if (self.show_answers or self.audience == "leader") else "selfcheck"

    # ------------------------------------------------ widgets
    def widget(self):
        """A fresh ipywidgets VBox: one box per question, a running score, a leader toggle."""
        return quiz_box(self)

    def _show_keys(self, on: bool) -> None:
        for item in self.items:
            if item.reveal is not None:
                item.reveal.value = bool(on)  # its observer shows or hides the key
            else:
                item.show_key(bool(on))

    def _update_score(self) -> None:
        if self.score is None:
            return
        right = sum(1 for it in self.items if it.correct)
        checked = sum(1 for it in self.items if it.correct is not None)
        self.score.value = render.score_html(right, len(self.items), checked)

    @property
    def score_text(self) -> str:
        right = sum(1 for it in self.items if it.correct)
        return f"{right} of {len(self.items)} correct"

    # ------------------------------------------------ static HTML
    def to_html(self, mode: str = "student") -> str:
        """Static HTML for a handout: "student", "key" or "selfcheck". Deterministic."""
        return render.static_html(self, mode)

    def question_html(self, index: int, mode: str = "student") -> str:
        """One question's static HTML (the sections of :meth:`to_html`)."""
        return render.question_html(self, index, mode)

    # ------------------------------------------------ notebook display
    def _repr_mimebundle_(self, include=None, exclude=None):
        """Live: the widget (with the printed form as an HTML fallback); static: the printed form."""
        static = self.to_html(self.printed_mode)
        if self.render == "static":
            return {"text/html": static, "text/plain": f"Quiz: {self.lesson_id}"}
        bundle = dict(self.widget()._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = static
        bundle.setdefault("text/plain", repr(self))
        return bundle


def lesson_quiz(course: Course, lesson_id: str, *, audience="student", show_answers=False, seed=None,
                shuffle=False, render="live") -> Quiz:
    """The quiz of one lesson: its bank questions in file order.

    ``seed`` (an int) or ``shuffle=True`` shuffles the questions and the options of
    single and multi questions; the same seed gives the same order every time.
    """
    titles = course.lesson_titles
    if lesson_id not in titles:
        raise DataError([Problem("lessons.csv", None, "id", lesson_id,
                                 f"is not a lesson; expected one of: {', '.join(sorted(titles))}")])
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be 'student' or 'leader', not {audience!r}")
    questions = [q for q in course.bank if q.lesson == lesson_id]
    if seed is not None or shuffle:
        rng = random.Random(seed)
        rng.shuffle(questions)
        questions = [dataclasses.replace(q, choices=tuple(rng.sample(q.choices, len(q.choices))))
                     if q.type in ("single", "multi") else q for q in questions]
    return Quiz(course, questions, lesson_id=lesson_id, title=titles[lesson_id], audience=audience,
                show_answers=show_answers, render=render)
