"""The notebook filter (turn_east.make.gitfilter): what git stores of a lesson a student ran and saved.

A saved run is built the way JupyterLab writes one (outputs and counts in every code cell, the
kernel's full language_info, the ipykernel kernelspec label, collapsed outputs, widget state); the
filter must turn it back into exactly the committed notebook, keep the checked cells' reference outputs
nbval needs, and keep a student's real edits. Then the same through real git: a long-running filter
process, the post-save hook that keeps `git status` clean, and the set-up's install.
The whole student story (run every lesson, save through `make lab`, pull an update) is in
tests/test_student_update.py.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from turn_east.make import gitfilter
from turn_east.make.gitfilter import FILTER, NotebookError, clean
from turn_east.nbfiles import is_checked_output_cell

FOLDERS = ("notebooks", "exercises", "solutions")
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for d in FOLDERS for p in (ROOT / d).glob("*.ipynb"))
LESSON = "notebooks/02_stage_1_adjusting_to_asia.ipynb"
# What JupyterLab 4 writes into a saved notebook's metadata (taken from a real save).
SAVED_LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                       "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                       "pygments_lexer": "ipython3", "version": "3.11.7"}
SAVED_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def in_git() -> bool:
    done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == str(ROOT)


needs_git = pytest.mark.skipif(not in_git(), reason=f"{ROOT} is not a git checkout")


def committed_text(rel: str) -> str:
    shown = subprocess.run(["git", "show", f":{rel}"], cwd=ROOT, capture_output=True)
    if shown.returncode == 0:
        return shown.stdout.decode("utf-8")
    return (ROOT / rel).read_text(encoding="utf-8")  # outside git: the files are what is shipped


def checked(cell) -> bool:
    return is_checked_output_cell(cell)


def as_saved(text: str) -> str:
    """The notebook as JupyterLab saves it after Run All (and a few clicks)."""
    nb = json.loads(text)
    nb["metadata"]["kernelspec"] = dict(SAVED_KERNELSPEC)
    nb["metadata"]["language_info"] = dict(SAVED_LANGUAGE_INFO)
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                             "version_minor": 0}}
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        count += 1
        cell["execution_count"] = count
        if checked(cell):
            # The same text as the reference, but as two stream messages (as a busy kernel may send it).
            text = "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")
            half = text.index("\n") + 1
            cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": text[:half]},
                               {"name": "stdout", "output_type": "stream", "text": text[half:]}]
            continue
        cell["outputs"] = [
            {"output_type": "display_data", "metadata": {},
             "data": {"application/vnd.plotly.v1+json": {"data": [{"x": [1, 2], "y": [3, 4]}], "layout": {}},
                      "text/html": "<div>chart</div>", "text/plain": "Figure"}},
            {"name": "stderr", "output_type": "stream", "text": "a warning\n"},
            {"output_type": "execute_result", "execution_count": count, "metadata": {},
             "data": {"text/plain": "42"}},
        ]
        cell["metadata"].update({"collapsed": True, "scrolled": True, "jupyter": {"outputs_hidden": True},
                                 "execution": {"iopub.status.busy": "2025-01-01T10:00:00.000Z"}})
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("rel", NOTEBOOKS)
def test_committed_notebooks_pass_the_filter_unchanged(rel):
    """A fresh clone is clean, and the checked cells' references survive `git add`."""
    text = committed_text(rel)
    assert clean(text, rel) == text, (f"{rel}: the filter would change the committed notebook; store it "
                                      f"through the filter: `git add --renormalize {rel}`")


@pytest.mark.parametrize("rel", [r for r in NOTEBOOKS if r.startswith("notebooks/")])
def test_a_lesson_run_and_saved_in_jupyterlab_cleans_to_the_committed_notebook(rel):
    text = committed_text(rel)
    saved = as_saved(text)
    assert saved != text and '"output_type": "display_data"' in saved
    assert clean(saved, rel) == text


def test_checked_cells_keep_their_reference_with_count_one():
    text = committed_text(LESSON)
    cleaned = json.loads(clean(as_saved(text), LESSON))
    cells = [c for c in cleaned["cells"] if checked(c)]
    assert cells, f"{LESSON} has no checked-output cell (tag nbval-check-output)"
    for cell in cells:
        assert cell["execution_count"] == 1
        assert [o["output_type"] for o in cell["outputs"]] == ["stream"], "the two stream chunks become one"
        assert "Stage One events:" in "".join(cell["outputs"][0]["text"])
    others = [c for c in cleaned["cells"] if c["cell_type"] == "code" and not checked(c)]
    assert others and all(c["outputs"] == [] and c["execution_count"] is None for c in others)
    assert all("collapsed" not in c["metadata"] for c in cleaned["cells"])
    for c in cleaned["cells"]:  # only leader notes keep a JupyterLab key: collapsed (turn-east lesson-metadata)
        leader = "leader" in c["metadata"].get("tags", [])
        assert c["metadata"].get("jupyter") == ({"source_hidden": True} if leader else None), c["source"][:40]
    assert cleaned["metadata"]["language_info"] == {"name": "python"}
    assert cleaned["metadata"]["kernelspec"]["display_name"] == "Python 3"
    assert "widgets" not in cleaned["metadata"]


def test_a_students_real_edit_is_kept():
    """The filter drops outputs, never work: an edited cell and an added cell reach git as they are."""
    nb = json.loads(as_saved(committed_text(LESSON)))
    markdown = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    markdown["source"] = ["My own summary of the lesson.\n"] + markdown["source"]
    nb["cells"].append({"cell_type": "code", "execution_count": 99, "id": "student-1", "metadata": {},
                        "outputs": [{"name": "stdout", "output_type": "stream", "text": "hi\n"}],
                        "source": ["print('hi')"]})
    cleaned = json.loads(clean(json.dumps(nb)))
    assert cleaned["cells"][0]["source"][0] == "My own summary of the lesson.\n"
    assert cleaned["cells"][-1] == {"cell_type": "code", "execution_count": None, "id": "student-1",
                                    "metadata": {}, "outputs": [], "source": ["print('hi')"]}


@pytest.mark.parametrize("text, what", [("", "NotJSONError"), ('{"cells": [', "NotJSONError"),
                                        ("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> origin\n", "NotJSONError"),
                                        ('{"just": "json"}', "")])
def test_not_a_notebook_names_the_file_and_the_fix(text, what):
    with pytest.raises(NotebookError) as info:
        clean(text, "notebooks/05_stage_4_war_and_alliance.ipynb")
    message = str(info.value)
    assert message.startswith("notebooks/05_stage_4_war_and_alliance.ipynb: not a notebook"), message
    assert what in message
    assert "git restore notebooks/05_stage_4_war_and_alliance.ipynb" in message


# --- git's long-running filter protocol, driven directly ------------------------------------------

def pkt(*lines: str) -> bytes:
    out = b""
    for line in lines:
        data = (line + "\n").encode()
        out += b"%04x" % (len(data) + 4) + data
    return out + b"0000"


def pkt_content(data: bytes) -> bytes:
    out = b""
    for i in range(0, len(data), 1000):
        chunk = data[i:i + 1000]
        out += b"%04x" % (len(chunk) + 4) + chunk
    return out + b"0000"


def read_replies(raw: bytes) -> list:
    """The replies as a list of packets (bytes) and flushes (None)."""
    stream, packets = io.BytesIO(raw), []
    while True:
        try:
            packets.append(gitfilter._read_packet(stream))
        except EOFError:
            return packets


def test_the_filter_process_speaks_gits_protocol():
    nb = json.loads(committed_text(LESSON))
    nb["cells"] = [dict(c, id=f"{c['id']}-{n}") for n in range(4) for c in nb["cells"]]  # a long notebook
    saved = as_saved(json.dumps(nb)).encode()
    expected = clean(saved.decode(), LESSON)
    assert len(expected) > 2 * gitfilter.MAX_PACKET, "the reply must span several packets"
    request = (pkt("git-filter-client", "version=2") + pkt("capability=clean", "capability=smudge")
               + pkt("command=clean", f"pathname={LESSON}") + pkt_content(saved)
               + pkt("command=clean", "pathname=broken.ipynb") + pkt_content(b"{not json")
               + pkt("command=smudge", f"pathname={LESSON}") + pkt_content(b"{}"))
    out, err = io.BytesIO(), io.StringIO()
    assert gitfilter.serve(io.BytesIO(request), out, err) == 0
    replies = read_replies(out.getvalue())
    assert replies[:3] == [b"git-filter-server\n", b"version=2\n", None]
    assert replies[3:5] == [b"capability=clean\n", None], "only clean is offered: checkout never needs Python"
    assert replies[5:7] == [b"status=success\n", None]
    end = replies.index(None, 7)
    assert all(len(p) <= gitfilter.MAX_PACKET for p in replies[7:end])
    assert b"".join(replies[7:end]).decode() == expected
    assert '"outputs": []' in expected and '"display_data"' not in expected
    assert replies[end:end + 2] == [None, None], "content flush, then an empty list: status stays success"
    assert replies[end + 2:] == [b"status=error\n", None, b"status=error\n", None]
    assert "broken.ipynb: not a notebook" in err.getvalue()
    assert "unsupported filter command 'smudge'" in err.getvalue()


# --- through real git ----------------------------------------------------------------------------

def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=Course", "-c", "user.email=course@example.org", *args],
                          cwd=repo, capture_output=True, text=True, check=check)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A small git checkout holding two lessons as committed, with the filter installed."""
    repo = tmp_path / "course"
    (repo / "notebooks").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / ".gitattributes").write_text((ROOT / ".gitattributes").read_text(encoding="utf-8"), encoding="utf-8")
    for rel in (LESSON, "notebooks/00_course_map.ipynb"):
        (repo / rel).write_text(committed_text(rel), encoding="utf-8")
    out = io.StringIO()
    assert gitfilter.install(cwd=repo, python=sys.executable, out=out) == 0
    assert f"notebook outputs stay out of git in {repo}" in out.getvalue()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "course")
    return repo


def test_git_stores_saved_lessons_without_outputs_through_one_filter_process(repo):
    # Break the one-shot `clean` command: only the long-running process can do the work now.
    git(repo, "config", f"filter.{FILTER}.clean", "false")
    for rel in (LESSON, "notebooks/00_course_map.ipynb"):
        (repo / rel).write_text(as_saved(committed_text(rel)), encoding="utf-8")
    (repo / "notebooks" / "broken.ipynb").write_text("{not json", encoding="utf-8")
    added = git(repo, "add", "-A")
    assert "notebooks/broken.ipynb: not a notebook" in added.stderr
    for rel in (LESSON, "notebooks/00_course_map.ipynb"):
        assert git(repo, "show", f":{rel}").stdout == committed_text(rel)
    assert git(repo, "status", "--porcelain").stdout == "A  notebooks/broken.ipynb\n"


def test_the_save_hook_keeps_git_status_clean_and_leaves_real_edits_alone(repo):
    path = repo / LESSON
    path.write_text(as_saved(committed_text(LESSON)), encoding="utf-8")
    # Git's shortcut: a file whose size changed is "modified" without asking the filter.
    assert git(repo, "status", "--porcelain").stdout == f" M {LESSON}\n"
    assert git(repo, "diff", "--stat").stdout == "", "the content git would store is unchanged"
    gitfilter.refresh_after_save(os_path=str(path), model={"type": "notebook"}, contents_manager=None)
    assert git(repo, "status", "--porcelain").stdout == ""
    assert git(repo, "diff", "--exit-code").returncode == 0
    assert '"output_type": "display_data"' in path.read_text(encoding="utf-8"), "the student's outputs stay"

    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][0]["source"].append("\nMy note.")
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    gitfilter.refresh_after_save(os_path=str(path), model={"type": "notebook"}, contents_manager=None)
    assert git(repo, "status", "--porcelain").stdout == f" M {LESSON}\n", "a real edit is for git to report"
    diff = git(repo, "diff").stdout
    assert '+    "My note."' in diff and "display_data" not in diff, "git diff shows the edit, not the outputs"


def test_refresh_renews_only_notebooks_whose_content_is_unchanged(repo):
    (repo / LESSON).write_text(as_saved(committed_text(LESSON)), encoding="utf-8")
    nb = json.loads(committed_text("notebooks/00_course_map.ipynb"))
    nb["cells"][0]["source"].append("\nEdited.")
    (repo / "notebooks/00_course_map.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    assert gitfilter.refresh(cwd=repo) == [LESSON]
    assert git(repo, "status", "--porcelain").stdout == " M notebooks/00_course_map.ipynb\n"
    assert gitfilter.refresh(cwd=repo) == []


def test_install_outside_a_git_checkout_does_nothing(tmp_path):
    out = io.StringIO()
    assert gitfilter.install(cwd=tmp_path, out=out) == 0
    assert out.getvalue() == "turn-east: not a git checkout; no notebook filter needed\n"
    quiet = io.StringIO()
    assert gitfilter.install(cwd=tmp_path, quiet=True, out=quiet) == 0 and quiet.getvalue() == ""
    assert not (tmp_path / ".git").exists()
    assert gitfilter.refresh(cwd=tmp_path) == []


def test_install_in_a_course_folder_inside_another_checkout_does_nothing(tmp_path):
    """A student release written into a checkout's build/ runs `make venv` there: the checkout's git config must
    not be pointed at the release's .venv (the filter would break when the release is deleted)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    inner = tmp_path / "build" / "students"
    inner.mkdir(parents=True)
    out = io.StringIO()
    assert gitfilter.install(cwd=inner, out=out) == 0
    assert "not its top; no notebook filter set up" in out.getvalue()
    assert git(tmp_path, "config", "--local", "--get-regexp", "filter", check=False).stdout == ""
    quiet = io.StringIO()
    assert gitfilter.install(cwd=inner, quiet=True, out=quiet) == 0 and quiet.getvalue() == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the checkout to another user")
def test_install_in_a_checkout_git_refuses_warns_and_lets_the_set_up_go_on(tmp_path, capsys):
    """`sudo make` in someone else's clone: git calls it dubious ownership; the set-up must not fail."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    os.chown(tmp_path, 65534, 65534)  # nobody
    os.chown(tmp_path / ".git", 65534, 65534)
    assert gitfilter.install(cwd=tmp_path) == 0
    err = capsys.readouterr().err
    assert "no notebook filter set up, git refuses this folder" in err and "safe.directory" in err, err


def test_install_uses_the_checkouts_own_venv_by_a_relative_path_and_is_idempotent(repo):
    venv_python = repo / ".venv" / "bin" / "python"
    cmd = gitfilter.filter_command(repo, str(venv_python))
    assert ".venv/bin/python -m turn_east.make.gitfilter" in cmd and str(repo) not in cmd
    assert gitfilter.filter_command(repo, "/opt/my env/bin/python") == "'/opt/my env/bin/python' -m turn_east.make.gitfilter"
    git(repo, "config", f"filter.{FILTER}.required", "true")
    out = io.StringIO()
    assert gitfilter.install(cwd=repo, python=str(venv_python), out=out) == 0
    assert git(repo, "config", f"filter.{FILTER}.process").stdout.strip() == f"{cmd} process"
    assert git(repo, "config", f"filter.{FILTER}.required", check=False).returncode == 1, \
        "a required filter would make checkouts fail wherever .venv is missing"
    again = io.StringIO()
    assert gitfilter.install(cwd=repo, python=str(venv_python), out=again) == 0 and again.getvalue() == ""


def test_a_checkout_without_its_venv_keeps_git_working_and_says_why(repo):
    """A deleted .venv (or a fresh `git worktree add`): git must not die with "the remote end hung up"."""
    assert gitfilter.install(cwd=repo, python=str(repo / ".venv" / "bin" / "python"), out=io.StringIO()) == 0
    assert not (repo / ".venv").exists()
    (repo / "src" / "turn_east" / "make").mkdir(parents=True)
    shutil.copy(ROOT / gitfilter.FALLBACK, repo / gitfilter.FALLBACK)  # as in every checkout of the course
    path = repo / LESSON
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][0]["source"] = "# Edited\n"
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    status = git(repo, "status", "--short", check=False)
    assert status.returncode == 0, status.stderr
    assert LESSON in status.stdout
    added = git(repo, "add", "-A", check=False)
    assert added.returncode == 0 and "hung up" not in added.stderr, added.stderr
    assert "needs the course's .venv" in added.stderr and "make venv" in added.stderr
    assert "# Edited" in git(repo, "show", f":{LESSON}").stdout


@needs_git
def test_the_set_up_installed_the_filter_in_this_checkout():
    """`make venv` (which `make test` runs first) configured this checkout; CI's fresh clone included."""
    for key, value in gitfilter.wanted_config(ROOT, str(ROOT / ".venv" / "bin" / "python")).items():
        got = subprocess.run(["git", "config", "--get", key], cwd=ROOT, capture_output=True, text=True)
        assert got.stdout.strip() == value, f"git config {key} is {got.stdout.strip()!r}; run `make venv`"
    attrs = subprocess.run(["git", "check-attr", "filter", "--", *NOTEBOOKS], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    assert attrs == [f"{rel}: filter: {FILTER}" for rel in NOTEBOOKS]


def test_one_rule_recognises_checked_cells_by_tag_or_by_nbvals_comment():
    """The filter, the refresh tool and the tests share one rule, and it agrees with nbval: the tag
    `nbval-check-output` (what the course uses) or a `# NBVAL_CHECK_OUTPUT` comment line (nbval's older form)."""
    tagged = {"cell_type": "code", "metadata": {"tags": ["nbval-check-output"]}, "source": "print(1)"}
    commented = {"cell_type": "code", "metadata": {}, "source": ["x = 1\n", "  # NBVAL_CHECK_OUTPUT\n", "print(x)"]}
    plain = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "print('# NBVAL_CHECK_OUTPUT')"}
    markdown = {"cell_type": "markdown", "metadata": {"tags": ["nbval-check-output"]}, "source": "text"}
    assert [checked(c) for c in (tagged, commented, plain, markdown)] == [True, True, False, False]
    nb = {"cells": [dict(tagged, outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}],
                         execution_count=7, id="a"),
                    dict(plain, outputs=[{"output_type": "stream", "name": "stdout", "text": "x\n"}],
                         execution_count=8, id="b")],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    cleaned = json.loads(clean(json.dumps(nb)))
    assert cleaned["cells"][0]["outputs"] and cleaned["cells"][0]["execution_count"] == 1
    assert cleaned["cells"][1]["outputs"] == [] and cleaned["cells"][1]["execution_count"] is None


@pytest.mark.parametrize("rel", NOTEBOOKS)
def test_checked_cells_use_the_tag_not_a_comment(rel):
    """Nothing meant for maintainers shows in a cell a student reads: checked cells carry the tag."""
    nb = json.loads((ROOT / rel).read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"])
        assert "NBVAL" not in text, f"{rel} cell {i}: use the cell tag nbval-check-output, not a comment"
