"""Tests for turn_east.charts: each chart must show exactly the data it claims to show.

Every content test runs twice: on a small hand-made course (``fixture``, built here with
the dtypes that ``turn_east.data`` documents) and on the bundled course data
(``bundled``; it is always there, so failing to load it fails the tests). Expected values are always
recomputed from the tables with pandas, never copied from the chart code.
"""
from __future__ import annotations

import copy
import json
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from conftest import course_from
from turn_east import charts
from turn_east.data import format_date, load_course
from turn_east.errors import TurnEastError

PERIODS = ["prelude", "stage-1", "stage-2", "stage-3", "stage-4"]
REL_ACTORS = ["RUS", "PRK", "CHN", "USA", "JPN", "KOR", "IND"]


# =========================================================================== fixture course

def _fixture_course():
    stages = pd.DataFrame({
        "id": PERIODS, "order": [0, 1, 2, 3, 4],
        "title": ["Prelude", "Stage One", "Stage Two", "Stage Three", "Stage Four"],
        "start_date": pd.to_datetime(["2000-01-01", "2012-01-01", "2014-02-27", "2018-01-01", "2022-01-01"]),
        "end_date": pd.to_datetime(["2011-12-31", "2014-02-26", "2017-12-31", "2021-12-31", "2024-12-31"]),
        "summary": ["s0", "s1", "s2", "s3", "s4"], "north_korea_role": ["r"] * 5, "article_section": PERIODS,
    })
    motives = pd.DataFrame({
        "id": ["triangle", "alliances", "agenda", "identity"], "order": [1, 2, 3, 4],
        "title": ["Grand Strategic Triangle", "US alliances", "North Korea's agenda", "National identity"],
        "summary": ["m"] * 4, "guiding_question": ["q?"] * 4,
        "article_section": ["triangle", "alliances", "agenda", "identity"],
    })
    actors = pd.DataFrame({
        "id": ["RUS", "PRK", "CHN", "USA", "JPN", "KOR", "IND", "UKR", "UNSC"],
        "name": ["Russian Federation", "Democratic People's Republic of Korea", "People's Republic of China",
                 "United States of America", "Japan", "Republic of Korea", "Republic of India", "Ukraine",
                 "United Nations Security Council"],
        "short_name": ["Russia", "North Korea", "China", "United States", "Japan", "South Korea", "India",
                       "Ukraine", "UN Security Council"],
        "kind": ["state"] * 8 + ["institution"],
        "color": ["#D55E00", "#CC79A7", "#E69F00", "#0072B2", "#56B4E9", "#009E73", "#F0E442", "#000000", "#999999"],
        "capital": ["Moscow", "Pyongyang", "Beijing", "Washington", "Tokyo", "Seoul", "New Delhi", "Kyiv", "New York"],
        "capital_lat": [55.76, 39.04, 39.90, 38.90, 35.69, 37.57, 28.61, 50.45, 40.75],
        "capital_lon": [37.62, 125.76, 116.41, -77.04, 139.69, 126.98, 77.21, 30.52, -73.97],
        "in_relations": [True] * 7 + [False, False],
    })
    places = pd.DataFrame([
        ("beijing", "Beijing", "capital", "CHN", 39.90, 116.41, ""),
        ("khasan", "Khasan", "border", "RUS", 42.43, 130.65, "Border station"),
        ("moscow", "Moscow", "capital", "RUS", 55.76, 37.62, ""),
        ("provideniya", "Bering Strait approaches", "sea-route", "RUS", 64.42, -173.23, "Eastern end of the Northern Sea Route"),
        ("pyongyang", "Pyongyang", "capital", "PRK", 39.04, 125.76, ""),
        ("rajin", "Rajin", "port", "PRK", 42.25, 130.30, "Port in the Rason zone"),
        ("seoul", "Seoul", "capital", "KOR", 37.57, 126.98, ""),
        ("singapore", "Singapore", "venue", "", 1.29, 103.85, "Capella Hotel, Sentosa"),
        ("tumen-mouth", "Tumen River mouth", "river", "", 42.29, 130.70, "Where three borders meet"),
        ("vladivostok", "Vladivostok", "port", "RUS", 43.12, 131.89, ""),
        ("vostochny", "Vostochny Cosmodrome", "venue", "RUS", 51.88, 128.33, ""),
    ], columns=["id", "name", "kind", "actor", "lat", "lon", "note"])
    ev = [
        # id, date, precision, end, title, stage, type, actors, motives, place, a, b, goldstein, source, section
        ("1961-07-06-treaty", "1961-07-06", "day", None, "Soviet-North Korean treaty", None, "treaty",
         "RUS;PRK", "identity", "moscow", "RUS", "PRK", 8.0, "news", None),
        ("2000-07-19-putin-pyongyang", "2000-07-19", "day", "2000-07-20", "Putin in Pyongyang", "prelude", "summit",
         "RUS;PRK", "identity;triangle", "pyongyang", "RUS", "PRK", 7.0, "news", "prelude"),
        ("2003-01-01-envoy", "2003-01-01", "month", None, "Russian envoy in Pyongyang", "prelude", "visit",
         "RUS;PRK;USA", "triangle", "pyongyang", "RUS", "PRK", 3.0, "news", "prelude"),
        ("2003-08-27-six-party-1", "2003-08-27", "day", "2003-08-29", "Six-Party Talks, first round", "prelude",
         "multilateral", "RUS;PRK;CHN;USA;JPN;KOR", "triangle", "beijing", "PRK", "USA", 4.0, "un", "prelude"),
        ("2010-03-26-cheonan", "2010-03-26", "day", None, "Cheonan sinking", "prelude", "crisis",
         "PRK;KOR", "alliances", "", "PRK", "KOR", -8.0, "news", None),
        ("2012-09-08-apec", "2012-09-08", "day", "2012-09-09", "APEC summit in Vladivostok", "stage-1",
         "multilateral", "RUS;CHN;USA;JPN;KOR", "identity", "vladivostok", "RUS", "CHN", 4.0, "news", "stage-1"),
        ("2013-11-13-putin-seoul", "2013-11-13", "day", None, "Putin meets Park in Seoul", "stage-1", "summit",
         "RUS;KOR", "alliances", "seoul", "KOR", "RUS", 5.0, "news", "stage-1"),
        ("2014-03-18-crimea", "2014-03-18", "day", None, "Annexation of Crimea", "stage-2", "military",
         "RUS;UKR", "identity", "", "RUS", "UKR", -9.0, "news", "stage-2"),
        ("2014-09-22-rajin", "2014-09-22", "day", None, "Rajin coal terminal opens", "stage-2", "economic",
         "RUS;PRK", "agenda", "rajin", "RUS", "PRK", 5.0, "news", "stage-2"),
        ("2016-01-06-nuclear-test", "2016-01-06", "day", None, "Fourth nuclear test", "stage-2", "nuclear-test",
         "PRK;USA;UNSC", "", "", "PRK", "USA", -7.0, "un", None),
        ("2018-06-12-singapore", "2018-06-12", "day", None, "Trump and Kim in Singapore", "stage-3", "summit",
         "USA;PRK", "triangle", "singapore", "PRK", "USA", 6.0, "news", "stage-3"),
        ("2019-04-25-vladivostok", "2019-04-25", "day", None, "Putin and Kim in Vladivostok", "stage-3", "summit",
         "RUS;PRK", "triangle;agenda", "vladivostok", "PRK", "RUS", 7.0, "news", "stage-3"),
        ("2022-02-24-invasion", "2022-02-24", "day", None, "Full-scale invasion of Ukraine", "stage-4", "war",
         "RUS;UKR", "identity", "", "RUS", "UKR", -10.0, "news", "stage-4"),
        ("2023-09-13-vostochny", "2023-09-13", "day", None, "Putin and Kim at Vostochny", "stage-4", "summit",
         "RUS;PRK", "agenda;triangle", "vostochny", "RUS", "PRK", 7.0, "news", "stage-4"),
        ("2024-01-01-tumen", "2024-01-01", "year", None, "Talks on Tumen River navigation", "stage-4", "economic",
         "RUS;PRK;CHN", "agenda", "tumen-mouth", "RUS", "PRK", 4.0, "news", "agenda"),
        ("2024-06-19-treaty", "2024-06-19", "day", None, "Comprehensive Strategic Partnership treaty", "stage-4",
         "treaty", "RUS;PRK", "triangle;alliances;identity;agenda", "pyongyang", "PRK", "RUS", 9.0, "news", "stage-4"),
    ]
    events = pd.DataFrame(ev, columns=["id", "date", "date_precision", "end_date", "title", "stage", "event_type",
                                       "actors", "motives", "place", "actor_a", "actor_b", "goldstein",
                                       "source_id", "article_section"])
    events["summary"] = [f"Summary of {t.lower()}." for t in events["title"]]
    events["people"] = [[] for _ in range(len(events))]
    events["date"] = pd.to_datetime(events["date"])
    events["end_date"] = pd.to_datetime(events["end_date"])
    events["stage"] = pd.Categorical(events["stage"], categories=PERIODS, ordered=True)
    events["event_type"] = events["event_type"].astype("category")
    events["date_precision"] = pd.Categorical(events["date_precision"], categories=["day", "month", "year"])
    events["place"] = events["place"].replace("", None)
    for col in ("actors", "motives"):
        events[col] = events[col].map(lambda s: [v for v in s.split(";") if v])
    events = events.sort_values(["date", "id"]).reset_index(drop=True)

    scores = {  # pair -> score per period
        ("RUS", "PRK"): [1, 0, 1, 1, 3], ("RUS", "CHN"): [2, 2, 3, 3, 3], ("RUS", "USA"): [0, -1, -2, -2, -3],
        ("CHN", "USA"): [0, 0, -1, -2, -2], ("PRK", "USA"): [-2, -2, -3, 0, -3], ("PRK", "CHN"): [1, 1, 0, 2, 2],
        ("RUS", "IND"): [2, 2, 2, 2, 2], ("USA", "IND"): [1, 1, 2, 2, 2], ("CHN", "IND"): [0, 0, -1, -2, -1],
        ("RUS", "JPN"): [0, 1, -1, -1, -3], ("RUS", "KOR"): [1, 2, 1, 1, -2], ("PRK", "KOR"): [-2, -2, -3, 1, -3],
    }
    links = {("RUS", "PRK", "prelude"): ["2000-07-19-putin-pyongyang", "2003-01-01-envoy"],
             ("RUS", "PRK", "stage-4"): ["2023-09-13-vostochny", "2024-06-19-treaty"]}
    rows = []
    for i, a in enumerate(REL_ACTORS):
        for b in REL_ACTORS[i + 1:]:
            vals = scores.get((a, b)) or scores.get((b, a)) or [0, 0, 0, 0, 1]
            for p, s in zip(PERIODS, vals):
                rows.append((f"{p}:{a}-{b}", p, a, b, s, f"Why {a}-{b} scores {s} in {p}.", links.get((a, b, p), [])))
    relations = pd.DataFrame(rows, columns=["id", "period", "actor_a", "actor_b", "score", "justification", "events"])
    relations["period"] = pd.Categorical(relations["period"], categories=PERIODS, ordered=True)
    relations["score"] = relations["score"].astype(int)
    sources = pd.DataFrame({
        "id": ["article", "news", "un"], "kind": ["article", "news", "official"],
        "citation": ["North Korea's Importance for Putin's \"Turn to the East\" (2024).",
                     "Reuters news report (fixture).", "UN Security Council press release (fixture)."],
        "url": ["", "https://example.org/news", "https://example.org/un"], "year": [2024, 2020, 2016],
    })
    return course_from(stages=stages, motives=motives, actors=actors, places=places, events=events,
                       relations=relations, sources=sources, periods=list(PERIODS), version="fixture")


def _bundled_course():
    course = load_course()
    assert len(course.relations) and len(course.places), "the bundled data have relations and places"
    return course


@pytest.fixture(scope="module", params=["fixture", "bundled"])
def course(request):
    return _fixture_course() if request.param == "fixture" else _bundled_course()


@pytest.fixture(scope="module")
def fixture_course():
    return _fixture_course()


# =========================================================================== helpers

def _stage(v):
    return None if pd.isna(v) else str(v)


def _events(course, start="2000-01-01"):
    ev = course.events
    return ev if start is None else ev[ev["date"] >= pd.Timestamp(start)]


def event_points(fig) -> list[str]:
    """Event ids drawn as markers in a timeline (one per point)."""
    out = []
    for t in fig.data:
        if t.meta and t.meta.get("kind") == "events":
            out += list(t.customdata)
    return out


def source_annotation(fig) -> str:
    texts = [a.text for a in fig.layout.annotations if a.name == "source"]
    assert len(texts) == 1, "exactly one source line"
    return texts[0]


def short_titles(course) -> dict[str, str]:
    """Stage labels as charts print them: the title up to its colon ("Stage Two: ..." -> "Stage Two")."""
    return {i: str(t).split(":")[0].strip() for i, t in zip(course.stages["id"], course.stages["title"])}


def citation(course, source_id) -> str:
    return str(course.sources.set_index("id").loc[source_id, "citation"])


def _norm_hover(text) -> str:
    """Hover text without HTML breaks and escapes, for substring checks."""
    text = re.sub(r"<br>\s*", " ", str(text)).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return re.sub(r"<[^>]+>", "", " ".join(text.split()))


def all_figs(course):
    return charts.all_figures(course)


# =========================================================================== timeline

def test_timeline_draws_each_event_from_2000_once(course):
    fig = charts.timeline(course)
    expected = list(_events(course)["id"])
    drawn = event_points(fig)
    assert sorted(drawn) == sorted(expected)
    assert len(drawn) == len(set(drawn))
    # x positions are the events' dates
    dates = dict(zip(course.events["id"], course.events["date"].dt.strftime("%Y-%m-%d")))
    for t in fig.data:
        if t.meta and t.meta.get("kind") == "events":
            assert list(t.x) == [dates[i] for i in t.customdata]


def test_timeline_start_none_adds_background(course):
    fig = charts.timeline(course, start=None)
    assert sorted(event_points(fig)) == sorted(course.events["id"])
    n_before = int((course.events["date"] < pd.Timestamp("2000-01-01")).sum())
    if n_before:
        assert "background event" in charts.describe(fig)
        assert any(a.name == "era:background" for a in fig.layout.annotations)


def test_timeline_lanes_follow_event_type(course):
    fig = charts.timeline(course)
    types = dict(zip(course.events["id"], course.events["event_type"].astype(str)))
    ticks = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
    symbols = set()
    for t in fig.data:
        if t.meta and t.meta.get("kind") == "events":
            key = t.meta["key"]
            assert {types[i] for i in t.customdata} == {key}
            assert {ticks[y] for y in t.y} == {key}
            assert t.marker.color == charts.EVENT_TYPE_STYLE[key][0]
            symbols.add(t.marker.symbol)
    n_types = sum(1 for t in fig.data if t.meta and t.meta.get("kind") == "events")
    assert len(symbols) == n_types, "each event type keeps its own symbol (greyscale)"


def test_timeline_era_bands_equal_stages_table(course):
    fig = charts.timeline(course)
    bands = [s for s in fig.layout.shapes if (s.name or "").startswith("era:")]
    st = course.stages.sort_values("order")
    assert [b.name for b in bands] == [f"era:{i}" for i in st["id"]]
    for b, (_, row) in zip(bands, st.iterrows()):
        assert b.x0 == row["start_date"].strftime("%Y-%m-%d")
        assert b.x1 == (row["end_date"] + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    labels = {a.name: a for a in fig.layout.annotations if (a.name or "").startswith("era:")}
    short = short_titles(course)
    for _, row in st.iterrows():
        label = labels[f"era:{row['id']}"]
        assert label.text == short[row["id"]]
        ours = row.get("defined_by") == "course"
        assert _norm_hover(label.hovertext) == " ".join(str(row["title"]).split()) + (
            " (the course's own period, after the article)" if ours else "")
    # neighbouring bands differ in shade, so eras stay distinct in greyscale
    fills = [b.fillcolor for b in bands]
    assert all(f1 != f2 for f1, f2 in zip(fills, fills[1:]))


def test_timeline_multi_day_events_are_spans(course):
    fig = charts.timeline(course)
    ev = _events(course)
    multi = ev[ev["end_date"].notna() & (ev["end_date"] > ev["date"])]
    spans = {}
    for t in fig.data:
        if t.meta and t.meta.get("kind") == "spans":
            xs = list(t.x)
            for k, eid in enumerate(t.customdata):
                spans[eid] = (xs[3 * k], xs[3 * k + 1])
                assert xs[3 * k + 2] is None
    assert sorted(spans) == sorted(multi["id"])
    for _, row in multi.iterrows():
        assert spans[row["id"]] == (row["date"].strftime("%Y-%m-%d"), row["end_date"].strftime("%Y-%m-%d"))


def test_timeline_hover_has_date_title_and_source(course):
    fig = charts.timeline(course)
    ev = course.events.set_index("id")
    cites = dict(zip(course.sources["id"], course.sources["citation"]))
    checked = 0
    for t in fig.data:
        if not (t.meta and t.meta.get("kind") == "events"):
            continue
        for eid, hover in zip(t.customdata, t.hovertext):
            row = ev.loc[eid]
            flat = _norm_hover(hover)
            assert " ".join(str(row["title"]).split()) in flat
            # a multi-day event's range ends with its end date written in full
            shown = row["end_date"] if pd.notna(row["end_date"]) else row["date"]
            assert format_date(shown, str(row["date_precision"])) in flat
            assert _norm_hover("Source: " + cites[row["source_id"]])[:60] in flat
            checked += 1
    assert checked == len(_events(course))


def test_timeline_hover_respects_date_precision(fixture_course):
    fig = charts.timeline(fixture_course)
    hovers = {i: _norm_hover(h) for t in fig.data if t.meta and t.meta.get("kind") == "events"
              for i, h in zip(t.customdata, t.hovertext)}
    assert "January 2003" in hovers["2003-01-01-envoy"]
    assert "1 January 2003" not in hovers["2003-01-01-envoy"]
    assert " 2024 " in hovers["2024-01-01-tumen"] + " " and "January 2024" not in hovers["2024-01-01-tumen"]
    assert "19-20 July 2000" in hovers["2000-07-19-putin-pyongyang"]
    assert "27-29 August 2003" in hovers["2003-08-27-six-party-1"]


@pytest.mark.parametrize("kwargs", [
    dict(stages=["stage-4"]), dict(stages="prelude"), dict(motives=["agenda"]), dict(actors=["IND"]),
    dict(actors=["PRK"], stages=["stage-3", "stage-4"]), dict(motives=["alliances", "identity"], actors="KOR"),
])
def test_timeline_filters_remove_what_they_should(course, kwargs):
    ev = _events(course)
    keep = pd.Series(True, index=ev.index)
    if "stages" in kwargs:
        wanted = [kwargs["stages"]] if isinstance(kwargs["stages"], str) else kwargs["stages"]
        keep &= ev["stage"].map(_stage).isin(wanted)
    if "motives" in kwargs:
        keep &= ev["motives"].map(lambda ms: bool(set(ms) & set(kwargs["motives"])))
    if "actors" in kwargs:
        wanted = [kwargs["actors"]] if isinstance(kwargs["actors"], str) else kwargs["actors"]
        keep &= ev["actors"].map(lambda acts: bool(set(acts) & set(wanted)))
    fig = charts.timeline(course, **kwargs)
    assert sorted(event_points(fig)) == sorted(ev.loc[keep, "id"])
    desc = charts.describe(fig)
    n = int(keep.sum())
    assert (f"{n} event" in desc) if n else ("no events" in desc)
    if "stages" in kwargs and n:
        wanted = [kwargs["stages"]] if isinstance(kwargs["stages"], str) else kwargs["stages"]
        bands = [s.name for s in fig.layout.shapes if (s.name or "").startswith("era:")]
        assert bands == [f"era:{w}" for w in course.periods if w in wanted]


def test_timeline_by_actor_uses_actor_lanes_and_colours(course):
    fig = charts.timeline(course, color_by="actor")
    ev = _events(course)
    colors = dict(zip(course.actors["id"], course.actors["color"].str.upper()))
    seen = []
    for t in fig.data:
        if t.meta and t.meta.get("kind") == "events":
            a = t.meta["key"]
            seen.append(a)
            assert sorted(t.customdata) == sorted(ev.loc[ev["actors"].map(lambda x: a in x), "id"])
            assert t.marker.color == colors[a]
            assert t.marker.symbol == charts.ACTOR_SYMBOLS.get(a, t.marker.symbol)
    assert seen == [a for a in course.actors["id"] if ev["actors"].map(lambda x: a in x).any()]


def test_timeline_menu_buttons_filter_in_figure(course):
    fig = charts.timeline(course)
    ev = _events(course)
    menus = {m.name: m for m in fig.layout.updatemenus}
    zoom = {b.label.rsplit(" (", 1)[0]: b for b in menus["zoom"].buttons}
    show = {b.label.rsplit(" (", 1)[0]: b for b in menus["filter"].buttons}
    ev_traces = [k for k, t in enumerate(fig.data) if t.meta and t.meta.get("kind") == "events"]

    def shown(button):
        ys = button.args[0]["y"]
        return sorted(i for k in ev_traces for i, y in zip(fig.data[k].customdata, ys[k]) if y is not None)

    assert shown(show["All events"]) == sorted(ev["id"])
    assert zoom["All years"].args[0]["xaxis.range"] == list(fig.layout.xaxis.range)
    titles = short_titles(course)
    st = course.stages.set_index("id")
    for sid in course.periods:
        want = ev.loc[ev["stage"].map(_stage) == sid, "date"]
        if len(want):
            b = zoom[f"Stage: {titles[sid]}"]
            assert b.label.endswith(f"({len(want)})")
            lo, hi = (pd.Timestamp(x) for x in b.args[0]["xaxis.range"])
            assert lo <= st.loc[sid, "start_date"] and hi >= st.loc[sid, "end_date"]
            assert lo <= want.min() and hi >= want.max()
    mt = dict(zip(course.motives["id"], course.motives["title"]))
    for m in course.motives["id"]:
        want = sorted(ev.loc[ev["motives"].map(lambda ms: m in ms), "id"])
        if want:
            assert shown(show[f"Motive: {mt[m]}"]) == want
    names = dict(zip(course.actors["id"], course.actors["short_name"]))
    for a in course.actors["id"]:
        want = sorted(ev.loc[ev["actors"].map(lambda acts: a in acts), "id"])
        if want:
            assert shown(show[f"Actor: {names[a]}"]) == want
    # every filter restyles every trace (spans included), so no stale points remain
    for b in menus["filter"].buttons:
        assert len(b.args[0]["y"]) == len(fig.data)
    assert not charts.timeline(course, buttons=False).layout.updatemenus


def test_timeline_description_counts(course):
    fig = charts.timeline(course)
    ev = _events(course)
    desc = charts.describe(fig)
    assert desc.startswith(f"Timeline of {len(ev)} events from {ev['date'].min().year} to {ev['date'].max().year}")
    titles = short_titles(course)
    for sid, n in ev["stage"].map(_stage).value_counts().items():
        assert f"{titles[sid]} {n}" in desc


# =========================================================================== relations

def _rel(course, period, a, b):
    r = course.relations
    hit = r[(r["period"].astype(str) == period) & (((r["actor_a"] == a) & (r["actor_b"] == b)) |
                                                   ((r["actor_a"] == b) & (r["actor_b"] == a)))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_network_slider_and_frames_are_the_periods(course):
    fig = charts.relations_network(course)
    periods = list(course.periods)
    titles = short_titles(course)
    assert [f.name for f in fig.frames] == periods
    steps = fig.layout.sliders[0].steps
    assert [s.args[0][0] for s in steps] == periods
    assert [s.label for s in steps] == [titles[p] for p in periods]


def test_network_edges_follow_scores(course):
    fig = charts.relations_network(course)
    rel_ids = list(course.actors.loc[course.actors["in_relations"].astype(bool), "id"])
    n_pairs = len(rel_ids) * (len(rel_ids) - 1) // 2
    ev_titles = dict(zip(course.events["id"], course.events["title"]))
    for frame in fig.frames:
        edges = [t for t in frame.data if t.mode == "lines"]
        assert len(edges) == n_pairs
        labels = [t for t in frame.data if t.name == "edge scores"][0]
        for k, e in enumerate(edges):
            a, b = e.name.split("-")
            row = _rel(course, frame.name, a, b)
            s = int(row["score"])
            assert e.line.color == charts.SCORE_COLORS[s]
            assert e.line.dash == ("solid" if s > 0 else "dash" if s < 0 else "dot")
            assert labels.text[k] == (f"{s:+d}" if s else "")  # neutral pairs: dotted, unlabelled
            flat = _norm_hover(labels.hovertext[k])
            assert _norm_hover(row["justification"])[:50] in flat
            linked = [e for e in row["events"] if e in ev_titles]
            for eid in linked[:4]:
                assert _norm_hover(ev_titles[eid])[:40] in flat
            assert "nan" not in flat.split()
        widths = {int(_rel(course, frame.name, *e.name.split("-"))["score"]): e.line.width for e in edges}
        for s, w in widths.items():
            for s2, w2 in widths.items():
                if abs(s) > abs(s2):
                    assert w > w2


def test_network_nodes_fixed_and_coloured(course):
    fig = charts.relations_network(course)
    colors = dict(zip(course.actors["id"], course.actors["color"].str.upper()))
    positions = None
    for frame in fig.frames:
        nodes = [t for t in frame.data if t.name == "actors"][0]
        assert list(nodes.marker.color) == [colors[a] for a in nodes.customdata]
        pos = list(zip(nodes.customdata, nodes.x, nodes.y))
        positions = positions or pos
        assert pos == positions, "nodes keep their place in every period"
    # roughly geographic: Russia north of China, Japan east of both Koreas, India west of China
    p = {a: (x, y) for a, x, y in positions}
    assert p["RUS"][1] > p["CHN"][1] and p["JPN"][0] > max(p["PRK"][0], p["KOR"][0]) and p["IND"][0] < p["CHN"][0]


def test_triangle_labels_and_satellites(course):
    fig = charts.strategic_triangle(course)
    assert [f.name for f in fig.frames] == list(course.periods)
    assert [s.args[0][0] for s in fig.layout.sliders[0].steps] == list(course.periods)
    for frame in fig.frames:
        labels = [t for t in frame.data if t.name == "edge scores"][0]
        edges = [t for t in frame.data if t.mode == "lines"]
        got = {e.name: labels.text[k] for k, e in enumerate(edges)}
        for a, b in (("RUS", "CHN"), ("RUS", "USA"), ("CHN", "USA"), ("PRK", "RUS"), ("IND", "USA")):
            s = int(_rel(course, frame.name, a, b)["score"])
            assert got[f"{a}-{b}"] == (f"{s:+d}" if s else "0")
        nodes = [t for t in frame.data if t.name == "actors"][0]
        pos = {a: (x, y) for a, x, y in zip(nodes.customdata, nodes.x, nodes.y)}
        # North Korea sits nearer the corner it scores higher with
        sr, su = (int(_rel(course, frame.name, "PRK", v)["score"]) for v in ("RUS", "USA"))
        dist = lambda u, v: ((pos[u][0] - pos[v][0]) ** 2 + (pos[u][1] - pos[v][1]) ** 2) ** 0.5  # noqa: E731
        if sr > su:
            assert dist("PRK", "RUS") < dist("PRK", "USA")
    desc = charts.describe(fig)
    last = course.periods[-1]
    s = int(_rel(course, last, "RUS", "CHN")["score"])
    assert f"Russia-China {s:+d}" in desc or f"Russia-China {s}" in desc


def test_heatmap_equals_relations_table(course):
    fig = charts.relations_heatmap(course)
    hm = fig.data[0]
    assert hm.zmid == 0
    rel_ids = list(course.actors.loc[course.actors["in_relations"].astype(bool), "id"])
    names = dict(zip(course.actors["id"], course.actors["short_name"]))
    assert len(hm.y) == len(rel_ids) * (len(rel_ids) - 1) // 2
    titles = short_titles(course)
    assert list(hm.x) == [titles[p] for p in course.periods]
    pair_of = {f"{names[a]} \u2013 {names[b]}": (a, b) for a in rel_ids for b in rel_ids}
    for i, label in enumerate(hm.y):
        a, b = pair_of[label]
        for j, p in enumerate(course.periods):
            row = _rel(course, p, a, b)
            assert hm.z[i][j] == int(row["score"])
            assert hm.text[i][j] == (f"{int(row['score']):+d}" if row["score"] else "0")
            assert _norm_hover(row["justification"])[:50] in _norm_hover(hm.customdata[i][j])
    assert hm.texttemplate == "%{text}"


def test_heatmap_actor_filter(course):
    one = charts.relations_heatmap(course, actors=["PRK"]).data[0]
    assert len(one.y) == 6 and all("North Korea" in y for y in one.y)
    three = charts.relations_heatmap(course, actors=["RUS", "CHN", "USA"]).data[0]
    assert len(three.y) == 3 and not any("North Korea" in y for y in three.y)


# =========================================================================== map

def test_map_is_offline_geo_with_every_place(course):
    fig = charts.northeast_asia_map(course)
    assert {t.type for t in fig.data} == {"scattergeo"}
    layout = fig.to_plotly_json()["layout"]
    assert "mapbox" not in layout and "map" not in layout
    place_ids = [i for t in fig.data if t.legendgroup == "places" for i in t.customdata]
    assert sorted(place_ids) == sorted(course.places["id"])


def test_map_hover_lists_events_at_each_place(course):
    fig = charts.northeast_asia_map(course)
    ev = course.events[course.events["place"].notna() & (course.events["place"].astype(str) != "")]
    for t in fig.data:
        if t.legendgroup != "places":
            continue
        for pid, hover in zip(t.customdata, t.hovertext):
            here = ev[ev["place"] == pid].sort_values(["date", "id"])
            flat = _norm_hover(hover)
            if len(here):
                assert f"{len(here)} event" in flat
            for title in list(here["title"])[:8]:
                assert _norm_hover(title)[:40] in flat


def test_map_summit_venues_by_stage_and_stage_filter(course):
    ev = course.events
    summits = ev[(ev["event_type"].astype(str) == "summit") & ev["place"].notna() & ev["stage"].notna()]
    fig = charts.northeast_asia_map(course)
    got = {}
    for t in fig.data:
        if t.legendgroup == "summits":
            sid = [p for p in course.periods if t.marker.color == charts.stage_colors(course)[p]]
            assert len(sid) == 1
            got[sid[0]] = sorted(t.customdata)
    want = {s: sorted(set(g["place"])) for s, g in summits.groupby(summits["stage"].map(_stage))}
    assert got == want
    symbols = [t.marker.symbol for t in fig.data if t.legendgroup == "summits"]
    assert len(set(symbols)) == len(symbols), "stages differ by symbol as well as colour"
    st4 = charts.northeast_asia_map(course, stage="stage-4")
    assert {t.name.split(",")[1].split("(")[0].strip() for t in st4.data if t.legendgroup == "summits"} <= \
        {short_titles(course)["stage-4"]}
    n4 = int((ev["place"].notna() & (ev["stage"].map(_stage) == "stage-4")).sum())
    assert f"{n4} event" in charts.describe(st4)


def test_map_routes(fixture_course):
    fig = charts.northeast_asia_map(fixture_course)
    routes = {t.name: t for t in fig.data if t.legendgroup == "routes"}
    rail = [t for n, t in routes.items() if n.startswith("Khasan-Rajin")][0]
    assert list(rail.lon) == [130.65, 130.30] and list(rail.lat) == [42.43, 42.25]
    nsr = [t for n, t in routes.items() if "Northern Sea Route" in n][0]
    assert list(nsr.lon)[-1] == -173.23
    off = _norm_hover([a.text for a in fig.layout.annotations if a.name == "off-map"][0])
    assert "Singapore (1 event)" in off and "Moscow (1 event)" in off


# =========================================================================== stage statistics

def _pair_mask(ev, a, b):
    return ((ev["actor_a"] == a) & (ev["actor_b"] == b)) | ((ev["actor_a"] == b) & (ev["actor_b"] == a))


def test_activity_by_stage_counts(course):
    ev = course.events[course.events["stage"].notna()]
    fig = charts.activity_by_stage(course)
    assert list(fig.data[0].y) == [int((ev["stage"].map(_stage) == p).sum()) for p in course.periods]
    assert list(fig.data[0].marker.color) == [charts.stage_colors(course)[p] for p in course.periods]
    assert len(set(fig.data[0].marker.color)) == len(course.periods), "one colour per period"
    fig2 = charts.activity_by_stage(course, pairs=[("PRK", "RUS"), ("RUS", "KOR"), ("USA", "PRK")])
    assert len(fig2.data) == 3
    colors = dict(zip(course.actors["id"], course.actors["color"].str.upper()))
    for t, (a, b), c in zip(fig2.data, [("PRK", "RUS"), ("RUS", "KOR"), ("USA", "PRK")], ["PRK", "KOR", "USA"]):
        m = _pair_mask(ev, a, b)
        assert list(t.y) == [int((m & (ev["stage"].map(_stage) == p)).sum()) for p in course.periods]
        assert t.marker.color == colors[c]
    assert len({t.marker.pattern.shape for t in fig2.data}) == 3
    desc = charts.describe(fig)
    assert f"(total {len(ev)})" in desc


def test_tone_by_stage_means_counts_and_unordered_pairs(course):
    ev = course.events[course.events["stage"].notna()]
    fig = charts.tone_by_stage(course)
    for t, (a, b) in zip(fig.data, [("RUS", "PRK"), ("RUS", "KOR")]):
        for j, p in enumerate(course.periods):
            sel = ev[_pair_mask(ev, a, b) & (ev["stage"].map(_stage) == p)]["goldstein"].dropna()
            assert t.customdata[j][0] == len(sel)
            if len(sel):
                assert t.y[j] == pytest.approx(sel.mean(), abs=0.006)
            else:
                assert t.y[j] is None
    flipped = charts.tone_by_stage(course, pairs=[("PRK", "RUS")])
    assert list(flipped.data[0].y) == list(fig.data[0].y)
    assert len({t.line.dash for t in fig.data}) == len(fig.data)


def test_tone_fixture_values(fixture_course):
    fig = charts.tone_by_stage(fixture_course)
    rus_prk = fig.data[0]
    # stage-3 has only the Vladivostok summit, coded actor_a=PRK, actor_b=RUS
    assert rus_prk.y[3] == 7.0 and rus_prk.customdata[3][0] == 1
    assert rus_prk.y[4] == pytest.approx((7 + 4 + 9) / 3, abs=0.006)
    assert "Stage Four +6.67 (n=3)" in charts.describe(fig)


def test_stage_motive_matrix_counts(course):
    fig = charts.stage_motive_matrix(course)
    hm = fig.data[0]
    ev = course.events[course.events["stage"].notna()]
    for i, m in enumerate(course.motives.sort_values("order")["id"]):
        for j, p in enumerate(course.periods):
            n = int((ev["motives"].map(lambda ms: m in ms) & (ev["stage"].map(_stage) == p)).sum())
            assert hm.z[i][j] == n and hm.text[i][j] == str(n)
    assert list(hm.y) == list(course.motives.sort_values("order")["title"])


# =========================================================================== common rules

def test_actor_keeps_its_colour_across_charts(course):
    colors = dict(zip(course.actors["id"], course.actors["color"].str.upper()))
    used = {}

    def note(a, c):
        used.setdefault(a, set()).add(c)

    for t in charts.timeline(course, color_by="actor").data:
        if t.meta and t.meta.get("kind") == "events":
            note(t.meta["key"], t.marker.color)
    for fig in (charts.relations_network(course), charts.strategic_triangle(course)):
        for t in fig.data:
            if t.name == "actors":
                for a, c in zip(t.customdata, t.marker.color):
                    note(a, c)
    for a in used:
        assert used[a] == {colors[a]}, a
        assert charts.actor_color(course, a) == colors[a]
    assert {"RUS", "PRK", "CHN", "USA"} <= set(used)
    assert charts.ACTOR_COLORS["RUS"] == "#D55E00" and charts.ACTOR_COLORS["PRK"] == "#CC79A7"


def test_every_figure_has_theme_title_source_and_description(course):
    for name, fig in all_figs(course).items():
        assert isinstance(fig, go.Figure)
        assert fig.layout.title.text, name
        src = source_annotation(fig)
        assert src.startswith("Source: turn-east course data, ") and "article: North Korea's Importance" in src
        assert fig.layout.template.layout.font.family == charts.TEMPLATE.layout.font.family
        desc = charts.describe(fig)
        assert len(desc) > 80 and re.search(r"\d", desc), name
        assert fig.layout.meta["chart"] in name


def test_importing_charts_does_not_change_plotly_default():
    assert pio.templates.default != charts.TEMPLATE_NAME
    assert charts.TEMPLATE_NAME in pio.templates


def test_figures_are_deterministic(course):
    first = {k: f.to_json() for k, f in all_figs(course).items()}
    second = {k: f.to_json() for k, f in all_figs(course).items()}
    assert first == second
    for k, js in first.items():
        assert '"uid"' not in js, k


def test_charts_do_not_modify_the_course(fixture_course):
    before = {n: getattr(fixture_course, n).copy(deep=True) for n in ("events", "relations", "places", "stages")}
    all_figs(fixture_course)
    charts.timeline(fixture_course, stages=["stage-4"], actors=["PRK"], color_by="actor")
    for n, df in before.items():
        pd.testing.assert_frame_equal(getattr(fixture_course, n), df)


def test_description_is_in_layout_meta(fixture_course):
    fig = charts.stage_motive_matrix(fixture_course)
    data = json.loads(fig.to_json())
    assert data["layout"]["meta"]["description"] == charts.describe(fig)
    assert "on 15 events" in charts.describe(fig)
    with pytest.raises(ValueError, match="no description"):
        charts.describe(go.Figure())


@pytest.mark.parametrize("call, bad, valid", [
    (lambda c: charts.timeline(c, stages=["stage-5"]), "'stage-5'", "prelude, stage-1"),
    (lambda c: charts.timeline(c, motives="economy"), "'economy'", "triangle, alliances, agenda, identity"),
    (lambda c: charts.timeline(c, actors=["RUS", "NK"]), "'NK'", "RUS, PRK"),
    (lambda c: charts.timeline(c, color_by="colour"), "'colour'", "event_type, actor"),
    (lambda c: charts.northeast_asia_map(c, stage="stage 4"), "'stage 4'", "stage-4"),
    (lambda c: charts.relations_heatmap(c, actors=["UKR"]), "'UKR'", "RUS, PRK, CHN, USA, JPN, KOR, IND"),
    (lambda c: charts.tone_by_stage(c, pairs=[("RUS", "DPRK")]), "'DPRK'", "RUS, PRK"),
    (lambda c: charts.activity_by_stage(c, pairs=[("RUS", "RUS")]), "('RUS', 'RUS')", "two different"),
])
def test_bad_arguments_name_the_value_and_valid_ones(fixture_course, call, bad, valid):
    with pytest.raises(ValueError) as info:
        call(fixture_course)
    assert isinstance(info.value, TurnEastError)
    assert isinstance(info.value, charts.ChartArgumentError)
    assert bad in str(info.value) and valid in str(info.value)


def test_bad_arguments_on_bundled_course_too(course):
    with pytest.raises(charts.ChartArgumentError, match="unknown stage 'stage-9'"):
        charts.timeline(course, stages=["stage-9"])
