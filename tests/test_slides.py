"""Slide metadata for jupyterlab-rise: every lesson cell has a slide type, set by `turn-east slides`.

Leader notes are speaker notes (never on a slide), the parameters and set-up cells are
skipped, headings open slides, and running the command twice changes nothing.
"""

import copy
import json
import shutil

import pytest

from conftest import ROOT
from turn_east import nbfiles
from turn_east.make import slides
from turn_east.cli import main as turn_east

LESSONS = slides.lesson_notebooks(ROOT / "notebooks")
FIX = "run `.venv/bin/turn-east lesson-metadata` to set the slide types and collapse the leader notes"


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell):
    return "".join(cell["source"])


def _type(cell):
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def _md(text, **meta):
    return {"cell_type": "markdown", "metadata": dict(meta), "source": text}


def _code(text, **meta):
    return {"cell_type": "code", "metadata": dict(meta), "source": text, "outputs": [], "execution_count": None}


def test_there_are_lessons_to_present():
    assert len(LESSONS) >= 10, [p.name for p in LESSONS]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_cell_has_a_slide_type(path):
    missing = [i for i, c in enumerate(_load(path)["cells"]) if _type(c) not in slides.SLIDE_TYPES]
    assert not missing, f"{path.name}: cells {missing} have no (or no valid) slide type; {FIX}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_slide_types_are_current(path):
    nb = _load(path)
    want = slides.slide_types(nb)
    have = [_type(c) for c in nb["cells"]]
    stale = [(i, h, w) for i, (h, w) in enumerate(zip(have, want)) if h != w]
    assert not stale, f"{path.name}: (cell, has, should be) {stale[:5]}; {FIX}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_leader_notes_stay_off_the_slides(path):
    cells = _load(path)["cells"]
    leader = [c for c in cells if "leader" in c.get("metadata", {}).get("tags", [])]
    assert leader, f"{path.name} has no leader notes to check"
    shown = [_src(c)[:40] for c in leader if _type(c) in ("slide", "subslide", "fragment", "-")]
    assert not shown, f"{path.name}: leader notes on a slide: {shown}"
    assert {_type(c) for c in leader} == {"notes"}
    open_notes = [_src(c)[:40] for c in leader if c["metadata"].get("jupyter", {}).get("source_hidden") is not True]
    assert not open_notes, f"{path.name}: leader notes not collapsed in JupyterLab: {open_notes}; {FIX}"
    assert all(_src(c).startswith("**Leader note**") for c in leader), "the collapsed bar must say what it is"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_parameters_and_setup_are_skipped_and_title_and_sections_open_slides(path):
    cells = _load(path)["cells"]
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and _type(params[0]) == "skip"
    setup = [c for c in cells if c["cell_type"] == "code" and "setup(" in _src(c)]
    assert setup and all(_type(c) == "skip" for c in setup)
    assert _type(cells[0]) == "slide" and _src(cells[0]).startswith("# ")
    for c in cells:
        if c["cell_type"] == "markdown" and _src(c).startswith("## ") and "leader" not in c["metadata"].get("tags", []):
            assert _type(c) == "slide", _src(c)[:60]
    charts_and_quiz = [c for c in cells if nbfiles.is_chart_cell(c) or nbfiles.is_quiz_cell(c)]
    assert len(charts_and_quiz) >= 4 and all(_type(c) == "-" for c in charts_and_quiz)


def test_rules_on_a_small_notebook():
    nb = {"cells": [
        _md("# Title\n\nWhere this lesson sits."),
        _code('audience = "student"\nshow_answers = False\ndata_dir = None', tags=["parameters"]),
        _code('from turn_east import charts\nfrom turn_east.notebook import setup\n\nctx = setup("x")\ncourse = ctx.course'),
        _md("## Section\n\nText."),
        _md("A short follow-up paragraph."),
        _md("A long paragraph. " * 40),
        _md("### Chart 1. What happened?"),
        _code("ctx.show(charts.timeline(course))"),
        _md("**What the chart shows.** Markers."),
        _code("course.events.head()"),
        _md("*Try it:* count them."),
        _md("**Leader note**\n\nTiming: 5 minutes.", tags=["leader"]),
        _md("## Discussion"),
        _md("**1.** A prompt?"),
        _md("**Leader note**\n\n*Timing:* 9 minutes.", tags=["leader"]),
        _md("2. Another prompt?"),
        _code("ctx.quiz()"),
        {"cell_type": "raw", "metadata": {}, "source": "raw"},
    ]}
    assert slides.slide_types(nb) == [
        "slide", "skip", "skip", "slide", "fragment", "subslide", "subslide", "-", "fragment", "-", "-",
        "notes", "slide", "subslide", "notes", "subslide", "-", "skip"]


def test_apply_is_idempotent_and_touches_only_the_slide_type():
    nb = {"cells": [_md("# T", slideshow={"slide_type": "skip", "keep": 1}, tags=["x"]), _code("1 + 1"),
                    _md("**Leader note**", tags=["leader"])],
          "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    before = copy.deepcopy(nb)
    assert slides.apply(nb) == 4  # three slide types and one leader note collapsed
    assert [c["metadata"]["slideshow"]["slide_type"] for c in nb["cells"]] == ["slide", "-", "notes"]
    assert nb["cells"][2]["metadata"]["jupyter"] == {"source_hidden": True}
    assert nb["cells"][0]["metadata"] == {"slideshow": {"slide_type": "slide", "keep": 1}, "tags": ["x"]}
    for a, b in zip(before["cells"], nb["cells"]):
        a["metadata"].pop("slideshow", None), b["metadata"].pop("slideshow", None)
        a["metadata"].pop("jupyter", None), b["metadata"].pop("jupyter", None)
    assert before == nb
    slides.apply(nb)
    snapshot = copy.deepcopy(nb)
    assert slides.apply(nb) == 0 and nb == snapshot


def test_command_is_idempotent_on_a_lesson_file(tmp_path, capsys):
    src = LESSONS[0]
    path = tmp_path / src.name
    shutil.copy(src, path)
    nb = _load(path)
    for c in nb["cells"]:
        c["metadata"].pop("slideshow", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    assert turn_east(["slides", "--check", str(path)]) == 1
    assert turn_east(["slides", str(path)]) == 0
    first = path.read_bytes()
    assert turn_east(["slides", str(path)]) == 0 and path.read_bytes() == first
    assert turn_east(["slides", "--check", str(path)]) == 0
    done = _load(path)
    assert [_src(c) for c in done["cells"]] == [_src(c) for c in nb["cells"]], "sources must not change"
    assert all(_type(c) in slides.SLIDE_TYPES for c in done["cells"])
    assert "up to date" in capsys.readouterr().out


def test_command_names_a_missing_notebook(tmp_path, capsys):
    assert turn_east(["slides", str(tmp_path / "nope.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err
