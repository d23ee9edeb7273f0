"""Benchmark `turn-east handouts`: whole course, both audiences, serial and in parallel.

    .venv/bin/python benchmarks/bench_handouts.py [--jobs 1 2] [--lessons 02 03] [--notebooks-dir DIR]

Prints
  * the floor: papermill running an empty notebook (kernel start + stop), median of 3;
  * wall time of the whole batch for each --jobs value (targets: < 40 s with --jobs 2 on 2 cores);
  * seconds per lesson and audience (from the serial run) against the floor;
  * each handout's size (target: a student handout < 600 KB besides plotly.min.js).
Targets are printed beside the figures; the script never fails on them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from turn_east import handouts  # noqa: E402

TARGET_WALL_S = 40.0
TARGET_STUDENT_KB = 600


@contextlib.contextmanager
def quiet_stderr():
    """Kernels inherit file descriptor 2; keep their start-up warnings off the report."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def floor_seconds(runs: int = 3) -> float:
    import papermill as pm

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, empty)
        times = []
        for _ in range(runs + 1):  # the first run warms the disk cache
            t = time.perf_counter()
            pm.execute_notebook(str(empty), None, progress_bar=False, log_output=False,
                                shutdown_kernel="immediate")
            times.append(time.perf_counter() - t)
    return statistics.median(times[1:])


def batch(jobs: int, out: Path, lessons, notebooks_dir) -> tuple[list, float]:
    argv = ["--out", str(out), "--jobs", str(jobs), "--audience", "both", "-q"]
    if lessons:
        argv += ["--lessons", *lessons]
    if notebooks_dir:
        argv += ["--notebooks-dir", notebooks_dir]
    plan = handouts.plan(handouts.parser().parse_args(argv))
    return handouts.execute(plan)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--lessons", nargs="+")
    ap.add_argument("--notebooks-dir")
    args = ap.parse_args()

    print(f"machine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} "
          "(wall times grow with other load; the CPU figures do not)")
    with quiet_stderr():
        floor = floor_seconds()
    print(f"floor (papermill, empty notebook): {floor:.2f} s")
    runs = {}
    for jobs in args.jobs:
        with tempfile.TemporaryDirectory(prefix="bench-handouts-") as tmp:
            cpu0 = children_cpu()
            results, wall = batch(jobs, Path(tmp), args.lessons, args.notebooks_dir)
            cpu = children_cpu() - cpu0
            sizes = {(r.lesson, r.label): r.size for r in results}
            js = (Path(tmp) / "handouts" / "plotly.min.js").stat().st_size
        failed = [r for r in results if r.status != "ok"]
        runs[jobs] = (results, sizes)
        print(f"whole batch, {len(results)} handouts, --jobs {jobs}: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"(workers + kernels; {cpu / jobs:.1f} s if {jobs} idle core(s) did nothing else)"
              f"{'' if jobs != 2 else f' (target < {TARGET_WALL_S:.0f} s)'}"
              f"{f'; {len(failed)} FAILED: ' + ', '.join(f'{r.lesson}[{r.label}]' for r in failed) if failed else ''}")

    results, sizes = runs[args.jobs[0]]
    print(f"\nper lesson (--jobs {args.jobs[0]}), seconds and over the floor of {floor:.2f} s; size of each handout")
    print(f"{'lesson':<36} {'student s':>9} {'leader s':>9} {'over floor':>10} {'student KB':>10} {'leader KB':>9}")
    by = {(r.lesson, r.label): r for r in results}
    for lesson in dict.fromkeys(r.lesson for r in results):
        s, l = by.get((lesson, "student")), by.get((lesson, "leader"))
        st, lt = (s.seconds if s else 0), (l.seconds if l else 0)
        skb, lkb = sizes.get((lesson, "student"), 0) / 1024, sizes.get((lesson, "leader"), 0) / 1024
        flag = "  <-- over target" if skb > TARGET_STUDENT_KB else ""
        print(f"{lesson:<36} {st:9.2f} {lt:9.2f} {(st + lt) / 2 - floor:10.2f} {skb:10.0f} {lkb:9.0f}{flag}")
    print(f"plotly.min.js (shipped once): {js / 1024:.0f} KB; student target < {TARGET_STUDENT_KB} KB each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
