"""Print the time to load the course data, and (with --setup) a fresh clone's set-up time.

    python benchmarks/bench_data.py            # load time (median of 20)
    python benchmarks/bench_data.py --setup    # also: git clone to a temp dir + `make venv`
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from turn_east.data import TABLES, load_course, validate

ROOT = Path(__file__).resolve().parents[1]


def main():
    times = []
    for _ in range(20):
        t = time.perf_counter()
        course = load_course()
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    validate()
    v = time.perf_counter() - t
    rows = sum(len(course.table(n)) for n in TABLES)
    print(f"load_course: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
          f"({rows} rows in {len(TABLES)} tables)")
    print(f"validate:    {v * 1000:.1f} ms")
    if "--setup" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            clone = Path(tmp) / "turn-east"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            t = time.perf_counter()
            subprocess.run(["make", "-s", "venv"], cwd=clone, check=True)
            print(f"cold set-up (fresh clone -> ready .venv): {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
