"""The leader guide's plans come from the course: 90 minutes per lesson, real question ids, the lessons' own prompts."""

import json

import nbformat
import pytest

from conftest import ROOT
from turn_east.make import guide
from turn_east.make.execute import execute_in_kernel
from turn_east.quiz import load_bank

GUIDE = ROOT / "notebooks" / "90_leader_guide.ipynb"


@pytest.fixture(scope="module")
def plans(course):
    return guide.seminar_plans(course)


@pytest.fixture(scope="module")
def bank(course):
    return load_bank(course)


def _md(text, **meta):
    return {"cell_type": "markdown", "metadata": dict(meta), "source": text}


def test_a_plan_for_every_lesson_in_order(course, plans):
    assert [p.lesson_id for p in plans] == list(course.lessons.sort_values("order")["id"])


def test_every_plan_lasts_90_minutes_without_gaps(plans):
    for p in plans:
        assert p.total_minutes == guide.SESSION_MIN, p.lesson_id
        start = 0
        for row_start, minutes, segment, what in p.rows:
            assert row_start == start and minutes > 0 and segment and what, (p.lesson_id, segment)
            start += minutes
        blocks = [r[2] for r in p.rows]
        assert blocks[0] in ("Recap", "Welcome") and blocks[-1] == "Wrap-up" and "Live quiz" in blocks


def test_live_questions_are_the_lessons_own_and_named_as_students_see_them(plans, bank):
    by_id = {q.id: q for q in bank}
    for p in plans:
        assert p.questions, p.lesson_id
        own = [by_id[i] for i in p.all_question_ids]
        for lq in p.questions:
            assert lq.question.lesson == p.lesson_id
            assert own[lq.number - 1].id == lq.question.id and lq.total == len(own)
            assert lq.label.startswith(f"Question {lq.number} of {len(own)}: ")
            assert lq.label in p.to_markdown()
        assert f"`{p.questions[0].question.id}`" not in p.to_markdown(), "name questions as students see them"


def test_live_questions_prefer_reasoning_skills_when_the_bank_has_them(course):
    import dataclasses
    qs = [q for q in course.bank if q.lesson == "05_stage_4_war_and_alliance"]
    skills = ["recall", "recall", "evaluate", "apply", "recall", "recall", "interpret"]
    tagged = [dataclasses.replace(q, **{}) for q in qs]
    for q, skill in zip(tagged, skills):
        object.__setattr__(q, "skill", skill)
    picked = guide.live_questions(tagged, 3)
    assert {getattr(q, "skill") for q in picked} == {"evaluate", "apply", "interpret"}
    untagged = guide.live_questions(qs, 3)  # without skills: the reasoning-shaped types, never a recall type
    assert not {q.type for q in untagged} & {"year", "text", "chronology"}


def test_plans_follow_the_lessons_minutes_and_the_banner(course, plans):
    from turn_east.session import banner_timing, session_blocks
    for p in plans:
        row = course.lesson(p.lesson_id)
        blocks = dict(session_blocks(row))
        reading, exercise, discussion = (int(row[k]) for k in ("reading_min", "exercise_min", "discussion_min"))
        in_class = min(reading, guide.SESSION_MIN - exercise - discussion - 10)  # the rest is set before class
        assert blocks["Reading and charts"] == in_class, p.lesson_id
        assert p.reading_before_class == reading - in_class, p.lesson_id
        if p.reading_before_class:
            assert f"{p.reading_before_class} minutes of reading are set before class" in p.to_markdown()
            assert "set reading before class" in banner_timing(row)
            assert any(r[2] == "Reading" and "set before class" in r[3] for r in p.rows), p.lesson_id
        assert blocks["Exercises and quiz"] == int(row["exercise_min"])
        assert blocks["Discussion"] == int(row["discussion_min"])
        assert sum(blocks.values()) == guide.SESSION_MIN
        for name, minutes in blocks.items():
            if minutes:
                assert f"{name.lower()} {minutes} min" in banner_timing(row), p.lesson_id
        timed = [r for r in p.rows if r[2].startswith("Discussion prompt")]
        for start, minutes, segment, _ in timed:  # a prompt gets at least its leader note's minutes
            prompt = next(x for x in p.prompts if f"prompt {x.number}" in segment)
            assert minutes >= (prompt.minutes or 0), (p.lesson_id, segment)


def test_lessons_with_a_practice_notebook_give_it_the_rest_of_the_exercise_block(plans):
    """The exercise minutes are measured with the practice notebook in them (data/README.md): the plan gives the
    notebook what the data cells and the live questions leave, and a live question never gets more than its minutes."""
    for p in plans:
        has_practice = (ROOT / "exercises" / f"{p.lesson_id}.ipynb").exists()
        practice = [r for r in p.rows if r[2] == "Practice notebook"]
        live = [r for r in p.rows if r[2] == "Live quiz"]
        assert bool(practice) == has_practice, p.lesson_id  # the synthesis too, after its essay's planning minutes
        if practice:
            assert p.practice in practice[0][3] and all(r[1] <= guide.QUESTION_MIN for r in live), p.lesson_id


def test_plans_carry_no_link_into_a_lesson(plans):
    """A "Try it" or a prompt may mark a glossary term; the plan (guide, leader handout, site) has no such anchor."""
    for p in plans:
        assert "](#" not in p.to_markdown(), p.lesson_id


def test_synthesis_gives_its_time_to_the_essay_and_the_debate(plans):
    syn = next(p for p in plans if p.kind == "synthesis")
    segments = [r[2] for r in syn.rows]
    assert any(s.startswith("Essay") for s in segments)
    assert len(syn.questions) == 1 and syn.questions[0].question.type not in ("chronology", "match_stage")
    essay = sum(r[1] for r in syn.rows if r[2].startswith("Essay"))
    quiz = sum(r[1] for r in syn.rows if r[2] == "Live quiz")
    assert essay > quiz


def test_charts_and_prompts_come_from_the_lesson_notebooks(plans):
    for p in plans:
        nb = json.loads((ROOT / "notebooks" / f"{p.lesson_id}.ipynb").read_text(encoding="utf-8"))
        shown = sum(1 for c in nb["cells"] if c["cell_type"] == "code" and "ctx.show(" in "".join(c["source"]))
        assert len(p.charts) == shown, p.lesson_id
        assert p.prompts, f"{p.lesson_id}: no numbered prompts found under ## Discussion"
        assert [x.number for x in p.prompts] == list(range(1, len(p.prompts) + 1)), p.lesson_id
        text = " ".join(" ".join(c["source"]) for c in nb["cells"])
        for x in p.prompts:
            assert x.text.split()[-1].strip("*") in text
        assert not any("Leader note" in x.text for x in p.prompts)


def test_discussion_prompts_parser():
    nb = {"cells": [
        _md("## Quiz\n\n1. Not a prompt."),
        _md("## Discussion\n\nIntro.\n\n1. First prompt\ncontinues here."),
        _md("**Leader note** (about 7 minutes)\n\nModel answer.", tags=["leader"]),
        _md("**2.** Second prompt."),
        _md("**Leader note**\n\n*Timing:* 9 minutes.", tags=["leader"]),
        _md("**3. Debate.** (Optional, if time allows.) Third."),
        _md("## Key points\n\n1. Not a prompt either."),
    ]}
    got = [(p.number, p.text, p.minutes, p.optional) for p in guide.discussion_prompts(nb)]
    assert got == [(1, "First prompt continues here.", 7, False), (2, "Second prompt.", 9, False),
                   (3, "Debate. (Optional, if time allows.) Third.", None, True)]


def test_prompts_that_do_not_fit_are_marked_optional(course):
    plan = guide.seminar_plan(course, "02_stage_1_adjusting_to_asia")
    long = [guide.Prompt(i, f"Prompt {i}", 20) for i in (1, 2, 3)]
    plan.prompts = long
    rows = guide._rows(plan, "stage")
    assert sum(r[1] for r in rows) == 90
    assert [p.optional for p in long] == [False, True, True]
    assert "if time allows" in plan.to_markdown()


def test_answers_only_when_asked(course, plans):
    p = plans[2]
    assert "*Answer:*" in p.to_markdown(show_answers=True, course=course)
    assert "*Answer:*" not in p.to_markdown(show_answers=False, course=course)


def test_guide_notebook_is_clean_and_starts_with_leader_parameters():
    nb = json.loads(GUIDE.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert "parameters" in code[0]["metadata"]["tags"]
    params = "".join(code[0]["source"]).replace(" ", "")
    for line in ('audience="leader"', "show_answers=True", "data_dir=None", 'render="live"'):
        assert line in params
    assert any("guide.show_plans(" in "".join(c["source"]) for c in code)


@pytest.mark.slow
def test_guide_notebook_runs_and_shows_every_lesson(course):
    nb = nbformat.read(GUIDE, as_version=4)
    execute_in_kernel(nb, cwd=GUIDE.parent, timeout=120)
    shown = "\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.outputs)
    for title in course.lessons["title"]:
        assert f"## {title}" in shown
    assert "| Start | Min | Segment | What to do |" in shown
    assert "Traceback" not in shown
    guide_text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "plotly's online" not in guide_text, "the map outlines are bundled with the course"
