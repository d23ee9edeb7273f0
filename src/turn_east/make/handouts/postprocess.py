"""From an executed notebook to a handout's HTML: nbconvert with the ``handout`` template, then a check
that nothing would load from the internet.

* ``TagRemovePreprocessor`` drops the cells tagged ``leader`` from student copies;
* ``DropNoise`` (a preprocessor) drops stderr streams (warnings) and the parameters cells;
* links to lesson notebooks point at their handouts (``03_x.ipynb`` -> ``03_x.html``, same folder); a
  link to any other notebook (an exercise, the chart gallery) keeps its text but loses the dead link.
  A link whose text is a notebook's file name reads as the lesson's title instead;
* a glossary term a lesson marks (``[APEC](#glossary-apec)``) gets its definition from ``glossary.csv`` as
  the link's title, so a reader sees it on hover; the link still jumps to the lesson's glossary entry.
  This happens where nbconvert turns a Markdown link into HTML (the exporter's Markdown renderer), on
  the parsed link: a preprocessor rewriting the Markdown source could not keep the text in a
  ``<span>``, since nbconvert passes each inline HTML tag through BeautifulSoup on its own when it
  embeds images, which closes ``<span>`` before its text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from turn_east.make.handouts import tables

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "handout"
NOTEBOOK_REF = '<span class="te-notebook-ref" title="a notebook in the course repository">{text}</span>'

_GLOSSARY_URL = re.compile(r"^#glossary-(?P<id>[a-z0-9][a-z0-9-]*)$")
_FILE_NAME_TEXT = re.compile(r"^(?:<code>)?(?:notebooks/)?(?P<stem>[0-9]{2}_[a-z0-9_]+)\.ipynb(?:</code>)?$")
_NOTEBOOK_URL = re.compile(r"^(?![a-z][a-z0-9+.-]*:)(?P<folder>[^#]*?)(?P<stem>[^/#]+)\.ipynb(?P<anchor>#.*)?$", re.I)


def notebook_link(url: str, lesson_ids) -> str | None:
    """Where a link to ``url`` points in a handout: the lesson's handout (``03_x.html#anchor``) for a
    lesson notebook of the course, "" (no link) for any other notebook, None for a URL that is not a
    notebook (it stays as it is)."""
    m = _NOTEBOOK_URL.match(url or "")
    if m is None:
        return None
    if m["stem"] in set(lesson_ids) and m["folder"].strip("./") in ("", "notebooks"):
        return f"{m['stem']}.html{m['anchor'] or ''}"
    return ""


def _preprocessors():
    import nbformat
    from nbconvert.preprocessors import Preprocessor

    class DropNoise(Preprocessor):
        """Remove stderr streams (warnings) and the parameters cells: a reader wants prose, charts, quizzes."""

        def preprocess(self, nb, resources):
            nb.cells = [c for c in nb.cells
                        if not {"parameters", "injected-parameters"} & set(c.get("metadata", {}).get("tags", []))]
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = [o for o in cell.get("outputs", [])
                                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            return nb, resources

    class KeepWithChart(Preprocessor):
        """Keep a chart's heading and question on the chart's page: the markdown cell just before a chart
        becomes the chart cell's first output (Markdown, rendered as the cell was), so one output area
        holds both, and the print stylesheet keeps that area on one page (Chromium does not honour
        ``break-after: avoid`` between two cells)."""

        def preprocess(self, nb, resources):
            cells = []
            for cell in nb.cells:
                before = cells[-1] if cells else None
                if (before is not None and before.cell_type == "markdown" and cell.cell_type == "code"
                        and "leader" not in before.get("metadata", {}).get("tags", [])
                        and any("te-figure" in str(o.get("data", {}).get("text/html", ""))
                                for o in cell.get("outputs", []))):
                    cells.pop()
                    cell.outputs.insert(0, nbformat.v4.new_output(
                        "display_data", data={"text/markdown": before.source}))
                    cell.setdefault("metadata", {}).setdefault("tags", []).append("te-chart-block")
                cells.append(cell)
            nb.cells = cells
            for cell in cells:  # the reference list prints smaller (nbconvert: tag -> class celltag_<tag>)
                if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## References"):
                    cell.setdefault("metadata", {}).setdefault("tags", []).append("te-references")
            return nb, resources

    return DropNoise, KeepWithChart


def _exporter_class():
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class HandoutRenderer(IPythonRenderer):
        """nbconvert's Markdown renderer, with links to notebooks pointed at handouts (see notebook_link)."""

        def __init__(self, *args, lesson_ids=(), lesson_titles=None, glossary=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.lesson_ids = tuple(lesson_ids)
            self.lesson_titles = dict(lesson_titles or {})
            self.glossary = dict(glossary or {})

        def link(self, text, url, title=None):
            term = _GLOSSARY_URL.match(url or "")
            if term and term["id"] in self.glossary and not title:
                return super().link(text, url, self.glossary[term["id"]])
            named = _FILE_NAME_TEXT.match(text.strip())
            if named and named["stem"] in self.lesson_titles:
                text = self.lesson_titles[named["stem"]]
            target = notebook_link(url, self.lesson_ids)
            if target is None:
                return super().link(text, url, title)
            return super().link(text, target, title) if target else NOTEBOOK_REF.format(text=text)

    class HandoutExporter(HTMLExporter):
        """The HTML exporter, rendering Markdown with :class:`HandoutRenderer` (lesson ids from
        ``resources["te_lesson_ids"]``); otherwise as ``HTMLExporter.markdown2html`` does."""

        @pass_context
        def markdown2html(self, context, source):
            cell = context.get("cell", {})
            resources = context.get("resources", {})
            renderer = HandoutRenderer(
                escape=False, attachments=cell.get("attachments", {}), embed_images=self.embed_images,
                path=resources.get("metadata", {}).get("path", ""), anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links, lesson_ids=resources.get("te_lesson_ids", ()),
                lesson_titles=resources.get("te_lesson_titles"), glossary=resources.get("te_glossary"),
                **self.lexer_options)
            return MarkdownWithMath(renderer=renderer).render(source)

    return HandoutExporter


_EXPORTERS: dict = {}


def exporter(audience: str):
    """The HTML exporter of one audience (made once per process)."""
    if audience not in _EXPORTERS:
        from nbconvert.preprocessors import TagRemovePreprocessor
        from traitlets.config import Config

        drop_noise, keep_with_chart = _preprocessors()
        c = Config()
        c.TemplateExporter.exclude_input = True
        c.TemplateExporter.exclude_input_prompt = True
        c.TemplateExporter.exclude_output_prompt = True
        c.HTMLExporter.embed_images = True
        remove = {"leader"} if audience == "student" else set()
        html = _exporter_class()(config=c, template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)])
        html.register_preprocessor(TagRemovePreprocessor(config=c, remove_cell_tags=remove, enabled=True),
                                   enabled=True)
        html.register_preprocessor(drop_noise(config=c), enabled=True)
        html.register_preprocessor(keep_with_chart(config=c), enabled=True)
        html.register_preprocessor(tables.preprocessor_class()(config=c), enabled=True)
        _EXPORTERS[audience] = html
    return _EXPORTERS[audience]


# ------------------------------------------------------------------------------ offline check
_LOADING_URL = re.compile(r"""(?:import\s*\(|src\s*=|href\s*=|url\()\s*["']?((?:https?:)?//[^"'\s)]+)""", re.I)
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)
_STRIP_SCRIPT = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script>""", re.I)
_STRIP_LINK = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", re.I)


class _RefParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attr in ("src", "href"):
            url = attrs.get(attr) or ""
            if tag in ("script", "link", "img", "iframe", "source", "embed") and _EXTERNAL.match(url):
                self.refs.append((tag, url))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.refs.extend(("script (inline)", m.group(1)) for m in _LOADING_URL.finditer(data))


def external_references(page: str, tags=("script", "link", "script (inline)")) -> list[tuple[str, str]]:
    """External URLs (http, https or protocol-relative) the page would load from ``tags``."""
    parser = _RefParser()
    parser.feed(page)
    return [(t, u) for t, u in parser.refs if t in tags]


def make_offline(page: str) -> str:
    """Drop any <script src> / <link href> pointing off the machine (a safety net behind the template)."""
    return _STRIP_LINK.sub("", _STRIP_SCRIPT.sub("", page))
