"""Adding a lesson, the way docs/CONTRIBUTING.md ("Add a lesson") says (issue 25): a copy of the course gets a
synthetic lesson of a new kind (an India case study, "case"), with its lessons.csv row (the synthesis renumbered
after it), the kind in datapackage.json's enum, its quiz questions and further readings. Nothing else is
edited, and the course map's list, the leader guide's plans, the handouts (one render of the new lesson) and the
website's table of contents and pages (a real Sphinx build of that one lesson) pick it up.

One kernel runs the course map's lesson list and one renders the new lesson; Sphinx builds six pages."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil

import nbformat
import pytest

from conftest import ROOT
from turn_east import policy
from turn_east.data import load_course, validate
from turn_east.make import guide, prose
from turn_east.make.execute import execute_in_kernel

pytestmark = pytest.mark.slow

LESSON = "15_case_india_the_other_partner"
TITLE = "Case: India, the other partner"
KIND = "case"
MINUTES = (30, 20, 25)
HEADINGS = ("India in the course data", "What India's data cannot show")


def _csv_rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write_rows(path, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _append_rows(path, rows):
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=list(_csv_rows(path)[0]), lineterminator="\n").writerows(rows)
    path.write_text(path.read_text(encoding="utf-8") + buf.getvalue(), encoding="utf-8")


def lesson_notebook() -> nbformat.NotebookNode:
    """The smallest notebook with every part policy.HEADINGS and the leader guide read (a real lesson also meets
    the minimums of turn_east.policy: words, charts, leader notes, documents, glossary terms)."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    params = code('# Lesson settings. The defaults make this a student lesson.\naudience = "student"      # "student" '
                  'or "leader"\nshow_answers = False      # True shows the quiz answer key\ndata_dir = None           '
                  '# None: the bundled course data\nrender = "live"           # "live" or "static"\nstudent_name = ""'
                  '         # printed on a personalised handout\nquiz_seed = None          # an int shuffles the quiz',
                  metadata={"tags": ["parameters"]})
    setup = code(f'from turn_east import charts\nfrom turn_east.notebook import setup\n\nctx = setup("{LESSON}", '
                 'audience=audience, show_answers=show_answers,\n            data_dir=data_dir, render=render, '
                 'student_name=student_name, quiz_seed=quiz_seed)\ncourse = ctx.course')
    r, e, d = MINUTES
    cells = [
        md(f"# {TITLE}\n\nA case study after the motive lessons: India, which the article ranks with North Korea."),
        params, setup,
        md("## Learning objectives\n\n1. Trace India's place in the course data."),
        md(f"## Time and prerequisites\n\n| Part | Minutes |\n|---|---|\n| Reading (narrative and charts) | {r} |\n"
           f"| Exercises (data cells, quiz) | {e} |\n| Discussion | {d} |"),
        md(f"## {HEADINGS[0]}\n\nWhen do India's events cluster, and with whom?"),
        code('ctx.show(charts.timeline(course, actors=["IND"]))'),
        md(f"**What it shows.** India's events over time.\n\n## {HEADINGS[1]}\n\nWhat the counts leave out."),
        md("## Quiz"), code("ctx.quiz()"),
        md("## Discussion\n\n**1.** Is India a partner of the same kind as North Korea?"),
        md("**Leader note**\n\n*Timing:* 10 minutes. *Model answer:* no. *Misconception:* that counts are weight.",
           metadata={"tags": ["leader"]}),
        md("## Key points\n\n- India matters to the Turn in another way than North Korea."),
        md("## References"), code("ctx.further_reading()"),
        md("## What's next\n\nGo on to [the synthesis](20_synthesis_weighing_the_argument.ipynb)."),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def add_lesson(root):
    """The data edits of CONTRIBUTING's "Add a lesson" for LESSON, in the course folder ``root``."""
    data = root / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    lessons = next(r for r in package["resources"] if r["name"] == "lessons")
    kind = next(f for f in lessons["schema"]["fields"] if f["name"] == "kind")
    kind["constraints"]["enum"].append(KIND)
    (data / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    rows = _csv_rows(data / "lessons.csv")
    synthesis = next(r for r in rows if r["kind"] == "synthesis")
    at = int(synthesis["order"])
    for r in rows:
        if int(r["order"]) >= at:
            r["order"] = str(int(r["order"]) + 1)
    rows.insert(rows.index(synthesis), dict(
        id=LESSON, order=str(at), title=TITLE, kind=KIND, stage="", motive="", reading_min=str(MINUTES[0]),
        exercise_min=str(MINUTES[1]), discussion_min=str(MINUTES[2]),
        summary="Sets India beside North Korea as the other state the article ranks after China."))
    _write_rows(data / "lessons.csv", rows)

    blank = {c: "" for c in _csv_rows(data / "questions.csv")[0]}
    base = dict(blank, lesson=LESSON, section=HEADINGS[0], article_section="intro", source_id="article",
                explanation="The article's opening ranks India with North Korea, after China.")
    _append_rows(data / "questions.csv", [
        dict(base, id=f"india-q{n}", type="truefalse", skill=skill, prompt=prompt, answer=answer,
             section=HEADINGS[n % 2])
        for n, (skill, prompt, answer) in enumerate([
            ("recall", "The article ranks India with North Korea, after China.", "true"),
            ("interpret", "A count of India's events measures India's weight to Moscow.", "false"),
            ("interpret", "India is one of the seven actors the relations chart scores.", "true"),
            ("evaluate", "India's clash with China in 2020 made India more useful to Moscow.", "false"),
            ("apply", "A summit between Modi and Putin scores above zero on the Goldstein scale.", "true")])])
    sources = [r["id"] for r in _csv_rows(data / "sources.csv") if r["kind"] in ("book", "journal")][:3]
    _append_rows(data / "readings.csv", [dict(lesson=LESSON, order=str(n), source_id=s, note="A test reading.")
                                         for n, s in enumerate(sources, start=1)])
    nbformat.write(lesson_notebook(), str(root / "notebooks" / f"{LESSON}.ipynb"))


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    add_lesson(root)
    return root


def test_the_new_lesson_passes_validation_with_its_quiz_pointers(copy):
    assert validate(copy / "data") == []
    course = load_course(copy / "data")
    assert course.lesson(LESSON)["kind"] == KIND
    assert list(course.lessons["id"])[-2:] == [LESSON, "20_synthesis_weighing_the_argument"]
    assert len([q for q in course.bank if q.lesson == LESSON]) >= policy.MIN_QUESTIONS
    found = [f for f in prose.check(course, copy / "notebooks") if f.path.stem == LESSON]
    assert not prose.problems(found), "its time table agrees with lessons.csv"


def test_the_leader_guide_plans_the_new_lesson(copy):
    course = load_course(copy / "data")
    plans = {p.lesson_id: p for p in guide.seminar_plans(course, copy / "notebooks")}
    assert list(plans) == list(course.lessons["id"])
    plan = plans[LESSON]
    assert plan.title == TITLE and plan.total_minutes == 90 and len(plan.charts) == 1 and len(plan.prompts) == 1
    assert dict(plan.blocks)["Reading and charts"] == MINUTES[0]
    assert TITLE in guide.overview_markdown(list(plans.values()))


def test_the_course_map_lists_the_new_lesson(copy, monkeypatch):
    """The course map's lesson table, run as the lesson runs it (its parameters, set-up and table cells)."""
    nb = nbformat.read(str(copy / "notebooks" / "00_course_map.ipynb"), as_version=4)
    keep = [c for c in nb.cells if c.cell_type == "code" and ("parameters" in c.metadata.get("tags", [])
            or "setup(" in c.source or "course.lessons" in c.source)]
    assert len(keep) == 3, [c.source[:40] for c in keep]
    nb.cells = keep
    monkeypatch.setenv("TURN_EAST_DATA", str(copy / "data"))
    ran = execute_in_kernel(nb, cwd=copy / "notebooks", timeout=120)
    table = next(o["data"]["text/html"] for o in ran.cells[-1].outputs if "text/html" in o.get("data", {}))
    assert TITLE in table and table.index(TITLE) < table.index("Synthesis: weighing the argument")


@pytest.fixture(scope="module")
def rendered(copy):
    """One student handout of the new lesson, as `turn-east handouts` renders it."""
    from turn_east.make.handouts import cli as handouts

    out = copy / "build"
    status = handouts.main(["--notebooks-dir", str(copy / "notebooks"), "-p", f"data_dir={copy / 'data'}",
                            "--lessons", LESSON, "--audience", "student", "--out", str(out), "--jobs", "1", "-q"])
    assert status == 0
    return out


def test_the_handout_of_the_new_lesson(rendered):
    page = (rendered / "handouts" / "student" / f"{LESSON}.html").read_text(encoding="utf-8")
    assert TITLE in page and "The article ranks India with North Korea" in page
    index = (rendered / "handouts" / "index.html").read_text(encoding="utf-8")
    assert TITLE in index and f"student/{LESSON}.html" in index


def test_the_site_lists_and_builds_the_new_lesson(copy, rendered):
    """The site's pages and table of contents from the handouts' execution, then Sphinx on them."""
    pytest.importorskip("sphinx")
    from turn_east.make.handouts.plan import make_plan
    from turn_east.make.site import build as site_build
    from turn_east.make.site.config import read_config

    args = argparse.Namespace(lessons=[LESSON], audience="student", out=str(rendered), param=[
        f"data_dir={copy / 'data'}"], jobs=1, pdf=False, cohort=None, notebooks_dir=str(copy / "notebooks"))
    plan = site_build.site_plan(make_plan(args))
    assert site_build.ensure_executions(plan) == ([LESSON], []), "the site reuses the handout's execution"
    files = site_build.site_sources(plan, "student", read_config())
    assert f"lessons/{LESSON}" in files["index.md"], "the table of contents lists the lesson"
    assert TITLE in files["course-map.md"] and f"### {TITLE}" in files["leaders.md"]
    src, html = copy / "site" / "src", copy / "site" / "html"
    site_build._sync(src, files)
    warnings = site_build.run_sphinx(src, html, copy / "site" / "doctrees")
    assert warnings == []
    page = (html / "lessons" / f"{LESSON}.html").read_text(encoding="utf-8")
    assert TITLE in page
    home = (html / "index.html").read_text(encoding="utf-8")
    assert f"lessons/{LESSON}.html" in home


def test_the_guide_for_authors_cites_the_minimums_of_the_policy():
    """docs/CONTRIBUTING.md prints the minimums of turn_east.policy; they must not drift apart."""
    text = (ROOT / "docs" / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Add a lesson", 1)[1].split("\n## ", 1)[0]
    table = [tuple(c.strip() for c in line.strip("|").split("|")) for line in section.splitlines()
             if line.startswith("| ") and not line.startswith("| every lesson has")]
    assert table == policy.minimums()
    for name in ("LESSON_KINDS", "lessons.csv", "datapackage.json", "questions.csv", "make exercises",
                 "turn-east lesson-metadata", "turn-east refresh", "tests/test_practice_checks.py"):
        assert name in section, name
