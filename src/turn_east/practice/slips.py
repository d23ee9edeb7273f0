"""The error a student's answer cell stopped with, read back in plain words by the check that follows it.

When an answer cell raises (``and`` between two conditions, a comparison without brackets, a list compared with
``!=``), the answer variable keeps its old value, usually ``None``, and a check could only say "not answered yet".
In a notebook the check cell runs right after the answer cell, so IPython's record of the last execution holds
that cell's error: :func:`explain_last_error` turns it into one sentence on what the error means and how pandas
wants it written, without the answer.
"""

from __future__ import annotations

import re

# (exception type names, a regular expression on the message, what it means and how to write it instead)
RULES = (
    (("ValueError",), r"truth value of a (Series|DataFrame) is ambiguous",
     "Python's and, or and not do not work between two True/False columns: write & for and, | for or, ~ for "
     "not, with brackets around each comparison: (a == \"RUS\") & (b == \"PRK\")."),
    (("TypeError",), r"unsupported operand type\(s\) for [&|]",
     "A comparison is missing its brackets: & and | bind more tightly than ==, so write each comparison in "
     "brackets: (table[\"stage\"] == \"stage-1\") & (table[\"event_type\"] == \"summit\")."),
    (("ValueError",), r"Lengths must match to compare",
     "A column was compared with a list using == or !=. To test membership in a list use "
     ".isin([...]), and ~ in front to keep the rows not in it."),
    (("TypeError",), r"Invalid comparison between dtype=datetime64",
     "Dates were compared with a number. Compare a date column with a date written as a string, "
     "table[table[\"date\"] <= \"2013-12-31\"], or compare its year: table[\"date\"].dt.year == 2013."),
    (("IndexingError",), r"Unalignable boolean Series",
     "The True/False column was built from another table than the one it selects from: build the condition "
     "from the same table, table[table[\"actor_a\"] == \"RUS\"]."),
    (("KeyError",), r"^'?(id|\[?'id'\]?)'?$|\['id'\]|Index\(\['id'\]",
     "The table has no 'id' column. After a merge of two tables that both have an 'id' column, pandas renames "
     "them id_x and id_y: rename the other table's column before merging, or merge with suffixes=('', '_other')."),
    (("KeyError",), r".",
     "A column name is not in the table: compare its spelling with table.columns (names are lower case, "
     "such as actor_a, event_type, goldstein)."),
    (("NameError",), r"name '(\w+)' is not defined",
     "A name is not defined yet: run the notebook's cells from the top (the first code cell loads the course), "
     "then your answer cell, then this check."),
    (("TypeError",), r"'NoneType' object is not subscriptable",
     "A table you use is still None: finish the task it comes from first (an earlier answer cell), run that "
     "cell, then this one."),
    (("AttributeError",), r"'NoneType' object has no attribute",
     "A variable still holds None: give it a value first (a figure's .show() returns None, so assign the "
     "figure itself)."),
)


def explain(exc: BaseException | None) -> str | None:
    """One sentence on what the error means for a pandas answer, or None for an error the course cannot read."""
    if exc is None:
        return None
    names = {cls.__name__ for cls in type(exc).__mro__}
    message = str(exc)
    for types, pattern, advice in RULES:
        if names & set(types) and re.search(pattern, message):
            return advice
    return None


def last_cell_error() -> BaseException | None:
    """The error the cell run before the current one stopped with, in an IPython kernel; None elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:  # no IPython: a script or a grader's process
        return None
    shell = get_ipython()
    result = getattr(shell, "last_execution_result", None) if shell is not None else None
    if result is None:
        return None
    return result.error_in_exec or result.error_before_exec


def explain_last_error() -> str:
    """The sentence a check adds when the answer cell just before it failed ("" when it did not, or unreadably)."""
    exc = last_cell_error()
    advice = explain(exc)
    if not advice:
        return ""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    shown = f"{type(exc).__name__}: {first}"[:140]
    return f"The cell you ran before this check stopped with an error ({shown}). {advice}"
