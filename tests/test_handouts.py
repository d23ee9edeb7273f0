"""`turn-east handouts`: papermill batch rendering, the way a course maintainer runs it.

The tests render small fixture notebooks (tests/fixtures/handouts/), not the real
lessons: `lesson-pass-minimal` has a leader note, a chart through ctx.show, a
printed output and the quiz of lesson 02; `lesson-fail-raises` breaks in cell 3.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from turn_east import paths
from turn_east.make import files, handouts
from turn_east.cli import build_parser

FIXTURES = Path(__file__).parent / "fixtures" / "handouts"
PASS, FAIL = "lesson-pass-minimal", "lesson-fail-raises"
QUIZ_LESSON = "02_stage_1_adjusting_to_asia"  # the lesson id the passing fixture's setup() uses
PREVIOUS_GOOD = "<html><body>PREVIOUS GOOD HANDOUT</body></html>"

# An independent check (not the module's own helper): any script/link tag that loads from off the machine.
EXTERNAL_TAG = re.compile(
    r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
INLINE_LOAD = re.compile(r"""(?:import\s*\(|\.src\s*=|importScripts\s*\()\s*["'](?:https?:)?//""", re.I)


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = handouts.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Render both fixtures for both audiences; a previous good handout of the broken lesson exists."""
    out = tmp_path_factory.mktemp("handouts-build")
    for audience in ("student", "leader"):
        folder = out / "handouts" / audience
        folder.mkdir(parents=True)
        (folder / f"{FAIL}.html").write_text(PREVIOUS_GOOD, encoding="utf-8")
    rc, stdout, stderr = call("--notebooks-dir", str(FIXTURES), "--out", str(out), "--jobs", "2",
                              "-p", "bar_count=4")
    return {"out": out, "rc": rc, "stdout": stdout, "stderr": stderr,
            "student": (out / "handouts" / "student" / f"{PASS}.html").read_text(encoding="utf-8"),
            "leader": (out / "handouts" / "leader" / f"{PASS}.html").read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def lesson_questions(course):
    qs = [q for q in course.bank if q.lesson == QUIZ_LESSON]
    assert qs, f"the question bank has no questions for {QUIZ_LESSON}; the fixture needs some"
    return qs


# ------------------------------------------------------------------ the batch
@pytest.mark.slow
def test_batch_writes_every_handout_and_executed_notebook(batch):
    out = batch["out"]
    for audience in ("student", "leader"):
        assert (out / "handouts" / audience / f"{PASS}.html").stat().st_size > 10_000
        nb = json.loads((out / "executed" / audience / f"{PASS}.ipynb").read_text(encoding="utf-8"))
        injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
        src = "".join(injected["source"])
        assert 'render = "static"' in src and f'audience = "{audience}"' in src
        assert f"show_answers = {audience == 'leader'}" in src
    assert (out / "handouts" / "plotly.min.js").read_bytes() == _plotly_js().read_bytes()


@pytest.mark.slow
def test_one_broken_lesson_fails_the_batch_but_not_the_others(batch):
    assert batch["rc"] == 1
    err = batch["stderr"]
    # the report names the lesson, the failing cell (index and first line) and the error
    line = next(ln for ln in err.splitlines() if ln.startswith(f"FAILED {FAIL} [student]"))
    assert "cell 3" in line
    assert 'raise RuntimeError("FIXTURE-BROKEN deliberately broken cell")' in line
    assert "RuntimeError: FIXTURE-BROKEN deliberately broken cell" in line
    # the summary table lists every job with its status
    rows = [ln.split() for ln in batch["stdout"].splitlines()]
    assert ["lesson", "audience", "status", "seconds", "size"] == rows[0]
    status = {(r[0], r[1]): r[2] for r in rows[2:] if len(r) >= 3 and r[0] in (PASS, FAIL)}
    assert status == {(PASS, "student"): "ok", (PASS, "leader"): "ok",
                      (FAIL, "student"): "failed", (FAIL, "leader"): "failed"}


@pytest.mark.slow
def test_failed_render_leaves_previous_handout_and_no_partial_file(batch):
    out = batch["out"]
    for audience in ("student", "leader"):
        folder = out / "handouts" / audience
        assert (folder / f"{FAIL}.html").read_text(encoding="utf-8") == PREVIOUS_GOOD
        leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".") or ".tmp" in p.name]
        assert leftovers == []
        executed = out / "executed" / audience
        assert not (executed / f"{FAIL}.ipynb").exists()
        assert (executed / f"{FAIL}.failed.ipynb").exists()  # kept for debugging, never a handout
        assert [p.name for p in executed.iterdir() if ".tmp" in p.name] == []


@pytest.mark.slow
def test_leader_notes_only_in_the_leader_handout(batch):
    assert "LEADER-ONLY-MARKER" not in batch["student"]
    assert "LEADER-ONLY-MARKER" in batch["leader"]
    assert "Leader view" in batch["leader"] and "Leader view" not in batch["student"]
    # the leader copy carries the lesson's timings from lessons.csv
    assert re.search(r"Timings: reading \d+ min, exercise \d+ min, discussion \d+ min", batch["leader"])
    assert "Timings:" not in batch["student"]
    for page in (batch["student"], batch["leader"]):
        assert "STUDENT-VISIBLE-MARKER" in page


@pytest.mark.slow
def test_answers_only_in_the_leader_handout(batch, lesson_questions):
    student, leader = html.unescape(batch["student"]), html.unescape(batch["leader"])
    assert "te-quiz-selfcheck" in student and "te-quiz-key" not in student
    assert "te-quiz-key" in leader
    for q in lesson_questions:
        if q.explanation:
            explanation = q.explanation
            assert explanation in leader, q.id
            assert explanation not in student, q.id
    assert "Answer:</b>" not in student


@pytest.mark.slow
def test_code_hidden_outputs_kept_and_parameter_applied(batch):
    for page in (batch["student"], batch["leader"]):
        assert "SECRET-SOURCE-MARKER" not in page       # code cells hidden
        assert "PRINTED-OUTPUT 8" in page               # their output kept, with -p bar_count=4
        assert "FIXTURE-DESCRIPTION" in page            # the chart's description below it
        assert 'id="te-02_stage_1_adjusting_to_asia-fig1"' in page   # deterministic div id
        assert page.count("Plotly.newPlot(") == 4                   # the bar chart and the map, each with
        assert page.count('class="te-print"') == 2                  # its printed copy (charts.printable)
        assert 'id="te-02_stage_1_adjusting_to_asia-fig2"' in page and "FIXTURE-MAP" in page


@pytest.mark.slow
def test_handouts_are_offline(batch):
    folder = batch["out"] / "handouts"
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if text == PREVIOUS_GOOD:
            continue
        assert not EXTERNAL_TAG.search(text), page
        assert not INLINE_LOAD.search(text), page
        assert handouts.external_references(text) == [], page
        assert "require.js" not in text and "MathJax" not in text.replace("mathjax", "")
        for src in re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", text):
            assert (page.parent / src).resolve().is_file(), (page, src)
    student = (folder / "student" / f"{PASS}.html").read_text(encoding="utf-8")
    assert '<script src="../plotly.min.js"></script>' in student
    assert student.count("plotly.min.js") == 1
    # the map's outlines ship beside the handouts too (plotly.js would fetch them from its CDN)
    assert '<script src="../plotly-geo-topojson.js"></script>' in student
    assert (folder / "plotly-geo-topojson.js").stat().st_size > 100_000
    # written from the course's one copy of the outlines (static/topojson/*.json), not a second copy
    assert (folder / "plotly-geo-topojson.js").read_text(encoding="utf-8") == handouts.geo_assets_js()


def test_geo_assets_js_wraps_the_topojson_files_as_they_are(tmp_path):
    outlines = sorted(paths.TOPOJSON_DIR.glob("*.json"))
    assert [f.name for f in outlines] == ["world_50m.json"]  # only what northeast_asia_map needs (scope world, 50m)
    js = handouts.geo_assets_js()
    assert js == handouts.geo_assets_js()  # the same bytes on every run
    assert not EXTERNAL_TAG.search(js) and "window.PlotlyGeoAssets" in js
    for f in outlines:
        assert f"t[{json.dumps(f.stem)}]={f.read_text(encoding='utf-8').strip()};" in js
    assert not list(paths.STATIC_DIR.glob("*.js")), "a second copy of the outlines in static/"
    handouts.install_plotly_js(tmp_path)
    first = (tmp_path / handouts.GEO_JS).stat().st_mtime_ns
    handouts.install_plotly_js(tmp_path)  # unchanged: not rewritten
    assert (tmp_path / handouts.GEO_JS).stat().st_mtime_ns == first
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no topojson files"):
        handouts.geo_assets_js(tmp_path / "empty")


@pytest.mark.slow
def test_index_links_every_handout_with_date_and_data_version(batch):
    index = (batch["out"] / "handouts" / "index.html").read_text(encoding="utf-8")
    for audience in ("student", "leader"):
        assert f'href="{audience}/{PASS}.html"' in index
    assert dt.date.today().isoformat() in index
    version = json.loads((paths.data_dir() / "datapackage.json").read_text())["version"]
    assert f"data version {version}" in index
    for href in re.findall(r'href="([^"]+)"', index):
        assert (batch["out"] / "handouts" / href).is_file(), href


# ------------------------------------------------------------------ parameter checks (nothing rendered)
@pytest.mark.parametrize("param, expected", [
    ("colour=red", ["unknown parameter 'colour'", PASS, "allowed", "bar_count", "data_dir"]),
    ("bar_count='many'", ["parameter 'bar_count'", PASS, "expected int", "allowed names"]),
    ("bar_count=True", ["parameter 'bar_count'", "expected int"]),
    ("data_dir=3", ["parameter 'data_dir'", "expected None or str"]),
    ("audience=leader", ["'audience' is set by turn-east handouts", "--audience"]),
    ("show_answers=True", ["'show_answers' is set by turn-east handouts"]),
    ("data_dir=/no/such/folder", ["/no/such/folder", "data folder not found", "Nothing was rendered"]),
    ("bar_count", ["expected NAME=VALUE"]),
])
def test_bad_parameter_exits_2_and_renders_nothing(tmp_path, param, expected):
    out = tmp_path / "build"
    rc, stdout, stderr = call("--notebooks-dir", str(FIXTURES), "--out", str(out), "-p", param)
    assert rc == 2
    for text in expected:
        assert text in stderr, (text, stderr)
    assert "nothing was rendered" in stderr
    assert not out.exists()


def test_unknown_lesson_exits_2(tmp_path):
    rc, _, stderr = call("--notebooks-dir", str(FIXTURES), "--out", str(tmp_path / "b"), "--lessons", "99")
    assert rc == 2 and "no lesson matches '99'" in stderr and PASS in stderr
    assert not (tmp_path / "b").exists()


def test_lessons_select_by_id_or_prefix(course):
    lessons = handouts.discover_lessons(course, FIXTURES)
    assert [ls.id for ls in handouts.select_lessons(lessons, ["lesson-pass"])] == [PASS]
    assert [ls.id for ls in handouts.select_lessons(lessons, [f"{FAIL},{PASS}"])] == [FAIL, PASS]
    lessons = handouts.discover_lessons(course)
    assert [ls.id for ls in handouts.select_lessons(lessons, ["02"])] == ["02_stage_1_adjusting_to_asia"]
    assert len(handouts.select_lessons(lessons, ["0"])) == 6


def test_course_lessons_come_from_lessons_csv(course):
    ids = [ls.id for ls in handouts.discover_lessons(course)]
    assert ids[0] == "00_course_map" and ids[-1] == "20_synthesis_weighing_the_argument"
    assert len(ids) == 11 and "90_leader_guide" not in ids


def test_pdf_without_chromium_is_a_clear_error(tmp_path, monkeypatch):
    from turn_east.make.handouts import plan

    monkeypatch.setattr(plan, "find_chromium", lambda: None)
    rc, _, stderr = call("--notebooks-dir", str(FIXTURES), "--out", str(tmp_path / "b"), "--pdf")
    assert rc == 2 and "--pdf needs Chromium" in stderr and "apt-get install chromium" in stderr
    assert not (tmp_path / "b").exists()


def test_bad_cohort_files_exit_2(tmp_path):
    no_name = tmp_path / "a.csv"
    no_name.write_text("student\nAnna\n", encoding="utf-8")
    dup = tmp_path / "b.csv"
    dup.write_text("name\nAnna Lee\nanna-lee\n", encoding="utf-8")
    for path, text in ((no_name, "needs a 'name' column"), (dup, "already used on line 2"),
                       (tmp_path / "missing.csv", "does not exist")):
        rc, _, stderr = call("--notebooks-dir", str(FIXTURES), "--out", str(tmp_path / "b"), "--cohort", str(path))
        assert rc == 2 and text in stderr, stderr
    assert not (tmp_path / "b").exists()


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "x.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with files.atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.html"]
    files.write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_external_reference_detector():
    page = ('<script src="https://cdn.example.org/a.js"></script><link rel="stylesheet" href="//x.org/s.css">'
            '<script src="../plotly.min.js"></script><a href="https://example.org">a link is fine</a>'
            '<script>import("https://esm.sh/mermaid")</script>')
    refs = handouts.external_references(page)
    assert ("script", "https://cdn.example.org/a.js") in refs and ("link", "//x.org/s.css") in refs
    assert ("script (inline)", "https://esm.sh/mermaid") in refs and len(refs) == 3
    cleaned = handouts.make_offline(page)
    assert handouts.external_references(cleaned) == [("script (inline)", "https://esm.sh/mermaid")]


# ------------------------------------------------------------------ cohort
@pytest.mark.slow
def test_cohort_gets_personalised_copies(tmp_path):
    roster = tmp_path / "students.csv"
    roster.write_text("name,id\nZoë Kim,\nIvan Petrov,ip-07\n", encoding="utf-8")
    out = tmp_path / "build"
    rc, stdout, stderr = call("--notebooks-dir", str(FIXTURES), "--out", str(out), "--lessons", PASS,
                              "--cohort", str(roster), "--jobs", "2")
    assert rc == 0, stderr
    zoe = out / "handouts" / "cohort" / "zoe-kim" / f"{PASS}.html"
    ivan = out / "handouts" / "cohort" / "ip-07" / f"{PASS}.html"
    assert "Prepared for: <strong>Zoë Kim</strong>" in zoe.read_text(encoding="utf-8")
    assert "Ivan Petrov" in ivan.read_text(encoding="utf-8")
    for page in (zoe, ivan):
        text = page.read_text(encoding="utf-8")
        assert "LEADER-ONLY-MARKER" not in text and "te-quiz-key" not in text
        assert '<script src="../../plotly.min.js"></script>' in text
    assert not (out / "handouts" / "student").exists()  # --cohort alone renders only the cohort copies
    nb = json.loads((out / "executed" / "cohort" / "zoe-kim" / f"{PASS}.ipynb").read_text(encoding="utf-8"))
    injected = "".join(next(c for c in nb["cells"]
                            if "injected-parameters" in c["metadata"].get("tags", []))["source"])
    assert f"quiz_seed = {handouts.quiz_seed_for('Zoë Kim')}" in injected
    index = (out / "handouts" / "index.html").read_text(encoding="utf-8")
    assert f'href="cohort/zoe-kim/{PASS}.html"' in index


def test_quiz_seed_is_deterministic_per_name():
    assert handouts.quiz_seed_for("Zoë Kim") == handouts.quiz_seed_for(" Zoë Kim ")
    assert handouts.quiz_seed_for("Zoë Kim") != handouts.quiz_seed_for("Ivan Petrov")
    assert handouts.slugify("Zoë Kim") == "zoe-kim"
    assert handouts.slugify("김정은").startswith("student-")


# ------------------------------------------------------------------ CLI wiring
def test_cli_registers_the_subcommand():
    args = build_parser().parse_args(["handouts", "--lessons", "02", "--audience", "leader", "-p", "data_dir=x",
                                      "--jobs", "3"])
    assert args.func is handouts.run and args.lessons == ["02"] and args.audience == "leader"
    assert args.param == ["data_dir=x"] and args.jobs == 3 and args.out == "build"
    assert handouts.parser().parse_args([]).jobs == (os.cpu_count() or 1)


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def test_links_between_lessons_point_at_handouts():
    import nbformat

    from turn_east.make.handouts.postprocess import exporter

    markdown = ("See [Stage Two](03_stage_2_after_crimea.ipynb), "
                "[its quiz](../notebooks/03_stage_2_after_crimea.ipynb#quiz), "
                "[the `exercise`](../exercises/03_stage_2_after_crimea.ipynb), "
                "[`03_stage_2_after_crimea.ipynb`](03_stage_2_after_crimea.ipynb) and "
                "[elsewhere](https://example.org/a.ipynb). Not a link: `04_stage_3_sidelined_then_summits.ipynb`.")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    out, _ = exporter("student").from_notebook_node(nb, resources={"te_lesson_ids": ["03_stage_2_after_crimea"]})
    assert '<a href="03_stage_2_after_crimea.html">Stage Two</a>' in out
    assert '<a href="03_stage_2_after_crimea.html#quiz">its quiz</a>' in out
    assert '<a href="03_stage_2_after_crimea.html"><code>03_stage_2_after_crimea.ipynb</code></a>' in out
    assert '<a href="https://example.org/a.ipynb">elsewhere</a>' in out, "web links stay links"
    assert ('<span class="te-notebook-ref" title="a notebook in the course repository">the <code>exercise</code>'
            '</span>') in out, "another notebook: its text stays, the dead link goes"
    assert "<code>04_stage_3_sidelined_then_summits.ipynb</code>" in out, "code is not a link"
    assert out.count('.ipynb"') == 1


def test_bad_course_data_stops_the_batch_before_anything_renders(tmp_path):
    # One clear report, not the same data error from every lesson's kernel.
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    events = data / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",RUS,PRK,", ",RUS,XYZ,", 1), encoding="utf-8")
    out = tmp_path / "out"
    rc, _, stderr = call("--lessons", "02", "--out", str(out), "-p", f"data_dir={str(data)!r}")
    assert rc == 2
    assert "events.csv, row" in stderr and "'XYZ'" in stderr and "Nothing was rendered" in stderr
    assert not (out / "handouts").exists() or not list((out / "handouts").rglob("*.html"))
