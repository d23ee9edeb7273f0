"""Numbers in lesson prose that come from the data: stated once here, checked by the tests, rewritten by
``turn-east refresh``.

A lesson's prose says "the six periods", "59 events", "about fifteen hours". Each such number is a count of the
course data, and goes stale when the data change. Every one is registered below as the words around it, with
the number written as a Jinja expression over the course (``{{ periods | words }}``, ``{{ events(stage="epilogue")
}}``). The notebook keeps the plain sentence with the number in it; :func:`check` finds the sentence (whatever
number it holds now) and compares that number with the data's, and :func:`refresh` writes the data's number
into the notebook. The lessons' "Time and prerequisites" tables are checked the same way against
``lessons.csv``'s minutes, with no entry needed (:func:`time_table_findings`).

Why literal numbers kept true, rather than a sentence rendered by the kernel (``ctx.say(...)``) or a template in
the markdown: the sentence stays markdown, so it reads the same in JupyterLab before anything runs, in a git
diff, in the text check, the structure tests' word counts, the slide decks (made from markdown) and the
website; a student never sees code or ``{{ }}`` in place of a number; and a stale number cannot reach a
handout, because the tests fail (naming notebook, cell, old and new value) until ``turn-east refresh`` has
rewritten it, and ``turn-east handouts`` warns before it renders a stale lesson.

The expressions (:func:`context`): ``periods``, ``article_periods``, ``lessons``, ``actors``,
``relation_actors``, ``course_hours`` (to the nearest half hour); ``events(stage=, motive=, place=)`` (a stage
or motive may be a list), ``motive_counts(stage, exclude=)`` (one count per other motive, for ``| min`` and
``| max``), ``years(stage)`` (the period's length, rounded), ``months(stage)`` (calendar months it touches).
Filters: ``words`` ("six", "thirteen and a half"), ``Words`` (capitalised), and Jinja's own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from turn_east import nbfiles


@dataclass(frozen=True)
class Stated:
    """A number (or several) in one sentence of one notebook: the words as the notebook writes them, each
    number replaced by the expression that computes it. Line breaks in the notebook match any space here."""

    notebook: str
    text: str


P = "{{ periods | words }}"
STATED: tuple[Stated, ...] = (
    # -- the course map
    Stated("00_course_map", f"lays the {P} periods on one timeline"),
    Stated("00_course_map", "recommends an order for the {{ lessons | words }} lessons"),
    Stated("00_course_map", f"Name the {P} periods of the course in order"),
    Stated("00_course_map", f"How do the {P} periods line up"),
    Stated("00_course_map", f"with the {P} periods shaded"),
    Stated("00_course_map", f"The course's {P} periods in order"),
    Stated("00_course_map", "The first {{ article_periods | words }} periods are the article's own"),
    Stated("00_course_map", f"## The {P} periods"),
    Stated("00_course_map", "The full course (about {{ course_hours | words }} hours with discussion)"),
    Stated("00_course_map", "lists the {{ actors | words }} actors ({{ relation_actors | words }} states in the "
                            "relationship charts"),
    Stated("00_course_map", "each pair of the {{ relation_actors | words }} main states"),
    Stated("00_course_map", f"The course has {P} periods"),
    # -- Stage One
    Stated("02_stage_1_adjusting_to_asia", "The stage is short, about {{ months('stage-1') | words }} months."),
    Stated("02_stage_1_adjusting_to_asia", "(Beijing's {{ events(stage='stage-1', place='beijing') | words }} events "
                                           "in this stage are of other kinds)"),
    Stated("02_stage_1_adjusting_to_asia", "Seoul now counts as many events as Moscow, "
                                           "{{ events(stage='stage-1', place='moscow') | words }} each"),
    Stated("02_stage_1_adjusting_to_asia", "flattens the stage's {{ months('stage-1') | words }} months"),
    Stated("02_stage_1_adjusting_to_asia", "(Stage One is about {{ years('stage-1') | words }} years, Stage Two "
                                           "about {{ years('stage-2') | words }})"),
    # -- Stage Three
    Stated("04_stage_3_sidelined_then_summits", "relations among the {{ relation_actors | words }} actors"),
    # -- the epilogue
    Stated("06_epilogue_after_the_article", "epilogue data ({{ events(stage='epilogue') }} events)"),
    Stated("06_epilogue_after_the_article", "fill the {{ months('epilogue') | words }} months after the article"),
    Stated("06_epilogue_after_the_article", "All {{ events(stage='epilogue') }} events of the epilogue"),
    Stated("06_epilogue_after_the_article", "The epilogue holds {{ events(stage='epilogue') }} events in "
                                            "{{ months('epilogue') | words }} months"),
    Stated("06_epilogue_after_the_article", f"across the {P} periods, which of North Korea's"),
    Stated("06_epilogue_after_the_article", "beside the {{ article_periods | words }} article periods"),
    Stated("06_epilogue_after_the_article", "The triangle motive is tagged on "
                                            "{{ events(stage='epilogue', motive='triangle') }} of the "
                                            "{{ events(stage='epilogue') }} epilogue events"),
    Stated("06_epilogue_after_the_article", "the other three motives each appear on "
                                            "{{ motive_counts('epilogue', exclude='triangle') | min }} to "
                                            "{{ motive_counts('epilogue', exclude='triangle') | max }} events"),
    # -- the triangle
    Stated("11_motive_triangle_grand_strategy",
           "{{ events(stage='prelude', motive='triangle') }} across the {{ years('prelude') | words }} years of "
           "the prelude, roughly {{ (events(stage=['stage-1', 'stage-2', 'stage-3'], motive='triangle') / "
           "years(['stage-1', 'stage-2', 'stage-3'])) | round | int | words }} a year in Stages One to Three, "
           "{{ events(stage='stage-4', motive='triangle') }} in the {{ years('stage-4') | words }} years from 2022, and "
           "{{ events(stage='epilogue', motive='triangle') }} in the {{ months('epilogue') | words }} months of the "
           "course's epilogue"),
    # -- identity
    Stated("14_motive_identity_eurasian_power", "friendly relations among the {{ relation_actors | words }} actors"),
    Stated("14_motive_identity_eurasian_power", "The {{ relation_actors | words }} relation actors as nodes"),
    # -- the synthesis
    Stated("20_synthesis_weighing_the_argument", f"The {P} periods, the four motives and the course data"),
    Stated("20_synthesis_weighing_the_argument", f"against the {P} periods (the article's "
                                                 "{{ article_periods | words }} and the course's"),
    Stated("20_synthesis_weighing_the_argument", "each pair of the {{ relation_actors | words }} relation actors"),
)

# ---------------------------------------------------------------- number words

_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(n) -> str:
    """0-99 in words ("six", "twenty-six"), halves as "thirteen and a half"; other numbers as digits."""
    if isinstance(n, float) and n != int(n):
        if n * 2 == int(n * 2) and 0 < n < 100:
            return f"{number_words(int(n))} and a half"
        return str(n)
    n = int(n)
    if 0 <= n < 20:
        return _SMALL[n]
    if 20 <= n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + (f"-{_SMALL[unit]}" if unit else "")
    return str(n)


_UNIT = "|".join(_SMALL[1:10])
WORDS_PATTERN = (r"(?i:(?:(?:%s)(?:-(?:%s))?|%s)(?: and a half)?)"
                 % ("|".join(_TENS[2:]), _UNIT, "|".join(sorted(_SMALL, key=len, reverse=True))))
DIGITS_PATTERN = r"[+\-\u2212]?\d[\d,]*(?:\.\d+)?"
_EXPR = re.compile(r"\{\{(.*?)\}\}", re.S)


# ---------------------------------------------------------------- the course as numbers

def _as_list(value):
    return None if value is None else [value] if isinstance(value, str) else list(value)


def context(course) -> dict:
    """The names the expressions use, computed from ``course``."""
    events = course.events
    spans = course.stage_spans

    def count(stage=None, motive=None, place=None) -> int:
        sel = events
        stages = _as_list(stage)
        if stages is not None:
            sel = sel[sel["stage"].astype(object).isin(stages)]
        motives = _as_list(motive)
        if motives is not None:
            sel = sel[sel["motives"].map(lambda ms: any(m in ms for m in motives))]
        if place is not None:
            sel = sel[sel["place"].astype(object) == place]
        return int(len(sel))

    def span(stage) -> tuple[dt.date, dt.date]:
        stages = _as_list(stage)
        return (min(spans[s][0] for s in stages).date(), max(spans[s][1] for s in stages).date())

    def years(stage) -> int:
        start, end = span(stage)
        return int(round(((end - start).days + 1) / 365.25))

    def months(stage) -> int:
        start, end = span(stage)
        return (end.year - start.year) * 12 + end.month - start.month + 1

    minutes = course.lessons[["reading_min", "exercise_min", "discussion_min"]].fillna(0).to_numpy().sum()
    hours = round(minutes / 60 * 2) / 2
    return {
        "periods": len(course.periods),
        "article_periods": int((course.stages["defined_by"].astype(str) == "article").sum()),
        "lessons": len(course.lessons),
        "actors": len(course.actors),
        "relation_actors": int(course.actors["in_relations"].astype(bool).sum()),
        "course_hours": int(hours) if hours == int(hours) else hours,
        "events": count,
        "motive_counts": lambda stage, exclude=(): [count(stage=stage, motive=m) for m in course.motives["id"]
                                                    if m not in _as_list(exclude)],
        "years": years,
        "months": months,
    }


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters["words"] = number_words
    env.filters["Words"] = lambda n: number_words(n).capitalize()
    return env


@lru_cache(maxsize=None)
def _template(expression: str):
    return _environment().from_string("{{" + expression + "}}")


def render_expression(expression: str, names: dict) -> str:
    return _template(expression).render(**names)


def render(stated: Stated, names: dict) -> str:
    """The sentence as the data say it should read."""
    return _EXPR.sub(lambda m: render_expression(m.group(1), names), stated.text)


@lru_cache(maxsize=None)
def pattern(text: str) -> re.Pattern:
    """The sentence with any number where each expression stands, and any run of spaces as any whitespace."""
    out, pos = [], 0
    for i, m in enumerate(_EXPR.finditer(text)):
        out.append(_literal(text[pos:m.start()]))
        number = WORDS_PATTERN if re.search(r"\|\s*[Ww]ords\b", m.group(1)) else DIGITS_PATTERN
        out.append(f"(?P<v{i}>{number})")
        pos = m.end()
    out.append(_literal(text[pos:]))
    return re.compile(r"(?<![\w-])" + "".join(out) + r"(?![\w-])")


def _literal(text: str) -> str:
    return r"\s+".join(re.escape(part) for part in re.split(r"\s+", text))


# ---------------------------------------------------------------- findings

@dataclass
class Finding:
    """A registered sentence as one notebook states it: ``status`` is current, stale (``new`` differs),
    missing (the sentence is not in the notebook), ambiguous (in more than one place) or uncomputable (the data
    lack what its expression counts: ``new`` says why)."""

    path: Path
    cell: int | None
    text: str            # what the notebook says (the sentence template when missing)
    new: str             # what the data say
    status: str
    spans: tuple = ()    # (start, end, new value) in the cell's source, for a stale one

    def __str__(self) -> str:
        where = f"{self.path}" + (f", cell {self.cell}" if self.cell is not None else "")
        if self.status == "stale":
            return (f"{where}: says {_quote(self.text)}, but the data now give {_quote(self.new)}; "
                    "run `turn-east refresh` to rewrite it")
        if self.status == "missing":
            return (f"{where}: no sentence reads {_quote(self.text)} (with any number) any more; restore it, or "
                    "update its entry in STATED in src/turn_east/make/prose.py (delete it if the number is gone)")
        if self.status == "uncomputable":
            return (f"{where}: {_quote(self.text)} cannot be computed from these data ({self.new}); correct its "
                    "entry in src/turn_east/make/prose.py")
        if self.status == "ambiguous":
            return (f"{where}: {_quote(self.text)} is found in more than one place; make the entry in "
                    "src/turn_east/make/prose.py longer, so that it names one sentence")
        return f"{where}: {_quote(self.text)}"


def _quote(text: str) -> str:
    return "'" + re.sub(r"\s+", " ", text).strip() + "'"


def _markdown(nb):
    return [(i, nbfiles.source(c)) for i, c in enumerate(nb.cells) if c.get("cell_type") == "markdown"]


def findings_for(path: Path, nb, entries, names: dict) -> list[Finding]:
    out = []
    cells = _markdown(nb)
    for stated in entries:
        rx = pattern(stated.text)
        hits = [(i, m) for i, src in cells for m in rx.finditer(src)]
        try:
            values = [render_expression(e.group(1), names) for e in _EXPR.finditer(stated.text)]
        except Exception as exc:  # noqa: BLE001 - the data lack what the expression counts (another course's)
            out.append(Finding(path, hits[0][0] if hits else None, stated.text,
                               f"{type(exc).__name__}: {exc}", "uncomputable"))
            continue
        if not hits:
            out.append(Finding(path, None, stated.text, render(stated, names), "missing"))
            continue
        if len(hits) > 1:
            out.append(Finding(path, hits[0][0], stated.text, render(stated, names), "ambiguous"))
            continue
        i, m = hits[0]
        spans = tuple((m.start(f"v{k}"), m.end(f"v{k}"), v) for k, v in enumerate(values)
                      if m.group(f"v{k}") != v)
        new = m.group(0)
        for start, end, value in sorted(spans, reverse=True):
            new = new[:start - m.start()] + value + new[end - m.start():]
        out.append(Finding(path, i, m.group(0), new, "stale" if spans else "current", spans))
    return out


_TIME_ROWS = (("Reading", "reading_min"), ("Exercises", "exercise_min"), ("Discussion", "discussion_min"))


def time_table_findings(path: Path, nb, lesson: dict) -> list[Finding]:
    """The "Time and prerequisites" table of a lesson: its Reading, Exercises and Discussion minutes are the
    lesson's row of lessons.csv (the leader guide, the handouts' index and the website show those)."""
    out = []
    for i, src in _markdown(nb):
        if "## Time and prerequisites" not in src:
            continue
        for label, field in _TIME_ROWS:
            m = re.search(rf"^\|\s*{label}\b[^|\n]*\|\s*(\d+)\s*\|", src, re.M)
            want = str(int(lesson.get(field) or 0))
            if m is None:
                out.append(Finding(path, i, f"| {label} ... | <minutes> |", f"| {label} ... | {want} |", "missing"))
            elif m.group(1) != want:
                new = m.group(0)[:m.start(1) - m.start()] + want + m.group(0)[m.end(1) - m.start():]
                out.append(Finding(path, i, m.group(0), new, "stale", ((m.start(1), m.end(1), want),)))
        break
    return out


def check(course, notebooks_dir: Path, only=None) -> list[Finding]:
    """Every registered number and every lesson's time table, as the notebooks in ``notebooks_dir`` state them
    now (status current, stale, missing or ambiguous). Notebooks that do not exist are left out (a copy of the
    course with fewer lessons); ``only``: these notebook stems alone."""
    names = context(course)
    lessons = {str(r["id"]): r for r in course.lessons.to_dict("records")}
    by_notebook: dict[str, list[Stated]] = {}
    for stated in STATED:
        by_notebook.setdefault(stated.notebook, []).append(stated)
    out = []
    for stem in sorted(set(by_notebook) | set(lessons)):
        if only is not None and stem not in only:
            continue
        path = Path(notebooks_dir) / f"{stem}.ipynb"
        if not path.is_file():
            continue
        nb = nbfiles.read(path)
        out += findings_for(path, nb, by_notebook.get(stem, []), names)
        if stem in lessons:
            out += time_table_findings(path, nb, lessons[stem])
    return out


def problems(findings) -> list[Finding]:
    return [f for f in findings if f.status != "current"]


def refresh(course, notebooks_dir: Path, only=None) -> tuple[list[Finding], list[Finding]]:
    """Rewrite every stale number in the notebooks (``only``: these stems); returns (rewritten, still wrong:
    missing, ambiguous or uncomputable)."""
    found = check(course, notebooks_dir, only)
    stale = [f for f in found if f.status == "stale"]
    by_path: dict[Path, list[Finding]] = {}
    for f in stale:
        by_path.setdefault(f.path, []).append(f)
    for path, items in by_path.items():
        nb = nbfiles.read(path)
        edits: dict[int, list] = {}
        for f in items:
            edits.setdefault(f.cell, []).extend(f.spans)
        for i, spans in edits.items():
            src = nbfiles.source(nb.cells[i])
            for start, end, value in sorted(set(spans), reverse=True):
                src = src[:start] + value + src[end:]
            nb.cells[i].source = src
        nbfiles.write_if_changed(nb, path)
    return stale, [f for f in found if f.status in ("missing", "ambiguous", "uncomputable")]


def heading_changes(rewritten: list[Finding]) -> list[tuple[str, str, str]]:
    """(lesson id, old heading text, new heading text) for every rewritten heading: the quiz bank's reread
    pointers (questions.csv ``section``) name headings by their text."""
    out = []
    for f in rewritten:
        if f.text.lstrip().startswith("#"):
            out.append((f.path.stem, nbfiles.heading_text(f.text.lstrip().lstrip("#")),
                        nbfiles.heading_text(f.new.lstrip().lstrip("#"))))
    return out
