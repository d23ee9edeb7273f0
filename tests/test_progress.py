"""Quiz progress lasts: answers checked in a live lesson are saved in the student's work folder, come back
in a new kernel, and are summarised on the course map; a corrupt record is reported in one line and
replaced without touching other lessons; handouts never read or write progress."""

from __future__ import annotations

import json
import os

import pytest

from conftest import ROOT
from turn_east.quiz.progress import ENV, LessonProgress, progress_dir, summary_rows

LESSON = "02_stage_1_adjusting_to_asia"


def test_a_record_is_written_atomically_and_read_back(tmp_path):
    rec = LessonProgress.load(LESSON, tmp_path)
    assert rec.answers == {} and rec.problem is None
    rec.record("s1-launch-signs", ("a", "b"), False, 1)
    rec.record("s1-match-boundary", {"e": "stage-1"}, True, 2)
    assert [p.name for p in tmp_path.iterdir()] == [f"{LESSON}.json"], "no temporary file is left behind"
    back = LessonProgress.load(LESSON, tmp_path)
    assert back.answers["s1-launch-signs"] == {"response": ["a", "b"], "correct": False, "attempts": 1}
    assert back.answers["s1-match-boundary"]["response"] == {"e": "stage-1"} and back.updated


@pytest.mark.parametrize("content", ["{not json", json.dumps({"lesson": "01_prelude_six_party_talks", "answers": {}}),
                                     json.dumps([1, 2])])
def test_a_corrupt_record_is_reported_once_kept_aside_and_replaced(tmp_path, content):
    other = LessonProgress.load("01_prelude_six_party_talks", tmp_path)
    other.record("pre-chronology", ["x"], True, 1)
    other_bytes = other.path.read_bytes()
    (tmp_path / f"{LESSON}.json").write_text(content, encoding="utf-8")
    rec = LessonProgress.load(LESSON, tmp_path)
    assert rec.answers == {} and rec.problem and "\n" not in rec.problem
    assert "could not be read" in rec.problem and "other lessons are not affected" in rec.problem
    assert (tmp_path / f"{LESSON}.json.unreadable").read_text(encoding="utf-8") == content
    rec.record("s1-chronology", ["a", "b", "c", "d"], False, 1)
    assert LessonProgress.load(LESSON, tmp_path).problem is None
    assert other.path.read_bytes() == other_bytes, "another lesson's record changed"


def test_the_folder_is_the_students_never_the_courses(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert progress_dir() == ROOT / "my-work" / ".progress"
    monkeypatch.setenv(ENV, str(tmp_path))
    assert progress_dir() == tmp_path


def test_summary_counts_lessons_done_and_scores(tmp_path, course):
    ids = [q.id for q in course.bank if q.lesson == LESSON]
    rec = LessonProgress.load(LESSON, tmp_path)
    for qid in ids:
        rec.record(qid, "x", qid != ids[0], 1)
    (tmp_path / "03_stage_2_after_crimea.json").write_text("garbage", encoding="utf-8")
    rows = {r["lesson"]: r for r in summary_rows(course, tmp_path)}
    assert len(rows) == len(course.lessons)
    assert rows[LESSON]["answered"] == len(ids) and rows[LESSON]["right"] == len(ids) - 1
    assert rows["03_stage_2_after_crimea"]["answered"] == 0 and "unreadable" in rows["03_stage_2_after_crimea"]["note"]
    assert (tmp_path / "03_stage_2_after_crimea.json").read_text() == "garbage", "the summary only reads"


SETUP = f"""
from turn_east.notebook import setup
ctx = setup({LESSON!r})
ctx.quiz()
quiz = ctx.last_quiz
"""


@pytest.mark.slow
def test_answers_survive_a_kernel_restart_and_reach_the_course_map(tmp_path):
    """A real kernel: answer two questions (one right, one wrong twice), restart the kernel, reopen the lesson's
    quiz: the widgets hold the answers, the score is back, nothing counts as a new try; the course map's cell
    lists the lesson. A static (handout) quiz in the same folder reads and writes nothing."""
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, **{ENV: str(tmp_path)})
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT / "notebooks"))

    def run(code):
        out = []
        reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(m))
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")

    try:
        run(SETUP)
        run("""
items = quiz.items
single = next(i for i in items if i.question.type == "single")
multi = next(i for i in items if i.question.type == "multi")
single.set(single.question.answer[0]); single.check.click()
wrong = [c for c in multi.question.choices if c not in multi.question.answer][:1]
multi.set(wrong); multi.check.click(); multi.check.click()
print(single.question.id, multi.question.id, quiz.score_text)
""")
        saved = json.loads((tmp_path / f"{LESSON}.json").read_text(encoding="utf-8"))
        assert len(saved["answers"]) == 2
        km.restart_kernel(now=True)
        kc.wait_for_ready(timeout=120)
        out = run(SETUP + """
single = next(i for i in quiz.items if i.question.type == "single")
multi = next(i for i in quiz.items if i.question.type == "multi")
print(quiz.score_text, single.correct, single.attempts, multi.correct, multi.attempts, single.input.value == single.question.answer[0])
""")
        assert out.splitlines()[0].startswith("1 of ") and " True 1 False 2 True" in out.splitlines()[0], out
        assert json.loads((tmp_path / f"{LESSON}.json").read_text(encoding="utf-8")) == saved, "restoring wrote nothing"
        summary = run("""
from turn_east.notebook import setup
m = setup("00_course_map")
from IPython.utils.capture import capture_output
with capture_output() as cap:
    m.progress()
print(cap.outputs[0].data["text/plain"])
""")
        assert "Stage One" in summary and "2/" in summary and "1 right" in summary, summary
        before = sorted(p.name for p in tmp_path.iterdir())
        run(f"""
from turn_east.notebook import setup
s = setup({LESSON!r}, render="static")
s.quiz()
assert s.last_quiz.store is None
""")
        assert sorted(p.name for p in tmp_path.iterdir()) == before
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
