"""`turn_east.notebook.setup` and its LessonContext: parameter checks, live and static rendering."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest

from conftest import ROOT
from turn_east import charts, notebook
from turn_east.notebook import LessonContext, LessonParameterError, setup

FIXTURES = Path(__file__).parent / "fixtures" / "handouts"
PLOTLY_MIME = "application/vnd.plotly.v1+json"


@pytest.fixture
def shown(monkeypatch):
    """Every bundle the context displays, in order."""
    bundles: list[dict] = []
    monkeypatch.setattr(notebook, "_display", bundles.append)
    return bundles


def _fig() -> go.Figure:
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    fig.update_layout(title="Two bars", meta={"description": "Two bars <b>a</b> & b."})
    return fig


@pytest.mark.parametrize("kwargs, expected", [
    ({"audience": "teacher"}, ["audience='teacher'", "'student'", "'leader'"]),
    ({"render": "print"}, ["render='print'", "'live'", "'static'"]),
    ({"show_answers": "yes"}, ["show_answers must be True or False", "'yes'"]),
    ({"quiz_seed": "7"}, ["quiz_seed must be None", "'7'"]),
    ({"quiz_seed": True}, ["quiz_seed must be None"]),
    ({"student_name": None}, ["student_name must be a string"]),
    ({"data_dir": "/no/such/course-data"}, ["'/no/such/course-data' does not exist", "data_dir = None",
                                            "datapackage.json"]),
])
def test_setup_rejects_bad_parameters_with_a_fix(kwargs, expected):
    with pytest.raises(LessonParameterError) as info:
        setup("02_stage_1_adjusting_to_asia", **kwargs)
    for text in expected:
        assert text in str(info.value)
    assert isinstance(info.value, ValueError)


def test_setup_rejects_empty_lesson_id():
    with pytest.raises(LessonParameterError, match="lesson_id"):
        setup("")


def test_live_show_sends_plotly_json_and_a_description(shown):
    ctx = LessonContext("02_x", course=None, render="live")
    ctx.show(_fig())
    ctx.show(_fig())
    assert len(shown) == 4
    fig_bundle, desc_bundle = shown[0], shown[1]
    assert set(fig_bundle) == {PLOTLY_MIME, "text/plain"}
    data = fig_bundle[PLOTLY_MIME]
    assert data["data"][0]["type"] == "bar" and data["config"]["displaylogo"] is False
    json.dumps(data)  # plain JSON, no numpy arrays
    LessonContext("02_x", course=None, render="live").show(_fig())  # a fresh run of the lesson
    assert json.dumps(shown[4][PLOTLY_MIME], sort_keys=True) == json.dumps(data, sort_keys=True)
    assert "text/html" not in fig_bundle  # no random div ids in live output
    assert "Chart description" in desc_bundle["text/markdown"] and r"\<b\>a\</b\>" in desc_bundle["text/markdown"]


def test_static_show_sends_html_with_stable_ids_and_no_plotlyjs(shown):
    ctx = LessonContext("02_stage_1", course=None, render="static")
    ctx.show(_fig())
    ctx.show(_fig())
    first, second = shown[0]["text/html"], shown[1]["text/html"]
    assert 'id="te-02_stage_1-fig1"' in first and 'id="te-02_stage_1-fig2"' in second
    assert "<script src" not in first and "plotly.js v" not in first and len(first) < 20_000
    assert "Plotly.newPlot" in first
    assert "<figcaption><strong>Chart description.</strong> Two bars &lt;b&gt;a&lt;/b&gt; &amp; b.</figcaption>" in first
    LessonContext("02_stage_1", course=None, render="static").show(_fig())  # a fresh run of the lesson
    assert shown[2]["text/html"] == first  # deterministic across runs


TOPOJSON_DIR = ROOT / "src" / "turn_east" / "static" / "topojson"
TOPOJSON_URL = "files/src/turn_east/static/topojson/"  # below the server's base URL when its root is the repo


@pytest.fixture
def jupyter_server(tmp_path, monkeypatch):
    """A Jupyter server's runtime file, as the kernel it started finds it; returns a writer for its info."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    pid = 424242
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("JPY_PARENT_PID", str(pid))
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)

    def write(**info):
        (runtime / f"jpserver-{pid}.json").write_text(json.dumps({"pid": pid, "token": "t", **info}))

    return write


@pytest.mark.parametrize("base_url, expected", [
    ("/", "/" + TOPOJSON_URL),                            # make lab: jupyter lab from the repo root
    ("/user/ada-lovelace-x1y2/", "/user/ada-lovelace-x1y2/" + TOPOJSON_URL),  # Binder / JupyterHub
])
def test_live_map_loads_its_outlines_from_the_jupyter_server(shown, course, jupyter_server, base_url, expected):
    jupyter_server(base_url=base_url, root_dir=str(ROOT))
    for _ in range(2):  # two fresh runs of the lesson
        ctx = LessonContext("02_x", course=course, render="live")
        ctx.show(charts.northeast_asia_map(course))
        ctx.show(_fig())
    maps = [b[PLOTLY_MIME] for b in shown if PLOTLY_MIME in b and b[PLOTLY_MIME]["data"][0]["type"] == "scattergeo"]
    bars = [b[PLOTLY_MIME] for b in shown if PLOTLY_MIME in b and b[PLOTLY_MIME]["data"][0]["type"] == "bar"]
    assert len(maps) == len(bars) == 2
    assert maps[0]["config"]["topojsonURL"] == expected
    assert json.dumps(maps[0], sort_keys=True) == json.dumps(maps[1], sort_keys=True)  # deterministic
    assert "topojsonURL" not in bars[0]["config"]  # only maps need outlines
    # plotly.js asks for <topojsonURL><scope>_<resolution>m.json: the course ships that very file
    geo = maps[0]["layout"]["geo"]
    name = f"{geo.get('scope', 'world')}_{geo.get('resolution', 110)}m.json"
    assert (ROOT / expected.removeprefix(base_url + "files/") / name).is_file()  # /files/<path> = <root>/<path>
    assert (TOPOJSON_DIR / name).is_file() and json.loads((TOPOJSON_DIR / name).read_text())["type"] == "Topology"


def test_live_map_keeps_plotlys_default_without_a_server_that_serves_the_outlines(shown, course, jupyter_server,
                                                                                  tmp_path):
    def map_config():
        LessonContext("02_x", course=course, render="live").show(charts.northeast_asia_map(course))
        return shown[-2][PLOTLY_MIME]["config"]

    assert "topojsonURL" not in map_config()  # papermill, nbval: no Jupyter server started the kernel
    jupyter_server(base_url="/", root_dir=str(tmp_path))  # a server whose root does not hold the course
    assert "topojsonURL" not in map_config()
    jupyter_server(base_url="/", root_dir=str(ROOT / "src" / "turn_east" / "static" / "topojson" / "world_50m.json"))
    assert "topojsonURL" not in map_config()
    jupyter_server(base_url="/lab-root/", root_dir=str(ROOT / "src"))  # root = src/: the path is shorter
    assert map_config()["topojsonURL"] == "/lab-root/files/turn_east/static/topojson/"


def test_topojson_url_rules(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    folder = tmp_path / "my course" / "static" / "topojson"
    folder.mkdir(parents=True)
    assert notebook.topojson_url({"base_url": "/", "root_dir": str(tmp_path)}, folder) is None  # no files
    (folder / "world_50m.json").write_text('{"type": "Topology"}')
    assert (notebook.topojson_url({"base_url": "/", "root_dir": str(tmp_path)}, folder)
            == "/files/my%20course/static/topojson/")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/bo/")
    assert (notebook.topojson_url({"base_url": None, "root_dir": str(tmp_path)}, folder)
            == "/user/bo/files/my%20course/static/topojson/")
    assert (notebook.topojson_url({"base_url": "/srv", "root_dir": str(tmp_path / "my course")}, folder)
            == "/srv/files/static/topojson/")
    hidden = tmp_path / ".cache" / "topojson"
    hidden.mkdir(parents=True)
    (hidden / "world_50m.json").write_text('{"type": "Topology"}')
    assert notebook.topojson_url({"base_url": "/", "root_dir": str(tmp_path)}, hidden) is None  # /files/ refuses
    assert notebook.topojson_url({}, folder) is None


def test_the_server_is_the_one_that_started_the_kernel(jupyter_server, monkeypatch):
    assert notebook._jupyter_server() is None
    jupyter_server(base_url="/user/x/", root_dir="/home/jovyan")
    assert notebook._jupyter_server() == {"base_url": "/user/x/", "root_dir": "/home/jovyan"}  # no token kept
    monkeypatch.setenv("JPY_PARENT_PID", "7")  # another process started this kernel
    assert notebook._jupyter_server() is None


def test_show_returns_nothing_and_rejects_non_figures(shown):
    ctx = LessonContext("x", course=None)
    assert ctx.show(_fig()) is None  # a returned figure would be displayed twice
    with pytest.raises(TypeError, match="plotly Figure"):
        ctx.show({"data": []})


def test_banners_for_leader_and_named_student(shown):
    LessonContext("x", course=None, audience="leader", render="static", student_name="Zoë <Kim>")._banners()
    page = shown[-1]["text/html"]
    assert "Leader view" in page and "Prepared for: <strong>Zoë &lt;Kim&gt;</strong>" in page
    LessonContext("x", course=None, audience="student", render="live")._banners()
    assert len(shown) == 1  # a plain live student lesson shows no banner
    LessonContext("x", course=None, audience="leader", render="live")._banners()
    assert "**Leader view**" in shown[-1]["text/markdown"]


def test_the_quiz_prints_in_the_form_the_quiz_decides(shown, course):
    lesson = "02_stage_1_adjusting_to_asia"
    for kwargs, mode in (({}, "selfcheck"), ({"show_answers": True}, "key"), ({"audience": "leader"}, "key")):
        ctx = LessonContext(lesson, course, render="static", **kwargs)
        ctx.quiz()
        assert ctx.last_quiz.printed_mode == mode
        assert shown[-1] == {"text/html": ctx.last_quiz.to_html(mode), "text/plain": f"Quiz: {lesson}"}
        # displayed on its own (display(quiz)), a quiz prints the same form
        assert ctx.last_quiz._repr_mimebundle_()["text/html"] == ctx.last_quiz.to_html(mode)


@pytest.mark.slow
@pytest.mark.parametrize("render", ["live", "static"])
def test_fixture_lesson_runs_under_papermill(tmp_path, render):
    from turn_east.make.execute import Kernels, execute_notebook

    nb, _ = execute_notebook(FIXTURES / "lesson-pass-minimal.ipynb", tmp_path / "out.ipynb",
                             {"render": render, "audience": "leader", "student_name": "Ann"},
                             kernels=Kernels(), cwd=FIXTURES, timeout=120)
    mimes = [set(o.get("data", {})) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    flat = set().union(*mimes)
    if render == "live":
        assert PLOTLY_MIME in flat and "application/vnd.jupyter.widget-view+json" in flat
        assert "text/markdown" in flat
    else:
        assert PLOTLY_MIME not in flat and "application/vnd.jupyter.widget-view+json" not in flat
        html = "".join(o["data"].get("text/html", "") for c in nb.cells if c.cell_type == "code"
                       for o in c.outputs if "data" in o)
        assert "te-quiz-key" in html and "Leader view" in html and "Prepared for: <strong>Ann</strong>" in html
