"""The periods come from stages.csv alone.

The bundled course shows every one of its periods (six, with the epilogue) in every chart, and a copy of
the data with one more, synthetic period (a stages.csv row, its 21 relations and a few events: nothing
else) loads, passes validation and renders every chart, generated question and seminar plan with it.
"""
from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from conftest import ROOT
from turn_east import charts
from turn_east.charts._common import stage_labels
from turn_east.data import load_course, stage_of
from turn_east.make.guide import seminar_plan
from turn_east.quiz import generated_questions
from turn_east.quiz.labels import stage_label

SYNTHETIC = "coda"


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _append(path, rows):
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    text = path.read_bytes()
    newline = "\r\n" if b"\r\n" in text[:2000] else "\n"
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=header, lineterminator=newline).writerows(rows)


def add_period(folder, pid=SYNTHETIC, title="Coda: a synthetic test period"):
    """Add a period after the last one to the data in ``folder``, the way the codebook says: a stages.csv
    row, 21 relations rows and some events. Returns the new period's first day."""
    stages = _rows(folder / "stages.csv")
    last = max(stages, key=lambda r: int(r["order"]))
    start = pd.Timestamp(last["end_date"]) + pd.Timedelta(days=1)
    end = start + pd.Timedelta(days=364)
    _append(folder / "stages.csv", [dict(
        id=pid, order=str(int(last["order"]) + 1), title=title, start_date=f"{start:%Y-%m-%d}",
        end_date=f"{end:%Y-%m-%d}", summary="A period that exists only in a test.",
        north_korea_role="None: a test period.", article_section="conclusion", defined_by="course")])
    day = lambda n: f"{start + pd.Timedelta(days=n):%Y-%m-%d}"  # noqa: E731
    base = dict(date_precision="day", end_date="", stage=pid, people="", article_section="",
                source_id="tass-2025-bridge")
    events = [
        dict(base, id=f"{day(10)}-test-summit", date=day(10), title="A test summit in Pyongyang",
             summary="A test event.", event_type="summit", actors="RUS;PRK", motives="triangle;agenda",
             place="pyongyang", actor_a="RUS", actor_b="PRK", goldstein="6"),
        dict(base, id=f"{day(40)}-test-statement", date=day(40), title="A test statement",
             summary="A test event.", event_type="statement", actors="CHN;USA", motives="identity",
             place="beijing", actor_a="CHN", actor_b="USA", goldstein="-2"),
        dict(base, id=f"{day(90)}-test-launch", date=day(90), title="A test missile launch",
             summary="A test event.", event_type="missile-test", actors="PRK;KOR", motives="alliances",
             place="", actor_a="PRK", actor_b="KOR", goldstein="-4"),
    ]
    _append(folder / "events.csv", events)
    actors = [r["id"] for r in _rows(folder / "actors.csv") if r["in_relations"] == "true"]
    pairs = [(a, b) for i, a in enumerate(actors) for b in actors[i + 1:]]
    _append(folder / "relations.csv", [dict(
        id=f"{pid}:{a}-{b}", period=pid, actor_a=a, actor_b=b, score=str(k % 7 - 3),
        justification="A test score.", events=events[0]["id"] if (a, b) == ("RUS", "PRK") else "")
        for k, (a, b) in enumerate(pairs)])
    return start


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extended") / "data"
    shutil.copytree(ROOT / "data", folder)
    start = add_period(folder)
    course = load_course(folder)  # raises DataError listing every problem if the period needed more than data
    return course, start


@pytest.fixture(scope="module")
def bundled():
    return load_course()


def periods_shown(fig, course) -> list[str] | None:
    """The period ids a chart shows along its period axis, slider or era bands (None: a chart without one)."""
    labels = {v: k for k, v in stage_labels(course).items()}
    chart = fig.layout.meta["chart"]
    if chart == "timeline":
        return [s.name.split(":", 1)[1] for s in fig.layout.shapes if (s.name or "").startswith("era:")]
    if chart in ("relations_network", "strategic_triangle"):
        frames = [f.name for f in fig.frames]
        assert [s.args[0][0] for s in fig.layout.sliders[0].steps] == frames, "slider steps are the frames"
        return frames
    if chart in ("relations_heatmap", "activity_by_stage", "tone_by_stage", "stage_motive_matrix"):
        return [labels[x] for x in fig.data[0].x]
    return None


@pytest.mark.parametrize("which", ["bundled", "extended"])
def test_every_chart_shows_every_period(which, bundled, extended):
    course = bundled if which == "bundled" else extended[0]
    if which == "bundled":
        assert len(course.periods) == 6 and course.periods[-1] == "epilogue"
    else:
        assert course.periods[-1] == SYNTHETIC and len(course.periods) == len(bundled.periods) + 1
    figs = charts.all_figures(course)
    for name, fig in figs.items():
        fig.to_json()  # renders: plotly validated it on construction, this serialises every trace and frame
        shown = periods_shown(fig, course)
        if shown is not None:
            assert shown == course.periods, name
    last = stage_labels(course)[course.periods[-1]]
    assert last in charts.describe(figs["relations_network"]), "the description reads the last period too"
    colors = charts.stage_colors(course)
    assert len(set(colors.values())) == len(course.periods)
    assert len(set(charts.stage_symbols(course).values())) == len(course.periods)


def test_the_new_period_reaches_map_filters_and_tone(extended):
    course, start = extended
    assert stage_of(course, start) == SYNTHETIC
    label = stage_labels(course)[SYNTHETIC]
    fig = charts.northeast_asia_map(course, stage=SYNTHETIC)
    summits = [t for t in fig.data if t.legendgroup == "summits"]
    assert [t.name for t in summits] == [f"Summits, {label} (1)"]
    assert summits[0].marker.color == charts.stage_colors(course)[SYNTHETIC]
    tl = charts.timeline(course, stages=[SYNTHETIC])
    assert len([p for t in tl.data if t.meta and t.meta.get("kind") == "events" for p in t.customdata]) == 3
    zoom = {b.label for m in charts.timeline(course).layout.updatemenus if m.name == "zoom" for b in m.buttons}
    assert f"Stage: {label} (3)" in zoom
    tone = charts.tone_by_stage(course, pairs=[("RUS", "PRK")])
    assert tone.data[0].y[-1] == 6.0


def test_generated_questions_and_the_guide_count_the_new_period(extended):
    course, _ = extended
    label = stage_label(course, SYNTHETIC)
    qs = generated_questions(course, n=6, seed=3, stage=SYNTHETIC)
    staged = [q for q in qs if q.id.endswith("-stage")]
    assert staged and all(label in q.choices and len(q.choices) == len(course.periods) for q in staged)
    assert all(q.answer == (label,) for q in staged)
    plan = seminar_plan(course, "00_course_map")
    assert "seven periods" in plan.rows[0][3]
