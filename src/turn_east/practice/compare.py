"""Comparing a student's answer with the expected one, whatever equivalent shape it takes (a DataFrame or
a list of ids, a Series or a dict, labels as categoricals or strings, a pair either way round), and
naming the mistake when a recomputed typical mistake matches.

``as_*`` read an answer into one shape (or say why they cannot), ``norm_*`` make labels and values
comparable, ``same_*`` compare, ``check_*`` return ``(True, praise)`` or ``(False, hint)``.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

def pair_key(a, b, order=None) -> str:
    """An unordered pair as one label, 'RUS-PRK' whichever way round it was given."""
    a, b = str(a), str(b)
    if order:
        rank = {x: i for i, x in enumerate(order)}
        a, b = sorted((a, b), key=lambda x: (rank.get(x, len(rank)), x))
    else:
        a, b = sorted((a, b))
    return f"{a}-{b}"


def norm_label(label, *, pairs_order=None) -> str:
    """A label as a plain string: categoricals, numpy ints and Timestamps alike; pairs made unordered."""
    if isinstance(label, tuple) and len(label) == 2:
        return pair_key(*label, order=pairs_order)
    if isinstance(label, float) and label.is_integer():
        label = int(label)
    text = str(getattr(label, "item", lambda: label)()) if hasattr(label, "item") else str(label)
    if pairs_order is not None:
        parts = text.replace("\u2013", "-").split("-")
        if len(parts) == 2 and all(p.strip().upper() in pairs_order for p in parts):
            return pair_key(parts[0].strip().upper(), parts[1].strip().upper(), order=pairs_order)
    return text


MASK_HINT = ("This is a True/False column (a mask), one value per row of the table, not the rows themselves. "
             "Use it to select the rows: table[mask].")
MERGE_SUFFIX_HINT = ("After your merge both tables' '{c}' columns were renamed {c}_x and {c}_y, because both tables "
                     "have a column called '{c}'. Rename the other table's column before merging "
                     "(e.g. other.rename(columns={{'{c}': 'other_{c}'}})), or merge with suffixes=('', '_other').")
EMPTY_HINT = ("Your answer is empty: no row passed your conditions. Check that each value you typed is spelled as "
              "in the data (events[\"event_type\"].unique() lists a column's values): ids are lower case with "
              "hyphens, stage ids are those of stages.csv, not titles such as 'Stage One', and actor codes are upper "
              "case codes, not names (RUS, not Russia; PRK is North Korea, KOR is South Korea). Other ways to get "
              "no rows: two conditions on one column "
              "joined with & (a year cannot be both 2016 and 2017: use .isin), a list column (actors, people, "
              "motives) compared with == (use .map(lambda items: 'PRK' in items)), or a merge whose key columns hold "
              "different kinds of ids.")
EMPTY_SERIES_HINT = ("Your Series is empty. If it comes from a merge, the merge matched nothing: check that the two key "
                     "columns hold the same ids; if it comes from a filter, check the ids you compare with and that "
                     "list columns are tested with .map(lambda items: ... in items).")


def is_mask(answer) -> bool:
    """A boolean Series (or array): the condition, not the rows it selects."""
    return isinstance(answer, pd.Series) and len(answer) > 0 and pd.api.types.is_bool_dtype(answer.dtype)


FRAME_MASK_HINT = ("Your '{c}' column is empty (NaN) in most rows: indexing a table with a table of True/False, "
                   "as in table[table[[\"actor_a\", \"actor_b\"]].isin(...)], blanks the cells that are False instead "
                   "of selecting rows. Build one True/False per row (a Series), e.g. "
                   "table[(table[\"actor_a\"].isin(...)) & (table[\"actor_b\"].isin(...))].")


def merge_suffix_hint(answer, column: str = "id") -> str | None:
    """The id_x/id_y hint when a merge of two tables that both have `column` renamed it."""
    if isinstance(answer, pd.DataFrame) and column not in answer.columns and f"{column}_x" in answer.columns:
        return MERGE_SUFFIX_HINT.format(c=column)
    return None


def as_id_list(answer, column: str = "id") -> tuple[list | None, str]:
    """(ids, "") from a DataFrame with an id column, a Series, an Index, a list or a set; (None, why) otherwise."""
    if isinstance(answer, pd.DataFrame):
        if column in answer.columns:
            if len(answer) and answer[column].isna().mean() > 0.5:
                return None, FRAME_MASK_HINT.format(c=column)
            return [str(x) for x in answer[column]], ""
        if answer.index.name == column:
            return [str(x) for x in answer.index], ""
        suffix = merge_suffix_hint(answer, column)
        if suffix:
            return None, suffix
        return None, (f"Your table has no '{column}' column. Keep the '{column}' column when you filter "
                      "(do not select other columns only, and do not drop it).")
    if is_mask(answer):
        return None, MASK_HINT
    if isinstance(answer, pd.Series) and len(answer) and pd.api.types.is_numeric_dtype(answer.dtype):
        return None, (f"This is a column of numbers (a count or a score per {answer.index.name or 'label'}), not the "
                      f"rows the task asks for: keep the rows themselves, a DataFrame with its '{column}' column.")
    if isinstance(answer, (pd.Series, pd.Index, list, tuple, set)):
        return [str(x) for x in answer], ""
    if isinstance(answer, str):
        return None, "You gave one string; the task asks for a table (or a list) of several rows."
    return None, f"Expected a DataFrame or a list, got {type(answer).__name__}."


def as_series(answer) -> tuple[pd.Series | None, str]:
    """(Series, "") from a Series, a dict, a one-column DataFrame or a two-column (label, value) DataFrame."""
    if isinstance(answer, pd.Series):
        return answer, ""
    if isinstance(answer, dict):
        return pd.Series(answer), ""
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] == 1:
            return answer.iloc[:, 0], ""
        if answer.shape[1] == 2 and answer.index.equals(pd.RangeIndex(len(answer))):
            return answer.set_index(answer.columns[0]).iloc[:, 0], ""
        return None, ("Your answer is a table with several columns; the task asks for one column of "
                      "values (a Series). Select the column you computed.")
    return None, f"Expected a pandas Series (or a dict), got {type(answer).__name__}."


def norm_series(s: pd.Series, *, pairs_order=None, drop_zero: bool = False) -> pd.Series:
    """Index as plain strings (pairs unordered), values as floats, NaN rows dropped, sorted by label."""
    out = pd.Series(pd.to_numeric(pd.Series(list(s)), errors="coerce").astype(float).values,
                    index=[norm_label(k, pairs_order=pairs_order) for k in s.index])
    out = out[out.notna()]
    if drop_zero:
        out = out[out != 0]
    return out.sort_index()


def same_series(a: pd.Series, b: pd.Series, tol: float = 0.01) -> bool:
    if set(a.index) != set(b.index) or len(a) != len(b):
        return False
    return all(abs(float(a[k]) - float(b[k])) <= tol for k in b.index)


def first_match(got, mistakes, same) -> str | None:
    """The hint of the first (candidate, hint) mistake that `got` equals, or None."""
    for candidate, hint in mistakes:
        try:
            if candidate is not None and same(got, candidate):
                return hint
        except Exception:  # a mistake candidate must never break a check
            continue
    return None


def check_ids(answer, expected_ids, mistakes=(), *, column: str = "id", what: str = "rows",
              ordered: bool = False, empty_hint: str = EMPTY_HINT) -> tuple[bool, str]:
    """Compare the ids of an answer with the expected ones; name the mistake when a known one matches.

    mistakes: (ids a typical wrong filter gives, hint) pairs, tried in order. empty_hint: what an empty answer is
    told (the task's own likely causes; the general list by default).
    """
    got, why = as_id_list(answer, column)
    if got is None:
        return False, why
    want = [str(x) for x in expected_ids]
    if len(got) != len(set(got)):
        return False, (f"Some {what} appear twice (or more): did you count duplicates, e.g. after a join "
                       "or an explode? Use drop_duplicates on the id.")
    if set(got) == set(want):
        if ordered and got != want:
            return False, f"The right {len(want)} {what}, but not in the order the task asks for."
        return True, f"All {len(want)} {what} are right."
    # an empty candidate names no particular mistake (many slips give no rows): those get the empty-answer hint
    hint = first_match(set(got), [(set(map(str, c)), h) for c, h in mistakes if len(c)], lambda g, c: g == c)
    n = f"You have {len(got)} {what if len(got) != 1 else what.rstrip('s')}, the task expects {len(want)}. "
    if hint:
        return False, n + hint
    if not got:
        return False, empty_hint
    missing, extra = set(want) - set(got), set(got) - set(want)
    if extra and not missing:
        return False, n + "Your filter is too wide: re-read each condition in the task."
    if missing and not extra:
        return False, n + "Your filter is too narrow: re-read each condition in the task."
    return False, n + f"{len(missing)} missing and {len(extra)} that should not be there: compare your conditions with the task."


def check_series(answer, expected: pd.Series, mistakes=(), *, what: str = "value", tol: float = 0.01,
                 pairs_order=None, drop_zero: bool = False) -> tuple[bool, str]:
    """Compare a labelled set of numbers (Series, dict, small DataFrame) with the expected Series.

    Labels are compared as strings (a categorical index equals a string one); with pairs_order,
    'PRK-RUS' equals 'RUS-PRK'. drop_zero treats a missing label as 0 (for counts).
    mistakes: (Series a typical mistake gives, hint) pairs.
    """
    s, why = as_series(answer)
    if s is None:
        return False, why
    if len(s) == 0:
        return False, EMPTY_SERIES_HINT
    if pd.api.types.is_bool_dtype(s.dtype):
        return False, ("Your values are True/False: that is a condition (a mask), not the numbers the task asks for. "
                       "Use it to select rows first, then count or average them.")
    if isinstance(s.index, pd.MultiIndex) and s.index.nlevels != 2:
        return False, "Your Series has a multi-level index; the task asks for one label per value."
    got = norm_series(s, pairs_order=pairs_order, drop_zero=drop_zero)
    want = norm_series(expected, pairs_order=pairs_order, drop_zero=drop_zero)
    if len(set(got.index)) != len(got):
        return False, "Some labels appear more than once: group by the column the task names so each label is one row."
    if same_series(got, want, tol):
        return True, f"Every {what} is right."
    norm_m = [(norm_series(c, pairs_order=pairs_order, drop_zero=drop_zero), h) for c, h in mistakes if c is not None]
    hint = first_match(got, norm_m, lambda g, c: same_series(g, c, tol))
    if hint:
        return False, hint
    if set(got.index) != set(want.index):
        missing = len(set(want.index) - set(got.index))
        extra = sorted(set(got.index) - set(want.index))
        return False, (f"The labels differ from the task's: {missing} label(s) missing"
                       + (f", unexpected {extra[:5]}" if extra else "")
                       + ". Check what your index holds and which rows you kept.")
    diff = [k for k in want.index if abs(float(got[k]) - float(want[k])) > tol]
    if float(got.sum()) > float(want.sum()):
        return False, f"Your {what}s are too high for {', '.join(diff)}: did you count some rows twice or keep too many rows?"
    return False, f"Your {what}s are off for {', '.join(diff)}: check your filter before grouping."


def as_number(answer) -> tuple[float | None, str]:
    if isinstance(answer, bool):
        return None, "Expected a number, got True/False."
    if isinstance(answer, (pd.Series, pd.DataFrame)) and answer.size == 0:
        return None, ("Your answer is an empty table or Series, so there is no number in it: the rows you selected "
                      "are empty. Check your conditions (ids, list columns, dates).")
    if isinstance(answer, (pd.Series, pd.DataFrame)):
        if answer.size == 1:
            return float(answer.to_numpy().ravel()[0]), ""
        return None, (f"Expected one number, got a {type(answer).__name__} of {answer.size} values (one per row or "
                      "group). If the task asks for a mean, a share or a count over them, compute it (.mean(), "
                      ".sum(), len(...)); if it asks for one of them, select that one.")
    try:
        return float(answer), ""
    except (TypeError, ValueError):
        return None, f"Expected a number, got {type(answer).__name__} {str(answer)[:40]!r}."


def check_number(answer, expected: float, mistakes=(), *, tol: float = 0.01) -> tuple[bool, str]:
    got, why = as_number(answer)
    if got is None:
        return False, why
    if got != got:
        return False, ("Your answer is NaN (not a number): a mean or a difference of no rows. The selection it comes "
                       "from is empty; check the ids and conditions.")
    if abs(got - float(expected)) <= tol:
        return True, "That is right."
    hint = first_match(got, [(c, h) for c, h in mistakes if c is not None],
                       lambda g, c: abs(g - float(c)) <= tol)
    if hint:
        return False, hint
    return False, "Not the expected value: re-read the task and check each step (filter, then compute)."


def norm_frame(df: pd.DataFrame, *, pairs_order=None) -> pd.DataFrame:
    out = df.copy()
    out.index = [norm_label(k, pairs_order=pairs_order) for k in out.index]
    out.columns = [norm_label(k, pairs_order=pairs_order) for k in out.columns]
    return out.apply(pd.to_numeric, errors="coerce").astype(float)


def same_frame(a: pd.DataFrame, b: pd.DataFrame, tol: float = 0.01, *, fill_zero: bool = False) -> bool:
    if fill_zero:
        cols = sorted(set(a.columns) | set(b.columns))
        rows = sorted(set(a.index) | set(b.index))
        a = a.reindex(index=rows, columns=cols).fillna(0)
        b = b.reindex(index=rows, columns=cols).fillna(0)
    if set(a.index) != set(b.index) or set(a.columns) != set(b.columns):
        return False
    a = a.loc[sorted(b.index), sorted(b.columns)]
    b = b.loc[sorted(b.index), sorted(b.columns)]
    both_nan = a.isna() & b.isna()
    close = (a - b).abs() <= tol
    return bool((both_nan | close).all().all())


def check_frame(answer, expected: pd.DataFrame, mistakes=(), *, tol: float = 0.01, pairs_order=None,
                fill_zero: bool = False, rows: str = "rows", cols: str = "columns") -> tuple[bool, str]:
    """Compare a table of numbers (e.g. a pivot table) with the expected one, labels as strings.

    fill_zero: a missing row/column counts as zeros (pivot tables of counts)."""
    if not isinstance(answer, pd.DataFrame):
        return False, f"Expected a DataFrame (a table with {rows} as rows and {cols} as columns), got {type(answer).__name__}."
    if isinstance(answer.columns, pd.MultiIndex):
        return False, ("Your columns have two levels (this happens when pivot_table is given `values` as a list "
                       "or no `values`): pass one column name as values=.")
    if answer.empty:
        return False, (f"Your table is empty: no row passed your filter. Check the ids you compare with (ids such as "
                       f"stage-2 or triangle, not titles) before you count; the task wants the {rows} as rows and the "
                       f"{cols} as columns.")
    got = norm_frame(answer, pairs_order=pairs_order)
    want = norm_frame(expected, pairs_order=pairs_order)
    if same_frame(got, want, tol, fill_zero=fill_zero):
        return True, "Every cell of the table is right."
    if same_frame(got.T, want, tol, fill_zero=fill_zero):
        return False, f"Rows and columns are swapped: put the {rows} in the index and the {cols} in the columns (or use .T)."
    hint = first_match(got, [(norm_frame(c, pairs_order=pairs_order), h) for c, h in mistakes if c is not None],
                       lambda g, c: same_frame(g, c, tol, fill_zero=fill_zero))
    if hint:
        return False, hint
    if set(got.index) != set(want.index) or set(got.columns) != set(want.columns):
        return False, (f"The labels differ: the task wants the {rows} as the index ({len(want)} rows) and the "
                       f"{cols} as the columns ({len(want.columns)}). Yours has {len(got)} rows and {len(got.columns)} columns.")
    return False, "The labels are right but some cells differ: check your filter and the function you aggregate with."


def figure_signature(fig) -> tuple[str, str, str]:
    """(chart name, description, data as JSON) of a figure built by turn_east.charts."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    data = json.dumps([t.to_plotly_json() for t in fig.data], sort_keys=True, default=str)
    return str(meta.get("chart", "")), str(meta.get("description", "")), data


def check_figure(answer, expected, mistakes=(), *, call: str = "") -> tuple[bool, str]:
    """Compare a figure with the one the task's call builds, by its chart name, data and description."""
    if not isinstance(answer, go.Figure):
        return False, (f"Expected a plotly Figure (the return value of {call or 'the chart function'}), "
                       f"got {type(answer).__name__}. Assign the figure itself, not fig.show().")
    got, want = figure_signature(answer), figure_signature(expected)
    if not got[0]:
        return False, f"This figure was not built by turn_east.charts: call {call or 'the chart function the task names'}."
    if got[0] != want[0]:
        return False, f"This figure comes from charts.{got[0]}; the task asks for {call or 'charts.' + want[0]}."
    if got == want:
        return True, "The figure shows the data the task asks for."
    hint = first_match(got, [(figure_signature(c), h) for c, h in mistakes if c is not None],
                       lambda g, c: g[1] == c[1] and g[2] == c[2])
    if hint:
        return False, hint
    if got[1] == want[1]:
        return False, "The right data, drawn with other options: check the keyword arguments against the task."
    return False, f"The right chart, but with other data: check the arguments of {call or 'the call'} (ids, lists, spelling)."


# ---------------------------------------------------------------- before and after (sensitivity tasks)

def check_before_after(answer, before: float, after: float, mistakes=(), *, tol: float = 0.01,
                       what: str = "value") -> tuple[bool, str]:
    """Compare {"before": x, "after": y} (a dict, a Series or a two-item list/tuple) with the two expected numbers.

    mistakes: ((before, after), hint) pairs a typical mistake gives; a None side means "any value".
    """
    if isinstance(answer, pd.Series):
        answer = answer.to_dict()
    if isinstance(answer, (list, tuple)) and len(answer) == 2:
        answer = {"before": answer[0], "after": answer[1]}
    if not isinstance(answer, dict):
        return False, ('Expected a dict with two numbers, {"before": ..., "after": ...}, '
                       f"got {type(answer).__name__}.")
    keys = {str(k).strip().lower(): v for k, v in answer.items()}
    if set(keys) != {"before", "after"}:
        return False, ('The dict needs exactly two keys, "before" and "after"; yours has '
                       f"{', '.join(map(repr, answer)) or 'none'}.")
    got = {}
    for side in ("before", "after"):
        value, why = as_number(keys[side])
        if value is None:
            return False, f'"{side}": {why}'
        got[side] = value

    def near(x, y) -> bool:
        if x != x or y != y:
            return x != x and y != y
        return abs(x - y) <= tol

    ok_b, ok_a = near(got["before"], before), near(got["after"], after)
    if ok_b and ok_a:
        if near(before, after):
            return True, f"Both {what}s are right, and the change made no difference here."
        return True, f"Both {what}s are right: the change moves the {what} by {after - before:+.2f}."
    if near(got["before"], after) and near(got["after"], before) and not near(before, after):
        return False, '"before" and "after" are swapped: "before" is the course data as it is, "after" the changed data.'
    # With few events, two different slips can give the same two numbers: name each of them. A mistake that
    # fixes both numbers is a closer match than one that fixes a single side (None: any value), and wins.
    full, partial = [], []
    for (mb, ma), hint in mistakes:
        hit_b = mb is None or near(got["before"], mb)
        hit_a = ma is None or near(got["after"], ma)
        if hit_b and hit_a and (mb is not None or ma is not None):
            found = full if (mb is not None and ma is not None) else partial
            if hint not in found:
                found.append(hint)
    hits = full or partial
    if len(hits) == 1:
        return False, hits[0]
    if hits:
        return False, ("Your numbers fit more than one typical slip; check each: "
                       + " ".join(f"({i}) {h}" for i, h in enumerate(hits, 1)))
    if near(got["before"], after) and near(got["after"], after) and not near(before, after):
        return False, ('"before" already holds the change: you changed the course data itself. Keep the course data '
                       "as it is and make the change in a copy (table.copy(), or a filtered table).")
    for side, want in (("before", before), ("after", after)):
        if got[side] == 0 and want != 0 and not (ok_b if side == "before" else ok_a):
            return False, (f'"{side}" is 0: nothing matched your selection. Check the ids you compare with: stage ids '
                           "(prelude, stage-2), motive ids (triangle, identity) and actor codes (RUS, PRK) are written "
                           "as in the data, not as titles or names.")
    for side in ("before", "after"):
        if got[side] != got[side]:
            return False, (f'"{side}" is NaN (not a number): the mean of no rows. Your selection for "{side}" is '
                           "empty: check the actor codes (PRK is North Korea, KOR is South Korea), both orders of the "
                           "pair, the ids and the dates. A list column (actors, motives) never equals a string: test "
                           "membership, .map(lambda m: \"agenda\" in m).")
    if ok_b and near(got["after"], before):
        return False, ('"after" equals "before": the change did not reach your computation. Recompute on the changed '
                       "copy of the data (check that your filter really removes or changes the row).")
    if ok_b:
        return False, ('"before" is right, but "after" is not: check how you changed the data (the right row, in a copy) '
                       "and that you recomputed the same way.")
    if ok_a:
        return False, '"after" is right, but "before" is not: compute "before" on the course data as it is.'
    return False, f"Neither {what} is right yet: build the selection step by step and check each part against the task."
