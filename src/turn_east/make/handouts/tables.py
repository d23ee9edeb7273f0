"""Long tables in a handout: the whole table in a scrollable box on screen, the first rows on paper.

A DataFrame output (pandas' ``<table class="dataframe">``) with more than :data:`PRINT_ROWS` body rows
keeps every row in the HTML; rows past the limit carry ``te-print-cut``, which the print stylesheet
hides, and a line under the table says how many rows there are and where to see them all (the live
lesson, named by its title in a handout and by its notebook in a leader's slide deck, and the course's CSV
file the cell reads, when the code names one). On screen the box is a
keyboard-focusable region (WCAG: a scrollable area must be reachable without a mouse).
"""

from __future__ import annotations

import html
import re

PRINT_ROWS = 12
_TABLE = re.compile(r'<table\b[^>]*class="[^"]*\bdataframe\b[^"]*"[^>]*>.*?</table>', re.S)
_TBODY = re.compile(r"(<tbody>)(.*?)(</tbody>)", re.S)
_ROW = re.compile(r"<tr\b([^>]*)>", re.S)
_COURSE_TABLE = re.compile(r"\bcourse\.(events|relations|stages|motives|actors|people|places|glossary|sources|"
                           r"lessons|questions|documents|readings)\b")


def csv_named(sources: list[str]) -> str:
    """The course table the code reads (the last one named in the cell or, failing that, the cells before
    it), as its file name, or ""."""
    for text in sources:
        found = _COURSE_TABLE.findall(text)
        if found:
            return f"{found[-1]}.csv"
    return ""


_CELL = re.compile(r"<td>([^<\s]{1,16})</td>")


def mark_short_cells(table: str) -> str:
    """Cells holding one short token (a date, an id, a number) get ``te-nowrap``: the print stylesheet keeps
    them on one line, so a row of a printed table takes one line instead of two."""
    return _CELL.sub(r'<td class="te-nowrap">\1</td>', table)


def wrap_table(table: str, *, notebook: str, csv: str = "", limit: int = PRINT_ROWS, verb: str = "printed",
               lesson: str = "") -> str:
    """One DataFrame table, boxed for the screen and cut for paper (unchanged when it is short); ``verb``
    says what happens to the first rows ("printed"; a slide deck's are "shown"); ``lesson`` (its title) names
    the lesson for a student, who knows it by its title, not its file."""
    table = mark_short_cells(table)
    body = _TBODY.search(table)
    rows = len(_ROW.findall(body.group(2))) if body else 0
    if rows <= limit:
        return table
    count = 0

    def mark(m):
        nonlocal count
        count += 1
        if count <= limit:
            return m.group(0)
        attrs = m.group(1)
        if 'class="' in attrs:
            return "<tr" + attrs.replace('class="', 'class="te-print-cut ', 1) + ">"
        return f'<tr class="te-print-cut"{attrs}>'

    cut = table[:body.start(2)] + _ROW.sub(mark, body.group(2)) + table[body.end(2):]
    where = (f"the live lesson, \u201c{html.escape(lesson)}\u201d" if lesson
             else f"the lesson notebook <code>{html.escape(notebook)}</code>")
    if csv:
        where += f" or the course's data file <code>data/{html.escape(csv)}</code>"
    return (f'<div class="te-table" role="region" tabindex="0" aria-label="Table with {rows} rows (scrolls)">'
            f"{cut}</div>"
            f'<p class="te-table-note te-table-note-screen">{rows} rows; scroll the box to see them all.</p>'
            f'<p class="te-table-note te-table-note-print">The first {limit} of {rows} rows are {verb}. '
            f"See all {rows} in {where}.</p>")


def wrap_tables(page_html: str, *, notebook: str, csv: str = "", limit: int = PRINT_ROWS, verb: str = "printed",
                lesson: str = "") -> str:
    """Every long DataFrame table of an output's HTML, boxed and cut (see :func:`wrap_table`)."""
    return _TABLE.sub(lambda m: wrap_table(m.group(0), notebook=notebook, csv=csv, limit=limit, verb=verb,
                                           lesson=lesson), page_html)


def preprocessor_class():
    from nbconvert.preprocessors import Preprocessor

    class LongTables(Preprocessor):
        """Box and cut the long DataFrame tables of code outputs (``resources["te_notebook"]`` is the
        lesson's title, as readers know the notebook)."""

        def preprocess(self, nb, resources):
            notebook = resources.get("te_notebook", "")
            lesson = (resources.get("metadata") or {}).get("name", "")
            sources: list[str] = []
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                sources.insert(0, cell.source)
                for out in cell.get("outputs", []):
                    data = out.get("data", {})
                    text = data.get("text/html")
                    if isinstance(text, list):
                        text = "".join(text)
                    if text and "dataframe" in text:
                        data["text/html"] = wrap_tables(text, notebook=notebook, csv=csv_named(sources),
                                                        lesson=lesson)
            return nb, resources

    return LongTables
