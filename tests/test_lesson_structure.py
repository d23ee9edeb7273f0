"""Every lesson has the parts a student, a seminar leader and a handout maker rely on."""

import ast
import csv
import json
import re

import pytest

from conftest import ROOT

LESSONS = [row["id"] for row in csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))] \
    if (ROOT / "data" / "lessons.csv").exists() else []
REQUIRED_PARAMS = {"audience": "student", "show_answers": False, "data_dir": None,
                   "render": "live", "student_name": "", "quiz_seed": None}
HEADINGS = ["## Learning objectives", "## Time and prerequisites", "## Quiz", "## Discussion",
            "## Key points", "## References", "## What's next"]
MIN_WORDS = 1500
ARTICLE_TITLE = "North Korea's Importance for Putin's"


def _load(lesson):
    return json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text(encoding="utf-8"))


def _src(cell):
    return "".join(cell["source"])


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def narrative_words(nb) -> int:
    """Words of student-visible prose: markdown cells that are not leader notes."""
    text = " ".join(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown" and "leader" not in _tags(c))
    text = re.sub(r"\(https?://[^)]*\)", "", text)
    return len(re.findall(r"[A-Za-z][A-Za-z'\-]*", text))


def test_the_twelve_lessons_are_listed():
    assert len(LESSONS) == 12
    kinds = {re.sub(r"^\d+_", "", l).split("_")[0] for l in LESSONS}
    assert {"course", "prelude", "stage", "epilogue", "motive", "synthesis"} <= kinds
    on_disk = {p.stem for p in (ROOT / "notebooks").glob("[0-8]*.ipynb")}
    assert on_disk == set(LESSONS), "every lesson notebook is in lessons.csv, and every listed lesson exists"


@pytest.mark.parametrize("lesson", LESSONS)
def test_parameters_cell_comes_first_with_student_defaults(lesson):
    nb = _load(lesson)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and "parameters" in _tags(code[0]), "the first code cell must be tagged 'parameters'"
    values = {}
    for node in ast.parse(_src(code[0])).body:
        assert isinstance(node, ast.Assign), "the parameters cell holds only assignments"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert REQUIRED_PARAMS.items() <= values.items()
    setup = _src(code[1])
    assert f'setup("{lesson}"' in setup.replace("'", '"'), "the second code cell calls setup() with the lesson id"
    for name in values:
        assert f"{name}={name}" in setup.replace(" ", ""), f"parameter {name} is not passed to setup()"


@pytest.mark.parametrize("lesson", LESSONS)
def test_sections_in_order(lesson):
    nb = _load(lesson)
    md = [_src(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert md[0].lstrip().startswith("# "), "the first cell is the lesson title"
    lines = [l.strip() for m in md for l in m.splitlines()]
    positions = []
    for h in HEADINGS:
        hits = [i for i, l in enumerate(lines) if l.lower() == h.lower()]
        assert hits, f"missing heading {h!r}"
        positions.append(hits[0])
    assert positions == sorted(positions), "headings out of order"


@pytest.mark.parametrize("lesson", LESSONS)
def test_narrative_is_long_enough(lesson):
    words = narrative_words(_load(lesson))
    assert words >= MIN_WORDS, f"{lesson}: {words} words of student-visible prose, want >= {MIN_WORDS}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_charts_are_introduced_and_read(lesson):
    cells = _load(lesson)["cells"]
    chart_cells = [i for i, c in enumerate(cells)
                   if c["cell_type"] == "code" and re.search(r"ctx\.show\(\s*charts\.", _src(c))]
    assert len(chart_cells) >= 3, f"{len(chart_cells)} charts; a lesson needs at least 3"
    for i in chart_cells:
        before, after = cells[i - 1], cells[i + 1] if i + 1 < len(cells) else None
        assert before["cell_type"] == "markdown" and "?" in _src(before), \
            f"cell {i}: a chart is introduced by the question it answers"
        assert after is not None and after["cell_type"] == "markdown", \
            f"cell {i}: a chart is followed by what it shows and cannot show"


@pytest.mark.parametrize("lesson", LESSONS)
def test_quiz_and_discussion_with_leader_notes(lesson):
    cells = _load(lesson)["cells"]
    assert any(c["cell_type"] == "code" and "ctx.quiz()" in _src(c) for c in cells), "no ctx.quiz() cell"
    leader = [c for c in cells if "leader" in _tags(c)]
    assert len(leader) >= 3, f"{len(leader)} leader notes; want one per discussion prompt (>= 3)"
    for c in leader:
        assert c["cell_type"] == "markdown" and _src(c).lstrip().startswith("**Leader note**")
    leader_text = " ".join(_src(c).lower() for c in leader)
    for word in ("minute", "model answer", "misconception"):
        assert word in leader_text, f"leader notes should mention {word!r}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_references_cite_the_article_without_inventing_an_author(lesson):
    nb = _load(lesson)
    md = "\n".join(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    refs = md.split("## References", 1)[1]
    assert ARTICLE_TITLE in refs.replace("\u2019", "'")
    assert "(article, §" in md, "cite the article by section, e.g. (article, § Stage Two)"


@pytest.mark.parametrize("lesson", LESSONS)
def test_whats_next_links_an_existing_notebook(lesson):
    nb = _load(lesson)
    md = "\n".join(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    nxt = md.split("## What's next", 1)[1]
    links = re.findall(r"\(([^)\s]+\.ipynb)\)", nxt)
    assert links, "What's next links the following notebook"
    for link in links:
        assert (ROOT / "notebooks" / link).exists(), f"{link} does not exist"
