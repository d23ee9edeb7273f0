"""Print-ready handouts, tested as a reader meets them: the PDF that `turn-east handouts --pdf` prints.

Lesson 05 (a stage lesson) is rendered once per session (``stage_build``, A4). Every page of both copies is
turned into an image with pdftoppm (Debian's poppler-utils) and read with pdfplumber: no text past the
margins, every chart's plot area at least 75 % of the text width, every chart whole on one page, the
student copy under 14 pages. Every chart of every lesson is also laid out in its printed form in Chromium
(cheap: no lesson is executed) and measured the same way.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import STAGE_LESSON, open_offline

pdfplumber = pytest.importorskip("pdfplumber")

MM = 72 / 25.4
PAGE_A4 = (210 * MM, 297 * MM)
SIDE_MARGIN = 15 * MM         # handout.css: @page { margin: 14mm 15mm 14mm }
TEXT_WIDTH = PAGE_A4[0] - 2 * SIDE_MARGIN
PLOT_SHARE = 0.75
PLOT_FILL = 0xFC / 0xFF       # charts.printing.PLOT_BG, #FCFCFC: the printed plot area's fill
STUDENT_PAGES_MAX = 18        # issue 21: 25 Letter pages before; 13 A4 until the lesson gained its three primary
                              # documents, a glossary, further reading (issue 15) and the Goldstein anchors (issue 23); no further growth
CHARTS_IN_05 = 4

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def pdfs(stage_build):
    assert stage_build["rc"] == 0, stage_build["stderr"][-3000:]
    out = {}
    for audience in ("student", "leader"):
        path = stage_build["out"] / "handouts" / audience / f"{STAGE_LESSON}.pdf"
        out[audience] = (path, pdfplumber.open(path))
    yield out
    for _, pdf in out.values():
        pdf.close()


def plot_areas(page) -> list[dict]:
    """The printed charts' plot areas on a page: rectangles filled with the plot background."""
    found = []
    for obj in page.rects + page.curves:
        colour = obj.get("non_stroking_color")
        if isinstance(colour, (list, tuple)) and len(colour) >= 3 and \
                all(abs(v - PLOT_FILL) < 0.0015 for v in colour[:3]) and obj["width"] > 50 and obj["height"] > 50:
            found.append(obj)
    return found


def test_pages_are_a4_and_every_page_becomes_an_image(pdfs, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: apt-get install poppler-utils (.ci/run installs it)"
    for audience, (path, pdf) in pdfs.items():
        assert all(abs(p.width - PAGE_A4[0]) < 2 and abs(p.height - PAGE_A4[1]) < 2 for p in pdf.pages)
        prefix = tmp_path / audience
        subprocess.run([pdftoppm, "-r", "30", "-gray", "-png", str(path), str(prefix)], check=True, timeout=120)
        images = sorted(tmp_path.glob(f"{audience}-*.png"))
        assert len(images) == len(pdf.pages), audience
        from PIL import Image

        for image in images:
            with Image.open(image) as im:
                assert im.convert("L").getextrema()[0] < 128, f"{image.name} is blank"


def test_no_text_runs_past_the_margins(pdfs):
    for audience, (_, pdf) in pdfs.items():
        for number, page in enumerate(pdf.pages, start=1):
            outside = [c for c in page.chars if c["x1"] > page.width - SIDE_MARGIN + 1.5 or c["x0"] < SIDE_MARGIN - 1.5]
            assert not outside, (f"{audience} page {number}: text past the margin: "
                                 f"{''.join(c['text'] for c in outside)[:80]!r} at x1={max(c['x1'] for c in outside):.0f}")


def test_every_chart_prints_whole_and_keeps_three_quarters_of_the_text_width(pdfs):
    for audience, (_, pdf) in pdfs.items():
        areas = [(number, a) for number, page in enumerate(pdf.pages, start=1) for a in plot_areas(page)]
        assert len(areas) == CHARTS_IN_05, f"{audience}: {len(areas)} plot areas for {CHARTS_IN_05} charts"
        for number, a in areas:
            assert a["width"] >= PLOT_SHARE * TEXT_WIDTH, \
                f"{audience} page {number}: a plot area of {a['width'] / TEXT_WIDTH:.0%} of the text width"
            assert a["top"] >= 0 and a["bottom"] <= pdf.pages[number - 1].height, "a chart cut by a page break"


def test_page_counts_and_running_header(pdfs, stage_build):
    pages = {audience: len(pdf.pages) for audience, (_, pdf) in pdfs.items()}
    print(f"\n{STAGE_LESSON}: A4 pages {pages}")
    assert pages["student"] <= STUDENT_PAGES_MAX, pages
    assert pages["leader"] > pages["student"], "the leader copy adds the plan, the notes and the key"
    first = pdfs["student"][1].pages[0].extract_text()
    assert "Student handout" in first and f"Page 1 of {pages['student']}" in first
    lead = pdfs["leader"][1].pages[0].extract_text()
    assert "Session plan" in lead and "Leader copy" in lead


def test_printed_charts_of_every_lesson_keep_three_quarters_of_the_text_width(chromium, tmp_path, course):
    """Each lesson's charts (as its cells call them) in their printed form, measured in Chromium at the
    handouts' print width: the plot area (the #FCFCFC fill) spans at least 75 % of it."""
    import plotly
    import plotly.io as pio

    from turn_east import charts
    from turn_east.charts import printable
    from turn_east.charts.printing import PRINT_WIDTH
    from turn_east.make.export import lesson_chart_calls
    from turn_east.make.handouts.assets import geo_assets_js
    from turn_east.make.slides import lesson_notebooks

    names, divs = [], []
    for nb in lesson_notebooks(course=course):
        for n, (name, kwargs) in enumerate(lesson_chart_calls(nb), start=1):
            fig, title, _, controls = printable(getattr(charts, name)(course, **kwargs))
            assert isinstance(title, str) and title and isinstance(controls, str)
            assert not fig.layout.updatemenus and not fig.layout.sliders
            names.append(f"{nb.stem} chart {n} ({name})")
            divs.append(pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"c{len(divs)}",
                                    config={"staticPlot": True}))
    assert len(names) >= 30
    (tmp_path / "plotly.min.js").write_bytes(
        (__import__("pathlib").Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes())
    (tmp_path / "geo.js").write_text(geo_assets_js(), encoding="utf-8")
    page_html = (f'<!DOCTYPE html><html><head><script src="plotly.min.js"></script><script src="geo.js"></script>'
                 f'</head><body style="margin:0;width:{PRINT_WIDTH}px">{"".join(divs)}</body></html>')
    (tmp_path / "charts.html").write_text(page_html, encoding="utf-8")
    page, blocked, problems = open_offline(chromium, (tmp_path / "charts.html").as_uri())
    page.wait_for_function(f"document.querySelectorAll('.main-svg').length >= {len(divs)}", timeout=30_000)
    page.wait_for_timeout(1000)
    measured = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')].map(d => {
        const bg = [...d.querySelectorAll('rect, path')].filter(r => getComputedStyle(r).fill === 'rgb(252, 252, 252)')
                   .map(r => r.getBoundingClientRect()).filter(r => r.width > 20);
        const text = [...d.querySelectorAll('text')].filter(t => t.textContent.trim() && !t.closest('.geolayer'))
                     .map(t => t.getBoundingClientRect().right);
        return [bg.length ? Math.max(...bg.map(r => r.right)) - Math.min(...bg.map(r => r.left)) : 0,
                Math.max(0, ...text)]; })""")
    narrow = [f"{n}: {w / PRINT_WIDTH:.0%}" for n, (w, _) in zip(names, measured) if w < PLOT_SHARE * PRINT_WIDTH]
    assert not narrow, narrow
    past = [f"{n}: text to {right:.0f} px" for n, (_, right) in zip(names, measured) if right > PRINT_WIDTH + 1]
    assert not past, past
    assert blocked == [] and problems == []
    page.close()
