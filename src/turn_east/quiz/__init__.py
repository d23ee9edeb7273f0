"""Lesson quizzes: the question bank, grading, generated questions, a widget UI and static HTML.

The bank is ``data/questions.csv`` (columns and answer formats in docs/ARCHITECTURE.md), checked
against the rest of the course when the course loads (``turn_east.data.bank``), so a chronology or
stage answer can never contradict ``events.csv``. ``lesson_quiz`` picks a lesson's questions; the
resulting :class:`Quiz` renders as ipywidgets when live (``widget()``) and as static HTML for
handouts (``to_html("student" | "key" | "selfcheck")``); ``Quiz.printed_mode`` says which one a
lesson prints.

    bank.py       questions.csv as Question objects (load_bank)
    grading.py    grade a response, the answer as lines (Verdict, grade, answer_text)
    generated.py  questions made from the events (generated_questions)
    widgets.py    the ipywidgets UI (QuizItem)
    render.py     static HTML and the widgets' HTML, from templates/ (Jinja)
    lesson.py     a lesson's quiz (Quiz, lesson_quiz)
    progress.py   a student's answers saved per lesson in their own work folder (LessonProgress)

Answers stay in the kernel: the widget's initial state holds no answer, and the
student HTML holds nothing that reveals one.
"""

from turn_east.data.bank import SKILLS, TYPES, Question, normalize
from turn_east.quiz.bank import COLUMNS, load_bank
from turn_east.quiz.generated import generated_questions
from turn_east.quiz.grading import Verdict, answer_text, grade
from turn_east.quiz.lesson import Quiz, lesson_quiz
from turn_east.quiz.widgets import QuizItem

__all__ = [
    "COLUMNS", "SKILLS", "TYPES", "Question", "Verdict", "Quiz", "QuizItem",
    "load_bank", "lesson_quiz", "generated_questions", "grade", "answer_text", "normalize",
]
