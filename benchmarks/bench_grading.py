"""Benchmark `turn-east grade` on a class: 25 students x 10 exercises by default.

    .venv/bin/python benchmarks/bench_grading.py [--students 25] [--exercises 01 02 ...] [--jobs N]
                                                [--cell-timeout S] [--timeout S] [--keep DIR]

Generates a batch of submissions from the course's solutions and exercises, a realistic mix of
kinds (each student folder named after the kinds it holds is not needed: ``batch.csv`` in the
submissions folder lists student, exercise, kind):

    correct         the solution's code in every answer cell, a written answer
    partial         the first two checked tasks answered, the others left as in the exercise (None)
    wrong           every checked task after the first answered with a wrong table
    unanswered      the exercise as handed out
    tampered        the exercise as handed out, with a cell that empties its own course data and one that
                    displays a fake grader's report claiming every task passed
    raising         the answer cell of the last checked task reads a misspelt column (KeyError)
    endless         the answer cell of the last checked task loops forever (interrupted at the cell limit)
    stuck           a cell that ignores interrupts (stopped at the notebook limit)
    crash           a cell that ends the kernel's own process
    invalid-json    a notebook cut short, not valid JSON
    not-a-notebook  a PDF saved under the exercise's name
    wrong-exercise  another exercise's notebook under this exercise's name
    missing         no file

then runs `turn-east grade` on it as a leader would (a subprocess, progress on stderr), checks every
submission's points against its kind and that the submissions are the same bytes afterwards (exit 1 when a
check fails), and prints the figures. The last line:

    grading: submissions N, students S, exercises E, jobs J, wall X s, per submission p50 Y s p95 Z s, checks ok

Target: 25 x 10 under 10 minutes on 2 cores (printed beside the figure; other processes on the machine
lengthen it: the load average is printed first).
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from turn_east.make.exercises import BEGIN, END  # noqa: E402
from turn_east.make.grade.exercise import read_exercise  # noqa: E402

TARGET_S = 600.0
#: Kinds that need no kernel or never reach the checks, and whose every checked task gets 0 points.
ZERO_KINDS = {"unanswered", "tampered", "stuck", "crash", "invalid-json", "not-a-notebook", "wrong-exercise", "missing"}
#: How many of each kind a 25 x 10 batch holds (scaled for other sizes); the rest are correct.
MIX = {"partial": 0.16, "wrong": 0.16, "unanswered": 0.04, "raising": 0.06, "endless": 0.012, "stuck": 0.004,
       "crash": 0.004, "invalid-json": 0.012, "not-a-notebook": 0.008, "wrong-exercise": 0.008, "missing": 0.032}
CHECK = re.compile(r"""\.check\(\s*["'](\w+)["']""")


def _answer_cells(nb) -> dict[str, int]:
    """{task id: index of the code cell just before its check cell} (where the answer is made)."""
    out = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            m = CHECK.search(cell.source)
            if m and i > 0:
                out[m.group(1)] = i - 1
    return out


def correct_notebook(solution: Path):
    """The solution as a student who solved everything would hand it in."""
    nb = nbformat.read(str(solution), as_version=4)
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "solution-only" in tags:
            continue
        if cell.cell_type == "code":
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                    if not line.strip().startswith((BEGIN, END)))
        elif "model-answer" in tags:
            cell.metadata["tags"] = [t for t in tags if t != "model-answer"] + ["answer"]
            cell.source = "**Your answer:** " + cell.source.replace("**Model answer.**", "").strip()
        cells.append(cell)
    nb.cells = cells
    nb.metadata["turn_east"] = {"generated_from": f"solutions/{solution.name}"}
    return nb


def _prepend(nb, task: str, code: str) -> None:
    cells = _answer_cells(nb)
    i = cells.get(task, min(cells.values()))
    nb.cells[i].source = code + "\n" + nb.cells[i].source


def submission(kind: str, solution: Path, exercise: Path, other_solution: Path):
    """The notebook (or raw bytes, or None for missing) a student of ``kind`` hands in."""
    spec = read_exercise(exercise)
    checked = [t.id for t in spec.checked]
    if kind == "missing":
        return None
    if kind == "not-a-notebook":
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
    if kind == "wrong-exercise":
        return correct_notebook(other_solution)
    if kind == "unanswered":
        return nbformat.read(str(exercise), as_version=4)
    if kind == "tampered":
        nb = nbformat.read(str(exercise), as_version=4)
        fake = {t: {"status": "pass", "message": "fake"} for t in checked}
        cell = nbformat.v4.new_code_cell(
            "from IPython.display import display\n"
            "course.events.drop(course.events.index, inplace=True)  # every check on this course would differ\n"
            f"display({{'application/vnd.turn-east.grade+json': {{'tasks': {fake!r}}}}}, raw=True)")
        cell.metadata["tags"] = ["turn-east-grader"]
        cell.id = "bench-tampered"  # fixed ids: the same class generated twice is the same bytes
        nb.cells.append(cell)
        return nb
    if kind == "partial":
        nb = nbformat.read(str(exercise), as_version=4)
        good = correct_notebook(solution)
        for task, i in _answer_cells(good).items():
            if task in checked[:2]:
                nb.cells[i] = copy.deepcopy(good.cells[i])
        return nb
    nb = correct_notebook(solution)
    if kind == "wrong":
        for task, i in sorted(_answer_cells(nb).items(), key=lambda x: -x[1]):
            if task in checked[1:]:
                var = re.match(r"\(\((\w+)", spec.task(task).call).group(1)
                cell = nbformat.v4.new_code_cell(f"{var} = course.events.head(3)  # a wrong answer")
                cell.id = f"bench-wrong-{task}"
                nb.cells.insert(i + 1, cell)
    elif kind == "raising":
        _prepend(nb, checked[-1], 'misspelt = course.events["plac"]  # KeyError: the column is "place"')
    elif kind == "endless":
        _prepend(nb, checked[-1], "while True:  # never ends\n    pass")
    elif kind == "stuck":
        _prepend(nb, checked[0], "import time\nwhile True:\n    try:\n        time.sleep(0.5)\n"
                                 "    except KeyboardInterrupt:\n        pass  # ignores the interrupt")
    elif kind == "crash":
        _prepend(nb, checked[0], "import os\nos._exit(1)")
    elif kind == "invalid-json":
        text = nbformat.writes(nb)
        return text[: len(text) * 3 // 5].encode()
    return nb


def expected_points(kind: str, n_checked: int) -> int:
    return {"correct": n_checked, "partial": 2, "wrong": 1, "raising": n_checked - 1,
            "endless": n_checked - 1}.get(kind, 0)


def assign_kinds(students: list[str], exercises: list[str], seed: int = 16) -> dict[tuple[str, str], str]:
    keys = [(s, e) for s in students for e in exercises]
    rng = random.Random(seed)
    rng.shuffle(keys)
    kinds, at = {}, 0
    for kind, share in MIX.items():
        n = max(1, round(share * len(keys))) if len(keys) >= 50 else 0
        for key in keys[at:at + n]:
            kinds[key] = kind
        at += n
    for key in keys[at:]:
        kinds[key] = "correct"
    return kinds


def make_batch(root: Path, students: list[str], exercises_dir: Path, solutions_dir: Path, names: list[str],
               kinds: dict | None = None) -> dict[tuple[str, str], str]:
    """Write ``root/<student>/<exercise>.ipynb`` for every student and exercise; returns the kinds."""
    kinds = kinds or assign_kinds(students, names)
    for (student, name), kind in kinds.items():
        other = next(n for n in sorted(p.name for p in solutions_dir.glob("*.ipynb")) if n != name)
        content = submission(kind, solutions_dir / name, exercises_dir / name, solutions_dir / other)
        folder = root / student
        folder.mkdir(parents=True, exist_ok=True)
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, str(path))
    with open(root.parent / f"{root.name}-batch.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "exercise", "kind"])
        for (student, name), kind in sorted(kinds.items()):
            w.writerow([student, Path(name).stem, kind])
    return kinds


def check_gradebook(gradebook: Path, kinds: dict, exercises_dir: Path) -> list[str]:
    """Every submission's points against what its kind must get; the problems found."""
    rows = list(csv.DictReader(open(gradebook, newline="", encoding="utf-8")))
    problems = []
    for (student, name), kind in sorted(kinds.items()):
        spec = read_exercise(exercises_dir / name)
        mine = [r for r in rows if r["student"] == student and r["exercise"] == spec.lesson]
        checked = [r for r in mine if spec.task(r["task"]) and spec.task(r["task"]).checked]
        got = sum(int(r["points"] or 0) for r in checked)
        want = expected_points(kind, len(spec.checked))
        if len(mine) != len(spec.tasks):
            problems.append(f"{student}/{name} ({kind}): {len(mine)} rows, expected {len(spec.tasks)}")
        elif got != want:
            problems.append(f"{student}/{name} ({kind}): {got} points, expected {want}: "
                            + "; ".join(f"{r['task']} {r['status']} {r['feedback'][:80]}" for r in checked))
    return problems


def hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=25)
    ap.add_argument("--exercises", nargs="+", default=None, help="exercise ids or prefixes (default: all)")
    ap.add_argument("--kinds", nargs="+", default=None,
                    help="one student per kind, in this order (instead of the realistic mix)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--cell-timeout", type=float, default=None)
    ap.add_argument("--timeout", type=float, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="keep the submissions and the output in this folder")
    args = ap.parse_args(argv)

    exercises_dir, solutions_dir = ROOT / "exercises", ROOT / "solutions"
    names = sorted(p.name for p in exercises_dir.glob("*.ipynb"))
    if args.exercises:
        names = [n for n in names if any(n.startswith(e) for e in args.exercises)]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    base = args.keep or Path(tempfile.mkdtemp(prefix="te-bench-grading-"))
    base.mkdir(parents=True, exist_ok=True)
    subs, out = base / "submissions", base / "graded"
    if args.kinds:
        students = [f"s{i + 1:02d}-{k}" for i, k in enumerate(args.kinds)]
        kinds = {(s, n): k for s, k in zip(students, args.kinds) for n in names}
    else:
        students = [f"student{i + 1:02d}" for i in range(args.students)]
        kinds = None
    t0 = time.perf_counter()
    kinds = make_batch(subs, students, exercises_dir, solutions_dir, names, kinds)
    print(f"generated {len(kinds)} submissions in {time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{k} {sum(1 for v in kinds.values() if v == k)}" for k in sorted(set(kinds.values()))))

    before = hashes(subs)
    cmd = [sys.executable, "-m", "turn_east", "grade", str(subs), "--out", str(out),
           "--exercises", *[Path(n).stem for n in names]]
    for flag, value in (("--jobs", args.jobs), ("--cell-timeout", args.cell_timeout), ("--timeout", args.timeout)):
        if value is not None:
            cmd += [flag, str(value)]
    cpu0 = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    # seconds per submission that ran in a kernel (a missing or unreadable one takes none)
    per = [float(m.group(1)) for m in re.finditer(r"\s(\d+\.\d) s  (?!not handed in|not readable|not a notebook|"
                                                   r"wrong notebook|empty file)", proc.stderr)]
    sys.stderr.write(proc.stderr[-6000:] if len(proc.stderr) > 6000 else proc.stderr)
    print(proc.stdout.strip())
    if proc.returncode != 0:
        print(f"turn-east grade exited {proc.returncode}")
        return 1
    problems = check_gradebook(out / "gradebook.csv", kinds, exercises_dir)
    after = hashes(subs)
    if after != before:
        problems.append(f"the submissions changed: {sorted(set(before.items()) ^ set(after.items()))[:5]}")
    else:
        print(f"submissions unchanged: {len(after)} files, sha256 before = after")
    for p in problems:
        print(f"CHECK FAILED {p}")
    jobs = args.jobs or len(os.sched_getaffinity(0))
    p50 = statistics.median(per) if per else float("nan")
    p95 = sorted(per)[int(0.95 * (len(per) - 1))] if per else float("nan")
    print(f"cpu {cpu:.0f} s (kernels and workers); target < {TARGET_S:.0f} s wall for 25 x 10 on 2 cores")
    print(f"grading: submissions {len(kinds)}, students {len(students)}, exercises {len(names)}, jobs {jobs}, "
          f"wall {wall:.1f} s, per submission p50 {p50:.1f} s p95 {p95:.1f} s, "
          f"checks {'ok' if not problems else f'{len(problems)} failed'}")
    if args.keep is None:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
