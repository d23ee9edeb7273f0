"""Grading: whether a response is right, what to say about it, and the answer as a leader reads it out.

Responses: single -> option; multi -> iterable of options; truefalse -> bool or "true"/"false";
chronology -> event ids in the order given; match_stage -> dict event id -> stage id; year -> int;
text -> str.

A question of a sealed bank (a student release) is graded from hashes (:mod:`turn_east.quiz.seal`): a right
response opens it, and it is then graded exactly as the plain question (``Verdict.opened`` carries the opened
question, with its explanation); a wrong one gets what the hashes of the answer's parts can tell and the
feedback sealed for that response. What a sealed bank cannot say: whether a year more than a century off is
too early or too late, and the feedback of a right option ticked in a wrong set (it opens with the whole
answer).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from turn_east.data import Course
from turn_east.data.bank import Question, normalize
from turn_east.quiz import seal
from turn_east.quiz.labels import event_label, event_when, stage_label

OK_MARK, NO_MARK = "\u2714", "\u2718"


@dataclass(frozen=True)
class Verdict:
    """The result of checking one response: correct or not, and what to say."""

    correct: bool | None          # None: nothing was chosen yet
    headline: str
    details: tuple[str, ...] = ()
    #: A sealed question opened by this (right) response: the plain question, explanation and all.
    opened: Question | None = None


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


def grade(q: Question, response, course: Course) -> Verdict:
    """Check a response against ``q`` and say what was right or wrong about it (labels from ``course``)."""
    if _response_missing(q, response):
        return Verdict(None, "Choose or type an answer first, then press Check.")
    if q.seal is not None:
        return _grade_sealed(q, response, course)
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
                details.append(f"\u201c{event_label(course, a)}\u201d: {fb[a]}")
        return Verdict(False, f"Not quite: {len(places)} of {len(q.answer)} events are in the right place.",
                       tuple(details))
    if q.type == "match_stage":
        given = dict(response) if isinstance(response, dict) else dict(zip(q.choices, response))
        want = q.stages
        details, right = [], 0
        for eid in q.choices:
            if given.get(eid) == want[eid]:
                right += 1
                details.append(f"{OK_MARK} {event_label(course, eid)}: right.")
            else:
                line = f"{NO_MARK} {event_label(course, eid)}: not {stage_label(course, given.get(eid, ''))}."
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


def _grade_sealed(q: Question, response, course: Course) -> Verdict:
    """A sealed question: opened and graded as plain by a right response; else what the hashes tell."""
    canonical = seal.canonical_response(q, response)
    if q.type == "year" and canonical is None:
        return Verdict(None, "Type a year as digits, e.g. 2000.")
    opened = seal.open_question(q, canonical)
    if opened is not None:
        return replace(grade(opened, response, course), opened=opened)

    def why(part):
        text = seal.part_feedback(q, part)
        return (text,) if text else ()

    if q.type in ("single", "truefalse", "text", "year"):
        shown = {"truefalse": str(response).capitalize(), "text": str(response).strip()}.get(q.type, str(response))
        part = seal.option_part(canonical or "")
        tail = {"text": "is not what we are looking for", "year": "is not the year"}.get(q.type, "is not the answer")
        if q.type == "year":
            year = int(canonical)
            off = next((f"is too {d}" for d in ("early", "late") if seal.has_part(q, seal.direction_part(year, d))),
                       tail)
            return Verdict(False, f"Not quite: {shown} {off}.", why(part))
        return Verdict(False, f"Not quite: \u201c{shown}\u201d {tail}.", why(part))
    if q.type == "multi":
        chosen = [o for o in q.choices if o in set(response)]
        details, right = [], 0
        for opt in chosen:
            part = seal.option_part(normalize(opt))
            if seal.has_part(q, part):
                right += 1
            else:
                details.append((f"\u201c{opt}\u201d should not be ticked. " + " ".join(why(part))).strip())
        total = seal.right_parts(q)
        missed = total - right
        if missed:
            details.append(f"You left out {missed} option{'s' if missed > 1 else ''} that belong{'s' if missed == 1 else ''}.")
        return Verdict(False, f"Not quite: {right} of {total} right options ticked.", tuple(details))
    if q.type == "chronology":
        order = list(response)
        if len(set(order)) != len(order):
            return Verdict(False, "Not quite: each event should appear once; you chose one twice.")
        places, details = [], []
        for i, eid in enumerate(order, 1):
            part = seal.place_part(i, eid)
            if seal.has_part(q, part):
                places.append(i)
            else:
                details += [f"\u201c{event_label(course, eid)}\u201d: {text}" for text in why(part)]
        head = ["In the right place: position " + ", ".join(map(str, places)) + "."] if places else []
        return Verdict(False, f"Not quite: {len(places)} of {len(order)} events are in the right place.",
                       tuple(head + details))
    # match_stage
    given = dict(response) if isinstance(response, dict) else dict(zip(q.choices, response))
    details, right = [], 0
    for eid in q.choices:
        part = seal.stage_part(eid, str(given.get(eid)))
        if seal.has_part(q, part):
            right += 1
            details.append(f"{OK_MARK} {event_label(course, eid)}: right.")
        else:
            details.append(" ".join((f"{NO_MARK} {event_label(course, eid)}: not "
                                     f"{stage_label(course, given.get(eid, ''))}.",) + why(part)))
    return Verdict(False, f"Not quite: {right} of {len(q.choices)} events matched.", tuple(details))


def answer_text(q: Question, course: Course) -> list[str]:
    """The answer, as lines a leader can read out."""
    if q.seal is not None:
        raise ValueError(f"question {q.id} is sealed (a student release): its answer opens only to a right response")
    if q.type == "single":
        return [q.answer[0]]
    if q.type == "multi":
        return list(q.answer)
    if q.type == "truefalse":
        return [q.answer[0].capitalize()]
    if q.type == "chronology":
        return [f"{i}. {event_label(course, e)} ({event_when(course, e)})" for i, e in enumerate(q.answer, 1)]
    if q.type == "match_stage":
        return [f"{event_label(course, e)} \u2192 {stage_label(course, s)}" for e, s in q.stages.items()]
    if q.type == "year":
        tol = f" (answers within {q.tolerance:g} year{'s' if q.tolerance != 1 else ''} count)" if q.tolerance else ""
        return [f"{q.year}{tol}"]
    others = f" (also accepted: {', '.join(q.answer[1:])})" if len(q.answer) > 1 else ""
    return [q.answer[0] + others]

