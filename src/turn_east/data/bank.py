"""The quiz bank's rules: each row of ``questions.csv`` checked against the rest of the course, so that a
chronology or stage answer can never contradict ``events.csv`` (answer formats in docs/ARCHITECTURE.md).

``load_course`` and ``validate`` apply them; a row that passes becomes a :class:`Question`.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from turn_east.errors import DataError, Problem
from turn_east.nbfiles import UNSAFE_IN_ANCHOR, heading_anchor

TYPES = ("single", "multi", "truefalse", "chronology", "match_stage", "year", "text")
#: What a question asks a student to do (defined in the codebook, data/README.md): recall a fact;
#: interpret a chart, a table or a text; evaluate evidence against a claim; apply the article's ideas
#: or the codebook's rules to a case the lesson did not settle.
SKILLS = ("recall", "interpret", "evaluate", "apply")
COLUMNS = ("id", "lesson", "type", "skill", "prompt", "choices", "answer", "tolerance",
           "feedback", "explanation", "section", "article_section", "source_id")
FILE = "questions.csv"
PRECISIONS = ("day", "month", "year")


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
    section: str = ""             # the heading of the lesson to reread, as a reader sees it
    source_id: str = ""
    row: int | None = None
    skill: str = "recall"
    article_section: str = ""     # an id of article_sections.csv, or empty

    @property
    def anchor(self) -> str:
        """The reread heading's anchor in the lesson (JupyterLab's and nbconvert's heading id)."""
        return heading_anchor(self.section)

    @property
    def year(self) -> int:
        return int(self.answer[0])

    @property
    def stages(self) -> dict[str, str]:
        """match_stage: event id -> stage id."""
        return dict(pair.split("=", 1) for pair in self.answer)


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to match typed answers."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def distinct_dates(a, b) -> bool:
    """True when two events' dates can be told apart at the coarser of their precisions."""
    keep = 3 - max(PRECISIONS.index(a.precision), PRECISIONS.index(b.precision))
    return (a.date.year, a.date.month, a.date.day)[:keep] != (b.date.year, b.date.month, b.date.day)[:keep]


def _split(value: str, sep: str = "|") -> list[str]:
    return [part.strip() for part in str(value).split(sep)] if str(value).strip() else []


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- rows

def rows_of_frame(frame) -> list[dict]:
    """The bank's rows (cells as text) from the course's questions table, numbered as in the file."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError([Problem(FILE, 1, c, None, f"column is missing; expected columns: {', '.join(COLUMNS)}")
                         for c in missing])
    return [{c: _cell(rec[c]) for c in COLUMNS} | {"__row__": i + 2}
            for i, rec in enumerate(frame.to_dict("records"))]


def rows_of_csv(path) -> list[dict]:
    """The rows of a questions CSV file elsewhere (a draft bank to check against a course)."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError([Problem(path.name, 1, c, None,
                                     f"column is missing; expected columns: {', '.join(COLUMNS)}")
                             for c in missing])
        return [{c: _cell(raw.get(c)) for c in COLUMNS} | {"__row__": lineno}
                for lineno, raw in enumerate(reader, start=2) if any((v or "").strip() for v in raw.values())]


def _parse_feedback(text: str) -> tuple[dict, list[str]]:
    feedback, bad = {}, []
    for part in _split(text):
        if "=>" not in part:
            bad.append(part)
            continue
        key, why = part.split("=>", 1)
        feedback[key.strip()] = why.strip()
    return feedback, bad


# ---------------------------------------------------------------- the rules

class CourseFacts(Protocol):
    """What the rules read from a course (a :class:`turn_east.data.Course` has all of it)."""

    lesson_titles: dict
    citations: dict
    periods: list
    events_by_id: dict
    section_citations: dict
    lesson_headings: dict | None    # {lesson id: [Heading]}; None when the notebooks are not installed


def check_questions(rows: list[dict], course: CourseFacts) -> tuple[list[Question], list[Problem]]:
    """Every row checked against ``course``: the questions that pass, in file order, and every problem
    found."""
    facts = _Facts(course)
    seen: dict[str, int] = {}
    questions, problems = [], []
    for row in rows:
        question, found = _check_row(row, facts, seen)
        problems += found
        if question is not None:
            questions.append(question)
    return questions, problems


class _Facts:
    """What the rules compare a row with, taken from the course's lookups."""

    def __init__(self, course):
        self.lessons = set(course.lesson_titles)
        self.sources = set(course.citations)
        self.stage_ids = list(course.periods)
        self.events = course.events_by_id
        self.sections = dict(course.section_citations)
        self.headings = course.lesson_headings


def _check_row(row: dict, look: "_Facts", seen: dict) -> tuple[Question | None, list[Problem]]:
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
    if row["source_id"] and row["source_id"] not in look.sources:
        bad("source_id", row["source_id"], "is not an id in sources.csv")
    if row["skill"] not in SKILLS:
        bad("skill", row["skill"] or None, f"expected one of: {', '.join(SKILLS)} (defined in data/README.md)")
    if row["article_section"] and row["article_section"] not in look.sections:
        bad("article_section", row["article_section"],
            f"is not an id in article_sections.csv; expected one of: {', '.join(look.sections)}")
    if row["section"] and look.headings is not None and row["lesson"] in look.headings:
        problems += _check_pointer(row, look.headings[row["lesson"]], n, qid)
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
            by_date = sorted(answer, key=lambda e: look.events[e].date)
            if by_date != answer:
                bad("answer", row["answer"],
                    "contradicts events.csv: in date order the events are " + " | ".join(by_date))
            for a, b in zip(evs, evs[1:]):
                if not distinct_dates(a, b):
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
                real = look.events[eid].stage if eid in look.events else None
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
            real = look.events[choices[0]].date.year
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
        source_id=row["source_id"], row=n, skill=row["skill"], article_section=row["article_section"],
    ), []


def _check_pointer(row: dict, heads: list, n: int, qid) -> list[Problem]:
    """The reread pointer must be a heading a student sees in the lesson (not the title, not in a leader
    note), named once, with an anchor a link can reach."""
    pointer, lesson = row["section"], row["lesson"]
    seen = [h for h in heads if h.level >= 2 and not h.leader]
    same = [h for h in seen if h.text == pointer]

    def problem(expected):
        return [Problem(FILE, n, "section", pointer, expected, qid)]

    if not same:
        near = difflib.get_close_matches(pointer, [h.text for h in seen], n=3, cutoff=0.0)
        hidden = " (it is in a leader note, which student handouts drop)" if any(
            h.text == pointer for h in heads if h.leader) else ""
        return problem(f"is not a heading of {lesson}.ipynb{hidden}; write a heading exactly as the lesson has "
                       f"it, e.g. the nearest: {' | '.join(near)}")
    if len(same) > 1:
        return problem(f"names {len(same)} headings of {lesson}.ipynb; a link can reach only the first: "
                       "make the headings differ")
    bad = sorted(set(UNSAFE_IN_ANCHOR.findall(same[0].anchor)))
    if bad:
        return problem(f"has {' '.join(repr(c) for c in bad)} in it, which a link to the heading cannot carry "
                       "(JupyterLab would not jump there); write the heading in the lesson without it "
                       "(e.g. '-' for an en dash) or point at another heading")
    return []

