"""A small class on a real JupyterHub: `benchmarks/bench_hub.py --users 3` as a leader would run it.

Marked `hub`: `make test` runs these after the parallel phase, one at a time (2 cores).
Needs npm on first use (the benchmark installs configurable-http-proxy into build/node/).
"""

import os
import re
import secrets
import signal
import subprocess
import sys
import time

import psutil
import pytest

pytestmark = pytest.mark.hub

LINE = re.compile(r"^hub: users (\d+), ok (\d+), p50 ([\d.]+|nan) s, p95 ([\d.]+|nan) s, "
                  r"peak rss/user (\d+) MB, wall ([\d.]+) s$")


def _bench(root, *args, run_id, **kwargs):
    env = {**os.environ, "TURN_EAST_BENCH_ID": run_id}
    return subprocess.Popen([sys.executable, str(root / "benchmarks" / "bench_hub.py"), *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def _leftovers(run_id):
    """Processes still carrying the run's id: the hub, the proxy, servers, kernels."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.environ().get("TURN_EAST_BENCH_ID") == run_id:
                found.append(" ".join(proc.info["cmdline"] or [])[:120])
        except (psutil.Error, OSError):
            continue
    return found


def test_three_students_log_in_pull_run_a_lesson_and_answer_the_quiz(root):
    run_id = secrets.token_hex(8)
    proc = _bench(root, "--users", "3", run_id=run_id)
    out, _ = proc.communicate(timeout=420)
    last = out.strip().splitlines()[-1]
    m = LINE.match(last)
    assert m, f"no summary line:\n{out}"
    users, ok, p50, p95, peak, wall = m.groups()
    assert proc.returncode == 0 and (users, ok) == ("3", "3"), out
    assert 0 < float(p50) <= float(p95) <= float(wall), last
    assert 50 < int(peak) < 400, f"peak memory per student {peak} MB (target < 400 MB)\n{out}"
    assert "FAILED" not in out
    assert not _leftovers(run_id)


def test_the_time_limit_reports_each_student_and_stops_every_process(root):
    run_id = secrets.token_hex(8)
    proc = _bench(root, "--users", "1", "--timeout", "1", run_id=run_id)
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 1, out
    assert re.search(r"^student01: FAILED at \w+: stopped by the overall time limit$", out, re.M), out
    assert LINE.match(out.strip().splitlines()[-1]).group(2) == "0"
    assert not _leftovers(run_id)


def test_ctrl_c_stops_every_process_it_started(root):
    run_id = secrets.token_hex(8)
    proc = _bench(root, "--users", "1", run_id=run_id)
    seen = []
    deadline = time.monotonic() + 120
    for line in proc.stdout:          # wait until the hub is up and students are arriving
        seen.append(line)
        if "student(s) arriving" in line or time.monotonic() > deadline:
            break
    time.sleep(3)                     # the proxy and a server are starting now
    assert _leftovers(run_id), "".join(seen)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, "".join(seen) + out
    assert not _leftovers(run_id)
