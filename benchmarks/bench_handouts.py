"""Benchmark `turn-east handouts`: where the time goes, and the whole course for both audiences.

    .venv/bin/python benchmarks/bench_handouts.py [--jobs 1 2] [--lessons 02 03] [--runs 1]
                                                 [--no-prestart] [--no-warmup] [--notebooks-dir DIR]

Prints
  * the floor: papermill running an empty notebook (kernel start + stop), median of 3, the same
    measure as earlier versions of this script; and a bare kernel's start through the course's own path
    (turn_east.make.execute, IPC transport) with the time a fresh kernel spends importing the lessons'
    modules (``import turn_east.notebook``);
  * wall and CPU time of the whole batch for each --jobs value (target: < 40 s with --jobs 2 on 2 cores);
  * per lesson and audience (from the first --jobs value): waiting for the kernel, executing, exporting
    with nbconvert, the total against the floor (target: each lesson <= 2.5x the floor), and the size;
  * each handout's size (target: a student handout < 600 KB besides plotly.min.js).
Targets are printed beside the figures; the script never fails on them. Other processes on the machine
lengthen the wall times (the load average is printed first); the CPU figures suffer less.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from turn_east.make import handouts  # noqa: E402
from turn_east.make.execute import TRANSPORT, Kernels  # noqa: E402
from turn_east.make.handouts.render import WARMUP  # noqa: E402
from turn_east.make.zygote import supported as zygote_supported  # noqa: E402

TARGET_WALL_S = 40.0
TARGET_RATIO = 2.5
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
    """papermill on an empty notebook: a bare kernel's start and stop (the same measure as before)."""
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


def kernel_and_imports(runs: int = 3) -> tuple[float, float]:
    """Median seconds for a kernel to start through the course's path, and for it to import the lessons'
    modules (measured inside the kernel)."""
    from jupyter_client.blocking import BlockingKernelClient

    from turn_east.make.execute import shut_down

    starts, imports = [], []
    for _ in range(runs):
        t = time.perf_counter()
        km, _ = Kernels().take("python3", Path.cwd())
        starts.append(time.perf_counter() - t)
        kc = BlockingKernelClient(**km.get_connection_info(session=True))
        kc.start_channels()
        kc.wait_for_ready(timeout=60)  # also waits until IOPub is subscribed, so no output is missed
        code = f"import time as _t; _t0 = _t.perf_counter(); {WARMUP}; print(_t.perf_counter() - _t0)"
        lines = []
        kc.execute_interactive(code, output_hook=lambda m: lines.append(m["content"].get("text", "")), timeout=120)
        imports.append(float("".join(lines).strip() or "nan"))
        kc.stop_channels()
        shut_down(km)
    return statistics.median(starts), statistics.median(imports)


def batch(jobs: int, out: Path, args) -> tuple[list, float]:
    argv = ["--out", str(out), "--jobs", str(jobs), "--audience", "both", "-q"]
    if args.lessons:
        argv += ["--lessons", *args.lessons]
    if args.notebooks_dir:
        argv += ["--notebooks-dir", args.notebooks_dir]
    plan = handouts.make_plan(handouts.parser().parse_args(argv))
    if args.no_prestart:
        plan.jobs = [dataclasses.replace(j, prestart_next=False) for j in plan.jobs]
    return handouts.render_all(plan, warmup="" if args.no_warmup else WARMUP, fork=not args.no_fork)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--lessons", nargs="+")
    ap.add_argument("--notebooks-dir")
    ap.add_argument("--runs", type=int, default=1, help="batches per --jobs value; the fastest is reported")
    ap.add_argument("--no-prestart", action="store_true", help="start each kernel when its lesson asks for it")
    ap.add_argument("--no-warmup", action="store_true", help="kernels started ahead do not import anything")
    ap.add_argument("--no-fork", action="store_true", help="start every kernel as a new process (no zygote)")
    args = ap.parse_args()

    print(f"machine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} "
          "(wall times grow with other load; the CPU figures less so)")
    print(f"kernels: {TRANSPORT} transport; started ahead: {'no' if args.no_prestart else 'yes'}; "
          f"warm-up: {'none' if args.no_warmup else WARMUP!r}; forked from a warm process: "
          f"{'no' if args.no_fork or not zygote_supported() else 'yes'}")
    with quiet_stderr():
        floor = floor_seconds()
        start, imports = kernel_and_imports()
    print(f"floor (papermill, empty notebook, TCP kernel): {floor:.2f} s")
    print(f"bare kernel start through turn_east.make.execute: {start:.2f} s; "
          f"then `{WARMUP}` inside it: {imports:.2f} s")
    runs = {}
    for jobs in args.jobs:
        best = None
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="bench-handouts-") as tmp:
                cpu0 = children_cpu()
                with quiet_stderr():
                    results, wall = batch(jobs, Path(tmp), args)
                cpu = children_cpu() - cpu0
                sizes = {(r.lesson, r.label): r.size for r in results}
                js = (Path(tmp) / "handouts" / "plotly.min.js").stat().st_size
            if best is None or wall < best[1]:
                best = (results, wall, cpu, sizes, js)
        results, wall, cpu, sizes, js = best
        failed = [r for r in results if r.status != "ok"]
        runs[jobs] = (results, sizes)
        print(f"whole batch, {len(results)} handouts, --jobs {jobs}: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"(workers + kernels)"
              f"{'' if jobs != 2 else f' (target < {TARGET_WALL_S:.0f} s on 2 cores)'}"
              f"{f'; {len(failed)} FAILED: ' + ', '.join(f'{r.lesson}[{r.label}]' for r in failed) if failed else ''}")

    results, sizes = runs[args.jobs[0]]
    print(f"\nper lesson and audience (--jobs {args.jobs[0]}): seconds waiting for the kernel, executing, "
          f"exporting; total / floor (target <= {TARGET_RATIO}); size")
    print(f"{'lesson':<36} {'copy':<8} {'kernel':>6} {'exec':>6} {'export':>6} {'total':>6} {'x floor':>7} {'KB':>5}")
    ratios = []
    for r in results:
        t = r.timings
        ratio = r.seconds / floor
        ratios.append(ratio)
        kb = sizes.get((r.lesson, r.label), 0) / 1024
        flag = "  <-- over target" if ratio > TARGET_RATIO or (r.label == "student" and kb > TARGET_STUDENT_KB) else ""
        print(f"{r.lesson:<36} {r.label:<8} {t.get('kernel', 0):6.2f} {t.get('execute', 0):6.2f} "
              f"{t.get('export', 0):6.2f} {r.seconds:6.2f} {ratio:7.2f} {kb:5.0f}{flag}")
    if ratios:
        print(f"lesson / floor: median {statistics.median(ratios):.2f}, max {max(ratios):.2f} "
              f"(target <= {TARGET_RATIO})")
    print(f"plotly.min.js (shipped once): {js / 1024:.0f} KB; student target < {TARGET_STUDENT_KB} KB each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
