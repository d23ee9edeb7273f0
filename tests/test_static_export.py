"""Every chart of the course exports as a static image offline, maps included."""

import shutil

import pytest

from turn_east import charts
from turn_east.export import ExportError, write_images

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not shutil.which("chromium") and not shutil.which("chromium-browser"),
                                                      reason="static export needs Debian's chromium")]


@pytest.fixture(scope="module")
def svgs(tmp_path_factory, request):
    from turn_east.data import load_course

    course = load_course()
    figures = charts.all_figures(course)
    folder = tmp_path_factory.mktemp("figures")
    paths = write_images(figures, folder, format="svg", width=1000, height=600)
    return figures, {p.stem: p.read_text(encoding="utf-8") for p in paths}, folder


def test_every_chart_exports_with_its_title(svgs):
    figures, images, folder = svgs
    assert set(images) == set(figures)
    for name, svg in images.items():
        assert svg.lstrip().startswith("<svg"), name
        title = figures[name].layout.title.text.split("<")[0].strip()
        words = [w for w in title.replace("&", " ").split() if w.isalpha() and len(w) > 3][:3]
        assert all(w in svg for w in words), f"{name}: title words {words} missing from the image"
    assert not list(folder.glob(".export-*")), "no temporary folder is left behind"


def test_the_map_draws_its_outlines_without_internet(svgs):
    _, images, _ = svgs
    svg = images["northeast_asia_map"]
    # plotly draws land and coastlines as paths in its geo layers only when the topojson loaded.
    assert 'class="layer bg"' in svg or "geolayer" in svg or "countries" in svg
    assert svg.count("<path") > 50, "the map's outlines did not draw"


def test_a_png_export_and_a_bad_format(tmp_path):
    from turn_east.data import load_course

    fig = charts.tone_by_stage(load_course())
    (path,) = write_images({"tone": fig}, tmp_path, format="png", width=600, height=400)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ExportError, match="format 'bmp' is not supported"):
        write_images({"tone": fig}, tmp_path, format="bmp")
