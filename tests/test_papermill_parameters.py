"""papermill reads every lesson's parameters cell cleanly: its "Unable to parse line ..." warning (which looks
like an error to a lecturer) never appears, neither when papermill inspects a notebook (`turn-east handouts -p`)
nor in the output of a real render (issue 24)."""

from __future__ import annotations

import logging

import pytest

from conftest import ROOT

NOTEBOOKS = sorted(p for folder in ("notebooks", "exercises", "solutions") for p in (ROOT / folder).glob("*.ipynb"))
WARNING = "Unable to parse"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_papermill_parses_every_parameter_line(path, caplog):
    import papermill

    with caplog.at_level(logging.DEBUG):
        params = papermill.inspect_notebook(str(path))
    assert not [r.getMessage() for r in caplog.records if WARNING in r.getMessage()]
    if "audience" in params:  # a lesson: every line of its parameters cell is a parameter papermill knows
        assert {"audience", "show_answers", "data_dir"} <= set(params)
        assert all(spec["default"] not in (None, "") for spec in params.values())


@pytest.mark.browser
@pytest.mark.slow
def test_a_render_prints_no_parse_warning(stage_build):
    seen = stage_build["stdout"] + stage_build["stderr"] + stage_build["kernels_log"]
    assert stage_build["rc"] == 0
    assert WARNING not in seen, [line for line in seen.splitlines() if WARNING in line][:3]


def test_the_check_would_see_the_warning(tmp_path, caplog):
    """The line that once made papermill warn (a comment holding '=') is caught by the check above."""
    import nbformat
    import papermill

    cell = nbformat.v4.new_code_cell('audience = "student"\ndata_dir = None  # None = the bundled data',
                                     metadata={"tags": ["parameters"]})
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    with caplog.at_level(logging.DEBUG):
        papermill.inspect_notebook(str(path))
    assert any(WARNING in r.getMessage() for r in caplog.records)
