"""Lesson quizzes: the question bank, generated questions, a widget UI and static HTML.

The bank is ``data/questions.csv`` (columns and answer formats in docs/ARCHITECTURE.md).
``load_bank`` validates it against the rest of the course, so a chronology or stage
answer can never contradict ``events.csv``. ``lesson_quiz`` picks a lesson's questions;
the resulting :class:`Quiz` renders as ipywidgets when live (``widget()``) and as
static HTML for handouts (``to_html("student" | "key" | "selfcheck")``).

Answers stay in the kernel: the widget's initial state holds no answer, and the
student HTML holds nothing that reveals one.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from turn_east.data import DataError, Problem

__all__ = [
    "TYPES", "Question", "Verdict", "Quiz", "QuizItem",
    "load_bank", "lesson_quiz", "generated_questions", "grade", "normalize",
]

TYPES = ("single", "multi", "truefalse", "chronology", "match_stage", "year", "text")
COLUMNS = ("id", "lesson", "type", "prompt", "choices", "answer", "tolerance",
           "feedback", "explanation", "section", "source_id")
FILE = "questions.csv"
TYPE_HINTS = {
    "single": "choose one",
    "multi": "choose all that apply",
    "truefalse": "true or false",
    "chronology": "put in order, earliest first",
    "match_stage": "match each event to its stage",
    "year": "give the year",
    "text": "type the name or term",
}
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")
OK_MARK, NO_MARK = "\u2714", "\u2718"
# Theme-aware colours: JupyterLab variables with fallbacks that read on light and dark.
OK_COLOR = "var(--jp-success-color1, #1a7f37)"
NO_COLOR = "var(--jp-error-color1, #c62828)"
TEXT_COLOR = "var(--jp-ui-font-color1, inherit)"
MUTED_COLOR = "var(--jp-ui-font-color2, inherit)"
BORDER = "var(--jp-border-color1, rgba(128, 128, 128, 0.6))"


# ---------------------------------------------------------------- the model

@dataclass(frozen=True, eq=False)
class Question:
    """One quiz question, parsed from a bank row (or generated from the events)."""

    id: str
    lesson: str
    type: str
    prompt: str
    choices: tuple[str, ...]
    answer: tuple[str, ...]
    tolerance: float = 0.0
    feedback: dict = field(default_factory=dict)
    explanation: str = ""
    section: str = ""
    source_id: str = ""
    row: int | None = None

    @property
    def year(self) -> int:
        return int(self.answer[0])

    @property
    def stages(self) -> dict[str, str]:
        """match_stage: event id -> stage id."""
        return dict(pair.split("=", 1) for pair in self.answer)


@dataclass(frozen=True)
class Verdict:
    """The result of checking one response: correct or not, and what to say."""

    correct: bool | None          # None: nothing was chosen yet
    headline: str
    details: tuple[str, ...] = ()


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to match typed answers."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _split(value: str, sep: str = "|") -> list[str]:
    return [part.strip() for part in str(value).split(sep)] if str(value).strip() else []


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- course lookups

class _Lookup:
    """Event and stage facts the quiz needs, read once from the course."""

    def __init__(self, course):
        self.lessons = set(course.lessons["id"].astype(str))
        sources = getattr(course, "sources", None)
        self.sources = set(sources["id"].astype(str)) if sources is not None else None
        self.citations = (dict(zip(sources["id"].astype(str), sources["citation"].astype(str)))
                          if sources is not None and "citation" in sources else {})
        stages = course.stages.sort_values("order") if "order" in course.stages else course.stages
        self.stage_ids = [str(s) for s in stages["id"]]
        self.stage_titles = dict(zip(self.stage_ids, (str(t) for t in stages["title"])))
        self.events: dict[str, dict] = {}
        for row in course.events.itertuples(index=False):
            stage = getattr(row, "stage", None)
            self.events[str(row.id)] = {
                "date": pd.Timestamp(row.date),
                "precision": _cell(getattr(row, "date_precision", "day")) or "day",
                "stage": None if stage is None or pd.isna(stage) or str(stage) == "" else str(stage),
                "title": str(row.title),
                "source_id": _cell(getattr(row, "source_id", "")),
                "article_section": _cell(getattr(row, "article_section", "")),
            }

    def cite(self, source_id: str) -> str:
        """A readable source for a student: the article's title, or the citation, shortened."""
        if source_id == "article":
            return "the article, \u201cNorth Korea\u2019s Importance for Putin\u2019s \u2018Turn to the East\u2019\u201d (2024)"
        text = self.citations.get(source_id, source_id)
        if len(text) > 160:
            text = text[:157].rsplit(" ", 1)[0] + "\u2026"
        return text

    def label(self, event_id: str) -> str:
        """An event's title for a learner, with no date (a date would give an order away)."""
        ev = self.events.get(event_id)
        return ev["title"] if ev else event_id

    def when(self, event_id: str) -> str:
        ev = self.events[event_id]
        return _format_date(ev["date"], ev["precision"])

    def stage_label(self, stage_id: str) -> str:
        return self.stage_titles.get(stage_id, stage_id)


def _format_date(ts: pd.Timestamp, precision: str) -> str:
    if precision == "year":
        return f"{ts.year}"
    if precision == "month":
        return f"{ts:%B} {ts.year}"
    return f"{ts.day} {ts:%B} {ts.year}"


PRECISIONS = ("day", "month", "year")


def _distinct(a: dict, b: dict) -> bool:
    """True when two events' dates can be told apart at the coarser of their precisions."""
    keep = 3 - max(PRECISIONS.index(a["precision"]), PRECISIONS.index(b["precision"]))
    return (a["date"].year, a["date"].month, a["date"].day)[:keep] != \
        (b["date"].year, b["date"].month, b["date"].day)[:keep]


# ---------------------------------------------------------------- loading and validation

def _read_rows(course, path) -> list[dict]:
    if path is not None:
        path = Path(path)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataError([Problem(path.name, 1, c, None,
                                         f"column is missing; expected columns: {', '.join(COLUMNS)}")
                                 for c in missing])
            rows = []
            for lineno, raw in enumerate(reader, start=2):
                if any((v or "").strip() for v in raw.values()):
                    rows.append({c: _cell(raw.get(c)) for c in COLUMNS} | {"__row__": lineno})
            return rows
    frame = course.questions
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError([Problem(FILE, 1, c, None, f"column is missing; expected columns: {', '.join(COLUMNS)}")
                         for c in missing])
    return [{c: _cell(rec[c]) for c in COLUMNS} | {"__row__": i + 2}
            for i, rec in enumerate(frame.to_dict("records"))]


def _parse_feedback(text: str) -> tuple[dict, list[str]]:
    feedback, bad = {}, []
    for part in _split(text):
        if "=>" not in part:
            bad.append(part)
            continue
        key, why = part.split("=>", 1)
        feedback[key.strip()] = why.strip()
    return feedback, bad


def _check_row(row: dict, look: _Lookup, seen: dict) -> tuple[Question | None, list[Problem]]:
    n, qid = row["__row__"], row["id"] or None
    problems: list[Problem] = []

    def bad(fld, value, expected):
        problems.append(Problem(FILE, n, fld, value, expected, qid))

    if not row["id"]:
        bad("id", None, "is empty; give the question a unique id such as 02-abe-sochi")
    elif row["id"] in seen:
        bad("id", row["id"], f"is a duplicate; row {seen[row['id']]} has the same id")
    else:
        seen[row["id"]] = n
    if row["lesson"] not in look.lessons:
        bad("lesson", row["lesson"], f"is not a lesson in lessons.csv; expected one of: {', '.join(sorted(look.lessons))}")
    qtype = row["type"]
    if qtype not in TYPES:
        bad("type", qtype, f"is not a question type; expected one of: {', '.join(TYPES)}")
    for fld in ("prompt", "answer", "explanation", "section", "source_id"):
        if not row[fld]:
            what = {"explanation": "an explanation that teaches why (the fact and its date)",
                    "section": "the lesson or article section to reread",
                    "source_id": "a source id from sources.csv, or 'article'"}.get(fld, "a value")
            bad(fld, None, f"is empty; write {what}")
    if row["source_id"] and look.sources is not None and row["source_id"] not in look.sources:
        bad("source_id", row["source_id"], "is not an id in sources.csv")
    feedback, malformed = _parse_feedback(row["feedback"])
    for part in malformed:
        bad("feedback", part, "expected option=>why, separated by |")
    choices, answer = _split(row["choices"]), _split(row["answer"])
    tolerance = 0.0
    if row["tolerance"]:
        try:
            tolerance = float(row["tolerance"])
            if tolerance < 0 or math.isnan(tolerance):
                raise ValueError
        except ValueError:
            bad("tolerance", row["tolerance"], "is not a number of years; expected 0 or more, e.g. 1")
            tolerance = 0.0
    if qtype not in TYPES or not answer:
        return None, problems

    def known_events(ids):
        ok = True
        for eid in ids:
            if eid not in look.events:
                bad("choices", eid, "is not an event id in events.csv; correct the id or add the event there first")
                ok = False
        return ok

    if qtype in ("single", "multi"):
        if len(choices) < 2:
            bad("choices", row["choices"], "needs at least two options separated by |")
        if len(set(choices)) != len(choices):
            bad("choices", row["choices"], "repeats an option")
        for a in answer:
            if a not in choices:
                bad("answer", a, f"is not among the choices ({' | '.join(choices)})")
        if qtype == "single" and len(answer) != 1:
            bad("answer", row["answer"], "a single-choice question has exactly one answer")
        if len(set(answer)) != len(answer):
            bad("answer", row["answer"], "repeats an option")
        for key in feedback:
            if key not in choices:
                bad("feedback", key, "feedback is for an option that is not among the choices")
    elif qtype == "truefalse":
        answer = [a.lower() for a in answer]
        if answer not in (["true"], ["false"]):
            bad("answer", row["answer"], "expected true or false")
        if choices and [c.lower() for c in choices] != ["true", "false"]:
            bad("choices", row["choices"], "leave empty or write true|false")
        choices = ["true", "false"]
        feedback = {k.lower(): v for k, v in feedback.items()}
        for key in feedback:
            if key not in choices:
                bad("feedback", key, "truefalse feedback keys are true and false")
    elif qtype == "chronology":
        if not 3 <= len(choices) <= 5:
            bad("choices", row["choices"], "a chronology needs 3 to 5 event ids")
        if sorted(answer) != sorted(choices):
            bad("answer", row["answer"], "must list the same event ids as the choices, in date order")
        elif known_events(choices):
            evs = [look.events[e] for e in answer]
            by_date = sorted(answer, key=lambda e: look.events[e]["date"])
            if by_date != answer:
                bad("answer", row["answer"],
                    "contradicts events.csv: in date order the events are " + " | ".join(by_date))
            for a, b in zip(evs, evs[1:]):
                if not _distinct(a, b):
                    bad("choices", row["choices"],
                        "two events cannot be told apart at their date precision; pick events further apart")
            if choices == answer:
                bad("choices", row["choices"],
                    "lists the events already in date order, which gives the answer away; scramble them")
        for key in feedback:
            if key not in choices:
                bad("feedback", key, "feedback is for an event that is not among the choices")
    elif qtype == "match_stage":
        pairs = {}
        for pair in answer:
            if "=" not in pair:
                bad("answer", pair, "expected event_id=stage_id")
                continue
            eid, sid = (x.strip() for x in pair.split("=", 1))
            pairs[eid] = sid
            if sid not in look.stage_ids:
                bad("answer", sid, f"is not a stage id in stages.csv; expected one of: {', '.join(look.stage_ids)}")
        answer = [f"{e}={s}" for e, s in pairs.items()]
        if not choices:
            bad("choices", None, "list the event ids to match, separated by |")
        if sorted(pairs) != sorted(choices):
            bad("answer", row["answer"], "must give a stage for each event in the choices, and no others")
        if known_events(choices):
            for eid, sid in pairs.items():
                real = look.events.get(eid, {}).get("stage")
                if eid in look.events and sid in look.stage_ids and real != sid:
                    bad("answer", f"{eid}={sid}",
                        f"contradicts events.csv, which puts this event in {real or 'no stage (before 2000)'}")
        for key in feedback:
            if key not in choices:
                bad("feedback", key, "feedback is for an event that is not among the choices")
    elif qtype == "year":
        if len(answer) != 1 or not re.fullmatch(r"\d{3,4}", answer[0]):
            bad("answer", row["answer"], "expected one year, e.g. 2000")
        elif choices and known_events(choices):
            real = look.events[choices[0]]["date"].year
            if real != int(answer[0]):
                bad("answer", answer[0], f"contradicts events.csv, which dates {choices[0]} to {real}")
        if len(choices) > 1:
            bad("choices", row["choices"], "a year question refers to at most one event id")
        for key in feedback:
            if not re.fullmatch(r"\d{3,4}", key):
                bad("feedback", key, "year feedback keys are years, e.g. 1999=>why")
    elif qtype == "text":
        if any(not normalize(a) for a in answer):
            bad("answer", row["answer"], "each accepted variant needs letters or digits")
    if problems:
        return None, problems
    return Question(
        id=row["id"], lesson=row["lesson"], type=qtype, prompt=row["prompt"],
        choices=tuple(choices), answer=tuple(answer), tolerance=tolerance,
        feedback=feedback, explanation=row["explanation"], section=row["section"],
        source_id=row["source_id"], row=n,
    ), []


def load_bank(course, path=None) -> list[Question]:
    """The validated question bank, in file order.

    Reads ``course.questions`` (or the CSV at ``path``) and checks every row against the
    course: lessons, event ids, stages, and chronology and stage answers against
    ``events.csv``. Raises :class:`turn_east.data.DataError` listing every problem.
    """
    look = _Lookup(course)
    rows = _read_rows(course, path)
    seen: dict[str, int] = {}
    bank, problems = [], []
    for row in rows:
        question, found = _check_row(row, look, seen)
        problems += found
        if question is not None:
            bank.append(question)
    if problems:
        raise DataError(problems)
    return bank


# ---------------------------------------------------------------- grading

def _response_missing(q: Question, response) -> bool:
    if response is None:
        return True
    if q.type == "multi":
        return not response
    if q.type in ("chronology", "match_stage"):
        values = list(response.values()) if isinstance(response, dict) else list(response)
        return any(v in (None, "") for v in values) or len(values) != len(q.choices)
    if q.type == "text":
        return not normalize(response)
    if q.type == "year":
        return response in ("", 0)
    return response == ""


def grade(q: Question, response, course_or_lookup) -> Verdict:
    """Check a response and say what was right or wrong about it.

    Responses: single -> option; multi -> iterable of options; truefalse -> bool or
    "true"/"false"; chronology -> event ids in the order given; match_stage -> dict
    event id -> stage id; year -> int; text -> str.
    """
    look = course_or_lookup if isinstance(course_or_lookup, _Lookup) else _Lookup(course_or_lookup)
    if _response_missing(q, response):
        return Verdict(None, "Choose or type an answer first, then press Check.")
    fb = q.feedback
    if q.type in ("single", "truefalse"):
        if q.type == "truefalse":
            response = str(response).lower()
        shown = response if q.type == "single" else response.capitalize()
        ok = response == q.answer[0]
        why = (fb[response],) if response in fb else ()
        if ok:
            return Verdict(True, f"Correct: \u201c{shown}\u201d is right.", why)
        return Verdict(False, f"Not quite: \u201c{shown}\u201d is not the answer.", why)
    if q.type == "multi":
        chosen = set(response)
        right = set(q.answer)
        details = []
        for opt in q.choices:
            if opt in chosen and opt not in right:
                details.append(f"\u201c{opt}\u201d should not be ticked. " + fb.get(opt, ""))
            elif opt in chosen and opt in fb:
                details.append(f"\u201c{opt}\u201d: {fb[opt]}")
        missed = len(right - chosen)
        if chosen == right:
            return Verdict(True, f"Correct: all {len(right)} right options and nothing else.", tuple(d.strip() for d in details))
        if missed:
            details.append(f"You left out {missed} option{'s' if missed > 1 else ''} that belong{'s' if missed == 1 else ''}.")
        return Verdict(False, f"Not quite: {len(chosen & right)} of {len(right)} right options ticked.",
                       tuple(d.strip() for d in details))
    if q.type == "chronology":
        order = list(response)
        if order == list(q.answer):
            return Verdict(True, "Correct: that is the order in which they happened.")
        if len(set(order)) != len(order):
            return Verdict(False, "Not quite: each event should appear once; you chose one twice.")
        places = [i + 1 for i, (a, b) in enumerate(zip(order, q.answer)) if a == b]
        details = []
        if places:
            details.append("In the right place: position " + ", ".join(map(str, places)) + ".")
        for a, b in zip(order, q.answer):
            if a != b and a in fb:
                details.append(f"\u201c{look.label(a)}\u201d: {fb[a]}")
        return Verdict(False, f"Not quite: {len(places)} of {len(q.answer)} events are in the right place.",
                       tuple(details))
    if q.type == "match_stage":
        given = dict(response) if isinstance(response, dict) else dict(zip(q.choices, response))
        want = q.stages
        details, right = [], 0
        for eid in q.choices:
            if given.get(eid) == want[eid]:
                right += 1
                details.append(f"{OK_MARK} {look.label(eid)}: right.")
            else:
                line = f"{NO_MARK} {look.label(eid)}: not {look.stage_label(given.get(eid, ''))}."
                if eid in fb:
                    line += " " + fb[eid]
                details.append(line)
        if right == len(want):
            return Verdict(True, "Correct: every event is in its stage.", tuple(details))
        return Verdict(False, f"Not quite: {right} of {len(want)} events matched.", tuple(details))
    if q.type == "year":
        try:
            year = int(response)
        except (TypeError, ValueError):
            return Verdict(None, "Type a year as digits, e.g. 2000.")
        diff = year - q.year
        why = (fb[str(year)],) if str(year) in fb else ()
        if abs(diff) <= q.tolerance:
            extra = "" if diff == 0 else f" (within {q.tolerance:g} year{'s' if q.tolerance != 1 else ''})"
            return Verdict(True, f"Correct: {year}{extra}.", why)
        return Verdict(False, f"Not quite: {year} is too {'early' if diff < 0 else 'late'}.", why)
    # text
    said = normalize(response)
    ok = said in {normalize(a) for a in q.answer}
    keyed = {normalize(k): v for k, v in fb.items()}
    why = (keyed[said],) if said in keyed else ()
    if ok:
        return Verdict(True, f"Correct: \u201c{response.strip()}\u201d.", why)
    return Verdict(False, f"Not quite: \u201c{response.strip()}\u201d is not what we are looking for.", why)


def answer_text(q: Question, look: _Lookup) -> list[str]:
    """The answer, as lines a leader can read out."""
    if q.type == "single":
        return [q.answer[0]]
    if q.type == "multi":
        return list(q.answer)
    if q.type == "truefalse":
        return [q.answer[0].capitalize()]
    if q.type == "chronology":
        return [f"{i}. {look.label(e)} ({look.when(e)})" for i, e in enumerate(q.answer, 1)]
    if q.type == "match_stage":
        return [f"{look.label(e)} \u2192 {look.stage_label(s)}" for e, s in q.stages.items()]
    if q.type == "year":
        tol = f" (answers within {q.tolerance:g} year{'s' if q.tolerance != 1 else ''} count)" if q.tolerance else ""
        return [f"{q.year}{tol}"]
    others = f" (also accepted: {', '.join(q.answer[1:])})" if len(q.answer) > 1 else ""
    return [q.answer[0] + others]


# ---------------------------------------------------------------- generated questions

def generated_questions(course, *, n=5, seed=0, stage=None) -> list[Question]:
    """Questions made from the events table: which came first, which stage, what year.

    Seeded: the same seed and data give the same questions. Events whose date
    precision would make a question unfair are skipped (a pair that cannot be told
    apart; a stage question for an event whose month or year straddles a boundary).
    """
    look = _Lookup(course)
    rng = random.Random(seed)
    ids = sorted(e for e, ev in look.events.items() if stage is None or ev["stage"] == stage)
    ranges = {}
    for row in course.stages.itertuples(index=False):
        ranges[str(row.id)] = (pd.Timestamp(row.start_date), pd.Timestamp(row.end_date))
    lesson = str(course.lessons["id"].iloc[0])

    def fair_stage(eid):
        ev = look.events[eid]
        if ev["stage"] is None or ev["precision"] == "day":
            return ev["stage"] is not None
        start = ev["date"]
        end = start + (pd.DateOffset(years=1) if ev["precision"] == "year" else pd.DateOffset(months=1)) - pd.Timedelta(days=1)
        lo, hi = ranges[ev["stage"]]
        return lo <= start and end <= hi

    titles = {}
    for eid in ids:
        titles.setdefault(look.label(eid), []).append(eid)
    unique = [e for e in ids if len(titles[look.label(e)]) == 1]
    out: list[Question] = []
    kinds = ("first", "stage", "year")
    attempts = 0
    while len(out) < n and attempts < 50 * max(n, 1) and unique:
        attempts += 1
        kind = kinds[len(out) % 3]
        qid = f"gen-{seed}-{len(out) + 1}-{kind}"
        if kind == "first":
            if len(unique) < 2:
                continue
            picks = rng.sample(unique, min(3, len(unique)))
            evs = [look.events[e] for e in picks]
            if not all(_distinct(a, b) for i, a in enumerate(evs) for b in evs[i + 1:]):
                continue
            first = min(picks, key=lambda e: look.events[e]["date"])
            lines = "; ".join(f"{look.label(e)}: {look.when(e)}" for e in sorted(picks, key=lambda e: look.events[e]["date"]))
            ev = look.events[first]
            out.append(Question(qid, lesson, "single", "Which of these happened first?",
                                tuple(look.label(e) for e in picks), (look.label(first),),
                                explanation=f"In date order: {lines}.",
                                section=_section_for(ev, look), source_id=ev["source_id"] or "article"))
        elif kind == "stage":
            pool = [e for e in unique if fair_stage(e)]
            if not pool:
                continue
            eid = rng.choice(pool)
            ev = look.events[eid]
            sid = ev["stage"]
            lo, hi = ranges[sid]
            out.append(Question(qid, lesson, "single",
                                f"Which stage of the Turn to the East does this belong to: \u201c{look.label(eid)}\u201d?",
                                tuple(look.stage_label(s) for s in look.stage_ids), (look.stage_label(sid),),
                                explanation=(f"It happened in {look.when(eid)}; {look.stage_label(sid)} runs from "
                                             f"{_format_date(lo, 'day')} to {_format_date(hi, 'day')}."),
                                section=_section_for(ev, look), source_id=ev["source_id"] or "article"))
        else:
            eid = rng.choice(unique)
            ev = look.events[eid]
            out.append(Question(qid, lesson, "year", f"In what year: \u201c{look.label(eid)}\u201d?",
                                (eid,), (str(ev["date"].year),),
                                explanation=f"It happened in {look.when(eid)}.",
                                section=_section_for(ev, look), source_id=ev["source_id"] or "article"))
    return out


def _section_for(ev: dict, look: _Lookup) -> str:
    if ev["stage"]:
        return look.stage_label(ev["stage"])
    return "Course map: the background before 2000"


# ---------------------------------------------------------------- the quiz

def lesson_quiz(course, lesson_id, *, audience="student", show_answers=False, seed=None,
                shuffle=False, render="live") -> "Quiz":
    """The quiz of one lesson: its bank questions in file order.

    ``seed`` (an int) or ``shuffle=True`` shuffles the questions and the options of
    single and multi questions; the same seed gives the same order every time.
    """
    look = _Lookup(course)
    if lesson_id not in look.lessons:
        raise DataError([Problem("lessons.csv", None, "id", lesson_id,
                                 f"is not a lesson; expected one of: {', '.join(sorted(look.lessons))}")])
    if audience not in ("student", "leader"):
        raise ValueError(f"audience must be 'student' or 'leader', not {audience!r}")
    questions = [q for q in load_bank(course) if q.lesson == lesson_id]
    if seed is not None or shuffle:
        rng = random.Random(seed)
        rng.shuffle(questions)
        questions = [dataclasses.replace(q, choices=tuple(rng.sample(q.choices, len(q.choices))))
                     if q.type in ("single", "multi") else q for q in questions]
    title = lesson_id
    match = course.lessons[course.lessons["id"] == lesson_id]
    if len(match) and "title" in match:
        title = str(match["title"].iloc[0])
    return Quiz(course, questions, lesson_id=lesson_id, title=title, audience=audience,
                show_answers=show_answers, render=render)


class QuizItem:
    """The widgets of one question: ``input``, ``check``, ``feedback`` and more.

    ``input`` is the answer widget (RadioButtons, ToggleButtons, IntText, Text) or, for
    multi / chronology / match_stage, a VBox whose ``parts`` are Checkboxes / Dropdowns.
    """

    def __init__(self, quiz: "Quiz", number: int, q: Question):
        import ipywidgets as w

        self.quiz, self.number, self.question = quiz, number, q
        self.attempts = 0
        self.correct: bool | None = None
        look = quiz._look
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
            options = [("choose an event", None)] + [(look.label(e), e) for e in q.choices]
            self.parts = [w.Dropdown(options=options, value=None, description=f"{ORDINALS[i]}:",
                                     style=style, layout=w.Layout(width="auto"))
                          for i in range(len(q.choices))]
            self.input = w.VBox(self.parts)
        elif q.type == "match_stage":
            options = [("choose a stage", None)] + [(look.stage_label(s), s) for s in look.stage_ids]
            self.parts = [w.Dropdown(options=options, value=None, description=look.label(e),
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
        head = w.HTML(value=(f'<div style="color:{TEXT_COLOR}"><b>Question {number} of {len(quiz.questions)}</b>'
                             f' <span style="color:{MUTED_COLOR}">({TYPE_HINTS[q.type]})</span>'
                             f'<div style="margin:0.3em 0">{_esc(q.prompt)}</div></div>'))
        self.box = w.VBox([head, self.input, self.check, self.feedback, self.explanation, self.key],
                          layout=w.Layout(border=f"1px solid {BORDER}", padding="0.5em", margin="0 0 0.8em 0"))

    # the learner's response, read from the widgets
    def response(self):
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
        verdict = grade(self.question, self.response(), self.quiz._look)
        if verdict.correct is not None:
            self.attempts += 1
            self.correct = verdict.correct
        self.feedback.value = _verdict_html(verdict, self.question, self.attempts)
        show = verdict.correct or self.attempts >= 2
        self.explanation.value = _explanation_html(self.question, self.quiz._look) if show else ""
        self.quiz._update_score()

    def show_key(self, on: bool) -> None:
        self.key.value = _key_html(self.question, self.quiz._look) if on else ""


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _verdict_html(v: Verdict, q: Question, attempts: int) -> str:
    # The headline starts with a word ("Correct", "Not quite"), so colour is never the only cue.
    if v.correct is None:
        mark, color = "\u2139", MUTED_COLOR
    elif v.correct:
        mark, color = OK_MARK, OK_COLOR
    else:
        mark, color = NO_MARK, NO_COLOR
    lines = "".join(f"<li>{_esc(d)}</li>" for d in v.details if d)
    body = f"<ul style='margin:0.2em 0'>{lines}</ul>" if lines else ""
    reread = ""
    if v.correct is False:
        tries = "Change your answer and press Check again." if attempts < 2 else "The explanation is below."
        reread = f"<div>Reread: <i>{_esc(q.section)}</i>. {tries}</div>"
    return (f'<div role="status" aria-live="polite" style="color:{TEXT_COLOR};border-left:4px solid {color};'
            f'padding-left:0.5em"><span style="color:{color};font-weight:bold" aria-hidden="true">{mark}</span> '
            f"{_esc(v.headline)}{body}{reread}</div>")


def _explanation_html(q: Question, look: "_Lookup | None" = None) -> str:
    return (f'<div style="color:{TEXT_COLOR}"><b>Why:</b> {_esc(q.explanation)}'
            f'<div style="color:{MUTED_COLOR}">Reread: {_esc(q.section)} \u00b7 source: {_esc(look.cite(q.source_id) if look else q.source_id)}</div></div>')


def _key_html(q: Question, look: _Lookup) -> str:
    items = "".join(f"<li>{_esc(a)}</li>" for a in answer_text(q, look))
    return (f'<div class="te-key" style="color:{TEXT_COLOR};border-left:4px solid {OK_COLOR};padding-left:0.5em">'
            f'<b>Answer</b> <span aria-hidden="true">{OK_MARK}</span><ul style="margin:0.2em 0">{items}</ul>'
            f"<b>Why:</b> {_esc(q.explanation)}<br><i>Reread:</i> {_esc(q.section)} \u00b7 "
            f"<i>source:</i> {_esc(look.cite(q.source_id))}</div>")


class Quiz:
    """A lesson's questions, with a widget UI and static HTML renderings."""

    def __init__(self, course, questions, *, lesson_id="quiz", title="Quiz", audience="student",
                 show_answers=False, render="live"):
        self.course = course
        self.questions: list[Question] = list(questions)
        self.lesson_id, self.title = lesson_id, title
        self.audience, self.show_answers, self.render = audience, bool(show_answers), render
        self._look = _Lookup(course)
        self.items: list[QuizItem] = []
        self.score = None
        self.leader_toggle = None

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        return f"<Quiz {self.lesson_id}: {len(self.questions)} questions>"

    # ------------------------------------------------ widgets
    def widget(self):
        """A fresh ipywidgets VBox: one box per question, a running score, a leader toggle."""
        import ipywidgets as w

        self.items = [QuizItem(self, i, q) for i, q in enumerate(self.questions, 1)]
        self.score = w.HTML(value="")
        self._update_score()
        children = [w.HTML(value=f'<h3 style="color:{TEXT_COLOR}">Quiz: {_esc(self.title)}</h3>')]
        self.leader_toggle = None
        if self.audience == "leader":
            self.leader_toggle = w.ToggleButton(value=self.show_answers, description="Show answers",
                                                icon="eye", tooltip="Leader: reveal every answer for discussion")
            self.leader_toggle.observe(lambda ch: self._show_keys(ch["new"]), names="value")
            children.append(self.leader_toggle)
        if not self.questions:
            children.append(w.HTML(value="<p>This lesson has no quiz questions yet.</p>"))
        children += [item.box for item in self.items] + [self.score]
        self._show_keys(self.show_answers)
        return w.VBox(children)

    def _show_keys(self, on: bool) -> None:
        for item in self.items:
            item.show_key(bool(on))

    def _update_score(self) -> None:
        if self.score is None:
            return
        right = sum(1 for it in self.items if it.correct)
        checked = sum(1 for it in self.items if it.correct is not None)
        self.score.value = (f'<div role="status" aria-live="polite" style="color:{TEXT_COLOR}">'
                            f"<b>Score: {right} of {len(self.items)} correct</b>"
                            f' <span style="color:{MUTED_COLOR}">({checked} checked)</span></div>')

    @property
    def score_text(self) -> str:
        right = sum(1 for it in self.items if it.correct)
        return f"{right} of {len(self.items)} correct"

    # ------------------------------------------------ static HTML
    def to_html(self, mode: str = "student") -> str:
        """Static HTML for a handout: "student", "key" or "selfcheck". Deterministic."""
        if mode not in ("student", "key", "selfcheck"):
            raise ValueError(f"mode must be 'student', 'key' or 'selfcheck', not {mode!r}")
        heading = {"student": "Quiz", "key": "Quiz: answer key", "selfcheck": "Quiz: check yourself"}[mode]
        parts = [f'<div class="te-quiz te-quiz-{mode}" id="te-quiz-{_esc(self.lesson_id)}">', _CSS]
        if mode == "selfcheck":
            parts.append(_SCRIPT)
        parts.append(f"<h3>{heading}: {_esc(self.title)}</h3>")
        if mode == "selfcheck":
            parts.append('<p class="te-note">Choose your answers and press Check. The page checks them '
                         "without showing the key; in print, write your answers in the blanks.</p>")
        if not self.questions:
            parts.append("<p>This lesson has no quiz questions yet.</p>")
        parts += [self.question_html(i, mode) for i in range(len(self.questions))]
        parts.append("</div>")
        return "\n".join(parts)

    def question_html(self, index: int, mode: str = "student") -> str:
        """One question's static HTML (used by to_html, and by tests per question)."""
        q, look = self.questions[index], self._look
        n = index + 1
        hid = f"te-{_esc(self.lesson_id)}-{_esc(q.id)}"
        out = [f'<section class="te-q" id="{hid}">',
               f'<p><b>{n}.</b> {_esc(q.prompt)} <span class="te-hint">({TYPE_HINTS[q.type]})</span></p>']
        key = mode == "key"
        if mode == "selfcheck":
            out.append(self._form_html(q, hid))
        elif q.type in ("single", "multi"):
            box = "\u25cb" if q.type == "single" else "\u2610"
            lis = []
            for opt in q.choices:
                right = key and opt in q.answer
                mark = f' <b class="te-ok">{OK_MARK} correct</b>' if right else ""
                fb = f'<div class="te-fb">{_esc(q.feedback[opt])}</div>' if key and opt in q.feedback else ""
                lis.append(f'<li><span aria-hidden="true">{box}</span> {_esc(opt)}{mark}{fb}</li>')
            out.append(f'<ul class="te-options">{"".join(lis)}</ul>')
        elif q.type == "truefalse":
            lis = []
            for opt in ("true", "false"):
                mark = f' <b class="te-ok">{OK_MARK} correct</b>' if key and opt == q.answer[0] else ""
                fb = f'<div class="te-fb">{_esc(q.feedback[opt])}</div>' if key and opt in q.feedback else ""
                lis.append(f'<li><span aria-hidden="true">\u25cb</span> {opt.capitalize()}{mark}{fb}</li>')
            out.append(f'<ul class="te-options">{"".join(lis)}</ul>')
        elif q.type == "chronology":
            letters = "abcde"
            lis = "".join(f"<li>({letters[i]}) {_esc(look.label(e))}</li>" for i, e in enumerate(q.choices))
            out.append(f'<ul class="te-options">{lis}</ul>')
            if not key:
                out.append("<p>Order, earliest first: " + " \u2192 ".join("____" for _ in q.choices) + "</p>")
        elif q.type == "match_stage":
            stages = "; ".join(_esc(look.stage_label(s)) for s in look.stage_ids)
            out.append(f'<p class="te-hint">Stages: {stages}</p>')
            if not key:
                rows = "".join(f"<tr><td>{_esc(look.label(e))}</td><td>__________________</td></tr>" for e in q.choices)
                out.append(f'<table class="te-match"><tr><th>Event</th><th>Stage</th></tr>{rows}</table>')
        elif not key:
            out.append('<p>Answer: ______________________</p>')
        if key:
            items = "".join(f"<li>{_esc(a)}</li>" for a in answer_text(q, look))
            out.append(f'<div class="te-key"><b><span aria-hidden="true">{OK_MARK}</span> Answer:</b>'
                       f"<ul>{items}</ul><p><b>Why:</b> {_esc(q.explanation)}</p>"
                       f"<p><i>Reread:</i> {_esc(q.section)} \u00b7 <i>Source:</i> {_esc(self._look.cite(q.source_id))}</p></div>")
        out.append("</section>")
        return "\n".join(out)

    def _form_html(self, q: Question, hid: str) -> str:
        look = self._look
        salt = f"turn-east:{q.id}"
        hashes = " ".join(sorted(set(_hash(salt, c) for c in _canonical_answers(q))))
        head = (f'<form class="te-check" data-type="{q.type}" data-salt="{_esc(salt)}" data-h="{hashes}" '
                f'data-section="{_esc(q.section)}" onsubmit="return teQuizCheck(this)">')
        body = []
        if q.type in ("single", "multi", "truefalse"):
            kind = "checkbox" if q.type == "multi" else "radio"
            opts = [("true", "True"), ("false", "False")] if q.type == "truefalse" else [(o, o) for o in q.choices]
            for value, text in opts:
                body.append(f'<label><input type="{kind}" name="{hid}" value="{_esc(value)}"> {_esc(text)}</label><br>')
        elif q.type == "chronology":
            letters = "abcde"
            body.append('<ul class="te-options">' + "".join(
                f"<li>({letters[i]}) {_esc(look.label(e))}</li>" for i, e in enumerate(q.choices)) + "</ul>")
            opts = '<option value="">-</option>' + "".join(
                f'<option value="{letters[i]}">({letters[i]})</option>' for i in range(len(q.choices)))
            body.append(" \u2192 ".join(f'<label>{ORDINALS[i]} <select name="{hid}-{i}">{opts}</select></label>'
                                        for i in range(len(q.choices))))
        elif q.type == "match_stage":
            opts = '<option value="">-</option>' + "".join(
                f'<option value="{_esc(s)}">{_esc(look.stage_label(s))}</option>' for s in look.stage_ids)
            for i, e in enumerate(q.choices):
                body.append(f'<label>{_esc(look.label(e))} <select name="{hid}-{i}">{opts}</select></label><br>')
        elif q.type == "year":
            body.append(f'<label>Year <input type="number" name="{hid}" step="1"></label>')
        else:
            body.append(f'<label>Answer <input type="text" name="{hid}"></label>')
        body.append('<button type="submit" class="te-button">Check</button> '
                    '<span class="te-result" role="status" aria-live="polite"></span>')
        return head + "\n".join(body) + "</form>"

    # ------------------------------------------------ notebook display
    def _repr_mimebundle_(self, include=None, exclude=None):
        """Live: the widget (with static HTML as a fallback); static: the HTML handout."""
        static = self.to_html("key" if self.show_answers else "student")
        if self.render == "static":
            return {"text/html": static, "text/plain": repr(self)}
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle = dict(bundle)
        bundle["text/html"] = static
        bundle.setdefault("text/plain", repr(self))
        return bundle


# ---------------------------------------------------------------- self-check hashing

def _hash(salt: str, value: str) -> str:
    """FNV-1a (32-bit) of salt + U+001F + value, as 8 hex digits; mirrored in _SCRIPT."""
    x = 0x811C9DC5
    for byte in (salt + "\x1f" + value).encode("utf-8"):
        x ^= byte
        x = (x * 0x01000193) & 0xFFFFFFFF
    return f"{x:08x}"


def _canonical_answers(q: Question) -> list[str]:
    if q.type == "single":
        return [normalize(q.answer[0])]
    if q.type == "multi":
        return ["|".join(sorted(normalize(a) for a in q.answer))]
    if q.type == "truefalse":
        return [q.answer[0]]
    if q.type == "chronology":
        return [",".join("abcde"[q.choices.index(e)] for e in q.answer)]
    if q.type == "match_stage":
        return [",".join(q.stages[e] for e in q.choices)]
    if q.type == "year":
        lo, hi = math.ceil(q.year - q.tolerance), math.floor(q.year + q.tolerance)
        return [str(y) for y in range(lo, hi + 1)]
    return [normalize(a) for a in q.answer]


_CSS = """<style>
.te-quiz{color:var(--jp-ui-font-color1,inherit);font-family:var(--jp-content-font-family,inherit)}
.te-quiz .te-q{border:1px solid var(--jp-border-color1,rgba(128,128,128,.6));padding:.4em .8em;margin:.6em 0;break-inside:avoid}
.te-quiz .te-hint,.te-quiz .te-note,.te-quiz .te-fb{color:var(--jp-ui-font-color2,inherit)}
.te-quiz .te-options{list-style:none;padding-left:.5em}
.te-quiz .te-ok{color:var(--jp-success-color1,#1a7f37)}
.te-quiz .te-key{border-left:4px solid var(--jp-success-color1,#1a7f37);padding-left:.6em}
.te-quiz .te-match td,.te-quiz .te-match th{padding:.2em .6em;text-align:left}
@media print{.te-quiz .te-button,.te-quiz .te-result{display:none}.te-quiz input,.te-quiz select{border:1px solid #888}}
</style>"""

_SCRIPT = """<script>
(function(){if(window.teQuizCheck)return;
function norm(s){return s.normalize('NFKD').replace(/[\\u0300-\\u036f]/g,'').toLowerCase().replace(/[^a-z0-9]+/g,' ').trim();}
function h(s){var b=new TextEncoder().encode(s),x=0x811c9dc5;for(var i=0;i<b.length;i++){x^=b[i];x=Math.imul(x,0x01000193)>>>0;}return ('0000000'+x.toString(16)).slice(-8);}
window.teQuizCheck=function(f){var t=f.getAttribute('data-type'),v=null,q=f.querySelectorAll.bind(f);
if(t==='single'||t==='truefalse'){var c=q('input:checked')[0];if(c)v=norm(c.value);}
else if(t==='multi'){var a=[].map.call(q('input:checked'),function(e){return norm(e.value);});a.sort();if(a.length)v=a.join('|');}
else if(t==='chronology'||t==='match_stage'){var s=[].map.call(q('select'),function(e){return e.value;});if(s.indexOf('')<0)v=s.join(',');}
else if(t==='year'){var y=parseInt(q('input')[0].value,10);if(!isNaN(y))v=String(y);}
else{var x=norm(q('input')[0].value);if(x)v=x;}
var out=q('.te-result')[0];
if(v===null){out.textContent='\\u2139 Choose or type an answer first.';return false;}
var ok=f.getAttribute('data-h').split(' ').indexOf(h(f.getAttribute('data-salt')+'\\u001f'+v))>=0;
out.textContent=ok?'\\u2714 Correct.':'\\u2718 Not yet. Reread: '+f.getAttribute('data-section')+'.';
return false;};})();
</script>"""
