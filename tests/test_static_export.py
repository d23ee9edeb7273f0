"""Every chart of the course exports as a static image offline, maps included."""

import shutil

import pytest

from turn_east import charts
from turn_east.make import export
from turn_east.make.export import write_images
from turn_east.data import load_course
from turn_east.errors import ExportError

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not shutil.which("chromium") and not shutil.which("chromium-browser"),
                                                      reason="static export needs Debian's chromium")]


@pytest.fixture(scope="module")
def svgs(tmp_path_factory):
    """Every chart as SVG; ``served`` lists what the local topojson server answered during the export."""
    figures = charts.all_figures(load_course())
    folder = tmp_path_factory.mktemp("figures")
    served: list[str] = []
    serve = export.topojson_server
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(export, "topojson_server", lambda *a, **kw: serve(*a, served=served, **kw))
        paths = write_images(figures, folder, format="svg", width=1000, height=600)
    return figures, {p.stem: p.read_text(encoding="utf-8") for p in paths}, folder, served


def test_every_chart_exports_with_its_title(svgs):
    figures, images, folder, _ = svgs
    assert set(images) == set(figures)
    for name, svg in images.items():
        assert svg.lstrip().startswith("<svg"), name
        title = figures[name].layout.title.text.split("<")[0].strip()
        words = [w for w in title.replace("&", " ").split() if w.isalpha() and len(w) > 3][:3]
        assert all(w in svg for w in words), f"{name}: title words {words} missing from the image"
    assert not list(folder.glob(".export-*")), "no temporary folder is left behind"


def test_the_map_draws_its_outlines_from_the_local_copy(svgs):
    _, images, _, served = svgs
    # the outlines came from the course's own copy, served on 127.0.0.1 for the export, not from plotly's CDN
    assert [p for p in served if p.endswith("/world_50m.json")], f"the local outlines were not requested: {served}"
    svg = images["northeast_asia_map"]
    # plotly draws land and coastlines as paths in its geo layers only when the topojson loaded.
    assert 'class="layer bg"' in svg or "geolayer" in svg or "countries" in svg
    assert svg.count("<path") > 50, "the map's outlines did not draw"


def test_a_png_export_and_a_bad_format(tmp_path):
    fig = charts.tone_by_stage(load_course())
    (path,) = write_images({"tone": fig}, tmp_path, format="png", width=600, height=400)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ExportError, match="format 'bmp' is not supported"):
        write_images({"tone": fig}, tmp_path, format="bmp")


def test_one_lessons_charts_export_in_their_printed_form(tmp_path, capsys):
    """`turn-east figures --lessons 05`: only lesson 05's charts, as its cells call them, without the menus,
    slider or play button of the screen version (they do nothing in an image)."""
    from turn_east.cli import main as turn_east

    assert turn_east(["figures", "--lessons", "05", "--format", "svg", "--out", str(tmp_path)]) == 0
    calls = export.lesson_chart_calls(repo_notebook("05_stage_4_war_and_alliance"))
    names = sorted(p.stem for p in tmp_path.glob("*.svg"))
    assert names == sorted(f"05_stage_4_war_and_alliance-{n}-{name}" for n, (name, _) in enumerate(calls, 1))
    assert ("strategic_triangle", {"period": "stage-4"}) in calls
    for path in tmp_path.glob("*.svg"):
        svg = path.read_text(encoding="utf-8")
        assert "updatemenu" not in svg and "slider" not in svg, path.name
        assert "Source: turn-east course data" in svg.replace("&nbsp;", " "), f"{path.name}: no source line"
    assert turn_east(["figures", "--lessons", "99", "--out", str(tmp_path)]) == 2
    assert "no lesson matches '99'" in capsys.readouterr().err


def repo_notebook(lesson_id):
    from conftest import ROOT

    return ROOT / "notebooks" / f"{lesson_id}.ipynb"
