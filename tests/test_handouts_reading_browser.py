"""Documents, glossary terms and the reference pages in headless Chromium: accessible (axe-core, WCAG 2.1
A and AA, the engine bundled by axe-playwright-python), and a marked term jumps to its definition."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from turn_east.make import handouts

CHROMIUM = Path("/usr/bin/chromium")
LESSONS = ["05_stage_4_war_and_alliance"]  # documents alone and side by side, glossary, further reading
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("reading-build")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        rc = handouts.main(["--lessons", *LESSONS, "--audience", "student", "--out", str(out), "--jobs", "1",
                            "--quiet"])
    assert rc == 0, err.getvalue()[-3000:]
    return out / "handouts"


@pytest.fixture(scope="module")
def axe():
    return pytest.importorskip("axe_playwright_python.sync_playwright").Axe()


@pytest.mark.parametrize("name", [f"student/{lid}.html" for lid in LESSONS]
                         + ["index.html", "glossary.html", "bibliography.html"])
def test_pages_pass_axe_wcag_21_aa(rendered, browser, axe, name):
    page = browser.new_page()
    page.goto((rendered / name).resolve().as_uri())
    page.wait_for_load_state("load")
    if name.startswith("student/"):
        assert page.locator("figure.te-doc, figure.te-compare").count() >= 2
    violations = axe.run(page, options=WCAG).response["violations"]
    page.close()
    assert violations == [], [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations]


def test_a_marked_term_shows_its_definition_and_jumps_to_it(rendered, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto((rendered / "student" / f"{LESSONS[0]}.html").resolve().as_uri())
    link = page.locator('a[href="#glossary-kn-23"]').first
    assert "Hwasong-11" in (link.get_attribute("title") or "")
    link.click()
    page.wait_for_timeout(300)
    box = page.locator("#glossary-kn-23").bounding_box()
    assert box is not None and -2 <= box["y"] < 700, "the definition is scrolled into view"
    page.close()
