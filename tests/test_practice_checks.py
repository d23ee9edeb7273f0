"""Checks that teach: every solution answer passes, typical mistakes get the right hint, None is unanswered,
and no badly-shaped answer makes a checker raise.

The solution answers are collected by running each solution notebook's code cells once, in-process,
and reading the variable each `practice.check("tN", name)` cell checks.
"""

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from conftest import ROOT
from turn_east import charts
from turn_east.practice import Practice, tasks_for

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LESSONS = [p.stem for p in SOLUTIONS]
CHECK = re.compile(r'practice\.check\("(t\d+)",\s*(\w+)\)')
_CACHE: dict = {}


def _solution_answers(lesson: str) -> dict:
    """{task id: the value the solution notebook checks}, running the notebook's code once."""
    if lesson in _CACHE:
        return _CACHE[lesson][0]
    nb = json.loads((ROOT / "solutions" / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    ns: dict = {}
    answers = {}
    original_show = go.Figure.show
    go.Figure.show = lambda self, *a, **k: None  # no renderer in a test process
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] != "code" or "solution-only" in cell["metadata"].get("tags", []):
                continue
            src = "".join(cell["source"])
            m = CHECK.search(src)
            if m:
                answers[m.group(1)] = ns[m.group(2)]
                continue
            if src.strip() == "practice.progress()":
                continue
            exec(compile(src, f"{lesson}", "exec"), ns)
    finally:
        go.Figure.show = original_show
    _CACHE[lesson] = (answers, ns)
    return answers


ALL_TASKS = [(lesson, tid) for lesson in LESSONS for tid in tasks_for(lesson)]


def test_every_solution_checks_every_task_of_its_lesson():
    assert len(LESSONS) == 11
    for lesson in LESSONS:
        assert set(_solution_answers(lesson)) == set(tasks_for(lesson)), lesson


@pytest.mark.parametrize("lesson,tid", ALL_TASKS, ids=lambda x: str(x))
def test_the_solution_answer_passes(course, lesson, tid):
    v = Practice(lesson, course).check(tid, _solution_answers(lesson)[tid])
    assert v.status == "pass", v.message


@pytest.mark.parametrize("lesson,tid", ALL_TASKS, ids=lambda x: str(x))
def test_none_is_unanswered(course, lesson, tid):
    v = Practice(lesson, course).check(tid, None)
    assert v.status == "unanswered" and "Replace None" in v.message


WEIRD = [42, "text", [], {}, pd.DataFrame(), pd.Series(dtype=float), pd.DataFrame({"x": [1, 2]}),
         pd.Series(["a", "b"]), 3.5, (1, 2), go.Figure()]


@pytest.mark.parametrize("lesson,tid", ALL_TASKS, ids=lambda x: str(x))
def test_badly_shaped_answers_never_raise(course, lesson, tid):
    checker = tasks_for(lesson)[tid].checker
    for answer in WEIRD:
        ok, message = checker(course, answer)  # the checker itself, without Practice's safety net
        assert ok is False and isinstance(message, str) and message, (answer, message)


# ---------------------------------------------------------------- typical wrong answers

def _pair(e, a, b):
    return ((e.actor_a == a) & (e.actor_b == b)) | ((e.actor_a == b) & (e.actor_b == a))


def _stage(c, s):
    return c.events[c.events["stage"] == s]


def _w01_t2_no_plus_one(c, ns):
    t = ns["talks"]
    s = (t["end_date"].fillna(t["date"]) - t["date"]).dt.days
    s.index = t["id"]
    return s


def _w01_t2_nat(c, ns):
    t = ns["talks"]
    s = (t["end_date"] - t["date"]).dt.days + 1
    s.index = t["id"]
    return s


def _w01_t3_background(c, ns):
    e = c.events[c.events["date"].dt.year <= 2011]
    return e.groupby(e["date"].dt.year).size()


def _w02_t3_twice(c, ns):
    rows = _stage(c, "stage-1")[["id", "people"]].explode("people")
    j = rows.merge(c.people[["id", "actor"]].rename(columns={"id": "person"}), left_on="people", right_on="person")
    return j["actor"].value_counts()


def _w02_t4(c, ns, *, one_order=False, agg="mean"):
    s1 = _stage(c, "stage-1")
    out = {}
    for p in ("JPN", "KOR"):
        m = ((s1.actor_a == "RUS") & (s1.actor_b == p)) if one_order else _pair(s1, "RUS", p)
        out[f"RUS-{p}"] = s1.loc[m, "goldstein"].agg(agg)
    return pd.Series(out)


def _w03_t3_days(c, ns):
    kr = ns["khasan_rajin"]
    return pd.Series([f"{d.day} {d:%B} {d.year}" for d in kr["date"]], index=kr["id"])


def _w04_t2_order(c, ns):
    s = ns["summits"]
    return s[s["actor_b"] == "PRK"]["actor_a"].value_counts()


def _w04_t3_twice(c, ns):
    x = ns["summits"][["id", "people"]].explode("people")
    j = x.merge(c.people[["id", "actor"]].rename(columns={"id": "person"}), left_on="people", right_on="person")
    return j["actor"].value_counts()


def _w04_t4(c, ns, stage="stage-3", agg="mean"):
    e = c.events
    return e[_pair(e, "RUS", "PRK") & (e["stage"] == stage)]["goldstein"].agg(agg)


def _w05_t2_sum(c, ns):
    e = c.events
    return pd.DataFrame({f"RUS-{p}": e[_pair(e, "RUS", p)].groupby("stage", observed=True)["goldstein"].sum()
                         for p in ("PRK", "KOR")})


def _w05_t3_all(c, ns):
    t = c.events[c.events["event_type"] == "treaty"]
    return (t["date"].max() - t["date"].min()).days


def _w12_t2_twice(c, ns):
    x = ns["hostile"].explode("actors")
    return x[x["actors"].isin(["JPN", "KOR"])].groupby("stage", observed=True).size()


def _w13_t2_naive(c, ns):
    return c.events.merge(ns["far_east"], left_on="place", right_on="id")


def _w13_t3_all(c, ns):
    e = c.events[c.events["stage"].notna()]
    agenda = e["motives"].map(lambda m: "agenda" in m) & e["place"].isin(ns["far_east"]["id"])
    return agenda.groupby(e["stage"], observed=True).mean()


def _w14_t3_all_terms(c, ns):
    x = c.glossary.explode("stages")
    return x[x["stages"].isin(c.periods)]["stages"].value_counts()


def _w14_t4_other_stage(c, ns):
    z = ns["matrix_fig"].data[0].z
    row = list(c.motives["id"]).index("identity")
    want = z[row][c.periods.index("stage-2")]
    return next(v for v in z[row] if v != want)


def _w20_t1_nan(c, ns):
    tags = c.events[c.events["stage"].notna()].explode("motives")
    tags = tags.assign(motives=tags["motives"].fillna("nan").astype(str))
    t = pd.crosstab(tags["stage"], tags["motives"])
    if "nan" not in t.columns:  # once the loader gives [] for an empty list, a student's table has no such column
        t["nan"] = 1
    return t


def _w20_t3_order(c, ns):
    e = c.events
    n = e[(e.actor_a == "RUS") & (e.actor_b == "PRK")].groupby("stage", observed=True).size()
    n = n.reindex(c.periods, fill_value=0)
    n.index = n.index.astype(str)
    return pd.DataFrame({"n_events": n, "score": ns["rus_prk_table"]["score"]})



def _w06_t2_one_order(c, ns):
    rows = {}
    for p in ("stage-4", "epilogue"):
        e = c.events[c.events["stage"] == p]
        sel = e[(e.actor_a == "RUS") & (e.actor_b == "PRK")]
        rows[p] = {"n_events": len(sel), "mean_tone": sel["goldstein"].mean()}
    return pd.DataFrame.from_dict(rows, orient="index")


WRONG = [
    ("01_prelude_six_party_talks", "t1", lambda c, ns: c.events[(c.events.place == "beijing-diaoyutai")
                                                              & (c.events.event_type == "multilateral")], ["event type"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: c.events[c.events.id.str.contains("six-party")], ["place"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: pd.concat([ns["talks"], ns["talks"]]), ["twice", "duplicates"]),
    ("01_prelude_six_party_talks", "t2", _w01_t2_no_plus_one, ["off by one"]),
    ("01_prelude_six_party_talks", "t2", _w01_t2_nat, ["one day"]),
    ("01_prelude_six_party_talks", "t3", _w01_t3_background, ["before 2000"]),
    ("01_prelude_six_party_talks", "t4", lambda c, ns: charts.tone_by_stage(c), ["pairs="]),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: c.events[c.events.date.dt.year.between(2012, 2014)],
     ["boundar", "26 February 2014"]),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: c.events[c.events.date.dt.year.between(2012, 2013)], ["boundar"]),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: ns["stage1"][["title", "date"]], ["'id' column"]),
    ("02_stage_1_adjusting_to_asia", "t2", lambda c, ns: ns["stage1"][(ns["stage1"].actor_a == "PRK")
                                                                    | (ns["stage1"].actor_b == "PRK")], ["actors list"]),
    ("02_stage_1_adjusting_to_asia", "t3", _w02_t3_twice, ["twice"]),
    ("02_stage_1_adjusting_to_asia", "t4", lambda c, ns: _w02_t4(c, ns, one_order=True), ["order"]),
    ("02_stage_1_adjusting_to_asia", "t4", lambda c, ns: _w02_t4(c, ns, agg="sum"), ["mean"]),
    ("03_stage_2_after_crimea", "t1", lambda c, ns: c.events[(c.events.event_type == "sanctions")
                                                           & c.events.date.dt.year.isin([2016, 2017])], ["UN resolution"]),
    ("03_stage_2_after_crimea", "t2", lambda c, ns: c.events[c.events.place.isin(["rajin", "khasan"])], ["after 2017"]),
    ("03_stage_2_after_crimea", "t3", _w03_t3_days, ["precision", "month"]),
    ("03_stage_2_after_crimea", "t4", lambda c, ns: charts.activity_by_stage(c), ["pairs="]),
    ("03_stage_2_after_crimea", "t4", lambda c, ns: charts.tone_by_stage(c), ["comes from charts.tone_by_stage"]),
    ("04_stage_3_sidelined_then_summits", "t1",
     lambda c, ns: _stage(c, "stage-3")[_stage(c, "stage-3").event_type.isin(["summit", "multilateral"])], ["multilateral"]),
    ("04_stage_3_sidelined_then_summits", "t2", _w04_t2_order, ["order"]),
    ("04_stage_3_sidelined_then_summits", "t3", _w04_t3_twice, ["twice"]),
    ("04_stage_3_sidelined_then_summits", "t4", lambda c, ns: _w04_t4(c, ns, agg="sum"), ["mean"]),
    ("04_stage_3_sidelined_then_summits", "t4", lambda c, ns: _w04_t4(c, ns, stage="stage-4"), ["another stage"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: _stage(c, "stage-4")[(_stage(c, "stage-4").actor_a == "RUS")
                                                                           & (_stage(c, "stage-4").actor_b == "PRK")],
     ["order", "either way round"]),
    ("05_stage_4_war_and_alliance", "t1",
     lambda c, ns: _stage(c, "stage-4")[_stage(c, "stage-4").actors.map(lambda a: "RUS" in a and "PRK" in a)],
     ["main pair"]),
    ("05_stage_4_war_and_alliance", "t2", _w05_t2_sum, ["mean"]),
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: ns["tone"].T, ["swapped"]),
    ("05_stage_4_war_and_alliance", "t3", lambda c, ns: ns["days_to_force"] + 1, ["off by one"]),
    ("05_stage_4_war_and_alliance", "t3", _w05_t3_all, ["stage four only"]),
    ("05_stage_4_war_and_alliance", "t4", lambda c, ns: charts.timeline(c, stages=["stage-4"], color_by="actor"),
     ["actors="]),
    ("06_epilogue_after_the_article", "t1", lambda c, ns: ns["epilogue"][ns["pair"] & (ns["epilogue"].date > ns["admission"])],
     [">="]),
    ("06_epilogue_after_the_article", "t1",
     lambda c, ns: ns["epilogue"][(ns["epilogue"].actor_a == "RUS") & (ns["epilogue"].actor_b == "PRK")
                                  & (ns["epilogue"].date >= ns["admission"])], ["either way round"]),
    ("06_epilogue_after_the_article", "t1",
     lambda c, ns: ns["epilogue"][ns["epilogue"].actors.map(lambda a: "RUS" in a and "PRK" in a)
                                  & (ns["epilogue"].date >= ns["admission"])], ["main pair"]),
    ("06_epilogue_after_the_article", "t1",
     lambda c, ns: ns["epilogue"][ns["pair"] & (ns["epilogue"].date >= ns["admission"])
                                  & (ns["epilogue"].date.dt.year == 2025)], ["into 2026"]),
    ("06_epilogue_after_the_article", "t1", lambda c, ns: ns["epilogue"][ns["pair"]], ["from the day"]),
    ("06_epilogue_after_the_article", "t2", _w06_t2_one_order, ["order"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: ns["compare"].assign(
        mean_tone=[ns["pair_rows"](p)["goldstein"].sum() for p in ns["compare"].index]), ["mean"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: ns["compare"].rename(columns={"mean_tone": "tone"}),
     ["n_events and mean_tone"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: -ns["moved"], ["reversed"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: ns["moved"].abs(), ["sign"]),
    ("06_epilogue_after_the_article", "t4", lambda c, ns: charts.relations_heatmap(c), ["actors="]),
    ("06_epilogue_after_the_article", "t4", lambda c, ns: charts.relations_heatmap(c, actors=["PRK", "RUS"]),
     ["one actor id"]),
    ("11_motive_triangle_grand_strategy", "t1",
     lambda c, ns: c.relations[(c.relations.actor_a == "RUS") & c.relations.actor_b.isin(["CHN", "USA"])], ["three sides"]),
    ("11_motive_triangle_grand_strategy", "t1",
     lambda c, ns: c.relations[c.relations.actor_a.isin(["RUS", "CHN", "USA"])
                               | c.relations.actor_b.isin(["RUS", "CHN", "USA"])], ["both ends"]),
    ("11_motive_triangle_grand_strategy", "t2", lambda c, ns: ns["sides"].T, ["swapped"]),
    ("11_motive_triangle_grand_strategy", "t3", lambda c, ns: ns["sides"]["RUS-USA"] - ns["sides"]["RUS-CHN"], ["sign"]),
    ("11_motive_triangle_grand_strategy", "t4", lambda c, ns: charts.relations_heatmap(c), ["21 pairs"]),
    ("12_motive_alliances_us_allies", "t1",
     lambda c, ns: c.events[c.events.actors.map(lambda a: "JPN" in a or "KOR" in a) & (c.events.goldstein < 0)],
     ["before 2000"]),
    ("12_motive_alliances_us_allies", "t1",
     lambda c, ns: c.events[c.events.stage.notna() & (c.events.actor_a.isin(["JPN", "KOR"]) | c.events.actor_b.isin(["JPN", "KOR"]))
                            & (c.events.goldstein < 0)], ["actors list"]),
    ("12_motive_alliances_us_allies", "t1",
     lambda c, ns: c.events[c.events.stage.notna() & c.events.actors.map(lambda a: "JPN" in a or "KOR" in a)
                            & (c.events.goldstein <= 0)], ["neutral"]),
    ("12_motive_alliances_us_allies", "t2", _w12_t2_twice, ["twice"]),
    ("12_motive_alliances_us_allies", "t3", lambda c, ns: ns["allies_score"] * 2, ["mean"]),
    ("12_motive_alliances_us_allies", "t4", lambda c, ns: charts.timeline(c, actors=["JPN", "KOR"]), ["motives="]),
    ("13_motive_agenda_arms_labour_trade", "t1",
     lambda c, ns: c.places[(c.places.actor == "RUS") & (c.places.lon > 100)], ["180th meridian"]),
    ("13_motive_agenda_arms_labour_trade", "t2", _w13_t2_naive, ["id_x"]),
    ("13_motive_agenda_arms_labour_trade", "t3", _w13_t3_all, ["divide"]),
    ("13_motive_agenda_arms_labour_trade", "t3", lambda c, ns: ns["fe_share"] * 100, ["percentages"]),
    ("13_motive_agenda_arms_labour_trade", "t4", lambda c, ns: charts.northeast_asia_map(c), ["stage="]),
    ("14_motive_identity_eurasian_power", "t1",
     lambda c, ns: c.glossary[c.glossary.definition.str.contains("identity", case=False)], ["definitions"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: ns["identity_events"].drop("background"), ["background"]),
    ("14_motive_identity_eurasian_power", "t3", _w14_t3_all_terms, ["identity terms"]),
    ("14_motive_identity_eurasian_power", "t4", _w14_t4_other_stage, ["another stage"]),
    ("20_synthesis_weighing_the_argument", "t1", _w20_t1_nan, ["no motive"]),
    ("20_synthesis_weighing_the_argument", "t1", lambda c, ns: ns["matrix"].T, ["swapped"]),
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: ns["matrix"].idxmin(axis=1), ["idxmin"]),
    ("20_synthesis_weighing_the_argument", "t3", _w20_t3_order, ["order"]),
    ("20_synthesis_weighing_the_argument", "t4", lambda c, ns: charts.activity_by_stage(c), ["comes from charts.activity_by_stage"]),
]


def _namespace(lesson):
    """Every name the solution notebook defined (its answers and the intermediate tables)."""
    _solution_answers(lesson)
    return _CACHE[lesson][1]


@pytest.mark.parametrize("lesson,tid,make,words", WRONG, ids=[f"{w[0][:2]}-{w[1]}-{i}" for i, w in enumerate(WRONG)])
def test_a_typical_mistake_gets_its_hint(course, lesson, tid, make, words):
    answer = make(course, _namespace(lesson))
    v = Practice(lesson, course).check(tid, answer)
    assert v.status == "fail", f"a wrong answer passed: {v.message}"
    assert any(w.lower() in v.message.lower() for w in words), f"hint lacks {words}: {v.message}"


def test_every_task_has_a_tested_mistake():
    covered = {(l, t) for l, t, _, _ in WRONG}
    assert covered == set(ALL_TASKS), sorted(set(ALL_TASKS) - covered)


def test_no_hint_gives_the_answer_away(course):
    """A failing check names the kind of mistake; it never prints the expected ids or numbers."""
    for lesson, tid, make, _ in WRONG:
        v = Practice(lesson, course).check(tid, make(course, _namespace(lesson)))
        right = _solution_answers(lesson)[tid]
        if isinstance(right, pd.DataFrame) and "id" in right:
            assert not any(i in v.message for i in right["id"]), (lesson, tid, v.message)
