"""Each data erratum of issue 15, fixed with a contemporaneous source, stays fixed."""

from __future__ import annotations


def _event(course, event_id):
    return course.events_by_id[event_id]


def test_the_npt_withdrawal_is_a_statement_not_a_nuclear_test(course):
    e = _event(course, "2003-01-10-npt-withdrawal")
    assert e.event_type == "statement"
    assert e.goldstein > -6, "a withdrawal is a serious crisis (-5 to -3), not a nuclear test (-8 to -6)"
    tests = course.events[(course.events["event_type"] == "nuclear-test") & (course.events["stage"] == "prelude")]
    assert sorted(tests["date"].dt.strftime("%Y-%m")) == ["2006-10", "2009-05"], "the prelude had two nuclear tests"


def test_hu_jintao_was_president_until_march_2013(course):
    hu = course.people.set_index("id").loc["hu-jintao"]
    assert hu["to_year"] == 2013 and "2013" in hu["role"]
    assert "Reuters" in course.citations[hu["source_id"]]


def test_the_august_2017_overflight_was_the_first_over_the_main_islands_since_2009(course):
    e = _event(course, "2017-08-29-missile-over-hokkaido")
    assert "main islands since April 2009" in e.summary
    assert "Okinawa" in e.summary and "2012" in e.summary and "2016" in e.summary
    assert "first North Korean launch over Japan since 2009" not in e.summary
    assert "Jiji" in course.citations[e.source_id]


def test_events_are_placed_where_they_happened(course):
    ministry = _event(course, "2012-05-21-far-east-ministry")
    assert ministry.place == "khabarovsk"
    place = {p.id: p for p in course.place_list}["khabarovsk"]
    assert place.actor == "RUS" and 48 < place.lat < 49 and 134.5 < place.lon < 135.5
    assert _event(course, "2024-06-01-nsr-container-deal").place == "st-petersburg"


def test_the_tumen_forms_only_the_eastern_part_of_the_china_north_korea_border(course):
    definition = course.glossary.set_index("id").loc["tumen-river", "definition"]
    assert "eastern part of the border between North Korea and China" in definition and "Yalu" in definition
    assert "forms the border between North Korea and China and" not in definition


def test_stage_and_motive_titles_are_the_courses_own_labels(course):
    assert course.stage_titles["stage-1"] == "Stage One: adjusting to Asia"
    assert course.stage_titles["stage-2"] == "Stage Two: after Crimea"
    assert course.motive_titles["agenda"] == "Welcoming North Korea's agenda", "no unchecked words of a garbled heading"


def test_chart_titles_fit_the_chart_and_place_lists_count_right(course):
    import re

    from turn_east import charts
    from turn_east.charts._common import TITLE_WIDTH

    for name, fig in charts.all_figures(course).items():
        lines = re.split(r"<br\s*/?>", fig.layout.title.text)
        assert all(len(line) <= TITLE_WIDTH + 5 for line in lines), (name, lines)
    text = charts.describe(charts.northeast_asia_map(course, stage="stage-1"))
    said, listed = re.search(r"(\d+) places with events lie beyond the map window: ([^.]+(?:\.[^ ][^.]*)*)\.", text).groups()
    assert int(said) == len(listed.split("; ")), text
