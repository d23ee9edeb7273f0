"""Questions made from the events table: which came first, which stage, what year."""

from __future__ import annotations

import random

import pandas as pd

from turn_east.data import Course, format_date
from turn_east.data.bank import Question, distinct_dates
from turn_east.quiz.labels import event_label, event_when, stage_label


def generated_questions(course: Course, *, n=5, seed=0, stage=None) -> list[Question]:
    """``n`` questions about the events (of one ``stage`` when given), cycling through three kinds.

    Seeded: the same seed and data give the same questions. Events whose date precision would make
    a question unfair are skipped (a pair that cannot be told apart; a stage question for an event
    whose month or year straddles a boundary).
    """
    events = course.events_by_id
    rng = random.Random(seed)
    ids = sorted(e for e, ev in events.items() if stage is None or ev.stage == stage)
    spans = course.stage_spans
    lesson = str(course.lessons["id"].iloc[0])

    def fair_stage(eid):
        ev = events[eid]
        if ev.stage is None or ev.precision == "day":
            return ev.stage is not None
        start = ev.date
        end = start + (pd.DateOffset(years=1) if ev.precision == "year" else pd.DateOffset(months=1)) - pd.Timedelta(days=1)
        lo, hi = spans[ev.stage]
        return lo <= start and end <= hi

    titles = {}
    for eid in ids:
        titles.setdefault(event_label(course, eid), []).append(eid)
    unique = [e for e in ids if len(titles[event_label(course, e)]) == 1]
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
            evs = [events[e] for e in picks]
            if not all(distinct_dates(a, b) for i, a in enumerate(evs) for b in evs[i + 1:]):
                continue
            first = min(picks, key=lambda e: events[e].date)
            lines = "; ".join(f"{event_label(course, e)}: {event_when(course, e)}"
                              for e in sorted(picks, key=lambda e: events[e].date))
            ev = events[first]
            out.append(Question(qid, lesson, "single", "Which of these happened first?",
                                tuple(event_label(course, e) for e in picks), (event_label(course, first),),
                                explanation=f"In date order: {lines}.",
                                section=_section_for(course, ev), source_id=ev.source_id or "article"))
        elif kind == "stage":
            pool = [e for e in unique if fair_stage(e)]
            if not pool:
                continue
            eid = rng.choice(pool)
            ev = events[eid]
            sid = ev.stage
            lo, hi = spans[sid]
            out.append(Question(qid, lesson, "single",
                                f"Which period of the course does this belong to: \u201c{event_label(course, eid)}\u201d?",
                                tuple(stage_label(course, s) for s in course.periods), (stage_label(course, sid),),
                                explanation=(f"It happened in {event_when(course, eid)}; {stage_label(course, sid)} runs "
                                             f"from {format_date(lo)} to {format_date(hi)}."),
                                section=_section_for(course, ev), source_id=ev.source_id or "article"))
        else:
            eid = rng.choice(unique)
            ev = events[eid]
            out.append(Question(qid, lesson, "year", f"In what year: \u201c{event_label(course, eid)}\u201d?",
                                (eid,), (str(ev.date.year),),
                                explanation=f"It happened in {event_when(course, eid)}.",
                                section=_section_for(course, ev), source_id=ev.source_id or "article"))
    return out


def _section_for(course, ev) -> str:
    if ev.stage:
        return stage_label(course, ev.stage)
    return "Course map: the background before 2000"
