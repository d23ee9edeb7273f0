"""The grader's pages in headless Chromium (Playwright driving Debian's /usr/bin/chromium), checked with axe-core
(WCAG 2.1 A and AA, and axe's best practices): a student's feedback page and the leader's index, written by
`turn_east.make.grade.report` from outcomes of every kind, with no kernel run."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from turn_east.make.grade.exercise import read_exercise
from turn_east.make.grade.report import write_reports
from turn_east.make.grade.run import CellError, Outcome

CHROMIUM = Path("/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                      "(apt-get install chromium); .ci/run installs it"),
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory, course):
    out = tmp_path_factory.mktemp("grade-pages")
    specs = [read_exercise(ROOT / "exercises" / n) for n in ("02_stage_1_adjusting_to_asia.ipynb",
                                                             "03_stage_2_after_crimea.ipynb")]
    a, b = specs
    checked = [t.id for t in a.checked]
    outcomes = [
        Outcome("Ana Lee", a.name, "graded", tasks={
            checked[0]: {"status": "pass", "message": "All 31 events are right."},
            checked[1]: {"status": "fail", "message": "You tested only the main pair (actor_a/actor_b)."},
            checked[2]: {"status": "undefined", "name": "people_per_country", "message": "NameError"},
            checked[3]: {"status": "unanswered", "message": ""}},
            errors=[CellError(a.task(checked[2]).section, 9, 'rows = stage1["peple"]', "KeyError", "'peple'", False)],
            written={t.id: "Pyongyang mattered as a transit route <b>for</b> Seoul's projects." for t in a.written}),
        Outcome("Ana Lee", b.name, "invalid-json", "03_stage_2_after_crimea.ipynb is not valid JSON (line 3, ...)."),
        Outcome("Ben", a.name, "missing", "No submission: Ben/02_stage_1_adjusting_to_asia.ipynb was not handed in."),
        Outcome("Ben", b.name, "timeout", "The notebook did not finish within 120 s and was stopped."),
    ]
    write_reports(out, students=["Ana Lee", "Ben"], specs=specs, outcomes=outcomes, cell_timeout=30,
                  settings={"cell_timeout": 30, "notebook_timeout": 120}, course=course)
    return out


@pytest.mark.parametrize("name", ["feedback/Ana_Lee.html", "feedback/Ben.html", "index.html"])
def test_the_pages_pass_axe(pages, browser, name):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((pages / name).resolve().as_uri())
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                  for v in result.response["violations"]]
    assert not violations, "\n".join(violations)
    assert not errors
    page.close()


def test_a_student_reads_what_went_wrong_and_the_hints(pages, browser):
    page = browser.new_page()
    page.goto((pages / "feedback" / "Ana_Lee.html").resolve().as_uri())
    text = page.inner_text("main")
    assert "Feedback for Ana Lee" in text and "1 of 4 points" in text
    assert "Not yet. You tested only the main pair" in text and "Not readable" in text
    assert "raised KeyError: 'peple'" in text and "Hints from the exercise" in text
    assert "<b>for</b>" in text  # the student's own text is shown as text, never as markup
    page.keyboard.press("Tab")  # the first stop is the link that skips to the feedback
    assert page.evaluate("document.activeElement.textContent") == "Skip to the feedback"
    page.close()
