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
  loses the link, as in the handouts (:func:`turn_east.make.handouts.notebook_link`);
* a glossary term the lesson marks (``[APEC](#glossary-apec)``) gets its definition as the link's title,
  shown on hover, as in the handouts; the link still jumps to the lesson's own glossary entry;
* after the lesson's further reading, a list links each primary document the lesson reads
  (``documents.csv``) to its entry on the site's primary-documents page.
"""

from __future__ import annotations

import copy
import re

from turn_east import nbfiles
from turn_east.make.handouts.postprocess import notebook_link
from turn_east.make.site.pages import md
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


_HTML_ID = re.compile(r"""<[a-zA-Z][^>]*?\sid\s*=\s*["']([^"']+)["']""")


def html_ids(text: str) -> set[str]:
    """The ids of the elements in a piece of HTML (a lesson's outputs)."""
    return set(_HTML_ID.findall(text))


_GLOSSARY_URL = re.compile(r"^#glossary-(?P<id>[a-z0-9][a-z0-9-]*)$")
_FURTHER_READING = re.compile(r"(^|[\s=(])ctx\.further_reading\(")


def _title(text: str) -> str:
    """A Markdown link title in double quotes."""
    return '"' + re.sub(r"\s+", " ", text).strip().replace("\\", "\\\\").replace('"', '\\"') + '"'


def _relink(text: str, lesson_ids, glossary: dict) -> str:
    """Links in a Markdown cell as the site shows them: other notebooks unlinked, glossary terms titled."""
    def repl(m: re.Match) -> str:
        url = m.group("url")
        term = _GLOSSARY_URL.match(url)
        if term:
            hover = glossary.get(term.group("id"))
            return f"[{m.group('text')}]({url} {_title(hover)})" if hover else m.group(0)
        return m.group("text") if notebook_link(url, lesson_ids) == "" else m.group(0)

    return _MD_LINK.sub(repl, text)


def documents_cell(documents) -> dict:
    """The list after the further reading: ``documents`` as (title, page target) pairs, in date order."""
    items = "\n".join(f"- [{md(title)}]({target})" for title, target in documents)
    return {"cell_type": "markdown", "id": "te-documents-on-the-site", "metadata": {"tags": ["te-documents"]},
            "source": "**The primary documents of this lesson** are also on the site's primary-documents page, "
                      "beside the course's others in date order:\n\n" + items + "\n"}


def site_notebook(executed: dict, row: dict, *, audience: str, lesson_ids, links: LaunchLinks,
                  download: str, glossary: dict | None = None, documents=()) -> dict:
    """The page notebook of one lesson, from its executed notebook (which is left unchanged).

    ``glossary``: {term id: "Term: definition"}, the hover text of the terms it marks; ``documents``: the
    (title, link target) of each primary document it reads, for the list after its further reading.
    """
    nb = copy.deepcopy(executed)
    glossary = glossary or {}
    cells = []
    reading_at = None
    for cell in nb["cells"]:
        tags = set(nbfiles.tags(cell))
        if tags & DROP_TAGS or (audience == "student" and LEADER_TAG in tags):
            continue
        if cell["cell_type"] == "code":
            hide = "remove-input" if _SETUP_CALL.search(nbfiles.source(cell)) else "hide-input"
            cell.setdefault("metadata", {})["tags"] = sorted((tags - {"hide-input", "remove-input"}) | {hide})
            if _FURTHER_READING.search(nbfiles.source(cell)):
                reading_at = len(cells) + 1
        elif cell["cell_type"] == "markdown":
            cell["source"] = _relink(nbfiles.source(cell), lesson_ids, glossary)
        cells.append(cell)
    if documents:  # after the further reading (at the end for a lesson without one)
        cells.insert(len(cells) if reading_at is None else reading_at, documents_cell(documents))
    box = {"cell_type": "markdown", "id": "te-about-this-lesson", "metadata": {"tags": ["te-about"]},
           "source": about_box(row, links, download)}
    first_md = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), -1)
    cells.insert(first_md + 1, box)
    nb["cells"] = cells
    nb.get("metadata", {}).pop("widgets", None)
    return nb
