"""A student's whole story with git: run and save every lesson, then pull a course update.

On scratch clones in a temporary folder, never this checkout: "upstream" stands for the course's
repository, "student" for a student's clone of it. The student runs the set-up (`make venv`; this
checkout's .venv is linked in, so nothing is installed and `make -o .venv/.installed` skips the
install step), makes a workspace (`make workspace`) and starts JupyterLab (`make lab`). Every
lesson is executed (nbclient; each of two workers keeps one kernel for its lessons) and saved
through JupyterLab's contents API, which is what JupyterLab's Save does. Then:

* the saved lessons carry their outputs, and still `git status` is clean and `git diff` empty,
  and the clean-notebook tests (the ones a saved run used to fail) pass in the student's clone;
* upstream commits a course update that touches every lesson; the student's plain `git pull`
  fast-forwards, `git status` is clean, every lesson is upstream's new version, and the student's
  annotated copy in my-work/ is untouched;
* a lesson saved outside `make lab` (no post-save hook) shows as modified, and `make update`
  clears that and pulls the next update;
* a commit that carries outputs (made without the filter) fails the clean-notebook test.

Outside a git checkout (a release folder) the same set-up does nothing and says nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT

STARTUP_S = 90
WORKERS = 2


def _in_git() -> bool:
    done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == str(ROOT)


pytestmark = pytest.mark.skipif(not _in_git() or not (ROOT / ".venv" / "bin" / "python").exists(),
                                reason="needs this course as a git checkout with its .venv (`make venv`)")


def run(cmd: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} in {cwd} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(["git", "-c", "user.name=Course team", "-c", "user.email=course@example.org", *args], repo, check)


def make_env() -> dict:
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "JUPYTERHUB_SERVICE_PREFIX"):
        env.pop(var, None)  # `make test` runs this test: the inner make must not join its jobserver
    return env


def make(folder: Path, *targets: str) -> subprocess.CompletedProcess:
    """`make TARGET` in a scratch course folder whose .venv is this checkout's (never reinstalled)."""
    return run(["make", "--no-print-directory", "-o", ".venv/.installed", *targets], folder, env=make_env())


def link_venv(folder: Path) -> None:
    (folder / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    info = folder / ".git" / "info"
    if info.is_dir():  # .gitignore's `.venv/` matches a folder, not a link to one
        with open(info / "exclude", "a", encoding="utf-8") as f:
            f.write(".venv\n")


def lessons_of(folder: Path) -> list[Path]:
    """The lesson notebooks (00-20; the leader guide and chart gallery are not lessons)."""
    return sorted(p for p in (folder / "notebooks").glob("*.ipynb") if int(p.name[:2]) < 90)


def execute(paths: list[Path], cwd: Path) -> dict[Path, dict]:
    """Run the notebooks top to bottom in one kernel, as JupyterLab's Run All would; their JSON."""
    import nbformat
    from nbclient import NotebookClient

    done = {}
    client = None
    try:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            if client is None:
                client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                        resources={"metadata": {"path": str(cwd)}})
            else:
                client.nb = nb
                client.reset_execution_trackers()
            client.execute(cleanup_kc=False)
            done[path] = json.loads(nbformat.writes(nb))
    finally:
        if client is not None and client.km is not None:
            client._cleanup_kernel()
    return done


class Lab:
    """`make lab` running in a scratch course folder, with a client for its REST API."""

    def __init__(self, folder: Path, tmp: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "jupyterlab.log"
        options = ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
                   f"--FileCheckpoints.checkpoint_dir={tmp / 'checkpoints'}"]
        env = dict(make_env(), JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed", "lab",
                                          f"LAB_OPTIONS={' '.join(options)}"], cwd=folder, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STARTUP_S
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"make lab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.request("GET", "/api/status", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"JupyterLab did not answer within {STARTUP_S} s:\n{self.log_tail()}")
                time.sleep(0.3)

    def request(self, method: str, path: str, body=None, timeout: float = 60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def save(self, rel: str, nb: dict) -> None:
        """What JupyterLab's Save sends: the notebook model, PUT to the contents API."""
        model = self.request("PUT", f"/api/contents/{rel}", {"type": "notebook", "format": "json", "content": nb})
        assert model["path"] == rel and model["type"] == "notebook"

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def clean_notebook_tests(folder: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_notebooks_clean.py"],
               folder, check=False, env=make_env())


@pytest.mark.slow
def test_saved_lessons_never_block_git_status_or_a_course_update(tmp_path):
    started = time.monotonic()
    head = run(["git", "rev-parse", "HEAD"], ROOT).stdout.strip()
    upstream, student = tmp_path / "upstream", tmp_path / "student"
    run(["git", "clone", "-q", str(ROOT), str(upstream)], tmp_path)
    git(upstream, "checkout", "-q", "-B", "course", head)
    run(["git", "clone", "-q", "--branch", "course", str(upstream), str(student)], tmp_path)
    for folder in (upstream, student):
        link_venv(folder)
        setup = make(folder, "venv")
        assert "notebook outputs stay out of git" in setup.stdout, setup.stdout + setup.stderr
        process = git(folder, "config", "filter.nbstripout.process").stdout.strip()
        assert ".venv/bin/python -m turn_east.make.gitfilter" in process and process.endswith(" process")
        assert str(folder) not in process, "the filter must use the checkout's own .venv by a relative path"
    lessons = lessons_of(student)
    with (student / "data" / "lessons.csv").open(encoding="utf-8", newline="") as f:
        listed = sorted(row["id"] for row in csv.DictReader(f))
    assert [p.stem for p in lessons] == listed, [p.name for p in lessons]
    rels = [p.relative_to(student).as_posix() for p in lessons]

    # The student makes a workspace and writes a note into a lesson copy there.
    make(student, "workspace")
    copy = student / "my-work" / "lessons" / lessons[2].name
    note = json.loads(copy.read_text(encoding="utf-8"))
    note["cells"].insert(1, {"cell_type": "markdown", "id": "my-note", "metadata": {}, "source": ["My notes."]})
    copy.write_text(json.dumps(note, indent=1), encoding="utf-8")
    noted = copy.read_bytes()
    again = make(student, "workspace")
    assert f"skipped  lessons/{lessons[2].name} (already there: your work is kept)" in again.stdout, again.stdout
    assert copy.read_bytes() == noted
    assert (student / "my-work" / "lessons" / "00_course_map.ipynb").exists()
    assert (student / "my-work" / lessons[2].name).exists(), "the exercise copy beside the lessons folder"

    # Run every lesson and save it through `make lab`.
    lab = Lab(student, tmp_path)
    try:
        run_started = time.monotonic()
        with ThreadPoolExecutor(WORKERS) as pool:
            parts = pool.map(execute, [lessons[i::WORKERS] for i in range(WORKERS)],
                             [student / "notebooks"] * WORKERS)
            executed = {path: nb for part in parts for path, nb in part.items()}
        run_s = time.monotonic() - run_started
        for path, rel in zip(lessons, rels):
            lab.save(rel, executed[path])
    finally:
        lab.stop()
    for path in lessons:
        saved = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in saved["cells"] if c["cell_type"] == "code"]
        assert all(c["execution_count"] for c in code), f"{path.name} was not saved as run"
        assert sum(bool(c["outputs"]) for c in code) >= len(code) // 2, f"{path.name} saved without its outputs"
        assert saved["metadata"]["language_info"].get("version"), "saved as a kernel leaves it"

    assert git(student, "status", "--porcelain").stdout == "", "a lesson that was only run and saved shows as changed"
    assert git(student, "diff", "--exit-code", check=False).returncode == 0
    before = clean_notebook_tests(student)
    assert before.returncode == 0, before.stdout[-3000:]

    # Upstream updates every lesson; the student pulls.
    for rel in rels:
        nb = json.loads((upstream / rel).read_text(encoding="utf-8"))
        nb["cells"][0]["source"][-1] += "\n\nRevised for the new term."
        (upstream / rel).write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    git(upstream, "commit", "-qam", "Course update: every lesson revised")
    pulled = git(student, "pull", check=False)
    assert pulled.returncode == 0, f"git pull refused:\n{pulled.stdout}\n{pulled.stderr}"
    assert "Fast-forward" in pulled.stdout
    assert git(student, "status", "--porcelain").stdout == ""
    for rel in rels:
        assert (student / rel).read_text(encoding="utf-8") == git(upstream, "show", f"HEAD:{rel}").stdout, \
            f"{rel} is not the updated lesson"
        assert "Revised for the new term." in (student / rel).read_text(encoding="utf-8")
    assert copy.read_bytes() == noted, "the update touched the student's my-work/"
    after = clean_notebook_tests(student)
    assert after.returncode == 0, after.stdout[-3000:]

    # A lesson saved outside `make lab` (no post-save hook, as `nbconvert --inplace` would): git's size
    # shortcut lists it and a plain pull would refuse; `make update` tells git it is unchanged, then pulls.
    rel = rels[4]
    current = json.loads((student / rel).read_text(encoding="utf-8"))  # the updated lesson, run again:
    for cell, ran in zip(current["cells"], executed[lessons[4]]["cells"], strict=True):  # only prose changed
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = ran["outputs"], ran["execution_count"]
    (student / rel).write_text(json.dumps(current, indent=1), encoding="utf-8")
    assert git(student, "status", "--porcelain").stdout == f" M {rel}\n"
    nb = json.loads((upstream / rel).read_text(encoding="utf-8"))
    nb["cells"][0]["source"][-1] += " Second revision."
    (upstream / rel).write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    git(upstream, "commit", "-qam", "Course update: one lesson revised again")
    updated = make(student, "update")
    assert f"unchanged but for outputs: {rel}" in updated.stdout and "Fast-forward" in updated.stdout, updated.stdout
    assert git(student, "status", "--porcelain").stdout == ""
    assert "Second revision." in (student / rel).read_text(encoding="utf-8")

    # A commit that carries outputs, made without the filter, fails the clean-notebook test.
    (upstream / rels[3]).write_text(json.dumps(executed[lessons[3]], indent=1), encoding="utf-8")
    git(upstream, "-c", "filter.nbstripout.process=", "-c", "filter.nbstripout.clean=", "add", rels[3])
    git(upstream, "commit", "-qm", "A lesson committed with its outputs")
    caught = clean_notebook_tests(upstream)
    assert caught.returncode == 1, caught.stdout[-3000:]
    assert f"{lessons[3].name} as committed (git index) has outputs" in caught.stdout
    print(f"{len(lessons)} lessons run in {run_s:.1f} s; whole story {time.monotonic() - started:.1f} s")


def test_the_set_up_outside_a_git_checkout_does_nothing(tmp_path):
    """A release folder (the course's files without git): `make venv` passes quietly, nothing to check."""
    release = tmp_path / "release"
    release.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(release, filter="data")
    link_venv(release)
    setup = make(release, "venv")
    assert setup.stdout == "" and setup.stderr == "", setup.stdout + setup.stderr
    assert not (release / ".git").exists()
    checked = clean_notebook_tests(release)
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert "skipped" in checked.stdout and "passed" in checked.stdout  # test_there_are_notebooks still runs
