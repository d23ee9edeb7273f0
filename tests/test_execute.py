"""The one execution path (turn_east.make.execute): kernels on IPC, a kernel that dies while starting is
noticed at once and retried, a kernel started ahead runs its warm-up silently, and two handout runs at
the same time neither collide nor mix their output."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from turn_east.make import handouts
from turn_east.make.execute import (
    TRANSPORT, BlockingCourseKernelManager, CourseKernelManager, KernelStartError, Kernels, execute_notebook,
    ipc_supported,
)
from turn_east.make.files import folder_lock
from turn_east.make.zygote import supported as zygote_supported

FIXTURES = Path(__file__).parent / "fixtures" / "handouts"
PASS = "lesson-pass-minimal"
# A kernel that fails while starting: the first start of each marker file exits with code 1, later
# starts run ipykernel (a kernel that dies once, as with a lost TCP port race).
FLAKY = """import os, sys
marker = os.environ["TE_FLAKY_MARKER"] + "-" + os.path.basename(os.getcwd())
if not os.path.exists(marker):
    open(marker, "w").close()
    sys.exit(1)
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", sys.argv[1]])
"""


def _kernelspec(root: Path, name: str, argv: list[str]) -> None:
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": name, "language": "python"}))


@pytest.fixture
def kernelspecs(tmp_path, monkeypatch):
    """Two extra kernels on JUPYTER_PATH: ``te-dies`` exits at once, ``te-flaky`` dies on its first start."""
    root = tmp_path / "jupyter"
    _kernelspec(root, "te-dies", [sys.executable, "-c", "import sys; sys.exit(3)", "{connection_file}"])
    script = tmp_path / "flaky_kernel.py"
    script.write_text(FLAKY)
    _kernelspec(root, "te-flaky", [sys.executable, str(script), "{connection_file}"])
    monkeypatch.setenv("JUPYTER_PATH", str(root))
    monkeypatch.setenv("TE_FLAKY_MARKER", str(tmp_path / "started-once"))
    return root


def _notebook(path: Path, kernel: str, cells=("x = 1", "print(x * 2)")) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    nbformat.write(nb, path)
    return path


def _call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = handouts.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ transport
def test_kernels_use_ipc_where_the_platform_has_it():
    assert TRANSPORT == ("ipc" if ipc_supported() else "tcp")
    for cls in (CourseKernelManager, BlockingCourseKernelManager):
        km = cls(kernel_name="python3")
        assert km.transport == TRANSPORT
        if TRANSPORT == "ipc":  # absolute and unique: kernel and client may run in different folders
            assert Path(km.ip).is_absolute() and km.ip != cls(kernel_name="python3").ip


def test_nbval_starts_its_kernels_with_the_course_manager():
    from nbval import kernel

    assert kernel.KernelManager is BlockingCourseKernelManager, "conftest.py at the repository root sets it"


# ------------------------------------------------------------------ start-up failures
@pytest.mark.slow
def test_a_kernel_that_exits_at_once_is_retried_and_reported_quickly(kernelspecs, tmp_path):
    nb = _notebook(tmp_path / "dies.ipynb", "te-dies")
    t0 = time.monotonic()
    with pytest.raises(KernelStartError) as info:
        execute_notebook(nb, tmp_path / "out.ipynb", {}, kernels=Kernels(retries=2), cwd=tmp_path, timeout=60)
    seconds = time.monotonic() - t0
    message = str(info.value)
    assert "no kernel 'te-dies' could be started in 3 attempts" in message
    assert message.count("exited with code 3 while starting") == 3
    assert seconds < 30, f"a dead kernel must be noticed at once, not after the start-up timeout ({seconds:.0f} s)"


@pytest.mark.slow
def test_a_kernel_that_dies_once_gets_a_fresh_one(kernelspecs, tmp_path):
    nb = _notebook(tmp_path / "flaky.ipynb", "te-flaky")
    done, start = execute_notebook(nb, tmp_path / "out.ipynb", {"x": 21}, kernels=Kernels(), cwd=tmp_path,
                                   timeout=60)
    assert done.cells[-1].outputs[0]["text"] == "42\n"
    assert start.attempts == 2 and start.retried
    assert "exited with code 1 while starting" in start.describe() and "attempt 2" in start.describe()


@pytest.mark.slow
def test_handouts_report_a_retried_kernel_and_a_kernel_that_never_starts(kernelspecs, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name, kernel in (("lesson-flaky", "te-flaky"), ("lesson-dead", "te-dies")):
        nb = nbformat.read(FIXTURES / f"{PASS}.ipynb", as_version=4)
        nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
        nbformat.write(nb, notebooks / f"{name}.ipynb")
    t0 = time.monotonic()
    rc, stdout, stderr = _call("--notebooks-dir", str(notebooks), "--out", str(tmp_path / "out"),
                               "--audience", "student", "--jobs", "1")
    assert time.monotonic() - t0 < 120
    assert rc == 1
    assert "note: lesson-flaky [student]: kernel start retried: the kernel's process exited with code 1" in stderr
    failed = next(line for line in stderr.splitlines() if line.startswith("FAILED lesson-dead [student]"))
    assert "KernelStartError: no kernel 'te-dies' could be started in 3 attempts" in failed
    assert (tmp_path / "out" / "handouts" / "student" / "lesson-flaky.html").is_file()
    assert not (tmp_path / "out" / "handouts" / "student" / "lesson-dead.html").exists()


# ------------------------------------------------------------------ kernels started ahead
@pytest.mark.slow
def test_a_kernel_started_ahead_runs_its_warmup_silently(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", "python3",
                   cells=("x = 1", "import sys; print('json' in sys.modules, x)", "x"))
    kernels = Kernels(warmup="import json")
    try:
        first, start1 = execute_notebook(nb, tmp_path / "1.ipynb", {"x": 1}, kernels=kernels, cwd=tmp_path,
                                         timeout=60, prestart_next=True)
        second, start2 = execute_notebook(nb, tmp_path / "2.ipynb", {"x": 2}, kernels=kernels, cwd=tmp_path,
                                          timeout=60)
    finally:
        kernels.close()
    assert not start1.prestarted and start2.prestarted
    for done, x in ((first, 1), (second, 2)):
        assert done.cells[-2].outputs[0]["text"] == f"True {x}\n"
        # the warm-up left no trace: counts start at 1 (parameters, injected parameters, then the cells)
        assert [c.execution_count for c in done.cells] == [1, 2, 3, 4]


# ------------------------------------------------------------------ kernels forked from a warm process
PROBE = ("import json, os, sys\n"
         "print(json.dumps({'cwd': os.getcwd(), 'path': sys.path, 'argv0': sys.argv[0], 'ppid': os.getppid(),\n"
         "    'parent': os.environ.get('JPY_PARENT_PID'), 'env': sorted(k for k in os.environ if k != 'JPY_PARENT_PID'),\n"
         "    'pandas': 'pandas' in sys.modules, 'plotly': 'plotly' in sys.modules}))")


@pytest.mark.slow
@pytest.mark.skipif(not zygote_supported(), reason="kernels are forked on Linux only; elsewhere they start as new processes")
def test_a_forked_kernel_starts_as_a_fresh_kernel_would(tmp_path):
    nb = _notebook(tmp_path / "probe.ipynb", "python3", cells=("x = 1", PROBE))
    seen = {}
    for fork in (False, True):
        kernels = Kernels(fork=fork)
        try:
            done, _ = execute_notebook(nb, tmp_path / f"{fork}.ipynb", {"x": 5}, kernels=kernels, cwd=tmp_path,
                                       timeout=60)
            seen[fork] = json.loads(done.cells[-1].outputs[0]["text"])
            assert [c.execution_count for c in done.cells] == [1, 2, 3]
            if fork:
                zygote_pid = kernels._zygote.proc.pid
        finally:
            kernels.close()
    fresh, forked = seen[False], seen[True]
    for key in ("cwd", "path", "argv0", "env", "plotly"):
        assert forked[key] == fresh[key], key
    assert fresh["cwd"] == str(tmp_path)
    assert not fresh["plotly"], "plotly chooses its renderer when imported: the kernel imports it, never the zygote"
    assert forked["pandas"] and not fresh["pandas"], "the zygote loaded pandas once for every kernel it forks"
    assert forked["ppid"] == zygote_pid and forked["parent"] == str(zygote_pid), "its parent poller watches the zygote"


@pytest.mark.slow
@pytest.mark.skipif(not zygote_supported(), reason="kernels are forked on Linux only")
def test_kernels_still_start_when_the_zygote_dies(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", "python3")
    kernels = Kernels(fork=True)
    try:
        done, _ = execute_notebook(nb, tmp_path / "1.ipynb", {"x": 2}, kernels=kernels, cwd=tmp_path, timeout=60)
        first = kernels._zygote.proc
        first.kill()
        first.wait()
        done, start = execute_notebook(nb, tmp_path / "2.ipynb", {"x": 3}, kernels=kernels, cwd=tmp_path, timeout=60)
        assert done.cells[-1].outputs[0]["text"] == "6\n" and start.attempts == 1
        assert kernels._zygote.proc is not first and kernels._zygote.proc.poll() is None  # a new zygote
    finally:
        kernels.close()
    assert first.poll() is not None


# ------------------------------------------------------------------ concurrent runs
def _cli(out: Path, *more: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "turn_east", "handouts", "--notebooks-dir", str(FIXTURES),
                             "--lessons", PASS, "--audience", "student", "--out", str(out), "--jobs", "1", "-q",
                             *more],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("round_", [1, 2])
def test_two_runs_into_different_folders_at_once_both_succeed(tmp_path, round_):
    runs = [_cli(tmp_path / f"out-{i}") for i in (1, 2)]
    results = [(p.wait(timeout=600), p.stdout.read(), p.stderr.read()) for p in runs]
    for i, (rc, stdout, stderr) in enumerate(results, start=1):
        assert rc == 0, stderr
        assert "1 ok, 0 failed" in stdout
        assert (tmp_path / f"out-{i}" / "handouts" / "student" / f"{PASS}.html").stat().st_size > 10_000
    a, b = ((tmp_path / f"out-{i}" / "handouts" / "student" / f"{PASS}.html").read_bytes() for i in (1, 2))
    assert a == b, "the same lesson renders to the same bytes, whatever runs beside it"


def test_a_second_run_into_the_same_folder_stops_with_a_clear_message(tmp_path):
    out = tmp_path / "out"
    with folder_lock(out, what="a test"):
        t0 = time.monotonic()
        rc, _, stderr = _call("--notebooks-dir", str(FIXTURES), "--lessons", PASS, "--out", str(out), "--wait", "1")
        assert time.monotonic() - t0 >= 1
    assert rc == 2
    assert f"{out.resolve()} is in use by another `turn-east handouts` still running (process" in stderr
    assert "give another output folder" in stderr and "nothing was rendered" in stderr
    assert not (out / "handouts").exists()


@pytest.mark.slow
def test_a_second_run_into_the_same_folder_waits_when_asked(tmp_path):
    out = tmp_path / "out"
    held = threading.Event()

    def hold():
        with folder_lock(out, what="a test"):
            held.set()
            time.sleep(3)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    rc, stdout, stderr = _call("--notebooks-dir", str(FIXTURES), "--lessons", PASS, "--out", str(out),
                               "--audience", "student", "--wait", "300")
    thread.join()
    assert rc == 0, stderr
    assert "1 ok, 0 failed" in stdout


def test_the_lock_is_released_when_its_holder_dies(tmp_path):
    out = tmp_path / "out"
    code = ("import sys, time; from turn_east.make.files import folder_lock\n"
            f"with folder_lock({str(out)!r}):\n    print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(Exception, match=r"still running \(process"):
        with folder_lock(out):
            pass
    holder.kill()
    holder.wait()
    with folder_lock(out):  # no stale lock: the OS released it with the process
        pass
    shutil.rmtree(out)
