"""Checks that teach: every solution answer passes, at least five typical mistakes per task get a hint that names the
mistake, None is unanswered, no badly-shaped answer makes a checker raise, and no hint gives the answer away.

The solution answers are collected by running each solution notebook's code cells once, in-process, and reading
the variable each `practice.check("tN", name)` cell checks. `WRONG` lists the wrong answers tried and the words
the hint must contain; `python tests/test_practice_checks.py` prints them with the hints as a table.
"""

import importlib
import csv
import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from conftest import ROOT
from turn_east import charts, policy
from turn_east.practice import Practice, tasks_for
from turn_east.practice.coding import coding_events
from turn_east.practice.tasks import lesson11, lesson12

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LESSONS = [p.stem for p in SOLUTIONS]
CHECK = re.compile(r'practice\.check\("(t\d+)",\s*(\w+)\)')
_CACHE: dict = {}


def _run_solution(lesson: str) -> tuple[dict, dict]:
    """({task id: the value the solution notebook checks}, the notebook's namespace), running its code once."""
    if lesson in _CACHE:
        return _CACHE[lesson]
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
            if src.strip() in ("practice.progress()", "practice.coding_sheet()"):
                continue
            exec(compile(src, f"{lesson}", "exec"), ns)
    finally:
        go.Figure.show = original_show
    _CACHE[lesson] = (answers, ns)
    return _CACHE[lesson]


def _answers(lesson):
    return _run_solution(lesson)[0]


def _namespace(lesson):
    return _run_solution(lesson)[1]


ALL_TASKS = [(lesson, tid) for lesson in LESSONS for tid in tasks_for(lesson)]


def test_every_solution_checks_every_task_of_its_lesson():
    listed = {r["id"] for r in csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))
              if r["kind"] not in policy.KINDS_WITHOUT_PRACTICE}
    assert set(LESSONS) == listed, "every lesson of lessons.csv but the course map has a practice notebook"
    for lesson in LESSONS:
        assert set(_answers(lesson)) == set(tasks_for(lesson)), lesson


def test_every_exercise_has_a_sensitivity_a_choice_and_a_coding_task():
    for lesson in LESSONS:
        kinds = [t.kind for t in tasks_for(lesson).values()]
        assert set(policy.TASK_KINDS) <= set(kinds), (lesson, kinds)


@pytest.mark.parametrize("lesson,tid", ALL_TASKS, ids=lambda x: str(x))
def test_the_solution_answer_passes(course, lesson, tid):
    v = Practice(lesson, course).check(tid, _answers(lesson)[tid])
    assert v.status == "pass", v.message


def test_none_is_unanswered(course):
    for lesson, tid in ALL_TASKS:
        v = Practice(lesson, course).check(tid, None)
        assert v.status == "unanswered" and "Replace None" in v.message, (lesson, tid)


def test_a_course_table_changed_in_place_is_named_and_not_checked():
    """`recoded = relations` then `recoded.loc[...] = ...` changes the course itself: checked against the changed
    data, a wrong answer would pass. The check names the table, the row and the fix (reload, then .copy())."""
    from turn_east.data import load_course
    c = load_course()
    practice = Practice("11_motive_triangle_grand_strategy", c)
    recoded = c.relations  # a second name for the same table, not a copy
    recoded.loc[recoded["id"] == "prelude:RUS-CHN", "score"] = 1
    v = practice.check("t2", {"before": lesson11._lean(c.relations), "after": lesson11._lean(recoded)})
    assert v.status == "fail" and "course.relations" in v.message and "prelude:RUS-CHN" in v.message, v.message
    assert "2 is now 1" in v.message and ".copy()" in v.message and "first cell" in v.message
    assert practice.check("t1", c.relations).status == "fail"  # every check, until the data are reloaded
    c = load_course()
    practice = Practice("14_motive_identity_eurasian_power", c)
    c.events["motives"].iloc[0].append("identity")  # a list inside a cell, changed in place
    v = practice.check("t1", c.glossary)
    assert v.status == "fail" and "course.events" in v.message, v.message


def test_a_choice_left_as_none_says_that_show_returns_none(course):
    v = Practice("11_motive_triangle_grand_strategy", course).check("t3", None)
    assert v.status == "unanswered" and ".show() returns None" in v.message


WEIRD = [42, "text", [], {}, pd.DataFrame(), pd.Series(dtype=float), pd.DataFrame({"x": [1, 2]}),
         pd.Series(["a", "b"]), 3.5, (1, 2), go.Figure(), {"before": "x", "after": None}, [{"id": 1}],
         pd.Series([True, False])]


def test_badly_shaped_answers_never_raise(course):
    for lesson, tid in ALL_TASKS:
        checker = tasks_for(lesson)[tid].checker
        for answer in WEIRD:
            ok, message = checker(course, answer)  # the checker itself, without Practice's safety net
            assert ok is False and isinstance(message, str) and message, (lesson, tid, answer, message)


# ---------------------------------------------------------------- typical wrong answers

def _pair(e, a, b):
    return ((e.actor_a == a) & (e.actor_b == b)) | ((e.actor_a == b) & (e.actor_b == a))


def _one(e, a, b):
    return (e.actor_a == a) & (e.actor_b == b)


def _stage(c, s):
    return c.events[c.events["stage"] == s]


def _ba(sel, after_sel, col="goldstein", agg="mean"):
    return {"before": sel[col].agg(agg), "after": after_sel[col].agg(agg)}


def _drop(sel, *ids):
    return sel[~sel["id"].isin(ids)]


def _mask(table, cond):
    return cond(table)


MASK = ["True/False"]
SWAP = ["swapped"]
SAME = ["did not reach"]
INPLACE = ["copy"]

# 01 ---------------------------------------------------------------
P = "prelude"
J05 = "2005-09-19-six-party-joint-statement"


def _w01_t2(c, *, sel=None, drop=True):
    pre = _stage(c, P) if sel is None else sel
    return _ba(pre, _drop(pre, J05) if drop else pre)


def _pre_pair(c, a="USA", b="PRK", one=False):
    e = _stage(c, P)
    return e[_one(e, a, b) if one else _pair(e, a, b)]


# 02 ---------------------------------------------------------------
def _s1_jpn(c, one=None):
    e = _stage(c, "stage-1")
    return e[_one(e, *one) if one else _pair(e, "RUS", "JPN")]


# 05 ---------------------------------------------------------------
ALLEGED = ["2023-12-30-dprk-missiles-in-ukraine", "2024-10-18-nis-troops-report"]


def _s4_prk(c, one=False, stage="stage-4"):
    e = _stage(c, stage) if stage else c.events[c.events["stage"].notna()]
    return e[_one(e, "RUS", "PRK") if one else _pair(e, "RUS", "PRK")]


# 11, 12 -------------------------------------------------------------
TRIAD = ["RUS", "CHN", "USA"]


def _lean(rel, agg="mean", **kw):
    if agg is None:  # the lean of each period, not yet averaged
        t = rel[rel.actor_a.isin(TRIAD) & rel.actor_b.isin(TRIAD)]
        p = t.assign(pair=t.actor_a + "-" + t.actor_b).pivot(index="period", columns="pair", values="score")
        return p["RUS-CHN"] - p["RUS-USA"]
    return lesson11._lean(rel, **kw)


def _recode(rel, row, score):
    r = rel.copy()
    r.loc[r["id"] == row, "score"] = score
    return r


def _w11_inplace(c, ns):
    r = _recode(c.relations, "prelude:RUS-CHN", 1)
    return {"before": _lean(r), "after": _lean(r)}


def _allies(rel, **kw):
    return lesson12._allies_mean(rel, **kw)


# 13 -------------------------------------------------------------
def _agenda(c):
    e = c.events
    return e[e["motives"].map(lambda m: "agenda" in m) & e["stage"].notna()]


def _fe(c, cut=100, antimeridian=True):
    p = c.places
    return p[(p.actor == "RUS") & ((p.lon > cut) | ((p.lon < 0) if antimeridian else False))]


def _share(c, cut, antimeridian=True, base=None):
    a = _agenda(c)
    n = a["place"].isin(_fe(c, cut, antimeridian)["id"]).sum()
    return n / len(a if base is None else base)


# 14 -------------------------------------------------------------
def _identity(c, motive="identity"):
    return c.events[c.events["motives"].map(lambda m: motive in m)]


def _w14_t2(c, start="1991-01-01", end="2011-12-31", motive="identity", every=False):
    e = c.events if every else _identity(c, motive)
    return {"before": int((e["stage"] == P).sum()), "after": int(((e["date"] >= start) & (e["date"] <= end)).sum())}


# 20 -------------------------------------------------------------
def _w20_t2(c, stage="stage-2", un_only=True, motive="triangle", all_tags=False):
    e = _stage(c, stage) if stage else c.events[c.events["stage"].notna()]
    un = (e["event_type"] == "sanctions") & ((e["actor_a"] == "UNSC") if un_only else True)
    count = (lambda d: d["motives"].map(len).sum()) if all_tags else (lambda d: d["motives"].map(lambda m: motive in m).sum())
    return {"before": count(e), "after": count(e[~un])}


def _un_votes(c):
    e = _stage(c, "stage-2")
    return int(((e["event_type"] == "sanctions") & (e["actor_a"] == "UNSC")).sum())


def _w20_t1_nan(c, ns):
    tags = c.events[c.events["stage"].notna()].explode("motives")
    tags = tags.assign(motives=tags["motives"].fillna("nan").astype(str))
    t = pd.crosstab(tags["stage"], tags["motives"])
    if "nan" not in t.columns:
        t["nan"] = 1
    return t


E = lambda c: c.events  # noqa: E731


def _cnt(sel, after_sel):
    return {"before": len(sel), "after": len(after_sel)}


def _s(c, stage):
    return _stage(c, stage)


R05 = ALLEGED


def _pair_s(c, stage, a, b, one=False):
    e = _stage(c, stage) if stage else c.events
    return e[_one(e, a, b) if one else _pair(e, a, b)]


def _in_actors(e, *codes):
    return e[e.actors.map(lambda items: all(x in items for x in codes))]


# The wrong answers tried in the walk-through of lessons 01-05 (issue 23), each with the words its hint must have.
WALK = [
    # 01 t1: a filter on part of an id catches the capital too; a misspelt place id gives no rows
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)[E(c).place.fillna("").str.contains("beijing")], ["=="]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)[E(c).title.str.contains("Six-Party")], ["title"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c).merge(c.places, left_on="place", right_on="id"), ["id_x"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)[E(c).place == "beijing-diaoyutai"][["date", "title"]], ["'id' column"]),
    # 01 t2: every period; KOR for PRK; counts instead of means
    ("01_prelude_six_party_talks", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, J05)))(E(c)[_pair(E(c), "USA", "PRK")]),
     ["every period"]),
    ("01_prelude_six_party_talks", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, J05)))(_pair_s(c, P, "USA", "KOR")),
     ["KOR", "South Korea"]),
    ("01_prelude_six_party_talks", "t2", lambda c, ns: (lambda s: _cnt(s, _drop(s, J05)))(_pair_s(c, P, "USA", "PRK")),
     ["numbers of events"]),
    # 02 t1: the stage's title for its id; one day too far; a count per stage instead of rows
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: E(c)[E(c).stage == "Stage One"], ["Stage One", "stages.csv"]),
    ("02_stage_1_adjusting_to_asia", "t1",
     lambda c, ns: E(c)[(E(c).date >= "2012-01-01") & (E(c).date <= "2014-02-27")], ["27 February 2014"]),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: E(c)["stage"].value_counts(), ["column of numbers"]),
    # 02 t2: KOR for JPN; 'after' the wrong side of the cut; the actors list; counts
    ("02_stage_1_adjusting_to_asia", "t2",
     lambda c, ns: (lambda s: _ba(s, s[s.date <= "2013-12-31"]))(_pair_s(c, "stage-1", "RUS", "KOR")), ["JPN (Japan)"]),
    ("02_stage_1_adjusting_to_asia", "t2",
     lambda c, ns: (lambda s: _ba(s, s[s.date > "2013-12-31"]))(_pair_s(c, "stage-1", "RUS", "JPN")), ["<="]),
    ("02_stage_1_adjusting_to_asia", "t2",
     lambda c, ns: (lambda s: _ba(s, s[s.date <= "2013-12-31"]))(_in_actors(_s(c, "stage-1"), "RUS", "JPN")), ["main pair"]),
    ("02_stage_1_adjusting_to_asia", "t2",
     lambda c, ns: (lambda s: _cnt(s, s[s.date <= "2013-12-31"]))(_pair_s(c, "stage-1", "RUS", "JPN")), ["numbers of events"]),
    ("02_stage_1_adjusting_to_asia", "t2",
     lambda c, ns: _ba(_pair_s(c, "stage-1", "RUS", "JPN"), (lambda e: e[e.date <= "2013-12-31"])(_pair_s(c, None, "RUS", "JPN"))),
     ["every period"]),
    # 03 t1: a misspelt value; 2016 & 2017 on one column (no rows)
    ("03_stage_2_after_crimea", "t1", lambda c, ns: E(c)[(E(c).event_type == "sanction") & (E(c).actor_a == "UNSC")], ["unique()"]),
    ("03_stage_2_after_crimea", "t1", lambda c, ns: E(c)[(E(c).event_type == "sanctions") & (E(c).date.dt.year == 2016)
                                                         & (E(c).date.dt.year == 2017)], [".isin"]),
    # 03 t2: the other order only; counts
    ("03_stage_2_after_crimea", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, "2015-04-30-kim-skips-parade")))(
        _pair_s(c, "stage-2", "PRK", "RUS", one=True)), ["order"]),
    ("03_stage_2_after_crimea", "t2", lambda c, ns: (lambda s: _cnt(s, _drop(s, "2015-04-30-kim-skips-parade")))(
        _pair_s(c, "stage-2", "RUS", "PRK")), ["numbers of events"]),
    # 04 t1: words in the title instead of the event type; the event type capitalised
    ("04_stage_3_sidelined_then_summits", "t1", lambda c, ns: _s(c, "stage-3")[_s(c, "stage-3").title.str.contains("summit", case=False)],
     ["event_type column"]),
    ("04_stage_3_sidelined_then_summits", "t1", lambda c, ns: _s(c, "stage-3")[_s(c, "stage-3").event_type == "Summit"], ["spelled"]),
    # 04 t2: the other order only; KOR; the actors list; every period
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2019-12-31"]))(
        _pair_s(c, "stage-3", "PRK", "RUS", one=True)), ["order"]),
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2019-12-31"]))(
        _pair_s(c, "stage-3", "RUS", "KOR")), ["KOR", "South Korea"]),
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2019-12-31"]))(
        _in_actors(_s(c, "stage-3"), "RUS", "PRK")), ["main pair"]),
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2019-12-31"]))(
        _pair_s(c, None, "RUS", "PRK")), ["every period"]),
    # 04 t3: a timeline without Russia's own meetings cannot show Russia left out
    ("04_stage_3_sidelined_then_summits", "t3", lambda c, ns: _fig(c, "timeline", stages=["stage-3"], actors=["KOR"]),
     ["Russia's own meetings"]),
    # 05 t1: the actors list compared with a whole list; isin on both columns; North Korea on either side
    ("05_stage_4_war_and_alliance", "t1",
     lambda c, ns: _s(c, "stage-4")[_s(c, "stage-4").actors.map(lambda x: list(x) == ["RUS", "PRK"])], ["whole list"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: (lambda e: e[e.actor_a.isin(["RUS", "PRK"]) & e.actor_b.isin(["RUS", "PRK"])])(
        _s(c, "stage-4")), ["same country"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: (lambda e: e[(e.actor_a == "PRK") | (e.actor_b == "PRK")])(_s(c, "stage-4")),
     ["must be Russia"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: _s(c, "stage-4")[_s(c, "stage-4").actors == "RUS;PRK"], ["list column"]),
    # 05 t2: isin without ~; 'after' from every event
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: _ba(_s4_prk(c), _s4_prk(c)[_s4_prk(c).id.isin(R05)]), ["~"]),
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: _ba(_s4_prk(c), _drop(E(c), *R05)), ["every event"]),
]


def _w06_t2_one_order(c, ns):
    rows = {}
    for p in ("stage-4", "epilogue"):
        e = c.events[c.events["stage"] == p]
        sel = e[(e.actor_a == "RUS") & (e.actor_b == "PRK")]
        rows[p] = {"n_events": len(sel), "mean_tone": sel["goldstein"].mean()}
    return pd.DataFrame.from_dict(rows, orient="index")


# 06 -------------------------------------------------------------
NIS = ["2025-02-09-nis-dprk-workers-in-russia", "2025-02-27-nis-second-troop-deployment", "2025-09-02-nis-2000-dprk-dead"]


def _ep(c, stage="epilogue"):
    return _stage(c, stage) if stage else c.events[c.events["stage"].notna()]


def _w06_scores(c, period, label=lambda r: r["actor_a"] + "-" + r["actor_b"], values=True):
    r = c.relations[c.relations["period"] == period]
    return pd.Series(r["score"].values if values else r["score"], index=label(r))


def _w06_t3(c, *, sel=None, drop=NIS, agg="mean"):
    e = _ep(c)
    sel = e[_pair(e, "RUS", "PRK")] if sel is None else sel
    return _ba(sel, _drop(sel, *drop), agg=agg)


WRONG = [
    # 01 t1
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)[(E(c).place == "beijing-diaoyutai") & (E(c).event_type == "multilateral")], ["event type"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)[E(c).id.str.contains("six-party")], ["place"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)["place"] == "beijing-diaoyutai", MASK),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)[E(c).place == "beijing"], ["capital"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: pd.concat([ns["talks"], ns["talks"]]), ["twice"]),
    ("01_prelude_six_party_talks", "t1", lambda c, ns: E(c)[E(c).place == "Diaoyutai"], ["empty"]),
    # 01 t2
    ("01_prelude_six_party_talks", "t2", lambda c, ns: _w01_t2(c, sel=_pre_pair(c, one=True)), ["order"]),
    ("01_prelude_six_party_talks", "t2", lambda c, ns: _w01_t2(c, sel=_pre_pair(c, "PRK", "USA", one=True)), ["order"]),
    ("01_prelude_six_party_talks", "t2",
     lambda c, ns: _w01_t2(c, sel=E(c)[(E(c).date.dt.year <= 2011) & _pair(E(c), "USA", "PRK")]), ["before 2000"]),
    ("01_prelude_six_party_talks", "t2", lambda c, ns: _w01_t2(
        c, sel=_stage(c, P)[_stage(c, P).actors.map(lambda a: "USA" in a and "PRK" in a)]), ["actors list"]),
    ("01_prelude_six_party_talks", "t2", lambda c, ns: _ba(_pre_pair(c), _drop(_pre_pair(c), J05), agg="sum"), ["mean"]),
    ("01_prelude_six_party_talks", "t2", lambda c, ns: dict(before=ns["tone_shift"]["after"], after=ns["tone_shift"]["before"]), SWAP),
    ("01_prelude_six_party_talks", "t2", lambda c, ns: _ba(_pre_pair(c), _drop(_pre_pair(c), "2005-09-19")), SAME),
    # 02 t1
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: E(c)[E(c).date.dt.year.between(2012, 2014)], ["26 February 2014"]),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: E(c)[E(c).date.dt.year.between(2012, 2013)], ["boundar"]),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: ns["stage1"][["title", "date"]], ["'id' column"]),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: E(c)["stage"] == "stage-1", MASK),
    ("02_stage_1_adjusting_to_asia", "t1", lambda c, ns: E(c)[E(c).stage == "stage1"], ["empty"]),
    # 02 t2
    ("02_stage_1_adjusting_to_asia", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2013-12-31"]))(_s1_jpn(c, ("RUS", "JPN"))), ["order"]),
    ("02_stage_1_adjusting_to_asia", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2013-12-31"]))(_s1_jpn(c, ("JPN", "RUS"))), ["order"]),
    ("02_stage_1_adjusting_to_asia", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date < "2013-01-01"]))(_s1_jpn(c)), ["end of 2012"]),
    ("02_stage_1_adjusting_to_asia", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2013-12-31"], agg="sum"))(_s1_jpn(c)), ["mean"]),
    ("02_stage_1_adjusting_to_asia", "t2", lambda c, ns: dict(before=ns["boundary_shift"]["after"], after=ns["boundary_shift"]["before"]), SWAP),
    # 03 t1
    ("03_stage_2_after_crimea", "t1", lambda c, ns: E(c)[(E(c).event_type == "sanctions") & E(c).date.dt.year.isin([2016, 2017])], ["UN resolution"]),
    ("03_stage_2_after_crimea", "t1", lambda c, ns: E(c)[(E(c).event_type == "sanctions") & (E(c).actor_a == "UNSC")], ["2016 and 2017"]),
    ("03_stage_2_after_crimea", "t1", lambda c, ns: E(c)[(E(c).event_type == "sanctions") & (E(c).actor_a == "UNSC") & (E(c).date.dt.year == 2016)], ["2016 only"]),
    ("03_stage_2_after_crimea", "t1", lambda c, ns: (E(c).event_type == "sanctions") & (E(c).actor_a == "UNSC"), MASK),
    ("03_stage_2_after_crimea", "t1", lambda c, ns: E(c)[(E(c).event_type == "sanctions") & (E(c).actor_a == "UNSC") & (E(c).date.dt.year == 2017)], ["2017 only"]),
    # 03 t2
    ("03_stage_2_after_crimea", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, "2015-04-30-kim-skips-parade")))(
        _stage(c, "stage-2")[_one(_stage(c, "stage-2"), "RUS", "PRK")]), ["order"]),
    ("03_stage_2_after_crimea", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, "2015-04-30-kim-skips-parade")))(
        _stage(c, "stage-2")[_stage(c, "stage-2").actors.map(lambda a: "RUS" in a and "PRK" in a)]), ["actors list"]),
    ("03_stage_2_after_crimea", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, "2015-04-30-kim-skips-parade")))(
        E(c)[_pair(E(c), "RUS", "PRK")]), ["stage two only"]),
    ("03_stage_2_after_crimea", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, "2015-04-30-kim-skips-parade")))(
        _stage(c, "stage-2")[_pair(_stage(c, "stage-2"), "RUS", "KOR")]), ["KOR", "South Korea"]),
    ("03_stage_2_after_crimea", "t2", lambda c, ns: (lambda s: _ba(s, _drop(s, "2015-04-30-kim-skips-parade"), agg="sum"))(
        _stage(c, "stage-2")[_pair(_stage(c, "stage-2"), "RUS", "PRK")]), ["mean"]),
    # 04 t1
    ("04_stage_3_sidelined_then_summits", "t1", lambda c, ns: _stage(c, "stage-3")[_stage(c, "stage-3").event_type.isin(["summit", "multilateral"])], ["multilateral"]),
    ("04_stage_3_sidelined_then_summits", "t1", lambda c, ns: _stage(c, "stage-3")[_stage(c, "stage-3").event_type.isin(["summit", "diplomacy"])], ["diplomacy"]),
    ("04_stage_3_sidelined_then_summits", "t1", lambda c, ns: E(c)[E(c).event_type == "summit"], ["stage three only"]),
    ("04_stage_3_sidelined_then_summits", "t1", lambda c, ns: ns["summits"][_pair(ns["summits"], "PRK", "USA") | (ns["summits"].actor_a == "PRK")
                                                                         | (ns["summits"].actor_b == "PRK")], ["Kim Jong Un"]),
    ("04_stage_3_sidelined_then_summits", "t1", lambda c, ns: (E(c).stage == "stage-3") & (E(c).event_type == "summit"), MASK),
    # 04 t2
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2019-12-31"]))(
        _stage(c, "stage-3")[_one(_stage(c, "stage-3"), "RUS", "PRK")]), ["order"]),
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2018-12-31"]))(
        _stage(c, "stage-3")[_pair(_stage(c, "stage-3"), "RUS", "PRK")]), ["2018 only"]),
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date > "2019-12-31"]))(
        _stage(c, "stage-3")[_pair(_stage(c, "stage-3"), "RUS", "PRK")]), ["2020-2021"]),
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2019-12-31"]))(
        _stage(c, "stage-3")[_pair(_stage(c, "stage-3"), "USA", "PRK")]), ["United States"]),
    ("04_stage_3_sidelined_then_summits", "t2", lambda c, ns: (lambda s: _ba(s, s[s.date <= "2019-12-31"], agg="sum"))(
        _stage(c, "stage-3")[_pair(_stage(c, "stage-3"), "RUS", "PRK")]), ["mean"]),
    # 05 t1
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: _s4_prk(c, one=True), ["order", "either way round"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: _stage(c, "stage-4")[_stage(c, "stage-4").actors.map(lambda a: "RUS" in a and "PRK" in a)], ["main pair"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: _s4_prk(c, stage=None), ["stage four only"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: _stage(c, "stage-4")[_pair(_stage(c, "stage-4"), "RUS", "KOR")], ["KOR", "South Korea"]),
    ("05_stage_4_war_and_alliance", "t1", lambda c, ns: _pair(_stage(c, "stage-4"), "RUS", "PRK"), MASK),
    # 05 t2
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: _ba(_s4_prk(c, one=True), _drop(_s4_prk(c, one=True), *ALLEGED)), ["order"]),
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: _ba(_s4_prk(c, stage=None), _drop(_s4_prk(c, stage=None), *ALLEGED)), ["stage four only"]),
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: _ba(_s4_prk(c), _drop(_s4_prk(c), *ALLEGED), agg="sum"), ["mean"]),
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: _ba(_s4_prk(c), _drop(_s4_prk(c), ALLEGED[0])), ["both"]),
    ("05_stage_4_war_and_alliance", "t2", lambda c, ns: _ba(_s4_prk(c), _s4_prk(c)), ["drops nothing"]),
    # 01-05: the mistakes a walk-through as a student with a little pandas made first (issue 23)
    *WALK,
    # 06 t1
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
    ("06_epilogue_after_the_article", "t1", lambda c, ns: ns["pair"] & (ns["epilogue"].date >= ns["admission"]), MASK),
    ("06_epilogue_after_the_article", "t1", lambda c, ns: ns["epilogue"][_pair(ns["epilogue"], "RUS", "KOR")
                                                                        & (ns["epilogue"].date >= ns["admission"])], ["KOR", "South Korea"]),
    ("06_epilogue_after_the_article", "t1", lambda c, ns: ns["epilogue"][_pair(ns["epilogue"], "RUS", "DPRK")
                                                                        & (ns["epilogue"].date >= ns["admission"])], ["empty"]),
    # 06 t2
    ("06_epilogue_after_the_article", "t2", lambda c, ns: -ns["moved"], ["reversed"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: ns["moved"].abs(), ["sign"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: _w06_scores(c, "epilogue") - _w06_scores(c, "stage-3"), ["Stage Three"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: _w06_scores(c, "epilogue")[ns["moved"].index], ["scores themselves"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: _w06_scores(c, "epilogue", values=False) - _w06_scores(c, "stage-4", values=False),
     ["NaN", ".values"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: _w06_scores(c, "epilogue", label=lambda r: r["id"])
     - _w06_scores(c, "stage-4", label=lambda r: r["id"]), ["relation ids"]),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: ns["change"] != 0, MASK),
    ("06_epilogue_after_the_article", "t2", lambda c, ns: _w06_scores(c, "Epilogue") - _w06_scores(c, "Stage Four"), ["period ids"]),
    # 06 t3
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, sel=_ep(c)[_one(_ep(c), "RUS", "PRK")]), ["order"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, sel=_ep(c)[_one(_ep(c), "PRK", "RUS")]), ["order"]),
    ("06_epilogue_after_the_article", "t3",
     lambda c, ns: _w06_t3(c, sel=_ep(c)[_ep(c).actors.map(lambda a: "RUS" in a and "PRK" in a)]), ["main pair"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, sel=_ep(c, None)[_pair(_ep(c, None), "RUS", "PRK")]),
     ["epilogue's events only"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, sel=ns["after"]), ["task 1"]),
    ("06_epilogue_after_the_article", "t3",
     lambda c, ns: _w06_t3(c, sel=ns["rus_prk"][ns["rus_prk"].date.dt.year == 2025]), ["into 2026"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, agg="sum"), ["mean"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, sel=_ep(c)), ["all the epilogue's events"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, drop=NIS[1:]), ["all three"]),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: dict(before=ns["nis_shift"]["after"], after=ns["nis_shift"]["before"]), SWAP),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, drop=["nis"]), SAME),
    ("06_epilogue_after_the_article", "t3", lambda c, ns: _w06_t3(c, sel=_ep(c, "stage-4")[_pair(_ep(c, "stage-4"), "RUS", "PRK")]),
     ["Stage Four"]),
    # 11 t1
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: c.relations[(c.relations.actor_a == "RUS") & c.relations.actor_b.isin(["CHN", "USA"])], ["three sides"]),
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: c.relations[c.relations.actor_a.isin(["RUS", "CHN", "USA"])
                                                                         | c.relations.actor_b.isin(["RUS", "CHN", "USA"])], ["both ends"]),
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: ns["triangle"][ns["triangle"].period == "stage-4"], ["every period"]),
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: c.relations[c.relations.actor_a.isin(["RUS", "PRK", "USA"])
                                                                         & c.relations.actor_b.isin(["RUS", "PRK", "USA"])], ["CHN"]),
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: c.relations.actor_a.isin(["RUS", "CHN", "USA"]) & c.relations.actor_b.isin(["RUS", "CHN", "USA"]), MASK),
    # 11 t2
    ("11_motive_triangle_grand_strategy", "t2", lambda c, ns: dict(before=_lean(c.relations, flip=True),
                                                                   after=_lean(_recode(c.relations, "prelude:RUS-CHN", 1), flip=True)), ["sign"]),
    ("11_motive_triangle_grand_strategy", "t2", lambda c, ns: dict(before=_lean(c.relations, other="CHN-USA"),
                                                                   after=_lean(_recode(c.relations, "prelude:RUS-CHN", 1), other="CHN-USA")), ["China-US"]),
    ("11_motive_triangle_grand_strategy", "t2", lambda c, ns: dict(before=_lean(c.relations, op="+"),
                                                                   after=_lean(_recode(c.relations, "prelude:RUS-CHN", 1), op="+")), ["added"]),
    ("11_motive_triangle_grand_strategy", "t2", lambda c, ns: dict(before=_lean(c.relations),
                                                                   after=_lean(_recode(c.relations, "prelude:RUS-CHN", 3))), ["lowers"]),
    ("11_motive_triangle_grand_strategy", "t2", _w11_inplace, INPLACE),
    # 12 t1
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).actors.map(lambda a: "JPN" in a or "KOR" in a) & (E(c).goldstein < 0)], ["before 2000"]),
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).stage.notna() & (E(c).actor_a.isin(["JPN", "KOR"]) | E(c).actor_b.isin(["JPN", "KOR"]))
                                                             & (E(c).goldstein < 0)], ["actors list"]),
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).stage.notna() & E(c).actors.map(lambda a: "JPN" in a or "KOR" in a)
                                                             & (E(c).goldstein <= 0)], ["neutral"]),
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).stage.notna() & E(c).actors.map(lambda a: "KOR" in a) & (E(c).goldstein < 0)], ["South Korea only"]),
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).stage.notna() & (E(c).actors == "JPN") & (E(c).goldstein < 0)], ["list column", "empty"]),
    # 12 t2
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=_allies(c.relations, agg="sum"),
                                                               after=_allies(_recode(c.relations, "stage-4:RUS-JPN", -3), agg="sum")), ["mean"]),
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=_allies(c.relations, anyside=True),
                                                               after=_allies(_recode(c.relations, "stage-4:RUS-JPN", -3), anyside=True)), ["Russia's two pairs"]),
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=_allies(c.relations),
                                                               after=_allies(_recode(c.relations, "stage-4:JPN-KOR", -3))), ["Japan-South Korea"]),
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=_allies(c.relations),
                                                               after=_allies(_recode(c.relations, "stage-4:RUS-JPN", -1))), ["wrong way"]),
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=ns["recode_shift"]["after"], after=ns["recode_shift"]["before"]), SWAP),
    # 13 t1
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: c.places[(c.places.actor == "RUS") & (c.places.lon > 100)], ["180th meridian"]),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: c.places[c.places.actor == "RUS"], ["Moscow"]),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: c.places[(c.places.lon > 100) | (c.places.lon < 0)], ["actor RUS"]),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: c.places[(c.places.actor == "PRK") & ((c.places.lon > 100) | (c.places.lon < 0))], ["PRK"]),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: (c.places.actor == "RUS") & ((c.places.lon > 100) | (c.places.lon < 0)), MASK),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: c.places.merge(c.events, left_on="id", right_on="place"), ["id_x"]),
    # 13 t2
    # (leaving out the place beyond the 180th meridian no longer moves the share: since the errata no agenda event is
    # placed at Provideniya, so that slip cannot be told apart here; task 1 still tests it)
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=ns["boundary_shift"]["after"], after=ns["boundary_shift"]["before"]), SWAP),
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=_share(c, 100, base=c.events[c.events.stage.notna()]),
                                                                    after=_share(c, 130, base=c.events[c.events.stage.notna()])), ["agenda events"]),
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=_share(c, 100) * 100, after=_share(c, 130) * 100), ["percentages"]),
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=_share(c, 100), after=_share(c, 120)), ["120"]),
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=_share(c, 100), after=_share(c, 100)), SAME),
    # 14 t1
    ("14_motive_identity_eurasian_power", "t1", lambda c, ns: c.glossary[c.glossary.definition.str.contains("identity", case=False)], ["definitions"]),
    ("14_motive_identity_eurasian_power", "t1", lambda c, ns: c.glossary[c.glossary.motives.map(lambda m: "identity" in m) & (c.glossary.source_id == "article")], ["sourced"]),
    ("14_motive_identity_eurasian_power", "t1", lambda c, ns: c.glossary[c.glossary.motives == "identity"], ["list column", "empty"]),
    ("14_motive_identity_eurasian_power", "t1", lambda c, ns: c.glossary.motives.map(lambda m: "identity" in m), MASK),
    ("14_motive_identity_eurasian_power", "t1", lambda c, ns: c.glossary[c.glossary.motives.map(lambda m: "identity" in m) & c.glossary.stages.map(len).gt(0)], ["no stage"]),
    # 14 t2
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: _w14_t2(c, every=True), ["every event"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: _w14_t2(c, start="1990-01-01"), ["1990"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: _w14_t2(c, start="1992-01-01"), ["1992"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: _w14_t2(c, end="2024-12-31"), ["ends in 2024"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: _w14_t2(c, motive="triangle"), ["triangle"]),
    # 20 t1
    ("20_synthesis_weighing_the_argument", "t1", _w20_t1_nan, ["no motive"]),
    ("20_synthesis_weighing_the_argument", "t1", lambda c, ns: ns["matrix"].T, ["swapped"]),
    ("20_synthesis_weighing_the_argument", "t1", lambda c, ns: pd.DataFrame({m: E(c)[E(c).stage.notna()].groupby("stage", observed=True).size()
                                                                             for m in ns["matrix"].columns}), ["explode"]),
    ("20_synthesis_weighing_the_argument", "t1", lambda c, ns: pd.concat([ns["matrix"], pd.DataFrame([ns["matrix"].iloc[0]], index=["background"])]), ["background"]),
    ("20_synthesis_weighing_the_argument", "t1", lambda c, ns: ns["matrix"][["triangle"]], ["triangle column only"]),
    # 20 t2
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: _w20_t2(c, un_only=False), ["Seoul"]),
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: _w20_t2(c, stage=None), ["stage two only"]),
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: _w20_t2(c, all_tags=True), ["every motive tag"]),
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: _w20_t2(c, motive="alliances"), ["alliances"]),
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: _w20_t2(c, stage="stage-4"), ["stage four"]),
    # the walk of issue 23 (a student with a little pandas, lessons 11-14 and 20): every slip that lacked a hint
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: c.relations[c.relations.actor_a.isin(TRIAD)], ["one end"]),
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: c.relations[c.relations[["actor_a", "actor_b"]].isin(TRIAD)],
     ["NaN", "one True/False per row"]),
    ("11_motive_triangle_grand_strategy", "t1", lambda c, ns: E(c)[E(c).actor_a.isin(TRIAD) & E(c).actor_b.isin(TRIAD)],
     ["events", "course.relations"]),
    ("11_motive_triangle_grand_strategy", "t2", lambda c, ns: dict(before=_lean(c.relations, agg=None),
                                                                   after=_lean(_recode(c.relations, "prelude:RUS-CHN", 1), agg=None)),
     ["Series of", ".mean()"]),
    ("11_motive_triangle_grand_strategy", "t2", lambda c, ns: dict(before=lesson11._lean_sum(c.relations),
                                                                   after=lesson11._lean_sum(_recode(c.relations, "prelude:RUS-CHN", 1))),
     ["mean"]),
    ("11_motive_triangle_grand_strategy", "t3", lambda c, ns: _fig(c, "relations_heatmap", actors=["RUS", "PRK", "USA"]),
     ["actors="]),
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).stage.notna() & E(c).actors.map(lambda a: "JPN" in a or "PRK" in a)
                                                             & (E(c).goldstein < 0)], ["KOR", "South Korea"]),
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).stage.notna() & E(c).actors.map(lambda a: "JPN" in a and "KOR" in a)
                                                             & (E(c).goldstein < 0)], ["either"]),
    ("12_motive_alliances_us_allies", "t1", lambda c, ns: E(c)[E(c).stage.notna() & E(c).actors.map(lambda a: "JPN" in a or "KOR" in a)
                                                             & (E(c).goldstein < -3)], ["every negative"]),
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=_allies(c.relations, allies=("JPN",)),
                                                               after=_allies(_recode(c.relations, "stage-4:RUS-JPN", -3), allies=("JPN",))),
     ["Japan row only"]),
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=_allies(c.relations, allies=("JPN", "PRK")),
                                                               after=_allies(_recode(c.relations, "stage-4:RUS-JPN", -3), allies=("JPN", "PRK"))),
     ["KOR", "South Korea"]),
    ("12_motive_alliances_us_allies", "t2", lambda c, ns: dict(before=_allies(c.relations, period=None),
                                                               after=_allies(_recode(c.relations, "stage-4:RUS-JPN", -3), period=None)),
     ["every period"]),
    ("12_motive_alliances_us_allies", "t3", lambda c, ns: _fig(c, "timeline", stages=["stage-4"], actors=["JPN"]), ["one period"]),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: c.places[((c.places.actor == "RUS") & (c.places.lon > 100)) | (c.places.lon < 0)],
     ["brackets"]),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: _fe(c, cut=130), ["100°E"]),
    ("13_motive_agenda_arms_labour_trade", "t1", lambda c, ns: c.places[(c.places.actor == "Russia") & (c.places.lon > 100)],
     ["RUS, not Russia"]),
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=_share(c, 100) * len(_agenda(c)),
                                                                    after=_share(c, 130) * len(_agenda(c))), ["counts"]),
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=_share(c, 100, base=_agenda(c)[_agenda(c).place.notna()]),
                                                                    after=_share(c, 130, base=_agenda(c)[_agenda(c).place.notna()])),
     ["inner merge"]),
    ("13_motive_agenda_arms_labour_trade", "t2", lambda c, ns: dict(before=_agenda(c).place.isin(_fe(c)["name"]).mean(),
                                                                    after=_agenda(c).place.isin(_fe(c, 130)["name"]).mean()),
     ["is 0", "not as titles or names"]),
    ("14_motive_identity_eurasian_power", "t1", lambda c, ns: c.glossary[c.glossary.motives.isin(["identity"])],
     ["list of motive ids"]),
    ("14_motive_identity_eurasian_power", "t1",
     lambda c, ns: c.glossary[c.glossary.motives.map(lambda m: "Reconceptualising Russian national identity" in m)], ["title"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: _w14_t2(c, end="2099-12-31"), ["no end"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: {"before": 0, "after": _w14_t2(c)["after"]}, ["is 0"]),
    ("14_motive_identity_eurasian_power", "t2", lambda c, ns: {"before": int(_identity(c).stage.isna().sum()),
                                                               "after": _w14_t2(c)["after"]}, ["before 2000"]),
    ("20_synthesis_weighing_the_argument", "t1", lambda c, ns: ns["matrix"].iloc[0:0, 0:0], ["empty"]),
    ("20_synthesis_weighing_the_argument", "t1", lambda c, ns: ns["matrix"].div(ns["matrix"].sum(axis=1), axis=0), ["shares"]),
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: {"before": len(_stage(c, "stage-2")),
                                                               "after": len(_stage(c, "stage-2")) - _un_votes(c)},
     ["counted stage two's events"]),
    ("20_synthesis_weighing_the_argument", "t2", lambda c, ns: {"before": _w20_t2(c)["before"],
                                                               "after": _w20_t2(c)["before"] - _w20_t2(c)["after"]},
     ["UN votes themselves"]),
]

# ---------------------------------------------------------------- choice tasks: every indefensible chart, and one
# defensible chart missing what the question needs

_FIGS: dict = {}


def _fig(c, name, **kw):
    key = (name, repr(sorted(kw.items())))
    if key not in _FIGS:
        _FIGS[key] = getattr(charts, name)(c, **kw)
    return _FIGS[key]


def _choice_options(lesson):
    """The CHOICE options of the lesson's checker module (turn_east.practice.tasks.lessonNN)."""
    return importlib.import_module(f"turn_east.practice.tasks.lesson{lesson[:2]}").CHOICE


def _task_of_kind(lesson, kind):
    """The id of the lesson's task of this kind, or None (the epilogue's exercise has drills only)."""
    return next((t for t, task in tasks_for(lesson).items() if task.kind == kind), None)


INCOMPLETE = {  # a defensible chart built without what the question is about
    "01_prelude_six_party_talks": (lambda c: _fig(c, "tone_by_stage"), ["does not show"]),
    "02_stage_1_adjusting_to_asia": (lambda c: _fig(c, "activity_by_stage", pairs=[("RUS", "KOR"), ("RUS", "JPN")]), ["does not show"]),
    "03_stage_2_after_crimea": (lambda c: _fig(c, "activity_by_stage"), ["does not show"]),
    "04_stage_3_sidelined_then_summits": (lambda c: _fig(c, "timeline", stages=["prelude"], actors=["PRK"]), ["shows none"]),
    "05_stage_4_war_and_alliance": (lambda c: _fig(c, "relations_heatmap", actors=["RUS", "PRK", "USA"]), ["does not show"]),
    "06_epilogue_after_the_article": (lambda c: _fig(c, "relations_heatmap", actors=["RUS", "CHN", "USA"]), ["does not show"]),
    "11_motive_triangle_grand_strategy": (lambda c: _fig(c, "relations_heatmap", actors=["RUS", "PRK", "KOR"]), ["does not show"]),
    "12_motive_alliances_us_allies": (lambda c: _fig(c, "relations_heatmap", actors=["RUS", "CHN", "USA"]), ["leaves out"]),
    "13_motive_agenda_arms_labour_trade": (lambda c: _fig(c, "timeline", motives=["identity"], stages=["prelude"]), ["shows none"]),
    "14_motive_identity_eurasian_power": (lambda c: _fig(c, "timeline", motives=["triangle"], stages=["stage-3"]), ["shows none"]),
    "20_synthesis_weighing_the_argument": (lambda c: _fig(c, "tone_by_stage", pairs=[("RUS", "KOR")]), ["does not show"]),
}

for _lesson in LESSONS:
    _tid = _task_of_kind(_lesson, "choice")
    if _tid is None:
        continue
    for _chart, _opt in _choice_options(_lesson).items():
        if not _opt.defensible:
            WRONG.append((_lesson, _tid, (lambda name: lambda c, ns: _fig(c, name))(_chart), ["not a defensible choice"]))
    WRONG.append((_lesson, _tid, (lambda f: lambda c, ns: f(c))(INCOMPLETE[_lesson][0]), INCOMPLETE[_lesson][1]))
    WRONG.append((_lesson, _tid, lambda c, ns: "tone_by_stage", ["figure itself"]))
    WRONG.append((_lesson, _tid, lambda c, ns: charts.tone_by_stage, ["call it"]))


def test_a_missing_pair_hint_names_an_argument_the_chart_has(course):
    """The hint for a chart that leaves out a pair must name the argument that chart takes (pairs= or actors=)."""
    import inspect
    from turn_east.practice.choice import PASS_PAIRS
    for chart in ("relations_heatmap", "tone_by_stage", "activity_by_stage"):
        arg = re.search(r"with (\w+)=", PASS_PAIRS.get(chart, PASS_PAIRS[""])).group(1)
        assert arg in inspect.signature(getattr(charts, chart)).parameters, (chart, arg)


def test_a_choice_never_says_an_actor_is_missing_from_a_chart_that_draws_it(course):
    """An option's reason that says an actor "is not in it" must be true of the chart as the course draws it."""
    from turn_east.practice.choice import figure_info
    names = {name: aid for aid, name in course.actor_full_names.items()} | {n: a for a, n in course.actor_names.items()}
    for lesson in LESSONS:
        for chart, option in _choice_options(lesson).items():
            for clause in re.split(r"[;,.:]", option.why):
                if not re.search(r"\bnot in it\b|\bneither\b.*\bis in it\b", clause):
                    continue
                drawn = figure_info(_fig(course, chart), course).actors
                said_missing = {aid for name, aid in names.items() if name in clause}
                assert said_missing and not (said_missing & drawn), (lesson, chart, clause, sorted(drawn))


def test_the_epilogue_reports_are_the_pairs_epilogue_events(course):
    """Exercise 06's sensitivity task drops these events by id: they must exist, in the epilogue, with RUS-PRK as the pair."""
    from turn_east.practice.tasks.lesson06 import REPORTS
    e = course.events.set_index("id")
    for rid in REPORTS:
        assert rid in e.index and e.at[rid, "stage"] == "epilogue", rid
        assert {e.at[rid, "actor_a"], e.at[rid, "actor_b"]} == {"RUS", "PRK"}, rid


# ---------------------------------------------------------------- coding tasks: the same kinds of slip in every lesson

def _course_coding(c, lesson):
    ev = coding_events(c, lesson)
    return ev, {r.id: {"goldstein": float(r.goldstein), "stage": str(r.stage), "motives": list(r.motives)}
                for r in ev.itertuples(index=False)}


def _coding_wrongs(lesson):
    def edit(fn):
        def make(c, ns):
            ev, right = _course_coding(c, lesson)
            return fn(c, ev, {k: dict(v) for k, v in right.items()})
        return make

    def neighbour_stage(c, ev, coding):
        first = ev.iloc[0]
        i = c.periods.index(str(first.stage))
        coding[first.id]["stage"] = c.periods[i + 1] if i + 1 < len(c.periods) else c.periods[i - 1]
        return coding

    def far_off(c, ev, coding):
        first = ev.iloc[0]
        g = float(first.goldstein)
        coding[first.id]["goldstein"] = -g if g else 5.0
        return coding

    def relation_scale(c, ev, coding):  # the -10..10 score squeezed onto the relations' -3..3 scale
        big = any(abs(float(x)) > 3 for x in ev.goldstein)
        for k in coding:
            g = coding[k]["goldstein"]
            coding[k]["goldstein"] = float(round(g * 3 / 10)) if big else g - 6
        return coding

    def unknown_motive(c, ev, coding):
        coding[ev.iloc[0].id]["motives"] = ["nuclear"]
        return coding

    def missing_event(c, ev, coding):
        coding.pop(ev.iloc[-1].id)
        return coding

    def unsupported_motive(c, ev, coding):
        first = ev.iloc[0]
        spare = [m for m in c.motives["id"] if m not in list(first.motives) + list(first.motives_also)]
        coding[first.id]["motives"] = list(first.motives) + spare[:1]
        return coding

    def list_of_numbers(c, ev, coding):
        return [v["goldstein"] for v in coding.values()]

    return [(edit(neighbour_stage), ["stage"]), (edit(far_off), ["more than 2 points"]),
            (edit(relation_scale), ["relations scale", "more than 2 points"]),
            (edit(unknown_motive), ["not a motive id"]), (edit(missing_event), ["missing"]),
            (edit(unsupported_motive), ["hard to defend"]), (edit(list_of_numbers), ["dict keyed by event id"])]


for _lesson in LESSONS:
    _tid = _task_of_kind(_lesson, "coding")
    if _tid is None:
        continue
    for _make, _words in _coding_wrongs(_lesson):
        WRONG.append((_lesson, _tid, _make, _words))


def _wrong_ids():
    return [f"{w[0][:2]}-{w[1]}-{i}" for i, w in enumerate(WRONG)]


@pytest.mark.parametrize("lesson,tid,make,words", WRONG, ids=_wrong_ids())
def test_a_typical_mistake_gets_its_hint(course, lesson, tid, make, words):
    answer = make(course, _namespace(lesson))
    v = Practice(lesson, course).check(tid, answer)
    assert v.status == "fail", f"a wrong answer passed: {v.message}"
    assert any(w.lower() in v.message.lower() for w in words), f"hint lacks {words}: {v.message}"


def test_every_task_has_five_tested_mistakes():
    counts = {}
    for lesson, tid, _, _ in WRONG:
        counts[(lesson, tid)] = counts.get((lesson, tid), 0) + 1
    short = {k: counts.get(k, 0) for k in ALL_TASKS if counts.get(k, 0) < policy.MIN_WRONG_ANSWERS}
    assert not short, short


def test_no_hint_gives_the_answer_away(course):
    """A failing drill or sensitivity check names the kind of mistake; it never prints the expected ids or numbers.
    (A coding check does explain the course's coding: that is its point, once the student has committed.)"""
    for lesson, tid, make, _ in WRONG:
        kind = tasks_for(lesson)[tid].kind
        if kind == "coding":
            continue
        v = Practice(lesson, course).check(tid, make(course, _namespace(lesson)))
        right = _answers(lesson)[tid]
        if isinstance(right, pd.DataFrame) and "id" in right:
            assert not any(i in v.message for i in right["id"]), (lesson, tid, v.message)
        if kind == "sensitivity":
            for side in ("before", "after"):
                assert f"{float(right[side]):.2f}" not in v.message, (lesson, tid, v.message)


def test_hints_in_exercises_are_valid_pandas():
    """A hint that shows code uses &, | and brackets between conditions: Python's and/or on a Series raise."""
    bad = re.compile(r"\)\s*\b(and|or)\b\s*\(|==\s*[\w\"']+\s+(and|or)\s+\S+\s*==")
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for line in "".join(cell["source"]).splitlines():
                if line.strip().startswith("# HINT:") and "lambda" not in line:
                    assert not bad.search(line), f"{path.name}: {line.strip()}"


# ---------------------------------------------------------------- an answer cell that stopped with an error

SLIPS = [  # (the answer cell as a student types it, words the check must then say)
    ('resolutions = events[(events["event_type"] == "sanctions") and (events["actor_a"] == "UNSC")]', ["& for and"]),
    ('resolutions = events[events["event_type"] == "sanctions" & events["actor_a"] == "UNSC"]', ["brackets"]),
    ('resolutions = events[events["id"] != ["2016-03-02-unscr-2270", "2016-11-30-unscr-2321"]]', [".isin"]),
    ('resolutions = events[events["date"] <= 2017]', ["date written as a string"]),
    ('resolutions = events.merge(course.places, left_on="place", right_on="id")\n'
     'resolutions = resolutions[resolutions["id"] == "x"]', ["id_x"]),
    ('resolutions = events[events["actor"] == "UNSC"]', ["table.columns"]),
    ('resolutions = None\nresolutions = resolutions[resolutions["actor_a"] == "UNSC"]', ["still None"]),
]


def test_a_check_after_a_failed_answer_cell_says_what_the_error_means():
    """In a notebook the check runs right after the answer cell: when that cell raised, the check explains the error
    (and/or, missing brackets, a list compared with !=, a date compared with a number, id_x after a merge) instead of
    only "not answered yet". Driven through a real IPython shell, cell by cell, as a kernel runs them."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("xmode", "minimal")  # the error is what matters here, not the formatting of its traceback
    try:
        shell.run_cell("from turn_east.data import load_course\nfrom turn_east.practice import Practice\n"
                       "course = load_course()\nevents = course.events\n"
                       "practice = Practice('03_stage_2_after_crimea', course)", store_history=True)
        for cell, words in SLIPS:
            shell.run_cell("resolutions = None", store_history=True)
            assert shell.run_cell(cell, store_history=True).error_in_exec is not None, cell
            result = shell.run_cell("practice.check('t1', resolutions)", store_history=True)
            message = result.result.message
            assert "stopped with an error" in message and all(w in message for w in words), (cell, message)
        shell.run_cell("x = 1", store_history=True)  # a later cell ran cleanly: no stale explanation
        message = shell.run_cell("practice.check('t1', None)", store_history=True).result.message
        assert "stopped with an error" not in message and "Replace None" in message
    finally:
        InteractiveShell.clear_instance()


def test_a_figure_shown_instead_of_kept_is_explained(course):
    v = Practice("02_stage_1_adjusting_to_asia", course).check("t3", None)
    assert v.status == "unanswered" and ".show() returns None" in v.message


def test_task_texts_warn_of_the_traps_they_set():
    """A task that can lead to a merge warns of id_x/id_y; tasks on list columns say == never matches."""
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        if re.search(r"\bmerge\b|\.merge\(", text):
            assert "id_x" in text, f"{path.name} mentions a merge but not the id_x/id_y trap"
        assert "PRK" in text and "KOR" in text and "South Korea" in text, f"{path.name} does not spell out the codes"


if __name__ == "__main__":  # print the wrong answers tried and the hint each gets, as a table for the report
    from turn_east.data import load_course

    c = load_course()
    print("| exercise | task | kind | wrong answer | hint (start) |\n|---|---|---|---|---|")
    for lesson, tid, make, words in WRONG:
        v = Practice(lesson, c).check(tid, make(c, _namespace(lesson)))
        first = v.message.replace("\n", " ")[:150].replace("|", "/")
        print(f"| {lesson[:2]} | {tid} | {tasks_for(lesson)[tid].kind} | {'/'.join(words)} | {first} |")
