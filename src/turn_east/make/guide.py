"""The seminar leader's guide: a 90-minute plan for each lesson, built from the course itself.

``notebooks/90_leader_guide.ipynb`` calls :func:`show_plans`; everything it prints comes
from ``data/lessons.csv``, ``data/questions.csv`` and the lesson notebooks (their chart
cells, the numbered prompts under ``## Discussion`` and the minutes in the leader notes),
so the guide cannot drift from the lessons.

    plan = seminar_plan(course, "02_stage_1_adjusting_to_asia")   # SeminarPlan
    plan.rows            # [(start, minutes, segment, what to do), ...] summing to 90
    plan.to_markdown()   # the guide's section for this lesson
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import nbfiles
from turn_east.data import Course, Question
from turn_east.paths import repo_folder
from turn_east.quiz import answer_text

SESSION_MIN = 90
#: The session's blocks (minutes): recap, charts, live quiz, discussion, wrap-up.
BLOCKS = (("Recap", 10), ("Chart walk-through", 20), ("Live quiz", 15), ("Discussion", 35), ("Wrap-up", 10))
LIVE_QUESTIONS = 3
REPORT_BACK = 10  # minutes of the discussion block kept for groups to report back
#: Question types that provoke the best discussion come first when picking live questions.
LIVE_ORDER = ("match_stage", "chronology", "multi", "truefalse", "single", "year", "text")
HOW_TO_DISCUSS = {
    "single": "poll the room on the options before anyone presses Check; ask a student who chose a wrong "
              "option to say why it looked right",
    "multi": "ask pairs to agree on their ticks first; then discuss the option the room split on",
    "truefalse": "take a show of hands, then ask one student from each side for the evidence",
    "chronology": "have groups defend their order by dating the events they placed differently",
    "match_stage": "ask which event sits closest to a stage boundary and what date decides it",
    "year": "collect guesses on the board; discuss why the early and late guesses were tempting",
    "text": "ask for the term in students' own words first, then check the exact name",
}

_CHART_CALL = re.compile(r"charts\.(\w+)\(")
_HEADING = re.compile(r"^#+\s*")
_MINUTES = re.compile(r"(\d+)\s*minutes?\b")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Chart:
    number: int
    function: str    # e.g. "timeline"
    question: str    # the heading or first line of the markdown cell that introduces it


@dataclass
class Prompt:
    number: int
    text: str
    minutes: int | None = None   # from the leader note that follows it, when it gives one
    optional: bool = False


@dataclass
class SeminarPlan:
    lesson_id: str
    title: str
    summary: str
    charts: list[Chart] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)      # the ones to run live
    all_question_ids: list[str] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    rows: list[tuple[int, int, str, str]] = field(default_factory=list)
    notebook_found: bool = True

    @property
    def total_minutes(self) -> int:
        return sum(r[1] for r in self.rows)

    def to_markdown(self, *, show_answers: bool = True, course: Course | None = None) -> str:
        """This lesson's section of the guide (Markdown)."""
        out = [f"## {self.title}", "", f"`{self.lesson_id}.ipynb`: {self.summary}", ""]
        if not self.notebook_found:
            out += ["*The lesson notebook was not found; the plan below uses the course data only.*", ""]
        out += ["| Start | Minutes | Segment | What to do |", "|---:|---:|---|---|"]
        out += [f"| {s} | {m} | {_cell(seg)} | {_cell(what)} |" for s, m, seg, what in self.rows]
        out += ["", f"**Run these quiz questions live** (all of this lesson's questions: "
                    f"{', '.join(f'`{i}`' for i in self.all_question_ids) or 'none yet'}):", ""]
        for q in self.questions:
            line = f"- `{q.id}` ({q.type}): {_one_line(q.prompt)} *How to discuss:* {HOW_TO_DISCUSS[q.type]}."
            if show_answers and course is not None:
                line += f" *Answer:* {'; '.join(answer_text(q, course))}."
            if q.section:
                line += f" *Reread:* {q.section}."
            out.append(line)
        out += ["", "**Discussion prompts** (from the lesson's Discussion section; the lesson's leader note "
                    "under each prompt has what to listen for, misconceptions and a model answer):", ""]
        if not self.prompts:
            out.append("- *No numbered prompts found under ## Discussion.*")
        for p in self.prompts:
            when = f"leader note: {p.minutes} min" if p.minutes else ""
            if p.optional:
                when = f"{when}; if time allows" if when else "if time allows"
            when = f" *({when})*" if when else ""
            out.append(f"{p.number}. {_one_line(p.text)}{when}")
        return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def lesson_charts(nb: dict) -> list[Chart]:
    """The lesson's chart cells, in order, each with the question that introduces it."""
    cells, out = nb.get("cells", []), []
    for i, cell in enumerate(cells):
        if not nbfiles.is_chart_cell(cell):
            continue
        m = _CHART_CALL.search(nbfiles.source(cell))
        question = ""
        for prev in reversed(cells[:i]):
            if prev.get("cell_type") == "markdown" and "leader" not in nbfiles.tags(prev):
                lines = [l for l in nbfiles.source(prev).strip().splitlines() if l.strip()]
                question = _HEADING.sub("", lines[0]).strip() if lines else ""
                break
        out.append(Chart(len(out) + 1, m.group(1) if m else "chart", question))
    return out


def discussion_prompts(nb: dict) -> list[Prompt]:
    """The numbered prompts under ``## Discussion`` (``**1.** ...`` or ``1. ...``), with leader-note minutes."""
    prompts: list[Prompt] = []
    inside = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = nbfiles.source(cell)
        first = nbfiles.first_line(cell)
        if first.startswith("## "):
            inside = first.strip().lower() == "## discussion"
            body = text.strip().split("\n", 1)[1] if "\n" in text.strip() else ""
        else:
            body = text
        if not inside:
            continue
        if "leader" in nbfiles.tags(cell):
            if prompts and prompts[-1].minutes is None:
                m = _MINUTES.search(text)
                prompts[-1].minutes = int(m.group(1)) if m else None
            continue
        current = None
        for line in body.splitlines():
            m = nbfiles.PROMPT.match(line)
            if m:
                label = (m.group(2) or "").strip()
                current = Prompt(int(m.group(1) or m.group(3)), f"{label} {m.group(4).strip()}".strip())
                current.optional = "optional" in current.text.lower()[:40]
                prompts.append(current)
            elif current is not None and line.strip() and not line.startswith(("#", "**Leader")):
                current.text += " " + line.strip()
            elif not line.strip():
                current = None
    return prompts


def live_questions(questions, n: int = LIVE_QUESTIONS) -> list:
    """Pick ``n`` questions to run live: varied types, discussion-friendly types first, bank order within a type."""
    rank = {t: i for i, t in enumerate(LIVE_ORDER)}
    picked, used_types = [], set()
    for q in sorted(questions, key=lambda q: rank.get(q.type, len(rank))):
        if q.type not in used_types:
            picked.append(q)
            used_types.add(q.type)
        if len(picked) == n:
            break
    if len(picked) < n:
        picked += [q for q in questions if q not in picked][: n - len(picked)]
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(picked, key=lambda q: order[q.id])


def _rows(plan: SeminarPlan, kind: str, n_periods: int | None = None) -> list[tuple[int, int, str, str]]:
    rows: list[tuple[int, int, str, str]] = []
    start = 0

    def add(minutes, segment, what):
        nonlocal start
        rows.append((start, minutes, segment, what))
        start += minutes

    periods = "periods" if n_periods is None else f"{_count_word(n_periods)} periods"
    recap = (f"Set out the course's question and the {periods}; ask what students "
             "expect the data to show."
             if kind == "map" else
             "Recap the previous lesson's key points; ask two students for one dated event each from the reading.")
    add(BLOCKS[0][1], "Recap", recap)
    chart_min = BLOCKS[1][1]
    if plan.charts:
        each, extra = divmod(chart_min, len(plan.charts))
        for i, ch in enumerate(plan.charts):
            add(each + (1 if i < extra else 0), f"Chart {ch.number} (`charts.{ch.function}`)",
                f"{_sentence(ch.question)} Show it, let students read it for a minute, then read the "
                "'What the chart shows' cell aloud and ask what the chart cannot show.")
    else:
        add(chart_min, "Charts", "Walk through the lesson's narrative sections.")
    ids = ", ".join(f"`{q.id}`" for q in plan.questions) or "the lesson's quiz"
    add(BLOCKS[2][1], "Live quiz", f"Run {ids} from the lesson's quiz on the projector: students answer first, "
                                   "then press Check; reveal the rest with the Show answers toggle.")
    disc = BLOCKS[3][1]
    # Each prompt gets its leader note's minutes (8 when the note gives none); prompts that no longer
    # fit the block are marked optional. Up to REPORT_BACK minutes are kept for reporting back; when
    # the notes' minutes are short (lesson 00), the spare time is shared out over the prompts.
    timed, used = [], 0
    for p in plan.prompts:
        minutes = p.minutes or 8
        if used + minutes > disc:
            p.optional = True
            continue
        timed.append([p, minutes])
        used += minutes
    report = min(REPORT_BACK, disc - used)
    spare = disc - used - report
    if timed and spare > 0:
        shares = [spare * m // used for _, m in timed]
        shares[0] += spare - sum(shares)
        for t, extra in zip(timed, shares):
            t[1] += extra
    elif spare > 0:
        report += spare
    for p, minutes in timed:
        add(minutes, f"Discussion prompt {p.number}", _shorten(p.text))
    if report > 0:
        add(report, "Discussion: reporting back",
            "Groups report back; put the strongest evidence for and against the article's claim on the board."
            if timed else "Discuss the lesson's questions in small groups, then report back.")
    add(BLOCKS[4][1], "Wrap-up", "Read the Key points cell together; set the reading for the lesson under "
                                 "What's next.")
    return rows


def _count_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if 0 <= n < len(words) else str(n)


def _sentence(text: str) -> str:
    text = _one_line(text)
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def _shorten(text: str, words: int = 18) -> str:
    w = _one_line(text).split()
    return " ".join(w[:words]) + (" ..." if len(w) > words else "")


def seminar_plan(course: Course, lesson_id: str, notebooks_dir=None) -> SeminarPlan:
    """The 90-minute plan for one lesson in ``lessons.csv``."""
    lesson = course.lesson(lesson_id)
    if lesson is None:
        raise KeyError(f"{lesson_id!r} is not in lessons.csv")
    folder = Path(notebooks_dir) if notebooks_dir is not None else find_notebooks_dir(course)
    path = folder / f"{lesson_id}.ipynb"
    nb = nbfiles.read(path) if path.exists() else {"cells": []}
    bank = [q for q in course.bank if q.lesson == lesson_id]
    plan = SeminarPlan(lesson_id=lesson_id, title=str(lesson["title"]), summary=str(lesson["summary"]),
                       charts=lesson_charts(nb), questions=live_questions(bank),
                       all_question_ids=[q.id for q in bank], prompts=discussion_prompts(nb),
                       notebook_found=path.exists())
    plan.rows = _rows(plan, str(lesson["kind"]), len(course.periods))
    if plan.total_minutes != SESSION_MIN:  # a bug in _rows, never the data's fault
        raise RuntimeError(f"{lesson_id}: the plan lasts {plan.total_minutes} minutes, not {SESSION_MIN}")
    return plan


def find_notebooks_dir(course: Course | None = None) -> Path:
    """The course's notebooks/ folder: beside the data folder, else the repository's, else the working
    directory (or its notebooks/)."""
    candidates = []
    if course is not None and course.data_dir is not None:
        candidates.append(Path(course.data_dir).resolve().parent / "notebooks")
    candidates += [repo_folder("notebooks"), Path.cwd(), Path.cwd() / "notebooks"]
    for c in candidates:
        if (c / "00_course_map.ipynb").exists():
            return c
    return repo_folder("notebooks")


def seminar_plans(course: Course, notebooks_dir=None) -> list[SeminarPlan]:
    """A plan for every lesson, in lessons.csv order."""
    return [seminar_plan(course, lesson_id, notebooks_dir) for lesson_id in course.lesson_titles]


def overview_markdown(plans: list[SeminarPlan]) -> str:
    """One table: every lesson with its charts, live questions and prompts."""
    out = ["| Lesson | Charts | Live questions | Discussion prompts |", "|---|---:|---|---:|"]
    for p in plans:
        out.append(f"| {_cell(p.title)} | {len(p.charts)} | {', '.join(q.id for q in p.questions)} | "
                   f"{len(p.prompts)} |")
    return "\n".join(out) + "\n"


def show_plans(course: Course, *, show_answers: bool = True, notebooks_dir=None) -> list[SeminarPlan]:
    """Display the overview and every lesson's plan as Markdown (the leader guide's main cell)."""
    from IPython.display import display

    plans = seminar_plans(course, notebooks_dir)
    text = overview_markdown(plans)
    display({"text/markdown": text, "text/plain": text}, raw=True)
    for plan in plans:
        md = plan.to_markdown(show_answers=show_answers, course=course)
        display({"text/markdown": md, "text/plain": md}, raw=True)
    return plans
