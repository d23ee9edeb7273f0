"""`turn-east grade SUBMISSIONS --out DIR`: grade a class's exercise notebooks.

    SUBMISSIONS/<student>/<exercise>.ipynb      (exercise file names as in exercises/)

writes, all at once when the run is done (an earlier output in DIR is replaced only then):

    DIR/gradebook.csv         student, exercise, task, title, status, points, max_points, feedback;
                              one row per student, exercise and task, then a `total` row per student
    DIR/totals.csv            points per student and exercise, the total, written answers to mark
    DIR/written.csv           the written answers, for the leader to mark with the rubric
    DIR/feedback/<student>.html   one page per student: points, feedback, the hints for tasks missed
    DIR/index.html            the leader's overview, linking the pages
    DIR/executed/<student>/<exercise>.ipynb   each submission as it ran, with its errors
    DIR/codings.csv, DIR/agreement.{txt,html}  the students' codings of the held-out events (coding tasks)
                              and the class's agreement on them (Krippendorff's alpha), when the exercises
                              have coding tasks
    DIR/kernels.log           the kernels' own messages

Exit status: 0 when every submission was dealt with (a student's error is a grade, not a failure of the
run), 1 when the grader itself failed on some (a kernel that never started: run again), 2 for a usage
problem (nothing is written).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from turn_east.errors import NotebookFormatError, UsageError
from turn_east.make.files import staged_folder
from turn_east.make.grade.exercise import read_exercises
from turn_east.make.grade.report import STATUS_TEXT, write_reports
from turn_east.make.grade.run import CELL_TIMEOUT_S, NOTEBOOK_TIMEOUT_S, Job, Outcome, run_all
from turn_east.make.grade.submissions import stray_files, students
from turn_east.make.handouts.plan import jobs_arg
from turn_east.paths import repo_folder

MARKER = ".turn-east-grade"


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                   help="folder with one subfolder per student, each holding <exercise>.ipynb files")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output folder (gradebook.csv, feedback pages, ...); replaced as a whole when the run ends")
    p.add_argument("--exercises", nargs="+", metavar="ID",
                   help="grade only these exercises (ids or prefixes, e.g. 02 03_stage_2); default: all")
    p.add_argument("--exercises-dir", type=Path, default=None, metavar="DIR",
                   help="the exercise notebooks that define the tasks (default: the course's exercises/)")
    p.add_argument("--jobs", "-j", type=jobs_arg, default=available_cores(), metavar="N",
                   help="submissions run at once (default: the available cores)")
    p.add_argument("--cell-timeout", type=_positive, default=CELL_TIMEOUT_S, metavar="SECONDS",
                   help=f"a cell running longer is interrupted and the next one runs (default {CELL_TIMEOUT_S})")
    p.add_argument("--timeout", type=_positive, default=NOTEBOOK_TIMEOUT_S, metavar="SECONDS",
                   help=f"a notebook running longer is stopped and gets no points (default {NOTEBOOK_TIMEOUT_S})")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines, only the summary")


def _inside(a: Path, b: Path) -> bool:
    """True when ``a`` is ``b`` or lies inside it."""
    return a == b or b in a.parents


def plan(args):
    """(exercises, students, jobs, notes) for the command line; UsageError when it cannot run."""
    sub = Path(args.submissions).resolve()
    out = Path(args.out).absolute()
    if not sub.is_dir():
        raise UsageError(f"{args.submissions} is not a folder: give the folder that holds one subfolder per student")
    if out.suffix.lower() == ".csv":
        raise UsageError(f"--out names a folder, not a file: the gradebook is written as <folder>/gradebook.csv "
                         f"(e.g. --out {out.with_suffix('')})")
    if _inside(out.resolve(), sub) or _inside(sub, out.resolve()):
        raise UsageError(f"--out {args.out} and {args.submissions} overlap: the output must be outside the "
                         "submissions (which are never changed), and must not contain them")
    folder = args.exercises_dir or repo_folder("exercises")
    if not Path(folder).is_dir():
        raise UsageError(f"no exercises folder at {folder}: give it with --exercises-dir")
    try:
        known = read_exercises(folder)
    except NotebookFormatError as exc:
        raise UsageError(f"the exercises cannot be read: {exc}") from exc
    specs = read_exercises(folder, args.exercises) if args.exercises else known
    if not specs:
        ids = ", ".join(s.lesson for s in known) or "none"
        raise UsageError(f"no exercise matches {' '.join(args.exercises or [])} in {folder} (exercises: {ids})")
    names = students(sub)
    if not names:
        raise UsageError(f"{args.submissions} has no student folders: expected "
                         f"{args.submissions}/<student>/<exercise>.ipynb")
    jobs = [Job(s, spec, str(sub / s / spec.name) if (sub / s / spec.name).is_file() else "")
            for s in names for spec in specs]
    return specs, names, jobs, stray_files(sub, [s.name for s in known])


def _line(o: Outcome, specs) -> str:
    spec = next(s for s in specs if s.name == o.exercise)
    if o.status == "graded":
        got = sum(spec.task(t).points for t, r in o.tasks.items() if r.get("status") == "pass" and spec.task(t))
        missed = [f"{t} {r.get('status')}" for t, r in o.tasks.items() if r.get("status") != "pass"]
        raised = [f"{e.ename} in '{e.section}'" for e in o.errors[:2]]
        text = f"{got}/{spec.max_points}"
        if missed:
            text += f"  ({', '.join(missed)})"
        if raised:
            text += f"  raised: {'; '.join(raised)}"
        return text
    return f"{STATUS_TEXT.get(o.status, o.status).lower()}: {o.reason[:140]}"


def run(args) -> int:
    err = sys.stderr
    try:
        specs, names, jobs, notes = plan(args)
    except UsageError as exc:
        print(f"turn-east grade: error: {exc}", file=err)
        print("nothing was written", file=err)
        return 2
    from turn_east.data import load_course

    course = load_course()
    workers = max(1, min(args.jobs, len(jobs)))
    if not args.quiet:
        print(f"grading {len(jobs)} submission(s): {len(names)} student(s) x {len(specs)} exercise(s), "
              f"{workers} at a time; time limits {args.cell_timeout:g} s per cell, {args.timeout:g} s per notebook",
              file=err)
    w_student = max(len(n) for n in names)

    def progress(done: int, total: int, o: Outcome) -> None:
        if not args.quiet:
            print(f"[{done:>{len(str(total))}}/{total}] {o.student:<{w_student}}  {o.exercise:<40} "
                  f"{o.seconds:5.1f} s  {_line(o, specs)}", file=err, flush=True)

    t0 = time.perf_counter()
    settings = {"cell_timeout": args.cell_timeout, "notebook_timeout": args.timeout}
    try:
        with staged_folder(args.out, marker=MARKER, what="`turn-east grade`") as stage:
            outcomes = run_all(jobs, out=stage, workers=workers, cell_timeout=args.cell_timeout,
                               notebook_timeout=args.timeout, progress=progress)
            rows, totals, alphas = write_reports(stage, students=names, specs=specs, outcomes=outcomes,
                                                 cell_timeout=args.cell_timeout, settings=settings, course=course)
    except UsageError as exc:
        print(f"turn-east grade: error: {exc}", file=err)
        print("nothing was written", file=err)
        return 2
    except KeyboardInterrupt:
        print(f"turn-east grade: interrupted; {args.out} was left as it was", file=err)
        return 130
    wall = time.perf_counter() - t0
    for note in notes:
        print(f"note: {note}", file=err)
    for o in outcomes:
        if o.kernel:
            print(f"note: {o.student}/{o.exercise}: {o.kernel}", file=err)
    counts = Counter(o.status for o in outcomes)
    out = Path(args.out)
    print(f"{len(outcomes)} submission(s) in {wall:.1f} s: "
          + ", ".join(f"{n} {status}" for status, n in counts.most_common()))
    print(f"gradebook: {out / 'gradebook.csv'} ({len(rows)} task rows, {len(totals)} totals); "
          f"feedback pages: {out / 'feedback'}/; overview: {out / 'index.html'}")
    for exercise, alpha in alphas.items():
        shown = ", ".join(f"{k} {v:.2f}" if v is not None else f"{k} undefined" for k, v in alpha.items())
        print(f"agreement on the coding task of {exercise} (Krippendorff's alpha): {shown}; {out / 'agreement.html'}")
    failed = [o for o in outcomes if o.status == "grader-error"]
    for o in failed:
        print(f"GRADER PROBLEM {o.student}/{o.exercise}: {o.reason}", file=err)
    return 1 if failed else 0
