"""Notebooks are committed without outputs; only `# NBVAL_CHECK_OUTPUT` cells keep their reference output."""

import json

import pytest

from conftest import ROOT

FOLDERS = ("notebooks", "exercises", "solutions")
NOTEBOOKS = sorted(p for d in FOLDERS for p in (ROOT / d).glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 11, "expected the lesson notebooks in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", "kernelspec must be python3"
    dirty = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        checked = "".join(cell["source"]).lstrip().startswith("# NBVAL_CHECK_OUTPUT")
        if cell.get("execution_count") is not None and not checked:
            dirty.append(f"cell {i}: execution_count {cell['execution_count']}")
        if cell.get("outputs") and not checked:
            dirty.append(f"cell {i}: {len(cell['outputs'])} output(s)")
    assert not dirty, f"{path.name} has outputs; clear them before committing: {dirty}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_checked_cells_carry_their_reference(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and "".join(cell["source"]).lstrip().startswith("# NBVAL_CHECK_OUTPUT"):
            assert cell["outputs"], (f"{path.name} cell {i}: no reference output; run "
                                     "`turn-east refresh-checked-outputs`")
