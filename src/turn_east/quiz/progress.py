"""A student's quiz progress, kept in their own work folder so that it outlives the kernel.

One JSON file per lesson, ``<folder>/<lesson id>.json``; the folder is, in this order, ``$TURN_EAST_PROGRESS``,
``my-work/.progress`` in the course folder (beside the exercises ``make workspace`` copies there), or
``~/my-work/.progress`` when the package runs without its repository (a JupyterHub image: the student's
home). Never the course's own files. A live quiz opened through a lesson (``ctx.quiz()``) restores the
record and saves each checked answer; handouts never read or write it (static quizzes have no store).

Each write goes to a temporary file that replaces the old one (``os.replace``), so a crash leaves the
previous record whole. A record that cannot be read (not JSON, the wrong shape, another lesson's) is
reported in one line, kept aside as ``<lesson>.json.unreadable`` and replaced by a fresh one; the other
lessons' files are separate and untouched.

    {"lesson": "02_stage_1_adjusting_to_asia", "version": 1, "updated": "2025-01-31T10:00:00+00:00",
     "answers": {"s1-launch-signs": {"response": [...], "correct": true, "attempts": 2}, ...}}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import paths

ENV = "TURN_EAST_PROGRESS"
VERSION = 1


def progress_dir(override=None) -> Path:
    """Where progress is kept: ``override``, $TURN_EAST_PROGRESS, the course's my-work/.progress, or
    ~/my-work/.progress without a repository."""
    if override is not None:
        return Path(override)
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    root = paths.repo_root()
    return (root / "my-work" / ".progress") if root else Path.home() / "my-work" / ".progress"


@dataclass
class LessonProgress:
    """One lesson's saved answers; ``problem`` is the one line to show when the old record was unreadable."""

    lesson: str
    folder: Path
    answers: dict = field(default_factory=dict)
    updated: str | None = None
    problem: str | None = None

    @property
    def path(self) -> Path:
        return self.folder / f"{self.lesson}.json"

    @classmethod
    def load(cls, lesson: str, folder=None) -> "LessonProgress":
        rec = cls(lesson, progress_dir(folder))
        try:
            text = rec.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return rec
        except OSError as exc:
            rec.problem = f"Your saved answers for this lesson could not be read ({exc.strerror}); starting afresh."
            return rec
        try:
            data = json.loads(text)
            if not (isinstance(data, dict) and data.get("lesson") == lesson and isinstance(data.get("answers"), dict)):
                raise ValueError("not a progress record of this lesson")
            answers = {str(k): v for k, v in data["answers"].items()
                       if isinstance(v, dict) and "response" in v and isinstance(v.get("attempts", 0), int)}
        except ValueError as exc:
            aside = rec.path.with_name(rec.path.name + ".unreadable")
            try:
                os.replace(rec.path, aside)
            except OSError:
                aside = rec.path
            rec.problem = (f"Your saved answers in {rec.path} could not be read ({str(exc).split(':')[0]}); "
                           f"it was kept as {aside.name} and this lesson starts afresh (other lessons are not affected).")
            return rec
        rec.answers, rec.updated = answers, data.get("updated")
        return rec

    def record(self, qid: str, response, correct: bool | None, attempts: int) -> None:
        """Store one checked answer and write the record at once (atomically)."""
        self.answers[qid] = {"response": _jsonable(response), "correct": correct, "attempts": attempts}
        self.updated = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.save()

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {"lesson": self.lesson, "version": VERSION, "updated": self.updated, "answers": self.answers}
        fd, tmp = tempfile.mkstemp(prefix=f".{self.lesson}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _jsonable(response):
    if isinstance(response, dict):
        return {str(k): v for k, v in response.items()}
    if isinstance(response, (list, tuple)):
        return list(response)
    return response


def summary_rows(course, folder=None) -> list[dict]:
    """One row per lesson with a quiz: questions, answered, right, last saved; read-only."""
    rows = []
    for lesson_id, title in course.lesson_titles.items():
        ids = {q.id for q in course.bank if q.lesson == lesson_id}
        if not ids:
            continue
        rec = LessonProgress(lesson_id, progress_dir(folder))
        note = ""
        try:
            data = json.loads(rec.path.read_text(encoding="utf-8"))
            answers = data.get("answers", {}) if isinstance(data, dict) else {}
            if not isinstance(answers, dict):
                raise ValueError
        except FileNotFoundError:
            answers = {}
        except (OSError, ValueError):
            answers, note = {}, "saved answers unreadable; they start afresh when you open the lesson"
        answered = [a for q, a in answers.items() if q in ids and isinstance(a, dict)]
        rows.append({"lesson": lesson_id, "title": title, "questions": len(ids), "answered": len(answered),
                     "right": sum(1 for a in answered if a.get("correct") is True),
                     "updated": (data.get("updated") or "") if answers else "", "note": note})
    return rows
