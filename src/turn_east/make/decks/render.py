"""Writing the decks: reveal.js, plotly.js and the map outlines beside them, one HTML file per lesson, an index.

    build/slides/index.html                  every deck with its slide count
    build/slides/<lesson>.html               a lesson's deck (S for the speaker view with the notes)
    build/slides/reveal.js/                  reveal.js 5 (dist/ and the notes plugin), from sphinx-revealjs
    build/slides/plotly.min.js, plotly-geo-topojson.js   as beside the handouts

reveal.js comes from the Python package ``sphinx-revealjs`` (the ``[slides]`` extra: ``make decks`` installs
it), which ships reveal.js with its notes plugin; nothing is fetched from the internet, and a deck opens
from the file system with no server.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from turn_east import nbfiles
from turn_east.errors import UsageError
from turn_east.make.decks import build
from turn_east.make.files import write_atomic, write_if_changed
from turn_east.make.handouts.assets import install_plotly_js
from turn_east.make.handouts.plan import COURSE_TITLE, GEO_JS
from turn_east.make.handouts.postprocess import external_references, make_offline
from turn_east.paths import html_has_map

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
REVEAL_DIR = "reveal.js"
WIDTH, HEIGHT = 1280, 720
#: what a deck needs of reveal.js (paths inside the package's copy), besides its licence
REVEAL_FILES = ("dist/reveal.js", "dist/reveal.css", "dist/reset.css", "dist/theme/white.css",
                "plugin/notes/notes.js", "LICENSE")
REVEAL_FOLDERS = ("dist/theme/fonts/source-sans-pro",)
NO_REVEAL = ("slide decks need reveal.js, which the course takes from the Python package sphinx-revealjs "
             "(the [slides] extra); run `make decks`, or install it: "
             ".venv/bin/pip install -e '.[slides]'")


def reveal_source() -> Path:
    """The reveal.js folder inside the installed sphinx-revealjs package; UsageError when it is missing."""
    try:
        import sphinx_revealjs
    except ImportError:
        raise UsageError(NO_REVEAL) from None
    folder = Path(sphinx_revealjs.__file__).resolve().parent / "_static" / "revealjs"
    missing = [f for f in REVEAL_FILES if not (folder / f).is_file()]
    if missing:
        raise UsageError(f"the installed sphinx-revealjs has no {', '.join(missing)} in {folder}; "
                         "reinstall it (.venv/bin/pip install -e '.[slides]')")
    return folder


def install_assets(slides_dir: Path) -> None:
    """reveal.js, plotly.js and the map outlines beside the decks (files that hold the same bytes stay)."""
    source = reveal_source()
    target = slides_dir / REVEAL_DIR
    for name in REVEAL_FILES:
        write_if_changed(target / name, (source / name).read_bytes())
    for folder in REVEAL_FOLDERS:
        for f in sorted((source / folder).rglob("*")):
            if f.is_file():
                write_if_changed(target / f.relative_to(source), f.read_bytes())
    install_plotly_js(slides_dir)


_EXPORTER = None


def exporter():
    """nbconvert's HTML exporter with the ``deck`` template (nbconvert's ``reveal`` one, offline), code
    excluded, links to lesson notebooks pointed at their decks."""
    global _EXPORTER
    if _EXPORTER is None:
        from traitlets.config import Config

        from turn_east.make.handouts.postprocess import _exporter_class

        c = Config()
        c.TemplateExporter.exclude_input = True
        c.TemplateExporter.exclude_input_prompt = True
        c.TemplateExporter.exclude_output_prompt = True
        c.HTMLExporter.embed_images = True
        _EXPORTER = _exporter_class()(config=c, template_name="deck", extra_template_basedirs=[str(TEMPLATES_DIR)])
    return _EXPORTER


@dataclass
class Deck:
    lesson: str
    title: str
    path: Path
    slides: int           # slides a presenter steps through (reveal.js leaf sections)
    charts: int
    notes: int            # slides with speaker notes
    max_words: int        # the most words of prose on one slide


def write_deck(executed: Path, out: Path, *, course, lesson_ids, quiz=None) -> Deck:
    """Build one lesson's deck from its executed notebook into ``out`` (atomically)."""
    nb = nbfiles.read(executed)
    lesson_id = executed.stem
    lesson = course.lesson(lesson_id) or {}
    titles = dict(course.lesson_titles)
    slides = build.slides_of(nb, lesson=lesson, titles=titles, quiz=quiz, course=course,
                             notebook=f"notebooks/{lesson_id}.ipynb")
    deck_nb = build.deck_notebook(slides, metadata={"kernelspec": nb.metadata.get("kernelspec", {})})
    has_map = any(html_has_map(build._html_of(o)) for s in slides for o in s.outputs)
    from turn_east.quiz.render import TEMPLATES as QUIZ_TEMPLATES

    title = lesson.get("title") or lesson_id
    resources = {"metadata": {"name": f"{title} (slides)"}, "te_lesson_ids": list(lesson_ids),
                 "reveal": {"url_prefix": REVEAL_DIR, "theme": "white", "scroll": False},
                 "te_plotly_js": "plotly.min.js", "te_geo_js": GEO_JS if has_map else "",
                 "te_quiz_css": (QUIZ_TEMPLATES / "quiz.css").read_text(encoding="utf-8"),
                 "te_width": WIDTH, "te_height": HEIGHT, "language_code": "en"}
    body, _ = exporter().from_notebook_node(deck_nb, resources=resources)
    body = make_offline(body)
    leftovers = external_references(body)
    if leftovers:
        raise RuntimeError(f"the deck of {lesson_id} would load from the internet: "
                           + ", ".join(f"{t} {u}" for t, u in leftovers[:5]))
    path = out / f"{lesson_id}.html"
    write_atomic(path, body)
    leaves = sum(1 for s in slides)
    return Deck(lesson_id, title, path, leaves, sum(1 for s in slides if s.kind == "chart"),
                sum(1 for s in slides if s.notes), max((build.shown_words(s) for s in slides), default=0))


def write_index(out: Path, decks: list[Deck]) -> Path:
    rows = "\n".join(
        f'<tr><td><code>{html.escape(d.lesson)}</code></td><td><a href="{html.escape(d.path.name)}">'
        f"{html.escape(d.title)}</a></td><td>{d.slides}</td><td>{d.charts}</td></tr>" for d in decks)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(COURSE_TITLE)}: slide decks</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;width:100%}} th,td{{border-bottom:1px solid #ddd;padding:.4em;text-align:left}}
th{{background:#f3f3f3}}</style></head>
<body><main>
<h1>{html.escape(COURSE_TITLE)}: slide decks</h1>
<p>One deck per lesson, for the projector. Open a deck and press <kbd>F</kbd> for full screen and <kbd>S</kbd>
for the speaker view with the notes (the lesson's fuller text, the chart readings, the leader notes and the
quiz answers). Everything here works offline.</p>
<table><thead><tr><th>Lesson</th><th>Deck</th><th>Slides</th><th>Charts</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</main></body></html>
"""
    path = out / "index.html"
    write_atomic(path, page)
    return path
