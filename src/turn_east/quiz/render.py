"""A quiz's HTML, from the Jinja templates in ``templates/``: the static forms of a handout
(``static.html.j2``: "student", "key", "selfcheck") and the HTML pieces of the widgets
(``widgets.html.j2``). Deterministic: the same quiz gives the same bytes.

The self-check form holds salted FNV-1a hashes of the accepted answers, never an answer; its script
(``templates/selfcheck.js``) hashes the learner's response the same way.
"""

from __future__ import annotations

import html
import math
from functools import lru_cache
from pathlib import Path

import jinja2

from turn_east.data.bank import Question, normalize
from turn_east.quiz.grading import NO_MARK, OK_MARK, Verdict, answer_text
from turn_east.quiz.labels import cite, event_label, reread, stage_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
MODES = ("student", "key", "selfcheck")
HEADINGS = {"student": "Quiz", "key": "Quiz: answer key", "selfcheck": "Quiz: check yourself"}
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
LETTERS = "abcde"
# Theme-aware colours: JupyterLab variables with fallbacks that read on light and dark.
OK_COLOR = "var(--jp-success-color1, #1a7f37)"
NO_COLOR = "var(--jp-error-color1, #c62828)"
TEXT_COLOR = "var(--jp-ui-font-color1, inherit)"
MUTED_COLOR = "var(--jp-ui-font-color2, inherit)"
BORDER = "var(--jp-border-color1, rgba(128, 128, 128, 0.6))"


def esc(text) -> str:
    return html.escape(str(text), quote=True)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["esc"] = esc
    env.globals.update(
        ok_mark=OK_MARK, arrow="\u2192", dot="\u00b7", ok_color=OK_COLOR, text_color=TEXT_COLOR,
        muted_color=MUTED_COLOR,
        css=(TEMPLATES / "quiz.css").read_text(encoding="utf-8").rstrip("\n"),
        script=(TEMPLATES / "selfcheck.js").read_text(encoding="utf-8").rstrip("\n"),
    )
    return env


# ---------------------------------------------------------------- static HTML

def _context(quiz, mode: str) -> dict:
    if mode not in MODES:
        raise ValueError(f"mode must be 'student', 'key' or 'selfcheck', not {mode!r}")
    course = quiz.course
    return {"mode": mode, "key": mode == "key", "heading": HEADINGS[mode], "lesson_id": quiz.lesson_id,
            "title": quiz.title, "stages": [{"id": s, "label": stage_label(course, s)} for s in course.periods]}


def _view(quiz, index: int) -> dict:
    """What the template shows of one question: labels, options, the answer and the self-check hashes."""
    q, course = quiz.questions[index], quiz.course
    v = {"n": index + 1, "hid": f"te-{esc(quiz.lesson_id)}-{esc(q.id)}", "type": q.type, "prompt": q.prompt,
         "hint": TYPE_HINTS[q.type], "reread": reread(course, q), "explanation": q.explanation,
         "cite": cite(course, q.source_id), "answer": answer_text(q, course),
         "box": "\u2610" if q.type == "multi" else "\u25cb", "input": "checkbox" if q.type == "multi" else "radio",
         "options": [], "events": []}
    if q.type in ("single", "multi"):
        v["options"] = [{"value": o, "text": o, "right": o in q.answer, "feedback": q.feedback.get(o)}
                        for o in q.choices]
    elif q.type == "truefalse":
        v["options"] = [{"value": o, "text": o.capitalize(), "right": o == q.answer[0], "feedback": q.feedback.get(o)}
                        for o in ("true", "false")]
    elif q.type in ("chronology", "match_stage"):
        v["events"] = [{"letter": LETTERS[i], "ordinal": ORDINALS[i], "label": event_label(course, e)}
                       for i, e in enumerate(q.choices)]
    v["salt"] = salt = f"turn-east:{q.id}"
    v["hashes"] = " ".join(sorted(set(selfcheck_hash(salt, c) for c in canonical_answers(q))))
    return v


def static_html(quiz, mode: str) -> str:
    """The whole quiz as static HTML in ``mode``."""
    context = _context(quiz, mode)
    views = [_view(quiz, i) for i in range(len(quiz.questions))]
    return _env().get_template("static.html.j2").render(context, questions=views)


def question_html(quiz, index: int, mode: str) -> str:
    """One question's static HTML in ``mode``."""
    module = _env().get_template("static.html.j2").make_module(_context(quiz, mode) | {"questions": []})
    return str(module.section(_view(quiz, index)))


# ---------------------------------------------------------------- the self-check's hashes

def selfcheck_hash(salt: str, value: str) -> str:
    """FNV-1a (32-bit) of salt + U+001F + value, as 8 hex digits; mirrored in templates/selfcheck.js."""
    x = 0x811C9DC5
    for byte in (salt + "\x1f" + value).encode("utf-8"):
        x ^= byte
        x = (x * 0x01000193) & 0xFFFFFFFF
    return f"{x:08x}"


def canonical_answers(q: Question) -> list[str]:
    """Every response the self-check accepts, in the form its script builds from the page's inputs."""
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
    return [normalize(a) for a in q.answer]


# ---------------------------------------------------------------- the widgets' HTML

def _widgets():
    return _env().get_template("widgets.html.j2").module


def title_html(title: str) -> str:
    return str(_widgets().title(title))


def head_html(number: int, total: int, q: Question) -> str:
    return str(_widgets().head(number, total, TYPE_HINTS[q.type], q.prompt))


def verdict_html(v: Verdict, q: Question, attempts: int, course) -> str:
    if v.correct is None:
        mark, color = "\u2139", MUTED_COLOR
    elif v.correct:
        mark, color = OK_MARK, OK_COLOR
    else:
        mark, color = NO_MARK, NO_COLOR
    back, tries = None, ""
    if v.correct is False:
        tries = "Change your answer and press Check again." if attempts < 2 else "The explanation is below."
        back = reread(course, q)
    return str(_widgets().verdict(mark, color, v.headline, [d for d in v.details if d], back, tries))


def explanation_html(q: Question, course) -> str:
    return str(_widgets().explanation(q.explanation, reread(course, q), cite(course, q.source_id)))


def key_html(q: Question, course) -> str:
    return str(_widgets().key(answer_text(q, course), q.explanation, reread(course, q), cite(course, q.source_id)))


def note_html(text: str) -> str:
    return f'<div role="status" style="color:{MUTED_COLOR}">{esc(text)}</div>'


def score_html(right: int, total: int, checked: int) -> str:
    return str(_widgets().score(right, total, checked))
