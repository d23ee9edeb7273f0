"""Sealed answers: the quiz bank of a student release, which checks answers without holding them.

``turn-east release`` writes the bank with :func:`seal_question`: every accepted answer as a salted hash
(:func:`selfcheck_hash`, the one hash the offline self-check of the handouts uses too), and every text
that gives an answer away (the answer itself for the key, the explanation, every option's feedback)
encrypted. The live quiz (:mod:`turn_east.quiz.grading`) hashes a student's response the way the
self-check's script does (:func:`canonical_response`); when the hash is one of the accepted ones, the
response is also the key that opens the sealed answer, explanation and feedback (:func:`open_question`),
and from then on the question grades as the plain bank does. Wrong responses are graded from hashes of
the answer's parts (:func:`has_part`: which ticked options, which places in an order, which stages are
right, whether a wrong year is too early or too late) and get the feedback written for them
(:func:`part_feedback`), each text sealed under the response it answers.

Construction (scheme ``turn-east-seal-1``): a key is HKDF-SHA256 (RFC 5869) of the canonical answer (or
response part), with the question's random salt and an info string naming the purpose; texts are
AES-256-GCM with a random 96-bit nonce and the question id as associated data, stored as URL-safe base64
(``cryptography``'s implementations, nothing home-made).

**What this protects against, and what it does not.** It keeps answers out of plain sight: a student who
opens ``questions.csv``, a notebook or the package in an editor, greps the release or skims its files
reads no answer, explanation or answer-naming feedback. It does *not* stop a determined student with the
course's open code: the hashes and the keys come from the answer alone, and the space of answers is
tiny (four options, a handful of years), so trying every option offline opens a question as surely as
trying them in the quiz does. It is a seal on an envelope, not a safe: good for self-study honesty, not
for an exam. (The hash is FNV-1a, 32 bits, because the self-check's script must compute it in any
browser, offline, from a ``file://`` page; the AES-GCM tag, not the hash, is what finally decides that a
response opens the answer.)
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import os
import secrets

from turn_east.data.bank import SEAL_SCHEME, Question, Seal, normalize

SCHEME = SEAL_SCHEME
LETTERS = "abcde"          # chronology events as the self-check names them: (a), (b), ...
NONCE_BYTES = 12
SALT_BYTES = 12
YEAR_WINDOW = 100          # a wrong year this close to the answer is told whether it is too early or too late


# ---------------------------------------------------------------- the hash (shared with the self-check)

def selfcheck_hash(salt: str, value: str) -> str:
    """FNV-1a (32-bit) of salt + U+001F + value, as 8 hex digits; mirrored in templates/selfcheck.js."""
    x = 0x811C9DC5
    for byte in (salt + "\x1f" + value).encode("utf-8"):
        x ^= byte
        x = (x * 0x01000193) & 0xFFFFFFFF
    return f"{x:08x}"


def canonical_answers(q: Question) -> list[str]:
    """Every response the quiz accepts for a plain question, in the form the self-check's script builds from
    the page's inputs (and :func:`canonical_response` from a live response)."""
    if q.type == "single":
        return [normalize(q.answer[0])]
    if q.type == "multi":
        return ["|".join(sorted(normalize(a) for a in q.answer))]
    if q.type == "truefalse":
        return [q.answer[0]]
    if q.type == "chronology":
        return [",".join(LETTERS[q.choices.index(e)] for e in q.answer)]
    if q.type == "match_stage":
        return [",".join(q.stages[e] for e in q.choices)]
    if q.type == "year":
        lo, hi = math.ceil(q.year - q.tolerance), math.floor(q.year + q.tolerance)
        return [str(y) for y in range(lo, hi + 1)]
    return list(dict.fromkeys(normalize(a) for a in q.answer))


def canonical_response(q: Question, response) -> str | None:
    """A live response (the shapes :func:`turn_east.quiz.grade` takes) in the canonical form; None when it
    cannot be one of the answers at all (an event that is not among the choices, a year that is no number)."""
    if q.type == "single":
        return normalize(response)
    if q.type == "truefalse":
        return str(response).lower()
    if q.type == "multi":
        return "|".join(sorted(normalize(o) for o in response))
    if q.type == "chronology":
        order = list(response)
        if any(e not in q.choices for e in order) or len(order) > len(LETTERS):
            return None
        return ",".join(LETTERS[q.choices.index(e)] for e in order)
    if q.type == "match_stage":
        given = dict(response) if isinstance(response, dict) else dict(zip(q.choices, response))
        return ",".join(str(given.get(e)) for e in q.choices)
    if q.type == "year":
        try:
            return str(int(response))
        except (TypeError, ValueError):
            return None
    return normalize(response)


def hashes_of(q: Question) -> list[str]:
    """The self-check's hashes of a question, plain or sealed, and the salt they use."""
    if q.seal is not None:
        return list(q.seal.hashes)
    return sorted(set(selfcheck_hash(salt_of(q), c) for c in canonical_answers(q)))


def salt_of(q: Question) -> str:
    """The salt of a question's hashes: its own random one when sealed, else one made from its id."""
    return q.seal.salt if q.seal is not None else f"turn-east:{q.id}"


# ---------------------------------------------------------------- the parts of an answer

def option_part(value: str) -> str:
    """One option, year or typed text, as the part a feedback or a multi's probe is keyed by."""
    return "option:" + value


def place_part(position: int, event_id: str) -> str:
    """An event at a place of a chronology (1 = earliest)."""
    return f"place:{position}:{event_id}"


def stage_part(event_id: str, stage_id: str) -> str:
    return f"stage:{event_id}={stage_id}"


def direction_part(year: int, direction: str) -> str:
    """A wrong year and which way it is off ("early" or "late")."""
    return f"{direction}:{year}"


def _right_parts(q: Question) -> list[str]:
    if q.type == "year":  # which way a wrong year is off, for the years within YEAR_WINDOW of the answer
        lo, hi = math.ceil(q.year - q.tolerance), math.floor(q.year + q.tolerance)
        return ([direction_part(y, "early") for y in range(lo - YEAR_WINDOW, lo)]
                + [direction_part(y, "late") for y in range(hi + 1, hi + YEAR_WINDOW + 1)])
    if q.type == "multi":
        return [option_part(normalize(a)) for a in q.answer]
    if q.type == "chronology":
        return [place_part(i, e) for i, e in enumerate(q.answer, 1)]
    if q.type == "match_stage":
        return [stage_part(e, s) for e, s in q.stages.items()]
    return []


def _feedback_parts(q: Question, key: str, periods) -> list[str]:
    """The response parts under which the feedback written for ``key`` opens: the wrong responses it
    answers."""
    if q.type == "chronology":
        return [place_part(i, key) for i, right in enumerate(q.answer, 1) if right != key]
    if q.type == "match_stage":
        return [stage_part(key, s) for s in periods if s != q.stages[key]]
    if q.type in ("single", "multi", "text"):
        return [option_part(normalize(key))]
    return [option_part(key)]  # truefalse, year: the key as the response gives it


def names_the_answer(q: Question, key: str, text: str, stage_titles: dict) -> bool:
    """True for feedback that gives the answer away: the right option's own, or one that names a right
    option, an accepted year or variant, or the right stage of its event; such feedback opens only with
    the answer (it is shown after a right answer)."""
    low = text.lower()
    if q.type in ("single", "multi", "truefalse"):
        right = {a.lower() for a in q.answer}
        return key.lower() in right or any(r in low for r in right if q.type != "truefalse")
    if q.type == "year":
        return key in canonical_answers(q) or any(y in text for y in canonical_answers(q))
    if q.type == "text":
        said = normalize(text)
        return normalize(key) in canonical_answers(q) or any(f" {a} " in f" {said} " for a in canonical_answers(q))
    if q.type == "match_stage":
        stage = q.stages.get(key, "")
        title = stage_titles.get(stage, stage)
        names = {stage.lower(), title.lower(), title.split(":")[0].strip().lower()}
        return any(n and n in low for n in names)
    return False  # chronology: feedback asks about a date, the answer is an order


# ---------------------------------------------------------------- encryption

def _key(salt: str, secret: str, purpose: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt.encode("utf-8"),
                info=f"{SCHEME} {purpose}".encode("utf-8")).derive(secret.encode("utf-8"))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_text(text: str, *, salt: str, secret: str, purpose: str, qid: str) -> str:
    """``text`` encrypted under the key of ``secret`` (an answer or a response part), as URL-safe base64."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    box = AESGCM(_key(salt, secret, purpose)).encrypt(nonce, text.encode("utf-8"), qid.encode("utf-8"))
    return _b64(nonce + box)


def open_text(envelope: str, *, salt: str, secret: str, purpose: str, qid: str) -> str | None:
    """The text sealed in ``envelope`` when ``secret`` is the one it was sealed with, else None."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = _unb64(envelope)
        plain = AESGCM(_key(salt, secret, purpose)).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                                            qid.encode("utf-8"))
    except (InvalidTag, ValueError):
        return None
    return plain.decode("utf-8")


# ---------------------------------------------------------------- sealing a question, opening it

def seal_question(q: Question, *, periods, stage_titles, salt: str | None = None) -> Seal:
    """The seal of a plain question: hashes of its accepted answers and of the parts of the answer, the
    answer, explanation and feedback sealed under every accepted answer, and each piece of feedback that
    does not name the answer sealed under the wrong responses it answers."""
    if q.seal is not None:
        raise ValueError(f"question {q.id} is sealed already")
    salt = salt or secrets.token_hex(SALT_BYTES)
    accepted = canonical_answers(q)
    payload = json.dumps({"answer": list(q.answer), "explanation": q.explanation, "feedback": q.feedback},
                         ensure_ascii=False, sort_keys=True)
    envelopes = tuple(seal_text(payload, salt=salt, secret=c, purpose="answer", qid=q.id) for c in accepted)
    feedback = []
    for key, text in q.feedback.items():
        if names_the_answer(q, key, text, stage_titles):
            continue  # opens with the answer only (it is in the sealed payload)
        feedback += [seal_text(text, salt=salt, secret=part, purpose="feedback", qid=q.id)
                     for part in _feedback_parts(q, key, periods)]
    return Seal(salt=salt, hashes=tuple(sorted({selfcheck_hash(salt, c) for c in accepted})),
                probes=tuple(sorted({selfcheck_hash(salt, p) for p in _right_parts(q)})),
                envelopes=envelopes, feedback=tuple(sorted(feedback)))


def sealed(q: Question, seal: Seal) -> Question:
    """The question as a sealed bank holds it: no answer, explanation or feedback, only ``seal``."""
    return dataclasses.replace(q, answer=(), explanation="", feedback={}, seal=seal)


def is_accepted(q: Question, canonical: str | None) -> bool:
    return canonical is not None and selfcheck_hash(q.seal.salt, canonical) in q.seal.hashes


def open_question(q: Question, canonical: str | None) -> Question | None:
    """The plain question, opened by an accepted response in canonical form; None for any other response."""
    if canonical is None or not is_accepted(q, canonical):
        return None
    for envelope in q.seal.envelopes:
        text = open_text(envelope, salt=q.seal.salt, secret=canonical, purpose="answer", qid=q.id)
        if text is not None:
            data = json.loads(text)
            return dataclasses.replace(q, answer=tuple(data["answer"]), explanation=data["explanation"],
                                       feedback=dict(data["feedback"]), seal=None)
    return None  # a hash that matched by chance (32 bits): the envelope's tag says it is not the answer


def has_part(q: Question, part: str) -> bool:
    """Whether a part of a response (a ticked option, an event at a place, an event's stage) is right."""
    return selfcheck_hash(q.seal.salt, part) in q.seal.probes


def right_parts(q: Question) -> int:
    """How many parts the answer has (right options of a multi, places of a chronology, events to match)."""
    if q.type == "year":
        raise ValueError("a year's probes are directions, not parts of the answer")
    return len(q.seal.probes)


def part_feedback(q: Question, part: str) -> str | None:
    """The feedback written for a wrong response part, when the bank has one for it."""
    for envelope in q.seal.feedback:
        text = open_text(envelope, salt=q.seal.salt, secret=part, purpose="feedback", qid=q.id)
        if text is not None:
            return text
    return None
