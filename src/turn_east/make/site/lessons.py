"""A lesson page's notebook: the handouts' executed notebook, made into a page of the website.

The notebook the site shows is the one ``turn-east handouts`` executed (same parameters: ``render="static"``,
the audience's), so every output (charts as plotly HTML without plotly.js, the quiz's printed form with
its offline self-check) is exactly the handout's. Only the page around them changes:

* the ``parameters`` and ``injected-parameters`` cells go; in the student site the ``leader`` cells go
  too (leader notes never reach the public site);
* the set-up cell keeps its output (the lesson's styles) but not its code; every other code cell's code
  is folded away behind a "Show code cell source" toggle (myst-nb's ``hide-input`` tag), outputs shown;
* after the title comes an "About this lesson" box: the summary and the minutes from ``lessons.csv``, and
  the links to run the lesson (download the notebook, Binder, a JupyterHub);
* a link to a notebook that is not a page of the site (the chart gallery, an exercise) keeps its text and
  loses the link, as in the handouts (:func:`turn_east.make.handouts.notebook_link`).
"""

from __future__ import annotations

import copy
import re

from turn_east import nbfiles
from turn_east.make.handouts.postprocess import notebook_link
from turn_east.make.site.links import LaunchLinks

DROP_TAGS = {"parameters", "injected-parameters"}
LEADER_TAG = "leader"
_SETUP_CALL = re.compile(r"(^|[\s=(])setup\(")
# An inline Markdown link whose target has no spaces: [text](target) or [text](target "title").
_MD_LINK = re.compile(r"(?<!!)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
MINUTE_FIELDS = (("reading_min", "reading"), ("exercise_min", "exercises"), ("discussion_min", "discussion"))


def _minutes(row: dict) -> list[tuple[str, int]]:
    out = []
    for field, label in MINUTE_FIELDS:
        try:
            out.append((label, int(row.get(field) or 0)))
        except (TypeError, ValueError):
            continue
    return [(label, n) for label, n in out if n]


def about_box(row: dict, links: LaunchLinks, download: str) -> str:
    """The "About this lesson" box (MyST Markdown): summary, minutes, and the ways to run the lesson.

    ``download``: the clean notebook's path relative to the page, for the ``{download}`` role.
    """
    lines = [":::{admonition} About this lesson", ":class: te-lesson-about", ""]
    if row.get("summary"):
        lines += [str(row["summary"]).strip(), ""]
    minutes = _minutes(row)
    if minutes:
        parts = ", ".join(f"{n} min {label}" for label, n in minutes)
        lines += [f"**Time:** {parts} ({sum(n for _, n in minutes)} min in all).", ""]
    runs = [f"{{download}}`Download the notebook <{download}>`"]
    if links.binder:
        runs.append(f"[Open it on Binder]({links.binder})")
    if links.hub:
        runs.append(f"[Open it on your JupyterHub]({links.hub})")
    lines += ["**Run it yourself:** " + " · ".join(runs) + ".", ":::"]
    return "\n".join(lines) + "\n"


def _unlink_other_notebooks(text: str, lesson_ids) -> str:
    def repl(m: re.Match) -> str:
        return m.group("text") if notebook_link(m.group("url"), lesson_ids) == "" else m.group(0)

    return _MD_LINK.sub(repl, text)


def site_notebook(executed: dict, row: dict, *, audience: str, lesson_ids, links: LaunchLinks,
                  download: str) -> dict:
    """The page notebook of one lesson, from its executed notebook (which is left unchanged)."""
    nb = copy.deepcopy(executed)
    cells = []
    for cell in nb["cells"]:
        tags = set(nbfiles.tags(cell))
        if tags & DROP_TAGS or (audience == "student" and LEADER_TAG in tags):
            continue
        if cell["cell_type"] == "code":
            hide = "remove-input" if _SETUP_CALL.search(nbfiles.source(cell)) else "hide-input"
            cell.setdefault("metadata", {})["tags"] = sorted((tags - {"hide-input", "remove-input"}) | {hide})
        elif cell["cell_type"] == "markdown":
            cell["source"] = _unlink_other_notebooks(nbfiles.source(cell), lesson_ids)
        cells.append(cell)
    box = {"cell_type": "markdown", "id": "te-about-this-lesson", "metadata": {"tags": ["te-about"]},
           "source": about_box(row, links, download)}
    first_md = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), -1)
    cells.insert(first_md + 1, box)
    nb["cells"] = cells
    nb.get("metadata", {}).pop("widgets", None)
    return nb
