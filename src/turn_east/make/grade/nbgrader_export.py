"""`turn-east nbgrader-export DIR`: the exercises as an nbgrader course folder, for departments that grade
with nbgrader.

    DIR/nbgrader_config.py                     course id, time limit per cell, the code stub
    DIR/source/<exercise>/<exercise>.ipynb     one assignment per exercise, made from its solution
    DIR/README.md                              the nbgrader commands, in order

Each source notebook is the exercise's solution with nbgrader's cell metadata (schema 3):

* the set-up cell (``Practice(...)``) is read-only;
* every answer cell is an autograded answer: its solution block, marked ``### BEGIN SOLUTION`` /
  ``### END SOLUTION``, becomes nbgrader's stub in the release, and the exercise's ``# HINT:`` lines
  stay above it;
* every check cell becomes a read-only autograder test worth the task's points: it calls the course's
  checker (``turn_east.practice.autograde.assert_passes``, on a course loaded afresh) and fails with the
  checker's hint when the answer is wrong;
* every written answer is a manually graded answer worth its points (the model answer is the solution);
* cells only for the solution or the leader (tagged ``solution-only``, ``leader`` or ``rubric``) are left out
  of the assignment; the marking rubrics go to ``DIR/rubrics/<exercise>.md`` for the leader.

The tasks and points come from :mod:`turn_east.make.grade.exercise`, as for ``turn-east grade``. Writing
the folder needs no nbgrader; running nbgrader on it needs the ``[grading]`` extra.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

from turn_east import nbfiles
from turn_east.errors import NotebookFormatError, UsageError
from turn_east.make.exercises import BEGIN, END, HINT
from turn_east.make.files import staged_folder
from turn_east.make.grade.exercise import ExerciseSpec, read_exercises
from turn_east.paths import repo_folder

SCHEMA_VERSION = 3
MARKER = ".turn-east-nbgrader"
NB_BEGIN, NB_END = "### BEGIN SOLUTION", "### END SOLUTION"
CELL_TIMEOUT_S = 60
_CHECK = re.compile(r"""\.check\(\s*["'](\w+)["']""")
#: Cells that never reach students: the solution's own assertions, leader notes, marking rubrics.
LEADER_ONLY = {"solution-only", "leader", "rubric"}

CONFIG = '''# nbgrader's configuration for the turn-east exercises (written by `turn-east nbgrader-export`).
# Run nbgrader from this folder, in an environment where the course is installed (`pip install -e .[grading]`
# in the course repository), so that the notebooks' kernels can import turn_east.
c = get_config()  # noqa: F821 (nbgrader provides it)

c.CourseDirectory.course_id = {course_id!r}
# Seconds a cell may run when nbgrader executes a notebook (validate, autograde).
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
# Where `nbgrader release_assignment` and `collect` exchange files with students: set this for your
# server (nbgrader's default is /srv/nbgrader/exchange).
# c.Exchange.root = "/srv/nbgrader/exchange"
'''

README = '''# turn-east exercises for nbgrader

Written by `turn-east nbgrader-export`; one assignment per exercise in `source/`. Run nbgrader from this
folder, in an environment where the course is installed with its grading extra (`pip install -e
".[grading]"` in the course repository): the notebooks import `turn_east`.

```bash
nbgrader generate_assignment {first}     # release/{first}/: solutions replaced by stubs
nbgrader release_assignment {first}      # to the exchange (set c.Exchange.root in nbgrader_config.py)
nbgrader collect {first}                 # students' copies into submitted/<student>/{first}/
nbgrader autograde {first}               # runs each submission; the checks give the points
nbgrader formgrade                       # or the Formgrader in JupyterLab: mark the written answers
nbgrader generate_feedback {first}
```

Points: each checked task {checked} point(s), given when the course's checker accepts the answer (the test
cell shows the checker's hint otherwise); each written answer {written} points, marked by hand.
Assignments: {assignments}.
'''


def _meta(**fields) -> dict:
    return {"nbgrader": {"schema_version": SCHEMA_VERSION, "grade": False, "solution": False, "locked": False,
                         **fields}}


def nbgrader_solution(source: str) -> str:
    """A solution cell's source with nbgrader's markers; the hints move above the solution block."""
    out, block, indent = [], None, ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif stripped.startswith(END) and block is not None:
            out += [l for l in block if l.strip().startswith(HINT)]
            out += [indent + NB_BEGIN] + [l for l in block if not l.strip().startswith(HINT)] + [indent + NB_END]
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    return "\n".join(out)


def source_notebook(solution: dict, spec: ExerciseSpec) -> dict:
    """The nbgrader source notebook of one exercise, from its solution notebook."""
    nb = copy.deepcopy(solution)
    cells, last_answer = [], None
    written = iter(spec.written)
    for cell in nb.cells:
        tags = nbfiles.tags(cell)
        if LEADER_ONLY & set(tags):
            continue
        src = nbfiles.source(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            check = _CHECK.search(src)
            if check and spec.task(check.group(1)):
                task = spec.task(check.group(1))
                cell.source = (f"# Task {task.id} ({task.points} point{'s' if task.points != 1 else ''}): nbgrader "
                               "gives the points when the course's check passes.\n"
                               "from turn_east.practice.autograde import assert_passes\n"
                               f"assert_passes({spec.lesson!r}, {task.id!r}, {task.arguments})")
                cell.metadata.update(_meta(grade=True, locked=True, points=task.points, grade_id=f"{task.id}_check"))
                if last_answer is not None and "grade_id" not in last_answer.metadata["nbgrader"]:
                    last_answer.metadata["nbgrader"]["grade_id"] = f"{task.id}_answer"
                last_answer = None
            elif BEGIN in src:
                cell.source = nbgrader_solution(src)
                cell.metadata.update(_meta(solution=True))
                last_answer = cell
            elif re.search(r"\bPractice\(", src):
                cell.metadata.update(_meta(locked=True, grade_id="setup"))
        elif "model-answer" in tags:
            cell.metadata["tags"] = [t for t in tags if t != "model-answer"]
            task = next(written, None)
            if task is None:
                raise UsageError(f"solutions/{spec.name}: more model answers than written tasks in exercises/{spec.name}")
            cell.metadata.update(_meta(solution=True, grade=True, points=task.points, grade_id=f"{task.id}_written"))
        cells.append(cell)
    for i, cell in enumerate(c for c in cells if c.metadata.get("nbgrader", {}).get("solution")
                             and "grade_id" not in c.metadata["nbgrader"]):
        cell.metadata["nbgrader"]["grade_id"] = f"answer_{i + 1}"
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def rubrics(solution: dict) -> str:
    """The marking rubrics of a solution (cells tagged ``rubric``), as one Markdown text ("" when none)."""
    return "\n\n".join(nbfiles.source(c).strip() for c in solution.cells if "rubric" in nbfiles.tags(c))


def export(out: Path, specs: list[ExerciseSpec], solutions: Path, *, course_id: str = "turn-east") -> list[str]:
    """Write the course folder into ``out`` (a staging folder); returns the assignment names."""
    (out / "source").mkdir(parents=True, exist_ok=True)
    names = []
    for spec in specs:
        path = solutions / spec.name
        if not path.is_file():
            raise UsageError(f"no solution {path} for exercise {spec.name}: nbgrader's source needs the solutions")
        solution = nbfiles.read(path)
        nb = source_notebook(solution, spec)
        marking = rubrics(solution)
        if marking:
            (out / "rubrics").mkdir(exist_ok=True)
            (out / "rubrics" / f"{spec.lesson}.md").write_text(f"# Marking rubrics: {spec.title}\n\n{marking}\n",
                                                               encoding="utf-8")
        folder = out / "source" / spec.lesson
        folder.mkdir(parents=True)
        (folder / f"{spec.lesson}.ipynb").write_text(nbfiles.writes(nb), encoding="utf-8")
        names.append(spec.lesson)
    (out / "nbgrader_config.py").write_text(CONFIG.format(course_id=course_id, timeout=CELL_TIMEOUT_S), encoding="utf-8")
    checked = {t.points for s in specs for t in s.checked} or {1}
    written = {t.points for s in specs for t in s.written} or {0}
    (out / "README.md").write_text(README.format(first=names[0], checked="/".join(map(str, sorted(checked))),
                                                 written="/".join(map(str, sorted(written))),
                                                 assignments=", ".join(names)), encoding="utf-8")
    return names


# ---------------------------------------------------------------- `turn-east nbgrader-export`

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, metavar="DIR", help="the nbgrader course folder to write (replaced as a whole)")
    p.add_argument("--exercises", nargs="+", metavar="ID", help="only these exercises (ids or prefixes); default: all")
    p.add_argument("--course-id", default="turn-east", help="nbgrader's course id (default: turn-east)")
    p.add_argument("--exercises-dir", type=Path, default=None, metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--solutions-dir", type=Path, default=None, metavar="DIR", help=argparse.SUPPRESS)


def run(args) -> int:
    err = sys.stderr
    try:
        exercises = args.exercises_dir or repo_folder("exercises")
        solutions = args.solutions_dir or repo_folder("solutions")
        if not Path(solutions).is_dir():
            raise UsageError(f"no solutions folder at {solutions}: nbgrader's source notebooks are made from the "
                             "solutions, which only the course repository has")
        try:
            specs = read_exercises(exercises, args.exercises)
        except NotebookFormatError as exc:
            raise UsageError(f"the exercises cannot be read: {exc}") from exc
        if not specs:
            raise UsageError(f"no exercise matches {' '.join(args.exercises or [])} in {exercises}")
        with staged_folder(args.out, marker=MARKER, what="`turn-east nbgrader-export`") as stage:
            names = export(stage, specs, Path(solutions), course_id=args.course_id)
    except UsageError as exc:
        print(f"turn-east nbgrader-export: error: {exc}", file=err)
        print("nothing was written", file=err)
        return 2
    print(f"wrote {len(names)} assignment(s) into {args.out}/source/: {', '.join(names)}")
    print(f"next: cd {args.out} && nbgrader generate_assignment {names[0]}   (see {args.out}/README.md)")
    return 0
