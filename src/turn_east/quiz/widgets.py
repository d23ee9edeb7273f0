"""The quiz as ipywidgets: one :class:`QuizItem` per question (its input, a Check button, feedback, the
explanation after a right answer or two tries, and the key a leader can reveal).

Answers stay in the kernel: the widgets' initial state holds no answer.
"""

from __future__ import annotations

from turn_east.data.bank import Question
from turn_east.quiz import render
from turn_east.quiz.grading import grade
from turn_east.quiz.labels import event_label, stage_label


class QuizItem:
    """The widgets of one question: ``input``, ``check``, ``feedback`` and more.

    ``input`` is the answer widget (RadioButtons, ToggleButtons, IntText, Text) or, for
    multi / chronology / match_stage, a VBox whose ``parts`` are Checkboxes / Dropdowns.
    """

    def __init__(self, quiz, number: int, q: Question):
        import ipywidgets as w

        self.quiz, self.number, self.question = quiz, number, q
        self.attempts = 0
        self.correct: bool | None = None
        course = quiz.course
        label = f"Answer {number}:"
        style = {"description_width": "initial"}
        self.parts: list = []
        if q.type == "single":
            self.input = w.RadioButtons(options=list(q.choices), value=None, description=label,
                                        style=style, layout=w.Layout(width="auto"))
        elif q.type == "truefalse":
            self.input = w.ToggleButtons(options=[("True", "true"), ("False", "false")], value=None,
                                         description=label, style=style,
                                         tooltips=["The statement is true", "The statement is false"])
        elif q.type == "multi":
            self.parts = [w.Checkbox(value=False, description=opt, indent=False,
                                     layout=w.Layout(width="auto")) for opt in q.choices]
            self.input = w.VBox(self.parts)
        elif q.type == "chronology":
            options = [("choose an event", None)] + [(event_label(course, e), e) for e in q.choices]
            self.parts = [w.Dropdown(options=options, value=None, description=f"{render.ORDINALS[i]}:",
                                     style=style, layout=w.Layout(width="auto"))
                          for i in range(len(q.choices))]
            self.input = w.VBox(self.parts)
        elif q.type == "match_stage":
            options = [("choose a stage", None)] + [(stage_label(course, s), s) for s in course.periods]
            self.parts = [w.Dropdown(options=options, value=None, description=event_label(course, e),
                                     style=style, layout=w.Layout(width="auto"))
                          for e in q.choices]
            self.input = w.VBox(self.parts)
        elif q.type == "year":
            self.input = w.IntText(value=0, description=f"{label} year", style=style)
        else:
            self.input = w.Text(value="", placeholder="type your answer", description=label,
                                style=style, continuous_update=False)
        self.check = w.Button(description="Check", icon="check", button_style="primary",
                              tooltip=f"Check your answer to question {number}")
        self.feedback = w.HTML(value="")
        self.explanation = w.HTML(value="")
        self.key = w.HTML(value="")
        self.check.on_click(self._on_check)
        head = w.HTML(value=render.head_html(number, len(quiz.questions), q))
        # A leader reveals one question's answer after the room has voted (off until pressed).
        self.reveal = None
        controls = [self.check]
        if quiz.audience == "leader":
            self.reveal = w.ToggleButton(value=False, description="Show answer", icon="eye",
                                         tooltip=f"Leader: reveal the answer to question {number} after the vote")
            self.reveal.observe(lambda ch: self.show_key(ch["new"]), names="value")
            controls.append(self.reveal)
        self.box = w.VBox([head, self.input, w.HBox(controls), self.feedback, self.explanation, self.key],
                          layout=w.Layout(border=f"1px solid {render.BORDER}", padding="0.5em",
                                          margin="0 0 0.8em 0"))

    def response(self):
        """The learner's response, read from the widgets (the shapes :func:`grade` takes)."""
        q = self.question
        if q.type == "multi":
            return [opt for opt, cb in zip(q.choices, self.parts) if cb.value]
        if q.type == "chronology":
            return [d.value for d in self.parts]
        if q.type == "match_stage":
            return {e: d.value for e, d in zip(q.choices, self.parts)}
        return self.input.value

    def set(self, value) -> None:
        """Set the widgets to a response (same shapes as :func:`grade` takes)."""
        q = self.question
        if q.type == "multi":
            for opt, cb in zip(q.choices, self.parts):
                cb.value = opt in set(value)
        elif q.type == "chronology":
            for d, v in zip(self.parts, value):
                d.value = v
        elif q.type == "match_stage":
            for e, d in zip(q.choices, self.parts):
                d.value = value.get(e)
        elif q.type == "truefalse":
            self.input.value = None if value is None else str(value).lower()
        else:
            self.input.value = value

    def _on_check(self, _button=None) -> None:
        response = self.response()
        verdict = grade(self.question, response, self.quiz.course)
        if verdict.correct is not None:
            self.attempts += 1
            self.correct = verdict.correct
        self._show(verdict)
        store = getattr(self.quiz, "store", None)
        if store is not None and verdict.correct is not None:
            store.record(self.question.id, response, verdict.correct, self.attempts)

    def _show(self, verdict) -> None:
        self.feedback.value = render.verdict_html(verdict, self.question, self.attempts, self.quiz.course)
        show = verdict.correct or self.attempts >= 2
        self.explanation.value = render.explanation_html(self.question, self.quiz.course) if show else ""
        self.quiz._update_score()

    def restore(self, saved: dict) -> bool:
        """Put back a saved answer (widgets, attempts, feedback) without counting a new try; False when the
        saved response no longer fits the question (the bank changed), which is then left unanswered."""
        response = saved.get("response")
        try:
            if self.question.type == "year":
                response = int(response)
            self.set(response)
        except (TypeError, ValueError, KeyError, AttributeError, Exception):  # a trait error from a stale option
            return False
        verdict = grade(self.question, self.response(), self.quiz.course)
        if verdict.correct is None:
            return False
        self.attempts = max(int(saved.get("attempts") or 1), 1)
        self.correct = verdict.correct
        self._show(verdict)
        return True

    def show_key(self, on: bool) -> None:
        self.key.value = render.key_html(self.question, self.quiz.course) if on else ""


def quiz_box(quiz):
    """A fresh VBox for ``quiz``: a title, a leader's reveal toggle, one box per question, a running score."""
    import ipywidgets as w

    quiz.items = [QuizItem(quiz, i, q) for i, q in enumerate(quiz.questions, 1)]
    quiz.score = w.HTML(value="")
    quiz._update_score()
    children = [w.HTML(value=render.title_html(quiz.title))]
    quiz.leader_toggle = None
    if quiz.audience == "leader":
        # Off in class (show_answers=False): the room votes first. show_answers=True (preparing) opens it.
        quiz.leader_toggle = w.ToggleButton(value=quiz.show_answers, description="Show all answers", icon="eye",
                                            tooltip="Leader: reveal every answer at once (preparing, or a recap)")
        quiz.leader_toggle.observe(lambda ch: quiz._show_keys(ch["new"]), names="value")
        children.append(quiz.leader_toggle)
    if not quiz.questions:
        children.append(w.HTML(value="<p>This lesson has no quiz questions yet.</p>"))
    store = getattr(quiz, "store", None)
    if store is not None:
        restored = sum(item.restore(store.answers[item.question.id]) for item in quiz.items
                       if item.question.id in store.answers)
        note = store.problem or (f"Your {restored} saved answer{'s' if restored != 1 else ''} from last time "
                                 "{} restored.".format("is" if restored == 1 else "are") if restored else "")
        if note:
            children.append(w.HTML(value=render.note_html(note)))
    children += [item.box for item in quiz.items] + [quiz.score]
    quiz._show_keys(quiz.show_answers)
    return w.VBox(children)
