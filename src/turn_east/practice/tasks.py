"""Practice task checkers, one block per practice notebook (see checks.task).

Every checker computes the expected answer from the course data (never a hard-coded number),
accepts the equivalent forms a task allows, and, for a wrong answer, recomputes the typical
mistakes (wrong stage boundaries, one actor order only, sum for mean, counting duplicates...)
to say which one the answer looks like, without printing the answer.
"""

from __future__ import annotations

import pandas as pd

from turn_east.practice.checks import (
    as_series, check_figure, check_frame, check_ids, check_number, check_series, norm_label, task,
)

ORDER = ["RUS", "PRK", "CHN", "USA", "JPN", "KOR", "IND"]

# ---------------------------------------------------------------- shared hints

BOUNDARY = ("Check the stage boundaries: stages do not follow calendar years (see stages.csv). "
            "Filter on the stage column rather than on years.")
ORDER_HINT = ("You seem to have kept only one actor order: actor_a/actor_b are an unordered pair, so an event "
              "between the two can be stored either way round (e.g. PRK-RUS as well as RUS-PRK). Test both orders.")
MAIN_PAIR_HINT = ("You used the actors list; the task is about the main pair, the columns actor_a and actor_b "
                  "(the actors list also names bystanders).")
ACTORS_LIST_HINT = ("You tested only the main pair (actor_a/actor_b); the task asks about the actors list, "
                    "which names every participant.")
SUM_HINT = "These look like sums; the task asks for the mean (average) of the scores."
BACKGROUND_HINT = ("You kept background events dated before 2000 (their stage is empty); the task starts in 2000.")
TWICE_HINT = ("Some events are counted twice: after explode or merge, one event can give several rows. "
              "Drop duplicates before counting.")
PRECISION_HINT = ("Some dates are known only to the month or year (see date_precision); write those as "
                  "'April 2015' or '2015', not as a day.")


# ---------------------------------------------------------------- shared computations

def _ev(course) -> pd.DataFrame:
    return course.events


def _stage(course, *stages) -> pd.DataFrame:
    e = _ev(course)
    return e[e["stage"].astype(object).isin(stages)]


def _pair(e, a, b):
    return ((e["actor_a"] == a) & (e["actor_b"] == b)) | ((e["actor_a"] == b) & (e["actor_b"] == a))


def _one_order(e, a, b):
    return (e["actor_a"] == a) & (e["actor_b"] == b)


def _has(col: pd.Series, item) -> pd.Series:
    return col.map(lambda items: isinstance(items, list) and item in items)


def _has_any(col: pd.Series, wanted) -> pd.Series:
    return col.map(lambda items: isinstance(items, list) and any(x in items for x in wanted))


def _years(e, y0, y1):
    return e["date"].dt.year.between(y0, y1)


def _ids(df) -> list[str]:
    return list(df["id"])


def _by_stage(s: pd.Series) -> pd.Series:
    """A Series keyed by stage with plain-string labels (an ordered categorical index made plain)."""
    s = s.copy()
    s.index = [str(k) for k in s.index]
    return s


def _pair_mean_by_stage(course, a, b, *, one_order=False, agg="mean") -> pd.Series:
    e = _ev(course)
    m = _one_order(e, a, b) if one_order else _pair(e, a, b)
    sel = e[m & e["stage"].notna()]
    return _by_stage(sel.groupby(sel["stage"].astype(str))["goldstein"].agg(agg))


def _date_label(ts: pd.Timestamp, precision: str) -> str:
    if precision == "year":
        return str(ts.year)
    if precision == "month":
        return f"{ts:%B} {ts.year}"
    return f"{ts.day} {ts:%B} {ts.year}"


def _rel_score(course, period, a, b) -> int | None:
    r = course.relations
    row = r[(r["period"].astype(str) == period) & _pair(r, a, b)]
    return int(row["score"].iloc[0]) if len(row) else None


def _figure_either(answer, builds, mistakes, call) -> tuple[bool, str]:
    """check_figure against the first of several equivalent figures (e.g. a pair given either way round)."""
    result = (False, "")
    for i, fig in enumerate(builds):
        ok, msg = check_figure(answer, fig, mistakes, call=call)
        if ok:
            return ok, msg
        if i == 0:
            result = (ok, msg)
    return result


def _text_series(answer) -> tuple[pd.Series | None, str]:
    if isinstance(answer, pd.Series):
        return answer, ""
    if isinstance(answer, dict):
        return pd.Series(answer), ""
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        return answer.iloc[:, 0], ""
    return None, f"Expected a Series (index: event id, values: text), got {type(answer).__name__}."


# ================================================================ 01 prelude

L01 = "01_prelude_six_party_talks"


def _six_party(course):
    e = _ev(course)
    return e[e["place"] == "beijing-diaoyutai"]


@task(L01, "t1", "Six-Party Talks meetings")
def _l01_t1(course, answer):
    e = _ev(course)
    return check_ids(answer, _ids(_six_party(course)), [
        (_ids(e[(e["place"] == "beijing-diaoyutai") & (e["event_type"] == "multilateral")]),
         "You kept only the multilateral events; the agreements signed at the talks are meetings too. "
         "Filter on the place, not on the event type."),
        (_ids(e[e["id"].str.contains("six-party")]),
         "Filtering the id text also catches the 2009 walk-out, which happened in Pyongyang. Filter on the place column."),
    ], what="events")


@task(L01, "t2", "How long each meeting lasted")
def _l01_t2(course, answer):
    sp = _six_party(course).set_index("id")
    days = (sp["end_date"].fillna(sp["date"]) - sp["date"]).dt.days
    return check_series(answer, days + 1, [
        (days, "Off by one: a meeting from the 27th to the 29th lasts three days, so count both the first and the last day (+1)."),
        ((sp["end_date"] - sp["date"]).dt.days + 1,
         "Single-day meetings have no end_date (NaT); they lasted one day. Fill end_date with date first."),
        ((sp["end_date"] - sp["date"]).dt.days,
         "Single-day meetings are missing (their end_date is NaT) and the lengths are off by one."),
    ], what="length")


@task(L01, "t3", "Events per year, 2000-2011")
def _l01_t3(course, answer):
    e = _ev(course)
    pre = _stage(course, "prelude")
    want = pre.groupby(pre["date"].dt.year).size()
    older = e[e["date"].dt.year <= 2011]
    later = e[e["date"].dt.year >= 2000]
    return check_series(answer, want, [
        (older.groupby(older["date"].dt.year).size(), BACKGROUND_HINT),
        (later.groupby(later["date"].dt.year).size(),
         "You kept years after 2011: the prelude ends on 31 December 2011."),
        (e.groupby(e["date"].dt.year).size(),
         "You counted every event: keep the prelude only (2000-2011), without the pre-2000 background."),
    ], what="count", drop_zero=True)


@task(L01, "t4", "Tone chart for two pairs")
def _l01_t4(course, answer):
    from turn_east import charts

    builds = [charts.tone_by_stage(course, pairs=p) for p in (
        [("RUS", "PRK"), ("USA", "PRK")], [("RUS", "PRK"), ("PRK", "USA")])]
    return _figure_either(answer, builds, [
        (charts.tone_by_stage(course), "This is the default pair list (Russia with both Koreas): pass pairs= as the task says."),
        (charts.tone_by_stage(course, pairs=[("USA", "PRK"), ("RUS", "PRK")]),
         "The right pairs in the other order: put Russia-North Korea first, so it gets the first line style."),
    ], call='charts.tone_by_stage(course, pairs=[("RUS", "PRK"), ("USA", "PRK")])')


# ================================================================ 02 stage one

L02 = "02_stage_1_adjusting_to_asia"


@task(L02, "t1", "The events of stage one")
def _l02_t1(course, answer):
    e = _ev(course)
    return check_ids(answer, _ids(_stage(course, "stage-1")), [
        (_ids(e[_years(e, 2012, 2014)]),
         "Stage one ends on 26 February 2014, with the seizure of Crimea: your filter runs to the end of 2014. " + BOUNDARY),
        (_ids(e[_years(e, 2012, 2013)]),
         "Stage one runs until 26 February 2014: your filter stops at the end of 2013. " + BOUNDARY),
    ], what="events")


@task(L02, "t2", "Where North Korea appears")
def _l02_t2(course, answer):
    s1 = _stage(course, "stage-1")
    return check_ids(answer, _ids(s1[_has(s1["actors"], "PRK")]), [
        (_ids(s1[(s1["actor_a"] == "PRK") | (s1["actor_b"] == "PRK")]), ACTORS_LIST_HINT),
        (_ids(s1[s1["actor_a"] == "PRK"]), ACTORS_LIST_HINT),
        (_ids(s1[s1["actor_b"] == "PRK"]), ACTORS_LIST_HINT),
    ], what="events")


def _people_by_country(events, course, *, dedupe=True):
    x = events[["id", "people"]].explode("people")
    x = x.merge(course.people[["id", "actor"]].rename(columns={"id": "person"}),
                left_on="people", right_on="person", how="inner")
    if dedupe:
        x = x.drop_duplicates(["id", "actor"])
    return x["actor"].value_counts()


@task(L02, "t3", "Leaders' countries in stage one")
def _l02_t3(course, answer):
    s1 = _stage(course, "stage-1")
    acts = s1[["id", "actors"]].explode("actors")
    return check_series(answer, _people_by_country(s1, course), [
        (_people_by_country(s1, course, dedupe=False), TWICE_HINT
         + " Here: an event with two Chinese leaders counts once for China."),
        (acts["actors"].value_counts(),
         "You counted the countries in the events' actors list; the task asks for the countries of the people "
         "named (people.csv, column actor)."),
    ], what="count", drop_zero=True)


@task(L02, "t4", "Tone of the courtship: Japan and South Korea")
def _l02_t4(course, answer):
    def means(one_order=False, agg="mean", stage=True):
        e = _stage(course, "stage-1") if stage else _ev(course)
        out = {}
        for a, b in (("RUS", "JPN"), ("RUS", "KOR")):
            m = _one_order(e, a, b) if one_order else _pair(e, a, b)
            out[f"{a}-{b}"] = e.loc[m, "goldstein"].agg(agg)
        return pd.Series(out)

    return check_series(answer, means(), [
        (means(one_order=True), ORDER_HINT),
        (means(agg="sum"), SUM_HINT),
        (means(stage=False), "These are means over the whole course; keep the events of stage one only."),
    ], what="mean", pairs_order=ORDER)


# ================================================================ 03 stage two

L03 = "03_stage_2_after_crimea"


@task(L03, "t1", "UN sanctions resolutions, 2016-2017")
def _l03_t1(course, answer):
    e = _ev(course)
    sanc = e[(e["event_type"] == "sanctions")]
    return check_ids(answer, _ids(sanc[(sanc["actor_a"] == "UNSC") & _years(sanc, 2016, 2017)]), [
        (_ids(sanc[_years(sanc, 2016, 2017)]),
         "Not every sanctions event is a UN resolution: one was imposed by a single state. Check who acted (actor_a)."),
        (_ids(sanc[sanc["actor_a"] == "UNSC"]), "Keep 2016 and 2017 only: you have UN resolutions from other years."),
        (_ids(sanc[_has(sanc["actors"], "UNSC") & _years(sanc, 2016, 2017)]),
         "Not every sanctions event is a UN resolution: check who acted (actor_a), not who is mentioned."),
    ], what="resolutions")


def _khasan_rajin(course):
    e = _stage(course, "stage-1", "stage-2")
    return e[e["place"].isin(["rajin", "khasan"])]


@task(L03, "t2", "The Khasan-Rajin line in the data")
def _l03_t2(course, answer):
    e = _ev(course)
    at = e[e["place"].isin(["rajin", "khasan"])]
    return check_ids(answer, _ids(_khasan_rajin(course)), [
        (_ids(at), "You kept a Khasan or Rajin event from after 2017; the task covers stages one and two."),
        (_ids(at[at["stage"] == "stage-2"]),
         "The line reopened in September 2013, in stage one: keep stages one and two."),
    ], what="events")


@task(L03, "t3", "Dates as precisely as they are known")
def _l03_t3(course, answer):
    kr = _khasan_rajin(course)
    want = {r.id: _date_label(r.date, str(r.date_precision)) for r in kr.itertuples()}
    naive = {r.id: _date_label(r.date, "day") for r in kr.itertuples()}
    s, why = _text_series(answer)
    if s is None:
        return False, why

    def norm(v) -> str:
        text = " ".join(str(v).replace(",", " ").split()).lower()
        return text[1:] if text.startswith("0") else text

    got = {str(k): norm(v) for k, v in s.items()}
    if set(got) != set(want):
        return False, ("The index should hold the event ids of task 2 (one row per event); "
                       f"yours has {len(got)} labels, {len(set(got) & set(want))} of them right.")
    if all(got[k] == norm(v) for k, v in want.items()):
        return True, "Every date is written as precisely as it is known, and no more."
    if all(got[k] == norm(v) for k, v in naive.items()):
        return False, PRECISION_HINT
    return False, ("Some labels differ from the form asked for: '22 September 2013' for a day, "
                   "'April 2015' for a month, '2015' for a year.")


@task(L03, "t4", "Activity chart: two pairs")
def _l03_t4(course, answer):
    from turn_east import charts

    builds = [charts.activity_by_stage(course, pairs=p) for p in (
        [("RUS", "PRK"), ("RUS", "CHN")], [("PRK", "RUS"), ("CHN", "RUS")])]
    return _figure_either(answer, builds, [
        (charts.activity_by_stage(course), "This chart counts all events: pass pairs= to count the two pairs."),
        (charts.activity_by_stage(course, pairs=[("RUS", "CHN"), ("RUS", "PRK")]),
         "The right pairs in the other order: list Russia-North Korea first."),
    ], call='charts.activity_by_stage(course, pairs=[("RUS", "PRK"), ("RUS", "CHN")])')


# ================================================================ 04 stage three

L04 = "04_stage_3_sidelined_then_summits"


def _s3_summits(course):
    s3 = _stage(course, "stage-3")
    return s3[s3["event_type"] == "summit"]


@task(L04, "t1", "The summits of stage three")
def _l04_t1(course, answer):
    s3 = _stage(course, "stage-3")
    sm = _s3_summits(course)
    return check_ids(answer, _ids(sm), [
        (_ids(s3[s3["event_type"].isin(["summit", "multilateral"])]),
         "You also kept multilateral events; the task asks for event_type 'summit' only."),
        (_ids(sm[(sm["actor_a"] == "PRK") | (sm["actor_b"] == "PRK")]),
         "You kept only Kim Jong Un's summits; the task asks for every summit of the stage."),
        (_ids(_ev(course)[_ev(course)["event_type"] == "summit"]), "Keep stage three only (2018-2021)."),
    ], what="summits")


def _partners(sm, *, mode="both"):
    rows = []
    for r in sm.itertuples():
        if mode == "both" and "PRK" in (r.actor_a, r.actor_b):
            rows.append(r.actor_b if r.actor_a == "PRK" else r.actor_a)
        elif mode == "b" and r.actor_b == "PRK":
            rows.append(r.actor_a)
        elif mode == "a" and r.actor_a == "PRK":
            rows.append(r.actor_b)
    return pd.Series(rows, dtype=object).value_counts()


@task(L04, "t2", "Kim Jong Un's summit partners")
def _l04_t2(course, answer):
    sm = _s3_summits(course)
    kim = sm[(sm["actor_a"] == "PRK") | (sm["actor_b"] == "PRK")]
    return check_series(answer, _partners(sm), [
        (_partners(sm, mode="b"), ORDER_HINT),
        (_partners(sm, mode="a"), ORDER_HINT),
        (kim["actor_a"].value_counts(),
         "You counted the actor_a column; the partner is whichever of actor_a/actor_b is not PRK."),
    ], what="count", drop_zero=True)


def _summit_people(course, *, dedupe=True):
    x = _s3_summits(course)[["id", "people"]].explode("people")
    if dedupe:
        x = x.drop_duplicates("people")
    x = x.merge(course.people[["id", "actor"]].rename(columns={"id": "person"}),
                left_on="people", right_on="person", how="inner")
    return x["actor"].value_counts()


@task(L04, "t3", "Who met whom: leaders per country")
def _l04_t3(course, answer):
    return check_series(answer, _summit_people(course), [
        (_summit_people(course, dedupe=False),
         "You counted every appearance: a leader who attended several summits is counted twice or more. "
         "Count distinct people (drop duplicates on the person)."),
    ], what="count", drop_zero=True)


@task(L04, "t4", "Reading the tone chart")
def _l04_t4(course, answer):
    means = _pair_mean_by_stage(course, "RUS", "PRK")
    want = means["stage-3"]
    mistakes = [
        (_pair_mean_by_stage(course, "RUS", "PRK", agg="sum")["stage-3"], SUM_HINT),
        (_pair_mean_by_stage(course, "RUS", "PRK", one_order=True)["stage-3"], ORDER_HINT),
    ]
    usa = _pair_mean_by_stage(course, "USA", "PRK")
    if "stage-3" in usa:
        mistakes.append((usa["stage-3"], "That is the United States-North Korea line; read the Russia-North Korea one."))
    mistakes += [(v, "That is the Russia-North Korea value of another stage; read the point above Stage Three.")
                 for k, v in means.items() if k != "stage-3" and abs(v - want) > 0.01]
    return check_number(answer, want, mistakes, tol=0.01)


# ================================================================ 05 stage four

L05 = "05_stage_4_war_and_alliance"


@task(L05, "t1", "Russia-North Korea events of stage four")
def _l05_t1(course, answer):
    s4 = _stage(course, "stage-4")
    return check_ids(answer, _ids(s4[_pair(s4, "RUS", "PRK")]), [
        (_ids(s4[_one_order(s4, "RUS", "PRK")]), ORDER_HINT),
        (_ids(s4[_has(s4["actors"], "RUS") & _has(s4["actors"], "PRK")]), MAIN_PAIR_HINT),
        (_ids(_ev(course)[_pair(_ev(course), "RUS", "PRK")]), "Keep stage four only (2022-2024)."),
    ], what="events")


def _tone_table(course, **kw) -> pd.DataFrame:
    return pd.DataFrame({"RUS-PRK": _pair_mean_by_stage(course, "RUS", "PRK", **kw),
                         "RUS-KOR": _pair_mean_by_stage(course, "RUS", "KOR", **kw)})


@task(L05, "t2", "Mean tone per stage: North vs South")
def _l05_t2(course, answer):
    return check_frame(answer, _tone_table(course), [
        (_tone_table(course, agg="sum"), SUM_HINT),
        (_tone_table(course, one_order=True), ORDER_HINT),
    ], pairs_order=ORDER, rows="stages", cols="pairs")


def _treaty_days(events):
    t = events[events["event_type"] == "treaty"]
    return (t["date"].max() - t["date"].min()).days


@task(L05, "t3", "From signature to entry into force")
def _l05_t3(course, answer):
    s4 = _stage(course, "stage-4")
    want = _treaty_days(s4)
    return check_number(answer, want, [
        (want + 1, "Off by one: this is the difference between two dates, not a count of days; do not add 1."),
        (_treaty_days(_ev(course)), "You used every treaty event since 1961: keep stage four only."),
        (_treaty_days(_stage(course, "prelude", "stage-1", "stage-2", "stage-3", "stage-4")),
         "You used treaty events from several stages: keep stage four only."),
        (want / 7, "That is in weeks; the task asks for days."),
    ], tol=0.01)


@task(L05, "t4", "Timeline of North Korea's stage four")
def _l05_t4(course, answer):
    from turn_east import charts

    return check_figure(answer, charts.timeline(course, stages=["stage-4"], actors=["PRK"], color_by="actor"), [
        (charts.timeline(course, stages=["stage-4"], color_by="actor"),
         "Your timeline shows every stage-four event: pass actors=[\"PRK\"]."),
        (charts.timeline(course, actors=["PRK"], color_by="actor"),
         "Your timeline covers every stage: pass stages=[\"stage-4\"]."),
    ], call='charts.timeline(course, stages=["stage-4"], actors=["PRK"], color_by="actor")')


# ================================================================ 11 triangle

L11 = "11_motive_triangle_grand_strategy"
TRIAD = ["RUS", "CHN", "USA"]


def _triangle_rel(course):
    r = course.relations
    return r[r["actor_a"].isin(TRIAD) & r["actor_b"].isin(TRIAD)]


@task(L11, "t1", "The triangle's rows in relations.csv")
def _l11_t1(course, answer):
    r = course.relations
    return check_ids(answer, _ids(_triangle_rel(course)), [
        (_ids(r[(r["actor_a"] == "RUS") & r["actor_b"].isin(TRIAD)]),
         "A triangle has three sides: you have Russia's two, but not China-United States."),
        (_ids(r[r["actor_a"].isin(TRIAD) | r["actor_b"].isin(TRIAD)]),
         "Both ends of a pair must be in the triangle: use & between the two conditions, not |."),
    ], what="rows")


def _triangle_pivot(course):
    t = _triangle_rel(course).assign(pair=lambda d: d["actor_a"] + "-" + d["actor_b"])
    p = t.pivot(index="period", columns="pair", values="score")
    p.index = [str(i) for i in p.index]
    return p


@task(L11, "t2", "Scores by period, side by side")
def _l11_t2(course, answer):
    return check_frame(answer, _triangle_pivot(course), [], pairs_order=ORDER, rows="periods", cols="pairs")


def _balance(course):
    p = _triangle_pivot(course)
    return p["RUS-CHN"] - p["RUS-USA"]


@task(L11, "t3", "Russia's lean towards China")
def _l11_t3(course, answer):
    p = _triangle_pivot(course)
    return check_series(answer, _balance(course), [
        (p["RUS-USA"] - p["RUS-CHN"], "The sign is flipped: subtract the Russia-US score from the Russia-China score, not the other way round."),
        (p["RUS-CHN"] - p["CHN-USA"], "You used the China-US side; the task compares Russia's two sides."),
        (p["RUS-CHN"] + p["RUS-USA"], "You added the scores; the task asks for the difference."),
    ], what="difference")


@task(L11, "t4", "Heatmap of the triangle")
def _l11_t4(course, answer):
    from turn_east import charts

    builds = [charts.relations_heatmap(course, actors=a) for a in (TRIAD, ["RUS", "USA", "CHN"], ["CHN", "RUS", "USA"],
                                                                    ["CHN", "USA", "RUS"], ["USA", "RUS", "CHN"],
                                                                    ["USA", "CHN", "RUS"])]
    return _figure_either(answer, builds, [
        (charts.relations_heatmap(course), "This heatmap shows all 21 pairs: pass actors= with the three triangle actors."),
        (charts.relations_heatmap(course, actors="RUS"),
         "With one actor the heatmap shows every pair involving it; pass all three triangle actors as a list."),
    ], call='charts.relations_heatmap(course, actors=["RUS", "CHN", "USA"])')


# ================================================================ 12 alliances

L12 = "12_motive_alliances_us_allies"


def _neg_allies(course, *, main_pair=False, strict=True, background=False):
    e = _ev(course)
    if main_pair:
        inv = e["actor_a"].isin(["JPN", "KOR"]) | e["actor_b"].isin(["JPN", "KOR"])
    else:
        inv = _has_any(e["actors"], ["JPN", "KOR"])
    neg = e["goldstein"] < 0 if strict else e["goldstein"] <= 0
    keep = inv & neg & (e["stage"].notna() | background)
    return e[keep]


@task(L12, "t1", "Hostile events involving Japan or South Korea")
def _l12_t1(course, answer):
    return check_ids(answer, _ids(_neg_allies(course)), [
        (_ids(_neg_allies(course, background=True)), BACKGROUND_HINT),
        (_ids(_neg_allies(course, main_pair=True)), ACTORS_LIST_HINT),
        (_ids(_neg_allies(course, strict=False)),
         "You kept scores of exactly 0 too; 0 is neutral on the Goldstein scale, negative means below 0."),
    ], what="events")


@task(L12, "t2", "Hostile events per stage")
def _l12_t2(course, answer):
    n = _neg_allies(course)
    want = _by_stage(n.groupby(n["stage"].astype(str)).size())
    x = n.explode("actors")
    x = x[x["actors"].isin(["JPN", "KOR"])]
    return check_series(answer, want, [
        (_by_stage(x.groupby(x["stage"].astype(str)).size()),
         TWICE_HINT + " An event involving both Japan and South Korea is one event."),
    ], what="count", drop_zero=True)


def _allies_mean(course, agg="mean", actors=("RUS",)):
    r = course.relations
    sel = r[(r["actor_a"].isin(actors)) & r["actor_b"].isin(["JPN", "KOR"])]
    return _by_stage(sel.groupby(sel["period"].astype(str))["score"].agg(agg))


@task(L12, "t3", "Russia's mean score with the two US allies")
def _l12_t3(course, answer):
    r = course.relations
    anyside = r[r["actor_a"].isin(["JPN", "KOR"]) | r["actor_b"].isin(["JPN", "KOR"])]
    return check_series(answer, _allies_mean(course), [
        (_allies_mean(course, agg="sum"), SUM_HINT),
        (_by_stage(anyside.groupby(anyside["period"].astype(str))["score"].mean()),
         "You averaged every pair that involves Japan or South Korea; keep Russia's two pairs only."),
    ], what="mean")


@task(L12, "t4", "Timeline of the alliance motive")
def _l12_t4(course, answer):
    from turn_east import charts

    builds = [charts.timeline(course, actors=a, motives=["alliances"]) for a in (["JPN", "KOR"], ["KOR", "JPN"])]
    return _figure_either(answer, builds, [
        (charts.timeline(course, actors=["JPN", "KOR"]),
         "Your timeline keeps every motive: pass motives=[\"alliances\"]."),
        (charts.timeline(course, motives=["alliances"]),
         "Your timeline keeps every actor: pass actors=[\"JPN\", \"KOR\"]."),
    ], call='charts.timeline(course, actors=["JPN", "KOR"], motives=["alliances"])')


# ================================================================ 13 agenda

L13 = "13_motive_agenda_arms_labour_trade"


def _far_east(course, *, antimeridian=True, east=True):
    p = course.places
    m = p["actor"] == "RUS"
    if east:
        m &= (p["lon"] > 100) | ((p["lon"] < 0) if antimeridian else False)
    return p[m]


@task(L13, "t1", "Places in the Russian Far East")
def _l13_t1(course, answer):
    return check_ids(answer, _ids(_far_east(course)), [
        (_ids(_far_east(course, antimeridian=False)),
         "One Far Eastern place lies beyond the 180th meridian, so its longitude is negative (west). "
         "Include Russian places with lon < 0."),
        (_ids(_far_east(course, east=False)), "You kept every Russian place, Moscow included: keep those east of 100°E."),
    ], what="places")


def _fe_events(course, **kw):
    e = _ev(course)
    return e[e["place"].isin(_ids(_far_east(course, **kw)))]


@task(L13, "t2", "Events in the Far East, with their place names")
def _l13_t2(course, answer):
    if isinstance(answer, pd.DataFrame) and "id" not in answer.columns and "id_x" in answer.columns:
        return False, ("After the merge both tables' id columns were renamed id_x and id_y. Rename the places' "
                       "columns before merging (e.g. places.rename(columns={'id': 'place', 'name': 'place_name'})).")
    ok, msg = check_ids(answer, _ids(_fe_events(course)), [
        (_ids(_fe_events(course, antimeridian=False)),
         "An event at a place beyond the 180th meridian is missing: use your list from task 1."),
        (_ids(_fe_events(course, east=False)), "You kept events anywhere in Russia: use the Far East places of task 1."),
    ], what="events")
    if ok and isinstance(answer, pd.DataFrame) and not any("name" in str(c) for c in answer.columns):
        return False, "The right events, but the place names are missing: merge with course.places to add them."
    return ok, msg


def _fe_share(course, *, denominator="agenda", share=True):
    e = _ev(course)
    e = e[e["stage"].notna()]
    agenda = e[_has(e["motives"], "agenda")]
    fe = agenda[agenda["place"].isin(_ids(_far_east(course)))]
    num = fe.groupby(fe["stage"].astype(str)).size()
    base = agenda if denominator == "agenda" else e
    den = base.groupby(base["stage"].astype(str)).size()
    out = (num.reindex(den.index, fill_value=0) / den) if share else num.reindex(den.index, fill_value=0)
    return _by_stage(out)


@task(L13, "t3", "How much of the agenda happened in the Far East")
def _l13_t3(course, answer):
    want = _fe_share(course)
    return check_series(answer, want, [
        (_fe_share(course, denominator="all"),
         "You divided by all the stage's events; divide by the stage's agenda events."),
        (_fe_share(course, share=False), "These are counts; the task asks for the share (a fraction between 0 and 1)."),
        (want * 100, "These are percentages; give the share as a fraction between 0 and 1."),
    ], what="share", tol=0.005)


@task(L13, "t4", "Map of stage four")
def _l13_t4(course, answer):
    from turn_east import charts

    return check_figure(answer, charts.northeast_asia_map(course, stage="stage-4"), [
        (charts.northeast_asia_map(course), "This map shows the events of every stage: pass stage=\"stage-4\"."),
    ], call='charts.northeast_asia_map(course, stage="stage-4")')


# ================================================================ 14 identity

L14 = "14_motive_identity_eurasian_power"


@task(L14, "t1", "Glossary terms of the identity motive")
def _l14_t1(course, answer):
    g = course.glossary
    want = g[_has(g["motives"], "identity")]
    if isinstance(answer, (list, tuple, set, pd.Series)) and set(map(str, answer)) == set(want["term"]):
        return True, f"All {len(want)} terms are right."
    return check_ids(answer, _ids(want), [
        (_ids(g[g["definition"].str.contains("identity", case=False)]),
         "You searched the definitions; the task asks for terms tagged with the motive (column motives)."),
        (_ids(g[_has(g["motives"], "identity") & (g["source_id"] == "article")]),
         "You kept only terms sourced to the article; the task asks for every term tagged with the motive."),
    ], what="terms")


def _identity_per_stage(course, *, background=True):
    e = _ev(course)
    ide = e[_has(e["motives"], "identity")]
    stage = ide["stage"].astype(object).where(ide["stage"].notna(), "background")
    out = ide.groupby(stage).size()
    if not background:
        out = out.drop("background", errors="ignore")
    return _by_stage(out)


@task(L14, "t2", "Identity events per period, background included")
def _l14_t2(course, answer):
    return check_series(answer, _identity_per_stage(course), [
        (_identity_per_stage(course, background=False),
         "The background events (before 2000, empty stage) are missing: groupby drops empty keys. "
         "Fill the empty stage with 'background' first."),
    ], what="count", drop_zero=True)


def _identity_terms_per_stage(course, *, keep_empty=False):
    g = course.glossary
    x = g[_has(g["motives"], "identity")].explode("stages")
    if not keep_empty:
        x = x[x["stages"].isin(course.periods)]
    return x["stages"].astype(str).value_counts()


@task(L14, "t3", "Identity terms per stage")
def _l14_t3(course, answer):
    g = course.glossary
    x = g.explode("stages")
    x = x[x["stages"].isin(course.periods)]
    return check_series(answer, _identity_terms_per_stage(course), [
        (_identity_terms_per_stage(course, keep_empty=True),
         "You counted the terms with no stage as a label of their own ('nan'); keep real stage ids only."),
        (x["stages"].astype(str).value_counts(), "You counted every glossary term; keep the identity terms of task 1."),
    ], what="count", drop_zero=True)


@task(L14, "t4", "Reading the stage x motive matrix")
def _l14_t4(course, answer):
    e = _ev(course)
    staged = e[e["stage"].notna()]

    def cell(stage, motive):
        sel = staged[staged["stage"].astype(str) == stage]
        return int(_has(sel["motives"], motive).sum())

    want = cell("stage-2", "identity")
    mistakes = [(cell(s, "identity"), "That is the identity row, but in another stage's column: read the Stage Two column.")
                for s in course.periods if s != "stage-2" and cell(s, "identity") != want]
    mistakes += [(cell("stage-2", m), "That is the Stage Two column, but another motive's row: read the identity row.")
                 for m in course.motives["id"] if m != "identity" and cell("stage-2", m) != want]
    mistakes.append((len(staged[staged["stage"].astype(str) == "stage-2"]),
                     "That is the number of all the stage's events; read the identity cell."))
    return check_number(answer, want, mistakes, tol=0)


# ================================================================ 20 synthesis

L20 = "20_synthesis_weighing_the_argument"


def _stage_motive(course):
    e = _ev(course)
    x = e[e["stage"].notna()][["id", "stage", "motives"]].explode("motives")
    x = x[x["motives"].isin(list(course.motives["id"]))]
    p = pd.crosstab(x["stage"].astype(str), x["motives"])
    return p


@task(L20, "t1", "The stage x motive table")
def _l20_t1(course, answer):
    if isinstance(answer, pd.DataFrame) and any(str(c) in ("nan", "None", "<NA>") for c in answer.columns):
        return False, ("Your table has a column for events with no motive; keep the four motive ids only "
                       "(filter the exploded motives with isin(course.motives['id'])).")
    if isinstance(answer, pd.DataFrame) and "background" in map(str, answer.index):
        return False, BACKGROUND_HINT + " Keep the five periods as rows."
    want = _stage_motive(course)
    e = _ev(course)
    nodup = e[e["stage"].notna()]
    counts = nodup.groupby(nodup["stage"].astype(str)).size()
    wrong = pd.DataFrame({m: counts for m in want.columns})
    return check_frame(answer, want, [
        (wrong, "Every motive has the same count as the stage's events: count the motive tags, after explode."),
    ], fill_zero=True, rows="stages", cols="motives")


@task(L20, "t2", "The leading motive of each stage")
def _l20_t2(course, answer):
    p = _stage_motive(course)
    s, why = as_series(answer)
    if s is None:
        return False, why
    titles = dict(zip(course.motives["title"], course.motives["id"]))
    got = {norm_label(k): titles.get(str(v), str(v)) for k, v in s.items()}
    want_sets = {st: set(row[row == row.max()].index) for st, row in p.iterrows()}
    if set(got) != set(want_sets):
        return False, "The index should hold the five stage ids, one row per stage (idxmax along each row)."
    if all(got[k] in want_sets[k] for k in want_sets):
        return True, "The leading motive of every stage is right."
    fewest = {st: set(row[row == row.min()].index) for st, row in p.iterrows()}
    if all(got[k] in fewest[k] for k in fewest):
        return False, "These are the least tagged motives: use idxmax, not idxmin."
    if set(got.values()) <= set(course.periods):
        return False, "Your values are stages; the task asks, for each stage, which motive leads (idxmax with axis=1)."
    bad = sorted(k for k in want_sets if got[k] not in want_sets[k])
    return False, f"Not the leading motive for {', '.join(bad)}: take the largest cell of each row of your task 1 table."


def _pair_table(course, *, one_order=False):
    e = _ev(course)
    m = _one_order(e, "RUS", "PRK") if one_order else _pair(e, "RUS", "PRK")
    sel = e[m & e["stage"].notna()]
    n = sel.groupby(sel["stage"].astype(str)).size().reindex(course.periods, fill_value=0)
    score = pd.Series({p: _rel_score(course, p, "RUS", "PRK") for p in course.periods})
    return pd.DataFrame({"n_events": n, "score": score})


@task(L20, "t3", "Events and relation score, stage by stage")
def _l20_t3(course, answer):
    if isinstance(answer, pd.DataFrame) and not {"n_events", "score"} <= set(map(str, answer.columns)):
        return False, "Name the two columns n_events and score, as the task says."
    if isinstance(answer, pd.DataFrame):
        answer = answer[["n_events", "score"]]
    want = _pair_table(course)
    one = _pair_table(course, one_order=True)
    return check_frame(answer, want, [
        (one, ORDER_HINT),
    ], rows="stages", cols="the two columns")


@task(L20, "t4", "The matrix chart")
def _l20_t4(course, answer):
    from turn_east import charts

    return check_figure(answer, charts.stage_motive_matrix(course), [], call="charts.stage_motive_matrix(course)")
