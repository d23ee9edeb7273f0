"""What a grading run writes: the gradebook (one row per student, exercise and task, and a total per
student), the totals per exercise, the written answers to mark, one feedback page per student and an
index for the leader. Rows are made here from the exercise's tasks and a submission's outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from turn_east.make.grade.exercise import ExerciseSpec, TaskSpec
from turn_east.make.grade.run import CellError, Outcome

GRADEBOOK_FIELDS = ["student", "exercise", "task", "title", "status", "points", "max_points", "feedback"]
#: How each status reads on a feedback page (words, never a colour or a sign alone).
STATUS_TEXT = {
    "pass": "Correct", "fail": "Not yet", "unanswered": "Not answered", "undefined": "No answer",
    "error": "Could not be checked", "to-mark": "To be marked", "no-answer": "No answer",
    "missing": "Not handed in", "empty": "Empty file", "too-large": "File too large", "invalid-json": "Not readable",
    "not-a-notebook": "Not a notebook", "wrong-exercise": "Wrong notebook", "timeout": "Did not finish",
    "crashed": "Kernel stopped", "not-checked": "Not checked", "grader-error": "Grader problem",
}


@dataclass
class Row:
    student: str
    exercise: str
    task: str
    title: str
    status: str
    points: int | str        # "" when not given by the grader (written answers, grader problems)
    max_points: int | str
    feedback: str
    hints: tuple[str, ...] = ()

    def csv(self) -> dict:
        return {k: getattr(self, k) for k in GRADEBOOK_FIELDS}


def _code(text: str) -> str:
    return text.replace("`", "'")


def _cause(e: CellError, cell_timeout: float) -> str:
    where = f"the cell starting `{_code(e.first_line)}`"
    if e.timed_out:
        return f"{where} ran past the {cell_timeout:g} s limit and was stopped (a loop that never ends?)"
    return f"{where} raised {e.ename}: {e.evalue}"


def _checked_row(student: str, spec: ExerciseSpec, t: TaskSpec, o: Outcome, cell_timeout: float) -> Row:
    row = Row(student, spec.lesson, t.id, t.title, o.status, 0, t.points, o.reason, t.hints)
    if o.status == "grader-error":
        row.points = ""
    if o.status != "graded":
        return row
    r = o.tasks.get(t.id) or {"status": "not-checked", "message": "the grading cell did not check this task"}
    status, message = r.get("status", "error"), str(r.get("message", ""))
    row.status = status
    own = [e for e in o.errors if e.section == t.section]
    task_sections = {x.section for x in spec.tasks}
    earlier = [e for e in o.errors if e.section not in task_sections]
    cause = (f"In this task, {_cause(own[0], cell_timeout)}." if own else
             f"Earlier in the notebook (under '{earlier[0].section or 'the top'}'), {_cause(earlier[0], cell_timeout)}."
             if earlier else "")
    if status == "pass":
        row.points, row.feedback = t.points, f"Correct. {message}".strip()
    elif status == "fail":
        row.feedback = f"Not yet. {message}"
    elif status == "unanswered":
        row.feedback = "Not answered: the answer is still None."
    elif status == "undefined":
        name = r.get("name") or "the answer"
        row.feedback = (f"No answer: `{name}` is not defined after the notebook ran "
                        "(did its cell run to the end? keep the name the task gives).")
    elif status == "error":
        row.feedback = f"Your answer could not be checked: {message}"
    else:
        row.feedback = message
    if status != "pass" and cause:
        row.feedback = f"{row.feedback} {cause}"
    return row


def _written_row(student: str, spec: ExerciseSpec, t: TaskSpec, o: Outcome) -> Row:
    if o.status in ("missing", "empty", "too-large", "invalid-json", "not-a-notebook", "wrong-exercise"):
        return Row(student, spec.lesson, t.id, t.title, o.status, 0, t.points, o.reason)
    text = o.written.get(t.id, "")
    if not text:
        return Row(student, spec.lesson, t.id, t.title, "no-answer", 0, t.points,
                   "No written answer: the answer cell still holds the prompt (or lost its 'answer' tag).")
    words = len(re.findall(r"\w+", text))
    return Row(student, spec.lesson, t.id, t.title, "to-mark", "", t.points,
               f"Written answer ({words} words): your seminar leader marks it with the rubric.")


def rows_for(spec: ExerciseSpec, o: Outcome, *, cell_timeout: float) -> list[Row]:
    return [(_checked_row(o.student, spec, t, o, cell_timeout) if t.checked else _written_row(o.student, spec, t, o))
            for t in spec.tasks]


@dataclass
class StudentTotal:
    student: str
    points: dict            # exercise lesson -> points given by the grader
    max_points: dict
    to_mark: int            # written answers waiting for the leader
    to_mark_points: int
    handed_in: int
    graded: int

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def total_max(self) -> int:
        return sum(self.max_points.values())


def totals(students: list[str], specs: list[ExerciseSpec], rows: list[Row], outcomes: list[Outcome]) -> list[StudentTotal]:
    out = []
    for s in students:
        mine = [r for r in rows if r.student == s]
        checked = {(sp.lesson, t.id) for sp in specs for t in sp.checked}
        pts = {sp.lesson: sum(int(r.points) for r in mine if r.exercise == sp.lesson and (r.exercise, r.task) in checked
                              and r.points != "") for sp in specs}
        mx = {sp.lesson: sp.max_points for sp in specs}
        marks = [r for r in mine if r.status == "to-mark"]
        mine_o = [o for o in outcomes if o.student == s]
        out.append(StudentTotal(s, pts, mx, len(marks), sum(int(r.max_points) for r in marks),
                                sum(1 for o in mine_o if o.status != "missing"),
                                sum(1 for o in mine_o if o.status == "graded")))
    return out


def total_row(t: StudentTotal, n_exercises: int) -> Row:
    note = f"{t.handed_in} of {n_exercises} exercises handed in, {t.graded} ran"
    if t.to_mark:
        note += f"; {t.to_mark} written answer(s) to mark ({t.to_mark_points} points, not counted here)"
    return Row(t.student, "", "total", "All exercises, checked tasks", "", t.total, t.total_max, note)


def _csv(rows: list[dict], fields: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def gradebook_csv(rows: list[Row], student_totals: list[StudentTotal], n_exercises: int) -> str:
    by_student: dict[str, list[Row]] = {}
    for r in rows:
        by_student.setdefault(r.student, []).append(r)
    out = []
    for t in student_totals:
        out += [r.csv() for r in by_student.get(t.student, [])]
        out.append(total_row(t, n_exercises).csv())
    return _csv(out, GRADEBOOK_FIELDS)


def totals_csv(student_totals: list[StudentTotal], specs: list[ExerciseSpec]) -> str:
    fields = ["student"] + [s.lesson for s in specs] + ["total", "max_points", "written_to_mark"]
    rows = [{"student": t.student, **t.points, "total": t.total, "max_points": t.total_max,
             "written_to_mark": t.to_mark} for t in student_totals]
    return _csv(rows, fields)


def written_csv(outcomes: list[Outcome], specs: dict[str, ExerciseSpec]) -> str:
    rows = []
    for o in outcomes:
        spec = specs[o.exercise]
        for t in spec.written:
            text = o.written.get(t.id, "")
            if text:
                rows.append({"student": o.student, "exercise": spec.lesson, "task": t.id, "title": t.title,
                             "words": len(re.findall(r"\w+", text)), "text": text})
    return _csv(rows, ["student", "exercise", "task", "title", "words", "text"])


def class_codings(outcomes: list[Outcome], specs: dict[str, ExerciseSpec]):
    """Every student's coding of the held-out events (the coding tasks' answers), one row per coder and
    event: student, exercise, task, coder, event, goldstein, stage, motives. None when no coding was read."""
    import pandas as pd

    rows = []
    for o in outcomes:
        for task_id, r in o.tasks.items():
            for c in r.get("codings") or ():
                rows.append({"student": o.student, "exercise": specs[o.exercise].lesson, "task": task_id,
                             "coder": o.student, **c})
    if not rows:
        return None
    # A stage not coded is "", not None: pandas' string dtype turns None into NaN, which reads as a stage.
    return pd.DataFrame(rows).assign(stage=lambda df: df["stage"].map(lambda s: s if isinstance(s, str) else ""))


def class_agreement(codings, course) -> tuple[str, str, dict]:
    """(text, HTML, alpha per field) of the class's agreement, per exercise, through the course's own
    ``turn_east.practice.agreement`` (Krippendorff's alpha); ("", "", {}) when the course has none."""
    import html as html_

    try:
        from turn_east.practice import agreement
    except ImportError:  # a course without coding tasks' agreement: the codings are still written
        return "", "", {}
    texts, pages, alphas = [], [], {}
    for exercise, group in codings.groupby("exercise", sort=True):
        result = agreement(group[["coder", "event", "goldstein", "stage", "motives"]], course=course)
        alphas[exercise] = dict(getattr(result, "alpha", {}))
        texts.append(f"{exercise}\n{result}")
        body = result._repr_html_() if hasattr(result, "_repr_html_") else f"<pre>{html_.escape(str(result))}</pre>"
        pages.append(f"<section><h2>{html_.escape(exercise)}</h2>{body}</section>")
    return "\n\n".join(texts) + "\n", "\n".join(pages), alphas


# ---------------------------------------------------------------- HTML

def _code_filter(text: str):
    """Escape ``text`` for HTML and show its `backticked` spans as code."""
    import markupsafe

    parts = str(markupsafe.escape(text)).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: leave the text as it is
        return markupsafe.Markup("`".join(parts))
    return markupsafe.Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def _env():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("turn_east.make.grade", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["code"] = _code_filter
    return env


def _safe(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"


def page_names(students: list[str]) -> dict[str, str]:
    """Each student's feedback page name: the folder's name made safe for any file system and URL, with a
    number added where two names would become the same ("Ana Lee" and "Ana_Lee")."""
    out, used = {}, set()
    for s in students:
        name, n = _safe(s), 1
        while name.lower() in used:
            n += 1
            name = f"{_safe(s)}-{n}"
        used.add(name.lower())
        out[s] = name
    return out


def feedback_pages(student_totals: list[StudentTotal], specs: list[ExerciseSpec], rows: list[Row],
                   outcomes: list[Outcome], *, course_version: str, settings: dict,
                   agreement: bool = False) -> dict[str, str]:
    """{file name: HTML} of every student's feedback page and the leader's index."""
    env = _env()
    names = page_names([t.student for t in student_totals])
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    by_key = {(o.student, o.exercise): o for o in outcomes}
    pages = {}
    for t in student_totals:
        exercises = []
        for spec in specs:
            o = by_key[(t.student, spec.name)]
            ex_rows = [r for r in rows if r.student == t.student and r.exercise == spec.lesson]
            notes = [f"{e.section or 'Top of the notebook'}: {_cause(e, settings['cell_timeout'])}." for e in o.errors]
            exercises.append({"spec": spec, "outcome": o, "rows": ex_rows, "points": t.points[spec.lesson],
                              "max": spec.max_points, "notes": notes,
                              "written": {tid: txt for tid, txt in o.written.items() if txt}})
        pages[f"feedback/{names[t.student]}.html"] = env.get_template("feedback.html.j2").render(
            student=t.student, total=t, exercises=exercises, status_text=STATUS_TEXT, made=made,
            course_version=course_version)
    pages["index.html"] = env.get_template("index.html.j2").render(
        totals=student_totals, specs=specs, outcomes=by_key, page_name=names.get, status_text=STATUS_TEXT,
        made=made, course_version=course_version, settings=settings, agreement=agreement)
    return pages


def write_reports(out: Path, *, students: list[str], specs: list[ExerciseSpec], outcomes: list[Outcome],
                  cell_timeout: float, settings: dict, course) -> tuple[list[Row], list[StudentTotal], dict]:
    """Write every report into ``out`` (a staging folder); returns the rows, the totals and the class's
    agreement on the coding tasks ({exercise: {field: alpha}}, {} when there is nothing to agree on)."""
    by_name = {s.name: s for s in specs}
    rows = [r for o in outcomes for r in rows_for(by_name[o.exercise], o, cell_timeout=cell_timeout)]
    student_totals = totals(students, specs, rows, outcomes)
    files = {
        "gradebook.csv": gradebook_csv(rows, student_totals, len(specs)),
        "totals.csv": totals_csv(student_totals, specs),
        "written.csv": written_csv(outcomes, by_name),
    }
    alphas = {}
    codings = class_codings(outcomes, by_name)
    if codings is not None:
        files["codings.csv"] = codings.assign(motives=codings["motives"].map(";".join)).to_csv(index=False)
        text, page, alphas = class_agreement(codings, course)
        if text:
            files["agreement.txt"] = text
            files["agreement.html"] = _env().get_template("agreement.html.j2").render(body=page)
    files.update(feedback_pages(student_totals, specs, rows, outcomes, course_version=course.version,
                                settings=settings, agreement="agreement.html" in files))
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return rows, student_totals, alphas
