"""Every lesson has the parts a student, a seminar leader and a handout maker rely on."""

import ast
import csv
import json
import re

import pytest

from conftest import ROOT
from turn_east import policy

ROWS = list(csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))) \
    if (ROOT / "data" / "lessons.csv").exists() else []
LESSONS = [row["id"] for row in ROWS]
REQUIRED_PARAMS = {"audience": "student", "show_answers": False, "data_dir": None,
                   "render": "live", "student_name": "", "quiz_seed": None}
HEADINGS = list(policy.HEADINGS)
MIN_WORDS = policy.MIN_WORDS
ARTICLE_TITLE = "North Korea's Importance for Putin's"
#: A student release (`turn-east release`, which ships this file) marks its quiz bank sealed in the data package;
#: its lessons have had their leader notes taken out.
STUDENT_RELEASE = any(r.get("name") == "questions" and r.get("sealed") for r in json.loads(
    (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))["resources"])


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


def test_the_lessons_are_listed_with_known_kinds():
    """lessons.csv is the one list of lessons (its length is the course's, not a number in a test); every
    kind is one the course's tools know (turn_east.policy.LESSON_KINDS, the enum in datapackage.json)."""
    assert LESSONS, "data/lessons.csv lists the lessons"
    on_disk = {p.stem for p in (ROOT / "notebooks").glob("[0-8]*.ipynb")}
    assert on_disk == set(LESSONS), "every lesson notebook is in lessons.csv, and every listed lesson exists"
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in package["resources"] if r["name"] == "lessons" for f in r["schema"]["fields"]}
    assert fields["kind"]["constraints"]["enum"] == list(policy.LESSON_KINDS), \
        "the kind enum of datapackage.json and turn_east.policy.LESSON_KINDS list the same kinds"
    assert [int(r["order"]) for r in ROWS] == list(range(len(ROWS))), "lessons.csv numbers its rows 0, 1, 2, ..."
    for r in ROWS:
        assert bool(r["stage"]) == (r["kind"] in policy.KINDS_WITH_A_PERIOD), f"{r['id']}: stage of a {r['kind']}"
        assert bool(r["motive"]) == (r["kind"] == "motive"), f"{r['id']}: motive of a {r['kind']}"


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
    assert len(chart_cells) >= policy.MIN_CHARTS, \
        f"{len(chart_cells)} charts; a lesson needs at least {policy.MIN_CHARTS} (turn_east.policy.MIN_CHARTS)"
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
    if STUDENT_RELEASE:
        assert not leader, f"{len(leader)} leader notes in a student release"
        return
    assert len(leader) >= policy.MIN_LEADER_NOTES, \
        f"{len(leader)} leader notes; want one per discussion prompt (>= {policy.MIN_LEADER_NOTES})"
    for c in leader:
        assert c["cell_type"] == "markdown" and _src(c).lstrip().startswith("**Leader note**")
    leader_text = " ".join(_src(c).lower() for c in leader)
    for word in policy.LEADER_NOTE_WORDS:
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
