"""The Sphinx extension of the course website (``extensions`` in the generated ``conf.py``).

Two things the engine cannot know about this course:

* **plotly.js and the map outlines, per page.** A lesson's charts are the handouts' plotly HTML, which
  expects ``Plotly`` to be loaded already (plotly.js is not repeated in every chart). A page whose body
  holds a plotly figure gets ``_static/plotly.min.js`` (from the plotly package), and one whose figures
  draw a map also gets ``_static/plotly-geo-topojson.js`` (the course's own outlines, so plotly.js never
  fetches them from its CDN). Both load before the body, from the site itself. Other pages load neither.
* **Heading anchors.** The quizzes' "Reread" links point at a heading by the id JupyterLab and the
  handouts give it (:func:`turn_east.nbfiles.heading_anchor`: the text with hyphens for spaces); Sphinx's
  own ids are lower-case slugs, so every section also gets that id.
* **Links into a lesson's outputs.** A lesson links a glossary term to its entry in the lesson's own
  glossary (``[APEC](#glossary-apec)``), and the primary-documents page links each document to the point
  of a lesson that shows it (``lessons/05_....ipynb#doc-<id>``). Those targets are elements of the
  lessons' HTML outputs, which MyST does not see: a link whose target is an id of the HTML outputs of the
  page it points at is kept as it is written, and any other unresolved link still fails the build.
* **Accessible names.** myst-nb's toggle of a folded code cell is named by the text it shows.
* **The lesson's buttons.** Through the book theme's own header buttons (the ``header_buttons`` its
  template renders), a lesson page offers: download the lesson notebook (the clean notebook as git keeps
  it, not the executed copy), open it on Binder, open it on a JupyterHub (nbgitpuller). The addresses come
  from ``turn_east_lessons`` in ``conf.py`` (:mod:`turn_east.make.site.links` made them).
"""

from __future__ import annotations

from html import escape

from docutils import nodes
from docutils.transforms import Transform
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.osutil import relative_uri

from turn_east.make.handouts.plan import GEO_JS
from turn_east.make.site.lessons import html_ids
from turn_east.nbfiles import heading_anchor
from turn_east.paths import html_has_map

PLOTLY_JS = "plotly.min.js"


def add_page_assets(app, pagename, templatename, context, doctree):
    body = context.get("body") or ""
    if "plotly-graph-div" not in body:
        return
    app.add_js_file(PLOTLY_JS, priority=300)  # before the page's own scripts; no defer: the body's
    if html_has_map(body):                     # inline chart scripts call Plotly as they are parsed
        app.add_js_file(GEO_JS, priority=301)


def add_lesson_buttons(app, pagename, templatename, context, doctree):
    lesson = app.config.turn_east_lessons.get(pagename)
    if not lesson or "header_buttons" not in context:
        return
    pathto = context["pathto"]
    download = app.env.dlfiles.get(lesson["download"])
    buttons = []
    if download:
        buttons.append({"type": "link", "url": pathto(f"_downloads/{download[1]}", 1), "text": "Download the notebook",
                        "icon": "fas fa-download", "label": "download-notebook-button",
                        "tooltip": "Download this lesson as a Jupyter notebook"})
    if lesson.get("binder"):
        buttons.append({"type": "link", "url": lesson["binder"], "text": "Open on Binder", "icon": "fas fa-rocket",
                        "label": "binder-button", "tooltip": "Run this lesson on Binder, in your browser"})
    if lesson.get("hub"):
        buttons.append({"type": "link", "url": lesson["hub"], "text": "Open on JupyterHub", "icon": "fas fa-server",
                        "label": "jupyterhub-button", "tooltip": "Run this lesson on your JupyterHub (nbgitpuller)"})
    if buttons:
        context["header_buttons"].insert(0, {"type": "group", "tooltip": "Run or download this lesson",
                                             "icon": "fas fa-rocket", "buttons": buttons, "label": "launch-buttons"})


def add_heading_anchors(app, doctree):
    """Give every section the id the course's links use for its heading (beside Sphinx's own)."""
    from docutils import nodes

    taken = {i for node in doctree.findall(nodes.Element) for i in node.get("ids", [])}
    for section in doctree.findall(nodes.section):
        anchor = heading_anchor(section[0].astext())
        if anchor and anchor not in taken:
            section["ids"].append(anchor)
            taken.add(anchor)


def output_ids(doctree) -> set[str]:
    """The ids of the elements a page's HTML outputs hold (a lesson's glossary entries, its documents)."""
    return {i for node in doctree.findall(nodes.raw) if "html" in node.get("format", "").split()
            for i in html_ids(node.astext())}


class OutputAnchors(Transform):
    """``[text](#id)`` to an element of the page's own HTML outputs stays a plain link to ``#id``."""

    default_priority = 870  # before MyST resolves [text](#id) links among the page's targets (879)

    def apply(self, **kwargs) -> None:
        ids = None
        for ref in self.document.findall(nodes.reference):
            if ref.get("id_link") and ref.get("refuri", "").startswith("#"):
                ids = output_ids(self.document) if ids is None else ids
                if ref["refuri"][1:] in ids:
                    del ref["id_link"]
                    ref["internal"] = True


def record_output_ids(app, doctree) -> None:
    ids = output_ids(doctree)
    store = app.env.__dict__.setdefault("turn_east_output_ids", {})
    if ids:
        store[app.env.docname] = ids
    else:
        store.pop(app.env.docname, None)


def purge_output_ids(app, env, docname) -> None:
    env.__dict__.get("turn_east_output_ids", {}).pop(docname, None)


def merge_output_ids(app, env, docnames, other) -> None:
    store = env.__dict__.setdefault("turn_east_output_ids", {})
    for docname, ids in other.__dict__.get("turn_east_output_ids", {}).items():
        if docname in docnames:
            store[docname] = ids


class OutputAnchorRefs(SphinxPostTransform):
    """``[text](other.ipynb#id)`` to an element of that page's HTML outputs becomes a link to it."""

    default_priority = 8  # before MyST's resolver (9), which knows only the pages' own targets
    builders = ("html",)  # one file per page: a page's address is its name and the link suffix

    def run(self, **kwargs) -> None:
        known = self.env.__dict__.get("turn_east_output_ids", {})
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") != "doc":
                continue
            target, anchor = node["reftarget"], node.get("reftargetid")
            if not anchor or anchor not in known.get(target, ()):
                continue
            suffix = self.config.html_link_suffix or self.config.html_file_suffix or ".html"
            ref = nodes.reference("", "", internal=True,
                                  refuri=f"{relative_uri(self.env.docname + suffix, target + suffix)}#{anchor}")
            inner = nodes.inline(node.astext(), "", classes=["std", "std-ref"])
            inner.extend(node[0].children)
            ref += inner
            node.replace_self(ref)


def visit_hidden_input(self, node):
    """myst-nb's folded code cell, with the toggle named by its visible text ("Show code cell source"):
    myst-nb names it "Toggle hidden content", which a screen reader user cannot match with what is shown
    (WCAG 2.5.3, axe's label-content-name-mismatch)."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hidden_input(self, node):
    self.body.append("</details>\n")


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode

    app.setup_extension("myst_nb")
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_input, depart_hidden_input))
    app.add_config_value("turn_east_lessons", {}, "html", types=[dict])
    # the digest of this package's site code: when it changes, Sphinx rereads every page
    app.add_config_value("turn_east_site_code", "", "env", types=[str])
    app.connect("doctree-read", add_heading_anchors)
    app.add_transform(OutputAnchors)
    app.add_post_transform(OutputAnchorRefs)
    app.connect("doctree-read", record_output_ids)
    app.connect("env-purge-doc", purge_output_ids)
    app.connect("env-merge-info", merge_output_ids)
    app.connect("html-page-context", add_page_assets)
    # after the book theme has made its header_buttons list (priority 501)
    app.connect("html-page-context", add_lesson_buttons, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
