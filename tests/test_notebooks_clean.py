"""What is committed: notebooks without outputs, except the reference outputs of the cells nbval checks
(tagged `nbval-check-output`; the rule is turn_east.nbfiles.is_checked_output_cell).

These tests read each notebook as git holds it (the index: in a fresh clone, the last commit), not
the file on disk. A student who runs and saves a lesson changes only the file; the notebook filter
(turn_east.make.gitfilter) keeps those outputs out of git, and these tests keep passing. A commit that
carries outputs (made without the filter) fails them, in CI's fresh clone as anywhere.
A notebook not yet added to git is checked as `git add` would store it (through the filter).
Outside a git checkout (a release folder) nothing is committed, so there is nothing to check.
"""

import json
import subprocess

import pytest

from conftest import ROOT

FOLDERS = ("notebooks", "exercises", "solutions")
NOTEBOOKS = sorted(p for d in FOLDERS for p in (ROOT / d).glob("*.ipynb"))


def _in_git() -> bool:
    done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == str(ROOT)


IN_GIT = _in_git()
needs_git = pytest.mark.skipif(not IN_GIT, reason=f"{ROOT} is not a git checkout: nothing here is committed")


def committed(path) -> tuple[dict, str]:
    """The notebook as git holds it (index), and where it came from, for messages."""
    rel = path.relative_to(ROOT).as_posix()
    shown = subprocess.run(["git", "show", f":{rel}"], cwd=ROOT, capture_output=True)
    if shown.returncode == 0:
        return json.loads(shown.stdout.decode("utf-8")), "as committed (git index)"
    from turn_east.make.gitfilter import clean

    return json.loads(clean(path.read_text(encoding="utf-8"), rel)), "not yet in git: as `git add` would store it"


def _checked(cell) -> bool:
    from turn_east.nbfiles import is_checked_output_cell

    return is_checked_output_cell(cell)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 11, "expected the lesson notebooks in notebooks/"


@needs_git
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    nb, source = committed(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", "kernelspec must be python3"
    dirty = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or _checked(cell):
            continue
        if cell.get("execution_count") is not None:
            dirty.append(f"cell {i}: execution_count {cell['execution_count']}")
        if cell.get("outputs"):
            dirty.append(f"cell {i}: {len(cell['outputs'])} output(s)")
    assert not dirty, (f"{path.name} {source} has outputs: {dirty}. Was it committed without the notebook "
                       "filter? Run `make venv` (it sets the filter up), then `git add --renormalize "
                       f"{path.relative_to(ROOT)}` and commit")


@needs_git
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_checked_cells_carry_their_reference(path):
    nb, source = committed(path)
    for i, cell in enumerate(nb["cells"]):
        if _checked(cell):
            assert cell["outputs"], (f"{path.name} cell {i} {source}: no reference output; run "
                                     "`turn-east refresh`")
            # nbval compares only cells that look executed; an unrun cell with outputs is an error to it.
            assert cell["execution_count"] == 1, f"{path.name} cell {i} {source}: execution_count must be 1"
