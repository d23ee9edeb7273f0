"""What every lesson must have: the minimums that the tests check and that docs/CONTRIBUTING.md ("Add a lesson")
cites, in one place, so that a course author reads a rule where the tests read it.

Nothing here runs in a lesson; the tests (``tests/test_lesson_structure.py``, ``test_lesson_text.py``,
``test_quiz.py``, ``test_reading.py``, ``test_practice_checks.py``, ``test_practice_coding.py``), the validator
(:mod:`turn_east.data.rules`) and ``tests/test_add_lesson.py`` import these names. Change a minimum here, and
the tests and the guide for authors follow.
"""

from __future__ import annotations

#: The ``kind`` of a lesson in ``data/lessons.csv`` (the enum in ``datapackage.json`` lists exactly these) and
#: what the course's tools do with it. A new kind (a case-study lesson, say) is a new entry here, in the enum,
#: in the codebook's lessons table and in docs/ARCHITECTURE.md; the leader guide plans it like a stage or
#: motive lesson unless guide.py learns otherwise.
LESSON_KINDS = {
    "map": "the course map: the leader guide's plan opens with the welcome, the set-up and the syllabus",
    "prelude": "the years before the article's first stage; lessons.csv names its period in `stage`",
    "stage": "one of the article's stages; lessons.csv names its period in `stage`",
    "epilogue": "the course's own period after the article; lessons.csv names its period in `stage`",
    "motive": "one of the article's four motives; lessons.csv names it in `motive`, and the lesson has "
              "'## Contending readings'",
    "synthesis": "weighs the whole argument: the leader guide plans the essay and one live question, and the "
                 "lesson has '## Contending readings'",
}
#: Kinds whose lesson must name its period in lessons.csv's ``stage`` column.
KINDS_WITH_A_PERIOD = ("prelude", "stage", "epilogue")
#: Kinds without a practice notebook in solutions/ and exercises/ (every other lesson has one).
KINDS_WITHOUT_PRACTICE = ("map",)
#: Kinds whose lesson sets out contending readings (``## Contending readings``, two scholars or more).
KINDS_WITH_CONTENDING_READINGS = ("motive", "synthesis")

# ---------------------------------------------------------------- the lesson notebook
#: Level-2 headings every lesson has, in this order (other sections go between them).
HEADINGS = ("## Learning objectives", "## Time and prerequisites", "## Quiz", "## Discussion", "## Key points",
            "## References", "## What's next")
#: Words of prose a student sees (markdown cells that are not leader notes, links' addresses left out).
MIN_WORDS = 1500
#: Charts (``ctx.show(charts....)`` cells); each is introduced by a markdown cell that asks a question and
#: followed by one that says what it shows and what it cannot show.
MIN_CHARTS = 3
#: Leader notes (markdown cells tagged ``leader``, starting with "**Leader note**"): one per discussion prompt.
MIN_LEADER_NOTES = 3
#: Words the leader notes of a lesson use between them: timing, a model answer, the misconceptions to expect.
LEADER_NOTE_WORDS = ("minute", "model answer", "misconception")
#: Primary documents shown (``ctx.document`` / ``ctx.compare_documents``), each listed for the lesson in
#: documents.csv.
MIN_DOCUMENTS = 2
#: Glossary terms marked on first use as ``[term](#glossary-<id>)`` and listed in the one ``ctx.glossary`` cell.
MIN_GLOSSARY_TERMS = 3
#: Scholars or analysts set against each other under "## Contending readings".
MIN_CONTENDING_READINGS = 2

# ---------------------------------------------------------------- the lesson's data
#: Questions in ``data/questions.csv`` for the lesson, of which at least this share ask for more than recall.
MIN_QUESTIONS = 5
MIN_NOT_RECALL_SHARE = 0.5
#: Further readings per lesson in ``data/readings.csv`` (numbered 1, 2, 3, ...).
MIN_READINGS, MAX_READINGS = 3, 5

# ---------------------------------------------------------------- the practice notebook (solutions/ -> exercises/)
#: The checked tasks of every practice notebook, one of each kind (``@task(..., kind=...)``).
TASK_KINDS = ("drill", "sensitivity", "choice", "coding")
#: Typical wrong answers per checked task in ``WRONG`` (tests/test_practice_checks.py), each with the words
#: its hint must contain.
MIN_WRONG_ANSWERS = 5
#: Held-out events per practice notebook in ``data/coding_exercises.csv`` (its coding task).
CODING_EVENTS_PER_EXERCISE = 2

# ---------------------------------------------------------------- print (measured by benchmarks/bench_print.py)
#: A stage lesson's student handout prints on at most this many A4 pages.
MAX_STUDENT_PAGES = 13


def minimums() -> list[tuple[str, str]]:
    """The minimums as (what, how many) rows, for the guide for authors and the tests' messages."""
    return [
        ("student-visible words of prose", f">= {MIN_WORDS}"),
        ("charts, each introduced by a question and followed by its reading", f">= {MIN_CHARTS}"),
        ("leader notes (timing, model answer, misconceptions)", f">= {MIN_LEADER_NOTES}"),
        ("primary documents (documents.csv)", f">= {MIN_DOCUMENTS}"),
        ("glossary terms marked on first use", f">= {MIN_GLOSSARY_TERMS}"),
        ("quiz questions (questions.csv), at least half not recall", f">= {MIN_QUESTIONS}"),
        ("further readings (readings.csv)", f"{MIN_READINGS}-{MAX_READINGS}"),
        ("contending readings (motive and synthesis lessons)", f">= {MIN_CONTENDING_READINGS}"),
        ("checked practice tasks: " + ", ".join(TASK_KINDS), f"{len(TASK_KINDS)}"),
        ("typical wrong answers per task, with the words of their hints", f">= {MIN_WRONG_ANSWERS}"),
        ("held-out coding events (coding_exercises.csv)", f"{CODING_EVENTS_PER_EXERCISE}"),
    ]
