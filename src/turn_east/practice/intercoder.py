"""How far a class's coders agree: Krippendorff's alpha (the ``krippendorff`` package) for each coded field,
and the events on which coders disagree most.

    result = agreement(codings)            # codings: one row per coder and event
    result.alpha                           # {"goldstein": 0.71, "stage": 1.0, "motives": 0.42}
    result.by_event                        # per event: coders, Goldstein spread, stage and motive splits
    result.disputes                        # (event, field) pairs, most disputed first
    display(result)                        # an HTML report in a notebook; str(result) in a terminal

``codings`` has the columns coder, event, goldstein (a number), stage (an id) and motives (a list of motive ids,
or a ;-separated string). Goldstein scores are compared as interval data, stages as nominal data, and motives as
one nominal yes/no judgement per event and motive. Alpha is 1 for perfect agreement and 0 for agreement no better
than chance; it is undefined (None, with a note) with fewer than two coders or when every coder gave the same
value everywhere.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field

import krippendorff
import numpy as np
import pandas as pd

from turn_east.errors import PracticeError

LEVELS = {"goldstein": "interval", "stage": "nominal", "motives": "nominal"}
COLUMNS = ("coder", "event", "goldstein", "stage", "motives")


def _motives(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v) for v in value]


def _alpha(matrix: np.ndarray, level: str) -> tuple[float | None, str]:
    """Krippendorff's alpha of a coders x units matrix (NaN = not coded), or (None, why)."""
    if matrix.shape[0] < 2:
        return None, "needs at least two coders"
    pairable = (np.sum(~np.isnan(matrix), axis=0) >= 2).sum()
    if pairable == 0:
        return None, "no unit was coded by two coders or more"
    values = matrix[~np.isnan(matrix)]
    if len(np.unique(values)) < 2:
        return None, "every coder gave the same value everywhere: perfect agreement, but alpha is undefined"
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)), ""


def _pairwise_disagreement(values: list) -> float:
    """Share of coder pairs that disagree (nominal)."""
    pairs = list(itertools.combinations(values, 2))
    return sum(a != b for a, b in pairs) / len(pairs) if pairs else 0.0


@dataclass
class Agreement:
    """The agreement of a set of codings: alpha per field, a table per event, and where coders disagree most."""

    n_coders: int
    n_events: int
    alpha: dict
    notes: dict
    by_event: pd.DataFrame
    disputes: pd.DataFrame
    extra: list = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.by_event.copy()

    def __str__(self) -> str:
        lines = [f"Agreement of {self.n_coders} coders on {self.n_events} events (Krippendorff's alpha):"]
        for f, a in self.alpha.items():
            lines.append(f"  {f:<9} ({LEVELS[f]}): " + (f"{a:.2f}" if a is not None else f"undefined, {self.notes[f]}"))
        if not self.disputes.empty:
            lines.append("Where coders disagree most:")
            for r in self.disputes.head(8).itertuples(index=False):
                lines.append(f"  {r.event} ({r.field}): {r.detail}")
        lines += [f"Note: {x}" for x in self.extra]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(f)}</td><td>{LEVELS[f]}</td><td>"
            + (f"{a:.2f}" if a is not None else f"undefined ({html.escape(self.notes[f])})") + "</td></tr>"
            for f, a in self.alpha.items())
        disputes = "".join(f"<tr><td><code>{html.escape(r.event)}</code></td><td>{html.escape(r.field)}</td>"
                           f"<td>{r.disagreement:.2f}</td><td>{html.escape(r.detail)}</td></tr>"
                           for r in self.disputes.head(10).itertuples(index=False))
        notes = "".join(f"<p>{html.escape(x)}</p>" for x in self.extra)
        return (f"<p><strong>Agreement of {self.n_coders} coders on {self.n_events} events</strong> "
                "(Krippendorff's alpha: 1 is perfect agreement, 0 is no better than chance)</p>"
                f"<table><thead><tr><th>Field</th><th>Level</th><th>Alpha</th></tr></thead><tbody>{rows}</tbody></table>"
                "<p><strong>Where coders disagree most</strong> (share of coder pairs that disagree; for Goldstein, "
                "the mean difference between two coders divided by the scale's width of 20)</p>"
                "<table><thead><tr><th>Event</th><th>Field</th><th>Disagreement</th><th>Detail</th></tr></thead>"
                f"<tbody>{disputes}</tbody></table>{notes}")


def _frame(codings) -> pd.DataFrame:
    if not isinstance(codings, pd.DataFrame):
        raise PracticeError(f"agreement() takes a DataFrame of codings (columns {', '.join(COLUMNS)}), "
                            f"got {type(codings).__name__}")
    missing = [c for c in COLUMNS if c not in codings.columns]
    if missing:
        raise PracticeError(f"the codings lack the column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)} "
                            "(one row per coder and event)")
    df = codings[list(COLUMNS)].copy()
    df["coder"] = df["coder"].astype(str)
    df["event"] = df["event"].astype(str)
    df["goldstein"] = pd.to_numeric(df["goldstein"], errors="coerce")
    df["stage"] = df["stage"].map(lambda s: None if s is None or (isinstance(s, float) and s != s) else str(s))
    df["motives"] = df["motives"].map(_motives)
    return df.drop_duplicates(["coder", "event"], keep="last")


def agreement(codings: pd.DataFrame, *, course=None) -> Agreement:
    """Krippendorff's alpha for the Goldstein scores (interval), stages (nominal) and motives (nominal, one yes/no
    unit per event and motive) of a set of codings, and the events coders disagree on most.

    With a ``course``, each event's row also gives the course's own coding (coding_exercises.csv)."""
    df = _frame(codings)
    coders = sorted(df["coder"].unique())
    events = sorted(df["event"].unique())
    ci, ei = {c: i for i, c in enumerate(coders)}, {e: i for i, e in enumerate(events)}
    gold = np.full((len(coders), len(events)), np.nan)
    stage = np.full((len(coders), len(events)), np.nan)
    stage_codes = {s: i for i, s in enumerate(sorted({s for s in df["stage"] if s}))}
    all_motives = sorted({m for ms in df["motives"] for m in ms})
    mot = np.full((len(coders), len(events) * max(len(all_motives), 1)), np.nan)
    for r in df.itertuples(index=False):
        i, j = ci[r.coder], ei[r.event]
        if r.goldstein == r.goldstein:
            gold[i, j] = r.goldstein
        if r.stage:
            stage[i, j] = stage_codes[r.stage]
        for k, m in enumerate(all_motives):
            mot[i, j * len(all_motives) + k] = 1.0 if m in r.motives else 0.0
    alpha, notes = {}, {}
    for name, matrix in (("goldstein", gold), ("stage", stage), ("motives", mot)):
        alpha[name], notes[name] = _alpha(matrix, LEVELS[name])
    if not all_motives:
        alpha["motives"], notes["motives"] = None, "no coder tagged any motive"

    course_coding = {}
    if course is not None and getattr(course, "coding_exercises", None) is not None and not course.coding_exercises.empty:
        for r in course.coding_exercises.itertuples(index=False):
            course_coding[str(r.id)] = r
    rows, disputes = [], []
    for e in events:
        sub = df[df["event"] == e]
        g = sub["goldstein"].dropna()
        st = [s for s in sub["stage"] if s]
        pairs_g = [abs(a - b) for a, b in itertools.combinations(list(g), 2)]
        g_dis = (sum(pairs_g) / len(pairs_g) / 20) if pairs_g else 0.0
        s_dis = _pairwise_disagreement(st)
        shares = {m: float(np.mean([m in ms for ms in sub["motives"]])) for m in all_motives}
        m_dis = float(np.mean([_pairwise_disagreement([m in ms for ms in sub["motives"]]) for m in all_motives])) \
            if all_motives else 0.0
        row = dict(event=e, coders=len(sub), goldstein_mean=round(float(g.mean()), 2) if len(g) else None,
                   goldstein_min=float(g.min()) if len(g) else None, goldstein_max=float(g.max()) if len(g) else None,
                   goldstein_disagreement=round(g_dis, 3), stage_mode=(pd.Series(st).mode().iloc[0] if st else None),
                   stage_disagreement=round(s_dis, 3),
                   motives_shares="; ".join(f"{m} {v:.0%}" for m, v in shares.items() if v > 0),
                   motives_disagreement=round(m_dis, 3))
        ref = course_coding.get(e)
        if ref is not None:
            row.update(course_goldstein=float(ref.goldstein),
                       course_stage=None if pd.isna(ref.stage) else str(ref.stage),
                       course_motives=";".join(ref.motives))
        rows.append(row)
        if len(g) >= 2:
            disputes.append((e, "goldstein", g_dis, f"scores from {g.min():+g} to {g.max():+g} "
                                                     f"(mean {g.mean():+.1f}, {len(g)} coders)"))
        if len(st) >= 2:
            counts = pd.Series(st).value_counts()
            disputes.append((e, "stage", s_dis, ", ".join(f"{k}: {v}" for k, v in counts.items())))
        if all_motives and len(sub) >= 2:
            split = [m for m, v in shares.items() if 0 < v < 1]
            disputes.append((e, "motives", m_dis, "split on " + (", ".join(f"{m} ({shares[m]:.0%} tag it)" for m in split)
                                                                if split else "nothing")))
    by_event = pd.DataFrame(rows)
    disputes_df = pd.DataFrame(disputes, columns=["event", "field", "disagreement", "detail"])
    disputes_df = disputes_df[disputes_df["disagreement"] > 0].sort_values(
        ["disagreement", "event", "field"], ascending=[False, True, True]).reset_index(drop=True)
    extra = []
    if len(events) < 10:
        extra.append(f"Only {len(events)} events: alpha is unstable on so few, and it drops when nearly every coder gives "
                     "the same value (little variation to agree on). Read it with the disputes table.")
    thin = [e for e in events if (df["event"] == e).sum() < 2]
    if thin:
        extra.append(f"{len(thin)} event(s) coded by only one coder count for nothing: {', '.join(thin[:5])}")
    return Agreement(len(coders), len(events), alpha, notes, by_event, disputes_df, extra)
