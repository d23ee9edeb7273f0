"""Open rendered handouts in headless Chromium (Playwright driving Debian's /usr/bin/chromium) over file://.

Every chart must render (a .main-svg inside each figure div), the console must stay
clean, nothing may be requested from the network, and the student's offline
self-check must answer when a question is tried. --pdf is checked here too.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

from turn_east.make import handouts
from turn_east.make.handouts.reference import PAGES as REFERENCE_PAGES

CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).parent / "fixtures" / "handouts"
PASS = "lesson-pass-minimal"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                      "(apt-get install chromium); .ci/run installs it"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-build")
    roster = out / "students.csv"
    roster.write_text("name\nAnna Lee\n", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        rc = handouts.main(["--notebooks-dir", str(FIXTURES), "--lessons", PASS, "--out", str(out), "--jobs", "2",
                            "--pdf"])
        rc2 = handouts.main(["--notebooks-dir", str(FIXTURES), "--lessons", PASS, "--out", str(out),
                             "--cohort", str(roster), "--self-contained"])
    assert rc == 0 and rc2 == 0, err.getvalue()
    return out / "handouts"


def open_page(browser, path: Path):
    page = browser.new_page()
    problems, requests = [], []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


def figure_ids(page: str) -> list[str]:
    """The ids of the plotly figure divs in a handout (attribute order varies)."""
    ids = []
    for attrs in re.findall(r"<div\b([^>]*)>", page):
        if "plotly-graph-div" in attrs:
            ids += re.findall(r'\bid="(te-[^"]+-fig\d+(?:-print)?)"', attrs)  # with the printable copies
    return ids


def handout_files(folder: Path) -> list[Path]:
    """The lesson handouts: every page but the index and the reference pages (glossary, bibliography), which
    hold no chart (tests/test_handouts_reading_browser.py opens those)."""
    reference = {name for name, _ in REFERENCE_PAGES}
    return sorted(p for p in folder.rglob("*.html") if p.name != "index.html" and p.relative_to(folder).as_posix()
                  not in reference)


def test_every_chart_renders_with_a_clean_console(rendered, browser):
    pages = handout_files(rendered)
    assert {p.relative_to(rendered).as_posix() for p in pages} == {
        f"student/{PASS}.html", f"leader/{PASS}.html", f"cohort/anna-lee/{PASS}.html"}
    for path in pages:
        expected = figure_ids(path.read_text(encoding="utf-8"))
        assert expected, f"{path} has no chart to check"
        page, problems, requests = open_page(browser, path)
        for div_id in expected:
            page.wait_for_selector(f"#{div_id} .plot-container .main-svg", state="attached", timeout=15_000)
        drawn = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                              ".filter(d => d.querySelector('.main-svg')).map(d => d.id)")
        assert sorted(drawn) == sorted(expected), path
        assert page.evaluate("typeof window.Plotly") == "object"
        # the fixture's map drew its coastlines (plotly's default layer) from plotly-geo-topojson.js, offline
        page.wait_for_function("""() => [...document.querySelectorAll('.geolayer .layer.coastlines path')]
            .some(p => (p.getAttribute('d') || '').length > 1000)""", timeout=15_000)
        assert problems == [], (path, problems)
        assert [u for u in requests if not u.startswith("file://")] == [], path
        page.close()


def test_index_links_open(rendered, browser):
    page, problems, requests = open_page(browser, rendered / "index.html")
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert any(h.endswith(f"student/{PASS}.html") for h in hrefs)
    assert any(h.endswith(f"leader/{PASS}.pdf") for h in hrefs)
    assert any(h.endswith(f"cohort/anna-lee/{PASS}.html") for h in hrefs)
    assert problems == [] and all(u.startswith("file://") for u in requests)


def test_student_self_check_answers_offline(rendered, browser):
    page, problems, _ = open_page(browser, rendered / "student" / f"{PASS}.html")
    form = page.locator("form.te-check").first
    assert page.locator("form.te-check").count() >= 1
    form.locator("button[type=submit]").click()
    assert "Choose or type an answer first" in form.locator(".te-result").inner_text()
    radios = form.locator("input[type=radio], input[type=checkbox]")
    if radios.count():
        radios.first.check()
    else:
        field = form.locator("input, select").first
        field.fill("1990") if field.evaluate("e => e.tagName") == "INPUT" else field.select_option(index=1)
    form.locator("button[type=submit]").click()
    verdict = form.locator(".te-result").inner_text()
    assert verdict.startswith(("\u2714", "\u2718")), verdict
    assert problems == []


def test_a_self_contained_handout_alone_draws_its_charts_and_map_offline(rendered, browser, tmp_path):
    """--self-contained (here the cohort copy): one file e-mailed or uploaded on its own, opened with nothing
    beside it and every request that leaves the machine blocked."""
    from conftest import open_offline

    source = rendered / "cohort" / "anna-lee" / f"{PASS}.html"
    text = source.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", text), "a self-contained handout loads no script file"
    assert "Course map of all handouts" not in text, "no link to an index it would not have"
    alone = tmp_path / "inbox" / f"{PASS}.html"
    alone.parent.mkdir()
    shutil.copy(source, alone)
    page, blocked, problems = open_offline(browser, alone.as_uri())
    expected = figure_ids(text)
    for div_id in expected:
        page.wait_for_selector(f"#{div_id} .main-svg", state="attached", timeout=15_000)
    page.wait_for_function("""() => [...document.querySelectorAll('.geolayer .layer.coastlines path')]
        .some(p => (p.getAttribute('d') || '').length > 1000)""", timeout=15_000)
    assert blocked == [] and problems == []
    size = alone.stat().st_size
    print(f"\nself-contained handout with a map: {size / 1e6:.1f} MB")
    assert 4e6 < size < 9e6, size
    page.close()


def test_pdf_printed_for_each_audience(rendered):
    for audience in ("student", "leader"):
        pdf = rendered / audience / f"{PASS}.pdf"
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 10_000
        assert [p.name for p in pdf.parent.iterdir() if ".tmp" in p.name] == []
