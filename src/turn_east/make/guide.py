"""The seminar leader's guide: a 90-minute plan for each lesson, built from the course itself.

``notebooks/90_leader_guide.ipynb`` calls :func:`show_plans`, and every leader handout opens with its
lesson's plan (``turn-east handouts``). Everything in a plan comes from ``data/lessons.csv`` (the
lesson's minutes: :func:`turn_east.session.session_blocks`), ``data/questions.csv`` and the lesson
notebook (its narrative sections, chart cells, data sections and "Try it" prompts, the numbered prompts
under ``## Discussion`` and the minutes in their leader notes), so a plan cannot drift from its lesson.

A plan follows the lesson's kind: every lesson spends its reading minutes on the narrative and the
charts, its exercise minutes on the data cells, "Try it" prompts, the practice notebook (when the lesson
has one in ``exercises/``) and live quiz questions (the synthesis on the essay, with one live question), its
discussion minutes on the prompts (the synthesis on the debate); the course map's opening is the course's
set-up and syllabus. When a lesson's minutes are more than a session, its reading is set before class and
the plan says so. Live questions are picked for
discussion by :func:`live_questions` (reasoning skills first).

    plan = seminar_plan(course, "02_stage_1_adjusting_to_asia")   # SeminarPlan
    plan.rows            # [(start, minutes, segment, what to do), ...] summing to 90
    plan.to_markdown()   # the guide's section for this lesson (and the leader handout's plan)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import nbfiles
from turn_east.data import Course, Question
from turn_east.paths import repo_folder
from turn_east.quiz import answer_text
from turn_east.session import SESSION_MIN, lesson_minutes as session_minutes, session_blocks

#: The session's blocks for a lesson with the usual minutes (35 / 20 / 25); each lesson's own come from
#: turn_east.session.session_blocks (its minutes in lessons.csv).
BLOCKS = tuple(session_blocks({"reading_min": 35, "exercise_min": 20, "discussion_min": 25}))
LIVE_QUESTIONS = 3
QUESTION_MIN = 4      # minutes per live question: the vote, the reveal, a student defending a wrong option
CHART_MIN = 4         # minutes per chart in the reading block: the question, a minute to read it, what it shows
DATA_MIN = 3          # minutes per data section (run the cells on the projector) and per "Try it" prompt
REPORT_BACK = 10      # minutes of the discussion block kept for groups to report back
#: The quiz bank's skills, most discussion-worthy first (the QUIZ helper's `skill` column); recall comes last.
SKILL_ORDER = ("evaluate", "apply", "interpret", "recall")
#: Without a skill column: the types that let a question ask for reasoning first, the recall-shaped types last.
TYPE_ORDER = ("single", "multi", "truefalse", "match_stage", "chronology", "year", "text")
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
ESSAY = re.compile(r"^\W*essay\b", re.I)

_CHART_CALL = re.compile(r"charts\.(\w+)\(")
_HEADING = re.compile(r"^#+\s*")
_MINUTES = re.compile(r"(\d+)\s*minutes?\b")


_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]*\)")


def _one_line(text: str) -> str:
    """Text from a lesson as one line of a plan: a link keeps its words (a plan's page has none of the lesson's
    anchors, such as #glossary-..., so the site's build would report a broken reference)."""
    return re.sub(r"\s+", " ", _LINK.sub(r"\1", text)).strip()


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

    @property
    def essay(self) -> bool:
        return bool(ESSAY.match(self.text))


@dataclass
class DataSection:
    title: str               # the "### Data: ..." heading
    cells: int               # code cells under it
    try_it: list[str] = field(default_factory=list)   # the "Try it" prompts under it


@dataclass
class LiveQuestion:
    question: Question
    number: int              # its place in the lesson's quiz, as students see it ("Question 3 of 7")
    total: int

    @property
    def label(self) -> str:
        return f"Question {self.number} of {self.total}: \u201c{_first_words(self.question.prompt)}\u201d"


@dataclass
class SeminarPlan:
    lesson_id: str
    title: str
    summary: str
    kind: str = ""
    charts: list[Chart] = field(default_factory=list)
    questions: list[LiveQuestion] = field(default_factory=list)   # the ones to run live
    all_question_ids: list[str] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)            # the narrative sections (## headings)
    data: list[DataSection] = field(default_factory=list)
    blocks: list[tuple[str, int]] = field(default_factory=list)  # turn_east.session.session_blocks
    rows: list[tuple[int, int, str, str]] = field(default_factory=list)
    notebook_found: bool = True
    reading_before_class: int = 0   # the lesson's reading minutes that do not fit the session: set before class
    practice: str = ""              # the practice notebook (exercises/<lesson>.ipynb), when the lesson has one

    @property
    def total_minutes(self) -> int:
        return sum(r[1] for r in self.rows)

    def to_markdown(self, *, show_answers: bool = True, course: Course | None = None, level: int = 2) -> str:
        """This lesson's plan (Markdown): the guide's section, and the top of the leader handout."""
        h = "#" * level
        out = [f"{h} {self.title}" if level == 2 else f"{h} Session plan: {self.title}", ""]
        if level == 2:
            out += [f"`{self.lesson_id}.ipynb`: {self.summary}", ""]
        if not self.notebook_found:
            out += ["*The lesson notebook was not found; the plan below uses the course data only.*", ""]
        blocks = ", ".join(f"{name.lower()} {m}" for name, m in self.blocks if m)
        out += [f"Minutes from the lesson's row in `data/lessons.csv` ({blocks}; total {SESSION_MIN})"
                + (f"; {self.reading_before_class} minutes of reading are set before class." if self.reading_before_class
                   else "."), ""]
        out += ["| Start | Min | Segment | What to do |", "|---:|---:|---|---|"]
        out += [f"| {s} | {m} | {_cell(seg)} | {_cell(what)} |" for s, m, seg, what in self.rows]
        out += ["", "**Live quiz questions** (as numbered in the lesson's quiz; let the room vote before anyone "
                    "presses Check, then reveal the answer with the question's *Show answer* button):", ""]
        if not self.questions:
            out.append("- *This lesson's quiz has no questions yet.*")
        for lq in self.questions:
            q = lq.question
            skill = getattr(q, "skill", None)
            line = f"- **{lq.label}** ({q.type}{', ' + skill if skill else ''}). *How to discuss:* " \
                   f"{HOW_TO_DISCUSS[q.type]}."
            if show_answers and course is not None:
                line += f" *Answer:* {'; '.join(answer_text(q, course))}."
            if q.section:
                line += f" *Reread:* {q.section}."
            out.append(line)
        out += ["", "**Discussion prompts** (the leader note under each prompt in the lesson has what to listen "
                    "for, misconceptions and a model answer):", ""]
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


def _first_words(text: str, words: int = 9) -> str:
    w = _one_line(text).split()
    return " ".join(w[:words]) + (" ..." if len(w) > words else "")


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


_NOT_NARRATIVE = {"learning objectives", "time and prerequisites", "quiz", "discussion", "key points",
                  "references", "what's next"}
_TRY_IT = re.compile(r"\*\*Try it\.?\*\*\.?\s*(.*)", re.S)


def narrative_sections(nb: dict) -> list[str]:
    """The titles of the lesson's narrative sections (its ``## `` headings other than the fixed ones)."""
    out = []
    for cell in nb.get("cells", []):
        first = nbfiles.first_line(cell) if cell.get("cell_type") == "markdown" else ""
        if first.startswith("## ") and "leader" not in nbfiles.tags(cell):
            title = first[3:].strip()
            if title.lower() not in _NOT_NARRATIVE:
                out.append(title)
    return out


def data_sections(nb: dict) -> list[DataSection]:
    """The lesson's ``### Data: ...`` sections: how many code cells each has and its "Try it" prompts."""
    out: list[DataSection] = []
    current = None
    for cell in nb.get("cells", []):
        text = nbfiles.source(cell).strip()
        if cell.get("cell_type") == "markdown" and "leader" not in nbfiles.tags(cell):
            first = text.splitlines()[0] if text else ""
            if first.startswith("#"):
                current = None
                if first.startswith(("### Data", "### Exercise")):  # the motive lessons' data cells
                    current = DataSection(_HEADING.sub("", first).strip(), 0)
                    out.append(current)
            m = _TRY_IT.search(text)
            if m and current is not None:
                current.try_it.append(_one_line(m.group(1)))
        elif cell.get("cell_type") == "code" and current is not None:
            current.cells += 1
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
    """Pick ``n`` questions for class discussion: the ones that ask for reasoning first.

    With the bank's ``skill`` column (recall | interpret | evaluate | apply), by :data:`SKILL_ORDER`;
    without it, by :data:`TYPE_ORDER` (single, multi and true/false items can ask for a judgement; year,
    name, ordering and matching items are recall-shaped). Ties keep bank order, and types vary while they
    can. This is the one place that chooses; the leader guide and every leader handout use it."""
    questions = list(questions)
    with_skill = any(getattr(q, "skill", None) for q in questions)

    def rank(q):
        if with_skill:
            skill = getattr(q, "skill", None)
            return SKILL_ORDER.index(skill) if skill in SKILL_ORDER else len(SKILL_ORDER)
        return TYPE_ORDER.index(q.type) if q.type in TYPE_ORDER else len(TYPE_ORDER)

    order = {q.id: i for i, q in enumerate(questions)}
    ranked = sorted(questions, key=lambda q: (rank(q), order[q.id]))
    picked, used_types = [], set()
    for q in ranked:  # first pass: the best of each type
        if q.type not in used_types and len(picked) < n:
            picked.append(q)
            used_types.add(q.type)
    picked += [q for q in ranked if q not in picked][: n - len(picked)]
    picked = sorted(picked[:n], key=lambda q: (rank(q), order[q.id]))
    return sorted(picked, key=lambda q: order[q.id])


def _split(total: int, weights: list[int]) -> list[int]:
    """``total`` minutes in whole numbers proportional to ``weights`` (largest remainders), summing to total."""
    if not weights or total <= 0:
        return [0] * len(weights)
    w = sum(weights) or len(weights)
    raw = [total * (x or (1 if not sum(weights) else 0)) / w for x in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _rows(plan: SeminarPlan, kind: str, n_periods: int | None = None) -> list[tuple[int, int, str, str]]:
    rows: list[tuple[int, int, str, str]] = []
    start = 0

    def add(minutes, segment, what):
        nonlocal start
        if minutes > 0:
            rows.append((start, minutes, segment, what))
            start += minutes

    blocks = dict(plan.blocks)
    opening, reading, exercise, discussion, wrap = (blocks[name] for name in (
        "Opening", "Reading and charts", "Exercises and quiz", "Discussion", "Wrap-up"))

    # -- opening
    if kind == "map":
        welcome, setup, syllabus = _split(opening, [1, 2, 2])
        periods = "periods" if n_periods is None else f"{_count_word(n_periods)} periods"
        add(welcome, "Welcome", f"Set out the course's question and the {periods}; ask what students expect "
                                "the data to show.")
        add(setup, "Set-up", "Every student opens the course (make lab, or the hub link) and runs this lesson "
                             "(Run > Run All Cells); check that every chart draws.")
        add(syllabus, "Syllabus and assessment", "Walk through the weeks, the readings and what is assessed when "
                                                 "(the syllabus page of the handouts).")
    else:
        add(opening, "Recap", "Recap the previous lesson's key points; ask two students for one dated event "
                              "each from the reading.")

    # -- reading and charts
    charts = plan.charts
    chart_total = min(CHART_MIN * len(charts), max(0, reading - 5)) if charts else 0
    sections = ", ".join(f"\u201c{t}\u201d" for t in plan.sections) or "the narrative sections"
    if plan.reading_before_class:
        add(reading - chart_total, "Reading", f"The reading ({sections}) was set before class: the lesson's "
                                              "minutes are more than a session. Ask for the one claim each "
                                              "section makes.")
    else:
        add(reading - chart_total, "Reading", f"Students read {sections} (set them before class if the room "
                                              "reads slowly); ask for the one claim each section makes.")
    for ch, minutes in zip(charts, _split(chart_total, [1] * len(charts))):
        add(minutes, f"Chart {ch.number} ({ch.function})",
            f"{_sentence(ch.question)} Show it, give students a minute to read it, then read the 'What it "
            "shows' cell aloud and ask what the chart cannot show.")

    # -- exercises and quiz (the synthesis: the essay and one live question)
    essays = [p for p in plan.prompts if p.essay]
    quiz_min = min(QUESTION_MIN * len(plan.questions), exercise)
    if essays:
        # the essay is planned in class for its leader note's minutes; with a practice notebook, the notebook has the
        # rest of the block (the synthesis's exercise minutes are measured with it), else the essay takes it all
        essay_min = exercise - quiz_min
        if plan.practice and essays[0].minutes:
            essay_min = min(essay_min, essays[0].minutes)
        add(essay_min, f"Essay (prompt {', '.join(str(p.number) for p in essays)})",
            f"{_shorten(essays[0].text)} Students draft a thesis and plan in pairs; collect one plan to discuss.")
        if plan.practice:
            add(exercise - quiz_min - essay_min, "Practice notebook",
                f"Pairs work through the checked tasks of {plan.practice} (make workspace copies it into my-work/); "
                "each check names the kind of mistake. What is not finished in class is finished at home.")
    else:
        data_weights = [DATA_MIN * (1 + len(d.try_it)) for d in plan.data]
        data_total = min(sum(data_weights), exercise - quiz_min)
        for d, minutes in zip(plan.data, _split(data_total, data_weights)):
            what = f"Run the {d.cells} cell(s) on the projector and ask what each table shows."
            if d.try_it:
                what += " Try it: " + " / ".join(_shorten(t, 14) for t in d.try_it) + " (pairs, then one answer)."
            add(minutes, d.title, what)
        if plan.practice:  # the rest of the block: the practice notebook, in pairs, before the live quiz
            add(exercise - data_total - quiz_min, "Practice notebook",
                f"Pairs work through the checked tasks of {plan.practice} (make workspace copies it into my-work/); "
                "each check names the kind of mistake. Walk round; collect one defence of a chart choice.")
        else:
            quiz_min = exercise - data_total
    if plan.questions:
        for lq, minutes in zip(plan.questions, _split(quiz_min, [1] * len(plan.questions))):
            add(minutes, "Live quiz", f"{lq.label} Vote first, then Check; reveal with Show answer.")
    else:
        add(quiz_min, "Quiz", "Students work through the lesson's quiz in pairs.")

    # -- discussion: each prompt gets its leader note's minutes (8 when none); prompts that no longer fit
    # are marked optional. Up to REPORT_BACK minutes are kept for reporting back; spare minutes (short
    # notes) are shared out over the prompts.
    timed, used = [], 0
    for p in plan.prompts:
        if p.essay:
            continue
        minutes = p.minutes or 8
        if p.optional or used + minutes > discussion:
            p.optional = True
            continue
        timed.append([p, minutes])
        used += minutes
    report = min(REPORT_BACK, discussion - used)
    spare = discussion - used - report
    if timed and spare > 0:
        for t, extra in zip(timed, _split(spare, [m for _, m in timed])):
            t[1] += extra
    elif spare > 0:
        report += spare
    for p, minutes in timed:
        add(minutes, f"Discussion prompt {p.number}", _shorten(p.text))
    add(report, "Discussion: reporting back",
        "Groups report back; put the strongest evidence for and against the article's claim on the board."
        if timed else "Discuss the lesson's questions in small groups, then report back.")
    add(wrap, "Wrap-up", "Read the Key points together; set the reading for the lesson under What's next.")
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
    kind = str(lesson.get("kind") or "")
    prompts = discussion_prompts(nb)
    n_live = 1 if any(p.essay for p in prompts) else LIVE_QUESTIONS
    number = {q.id: i for i, q in enumerate(bank, start=1)}
    live = [LiveQuestion(q, number[q.id], len(bank)) for q in live_questions(bank, n_live)]
    plan = SeminarPlan(lesson_id=lesson_id, title=str(lesson["title"]), summary=str(lesson["summary"]), kind=kind,
                       charts=lesson_charts(nb), questions=live, all_question_ids=[q.id for q in bank],
                       prompts=prompts, sections=narrative_sections(nb), data=data_sections(nb),
                       blocks=session_blocks(lesson), notebook_found=path.exists())
    minutes = session_minutes(lesson)
    if minutes:
        plan.reading_before_class = minutes[0] - dict(plan.blocks)["Reading and charts"]
    exercise = folder.parent / "exercises" / f"{lesson_id}.ipynb"
    if exercise.exists():
        plan.practice = f"exercises/{lesson_id}.ipynb"
    plan.rows = _rows(plan, kind, len(course.periods))
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
        out.append(f"| {_cell(p.title)} | {len(p.charts)} | "
                   f"{', '.join(f'{q.number} of {q.total}' for q in p.questions)} | {len(p.prompts)} |")
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
