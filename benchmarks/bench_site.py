"""Benchmark `make site` (`turn-east site`): from nothing, after `make handouts`, and a rebuild.

    .venv/bin/python benchmarks/bench_site.py [--runs 3] [--jobs 2]

Each case runs the real command (`turn-east site --quiet`) in a fresh process, into a scratch build folder:
  * from nothing: no build folder at all, as on a fresh clone: every lesson is executed (papermill,
    through the handouts' batch), then Sphinx builds every page (target: < 120 s on 2 cores);
  * after `make handouts`: the executions are there (with their fingerprints), the site is not: nothing
    is executed, Sphinx builds every page (target: < 60 s);
  * rebuild, nothing changed: Sphinx's environment is kept, so it rereads nothing.
It prints the wall time of each run (and the minimum over --runs for the two warm cases), the page count
and the site's size. Other processes lengthen wall times (the load average is printed first); targets
are printed beside the figures and the script never fails on them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"from nothing": 120.0, "after make handouts": 60.0}


def turn_east() -> str:
    local = ROOT / ".venv" / "bin" / "turn-east"
    return str(local) if local.exists() else shutil.which("turn-east") or sys.exit("turn-east is not installed")


def timed(out: Path, jobs: int) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([turn_east(), "site", "--out", str(out), "--jobs", str(jobs), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"turn-east site failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    print(f"    {done.stdout.strip()}")
    return seconds


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each warm case (the minimum is reported)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other processes lengthen wall times)")
    with tempfile.TemporaryDirectory(prefix="bench-site-") as scratch:
        out = Path(scratch) / "build"
        print("from nothing (every lesson executed, every page built):")
        cold = timed(out, args.jobs)
        after, rebuild = [], []
        for _ in range(args.runs):
            for folder in (out / "site", out / "site-work"):
                shutil.rmtree(folder)  # what `make handouts` leaves: the executions, no site
            print("after make handouts (executions reused, every page built):")
            after.append(timed(out, args.jobs))
            print("rebuild, nothing changed:")
            rebuild.append(timed(out, args.jobs))
        site = out / "site"
        pages = sum(1 for _ in site.rglob("*.html"))
        print()
        print(f"{'case':<28} {'seconds':>8} {'target':>8}")
        for name, value in (("from nothing", cold), ("after make handouts", min(after)),
                            ("rebuild, nothing changed", min(rebuild))):
            target = f"< {TARGETS[name]:.0f}" if name in TARGETS else ""
            print(f"{name:<28} {value:8.1f} {target:>8}")
        print(f"after make handouts, each run: {', '.join(f'{t:.1f}' for t in after)} s; "
              f"rebuild: {', '.join(f'{t:.1f}' for t in rebuild)} s")
        plotly_mb = (site / "_static" / "plotly.min.js").stat().st_size / 1e6
        print(f"{pages} HTML pages, {size_mb(site):.1f} MB in all; _static {size_mb(site / '_static'):.1f} MB, of "
              f"which plotly.min.js {plotly_mb:.1f} MB (loaded only by pages with charts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
