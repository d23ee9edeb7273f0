"""Per-lesson set-up: every lesson notebook's second code cell calls :func:`setup`.

    ctx = setup("02_stage_1_adjusting_to_asia", audience=audience, show_answers=show_answers,
                data_dir=data_dir, render=render, student_name=student_name, quiz_seed=quiz_seed)
    course = ctx.course
    ctx.show(charts.timeline(course, stages=["stage-1"]))   # a chart and its description
    ctx.document("1961-ussr-dprk-treaty-art1")              # a primary document and its reading task
    ctx.compare_documents("1961-...", "2024-...", caption=..., asks=[...])   # excerpts side by side
    ctx.glossary("apec", "goldstein-scale")                 # definitions of the terms the lesson marks
    ctx.further_reading()                                   # the lesson's further-reading list
    ctx.quiz()                                              # the lesson's quiz

Two renderers:

* ``render="live"`` (JupyterLab, the default): figures go out as plotly's own mime
  type ``application/vnd.plotly.v1+json`` (deterministic JSON, no random div ids)
  with the description as Markdown below; quizzes are ipywidgets. A map's config points
  plotly's ``topojsonURL`` at the course's own outlines as the Jupyter server that runs the
  kernel serves them (``<base_url>files/src/turn_east/static/topojson/``), so maps draw
  without the internet; see :func:`topojson_url`.
* ``render="static"`` (handouts, ``turn-east handouts``): figures go out as
  ``text/html`` with a deterministic div id (lesson id + counter) and *without*
  plotly.js (the handouts ship ``plotly.min.js`` once beside them); quizzes as
  printable HTML (``"key"`` for leaders or ``show_answers``, else ``"selfcheck"``: the
  questions with an offline self-check that holds only hashes of the answers).

Both work inside kernels run by papermill. Bad parameters raise
:class:`LessonParameterError` (a ``ValueError``) whose message names the
parameter, the value and the fix.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from jupyter_core.paths import jupyter_runtime_dir

from turn_east.charts import describe
from turn_east.data import Course, load_course
from turn_east.errors import LessonParameterError
from turn_east.paths import TOPOJSON_DIR, is_map
from turn_east.quiz import Quiz, lesson_quiz
from turn_east import reading
from turn_east.session import banner_timing
from turn_east.quiz.progress import LessonProgress, progress_dir, summary_rows

AUDIENCES = ("student", "leader")
RENDERS = ("live", "static")
PLOTLY_MIME = "application/vnd.plotly.v1+json"
FIGURE_HEIGHT = "500px"

# One small style block, sent once per static notebook (handouts are offline: no external CSS).
_STATIC_CSS = """<style>
.te-banner{border:2px solid #D55E00;background:#fff4ec;padding:.5em .8em;margin:.4em 0;border-radius:4px}
.te-banner strong{color:#8a3b00}
.te-cover{font-size:1.1em;border-bottom:1px solid #999;padding:.3em 0;margin:.4em 0}
figure.te-figure{margin:.8em 0}
figure.te-figure figcaption{font-size:.92em;color:#333;margin-top:.3em}
@media print{figure.te-figure{break-inside:avoid}}
</style>"""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise LessonParameterError(message)


def _validate(lesson_id, audience, show_answers, data_dir, render, student_name, quiz_seed) -> Path | None:
    _check(isinstance(lesson_id, str) and lesson_id.strip() != "",
           f"lesson_id must be a non-empty string such as '02_stage_1_adjusting_to_asia', got {lesson_id!r}")
    _check(audience in AUDIENCES,
           f"audience={audience!r} is not known; use one of {', '.join(map(repr, AUDIENCES))} "
           "(set it in the notebook's parameters cell or with papermill -p audience leader)")
    _check(isinstance(show_answers, bool),
           f"show_answers must be True or False, got {show_answers!r} ({type(show_answers).__name__})")
    _check(render in RENDERS,
           f"render={render!r} is not known; use 'live' (JupyterLab widgets and interactive charts) "
           "or 'static' (printable handouts, set by `turn-east handouts`)")
    _check(isinstance(student_name, str),
           f"student_name must be a string (empty for no cover name), got {student_name!r}")
    _check(quiz_seed is None or (isinstance(quiz_seed, int) and not isinstance(quiz_seed, bool)),
           f"quiz_seed must be None (fixed question order) or an integer, got {quiz_seed!r} "
           f"({type(quiz_seed).__name__})")
    if data_dir is None:
        return None
    _check(isinstance(data_dir, (str, Path)) and str(data_dir).strip() != "",
           f"data_dir must be None (the course's bundled data/ folder) or a folder path, got {data_dir!r}")
    folder = Path(data_dir).expanduser()
    resolved = folder.resolve()
    _check(resolved.is_dir(),
           f"data_dir: the folder {str(folder)!r} does not exist (resolved to {resolved}, relative to the "
           f"working directory {Path.cwd()}). Fix: set data_dir = None to use the course's bundled data/ "
           "folder, or give the path of a folder that holds datapackage.json and the course CSV files.")
    return folder


@dataclass
class LessonContext:
    """What a lesson notebook works with: the loaded course and two display helpers."""

    lesson_id: str
    course: Course | None
    audience: str = "student"
    show_answers: bool = False
    render: str = "live"
    student_name: str = ""
    quiz_seed: int | None = None
    figures: int = 0
    last_quiz: Quiz | None = field(default=None, repr=False)
    anchors: dict = field(default_factory=dict, repr=False)   # reading outputs' ids, kept unique per lesson

    @property
    def lesson(self) -> dict | None:
        """This lesson's row of ``lessons.csv`` as a dict, or None for notebooks that are not lessons."""
        return None if self.course is None else self.course.lesson(self.lesson_id)

    @property
    def static(self) -> bool:
        return self.render == "static"

    # -- figures ---------------------------------------------------------------
    def _next_div_id(self) -> str:
        self.figures += 1
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", self.lesson_id).strip("-") or "lesson"
        return f"te-{slug}-fig{self.figures}"

    def show(self, fig, description: str | None = None) -> None:
        """Display a plotly figure and, below it, its plain-text description.

        Returns None on purpose: a returned figure would be displayed a second time.
        """
        import plotly.io as pio

        if not hasattr(fig, "to_plotly_json"):
            raise TypeError(f"ctx.show() expects a plotly Figure (from turn_east.charts), got {type(fig).__name__}")
        if description is None:
            description = _description_of(fig)
        div_id = self._next_div_id()
        config = {
            "displaylogo": False,
            "responsive": True,
            "toImageButtonOptions": {"format": "png", "filename": div_id},
        }
        title = _title_of(fig)
        plain = f"Figure: {title}" if title else "Figure"
        if description:
            plain += f"\n{description}"
        if self.static:
            body = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=config,
                               default_width="100%", default_height=_height_of(fig), validate=False,
                               auto_play=False)  # slider charts open on their active period, not mid-animation
            caption = (f'<figcaption><strong>Chart description.</strong> {html.escape(description)}</figcaption>'
                       if description else "")
            _display({"text/html": f'<figure class="te-figure" id="{div_id}-figure">'
                                   f'<div class="te-screen">{body}</div>{_print_copy(fig, div_id)}{caption}</figure>',
                      "text/plain": plain})
        else:
            fig_dict = json.loads(pio.to_json(fig, validate=False, remove_uids=True))
            if is_map(fig_dict):
                url = topojson_url()
                if url:  # else plotly's default, its CDN
                    config["topojsonURL"] = url
            fig_dict["config"] = config
            _display({PLOTLY_MIME: fig_dict, "text/plain": plain})
            if description:
                _display({"text/markdown": f"**Chart description.** {_md_escape(description)}",
                          "text/plain": description})

    # -- quiz ------------------------------------------------------------------
    def quiz(self) -> None:
        """Display this lesson's quiz: widgets when live, its printed form in a handout
        (:attr:`turn_east.quiz.Quiz.printed_mode`).

        The quiz object is kept as ``ctx.last_quiz``; nothing is returned, so it is shown once.
        """
        self.last_quiz = lesson_quiz(self.course, self.lesson_id, audience=self.audience,
                                     show_answers=self.show_answers, seed=self.quiz_seed,
                                     shuffle=self.quiz_seed is not None, render=self.render)
        if not self.static:  # a handout stays stateless: it never reads or writes a student's progress
            self.last_quiz.store = LessonProgress.load(self.lesson_id)
        _display(self.last_quiz._repr_mimebundle_())

    def progress(self) -> None:
        """Display the student's quiz progress in every lesson (the course map calls it): lessons done and
        scores, read from their own work folder. A handout shows a note instead: it never reads progress."""
        if self.static:
            text = "Your quiz progress is shown here when you run this notebook in JupyterLab."
            _display({"text/html": f"<p>{html.escape(text)}</p>", "text/plain": text})
            return
        rows = summary_rows(self.course)
        done = sum(1 for r in rows if r["answered"] == r["questions"])
        lines = [f"**Your quizzes**: {done} of {len(rows)} lessons done "
                 f"(saved in `{progress_dir()}`).", "",
                 "| Lesson | Answered | Right | Last saved |", "|---|---:|---:|---|"]
        for r in rows:
            when = r["updated"][:16].replace("T", " ") if r["updated"] else ""
            note = f" ({r['note']})" if r["note"] else ""
            lines.append(f"| {_md_escape(r['title'])} | {r['answered']} of {r['questions']} | {r['right']} | "
                         f"{when}{note} |")
        plain = "\n".join(f"{r['title']}: {r['answered']}/{r['questions']} answered, {r['right']} right" for r in rows)
        _display({"text/markdown": "\n".join(lines), "text/plain": plain})

    # -- reading: documents, glossary, further reading -------------------------
    def _anchor(self, base: str) -> str:
        n = self.anchors.get(base, 0) + 1
        self.anchors[base] = n
        return base if n == 1 else f"{base}-{n}"

    def _show_reading(self, html_body: str, plain: str) -> None:
        style = "" if self.anchors.get("__css__") else reading.css()
        self.anchors["__css__"] = 1
        _display({"text/html": style + html_body, "text/plain": plain})

    def document(self, doc_id: str) -> None:
        """Display one primary document (``data/documents.csv``): the excerpt as a quotation, its source,
        what kind of text it is, and its three-part reading task."""
        html_body = reading.document_html(self.course, doc_id, anchor=self._anchor(f"doc-{doc_id}"))
        self._show_reading(html_body, reading.document_text(self.course, doc_id))

    def compare_documents(self, *doc_ids: str, caption: str, asks) -> None:
        """Display two or more excerpts side by side (a table with a column per document), with a task
        for the comparison: ``asks`` is a list of questions."""
        html_body = reading.compare_html(self.course, doc_ids, caption, asks, anchor=self._anchor("doc-compare"))
        self._show_reading(html_body, reading.compare_text(self.course, doc_ids, caption, asks))

    def glossary(self, *term_ids: str) -> None:
        """Display the definitions (``data/glossary.csv``) of the terms this lesson marks; each entry is the
        target of the lesson's ``[term](#glossary-<id>)`` links."""
        self._show_reading(reading.glossary_html(self.course, term_ids), reading.glossary_text(self.course, term_ids))

    def further_reading(self) -> None:
        """Display this lesson's further-reading list (``data/readings.csv``)."""
        self._show_reading(reading.further_reading_html(self.course, self.lesson_id),
                           reading.further_reading_text(self.course, self.lesson_id))

    # -- banners ---------------------------------------------------------------
    def _banners(self) -> None:
        parts_html, parts_md = [], []
        if self.static:
            parts_html.append(_STATIC_CSS)
        if self.audience == "leader":
            timing = _timing(self.lesson)
            extra = f" {timing}" if timing else ""
            shown = ("this student release has no leader notes, and its quiz answers are sealed"
                     if self.course is not None and self.course.sealed else "leader notes and answer keys are shown")
            parts_html.append(f'<div class="te-banner" role="note"><strong>Leader view</strong>: '
                              f'{shown}.{html.escape(extra)}</div>')
            parts_md.append(f"> **Leader view**: {shown}.{extra}")
        if self.student_name:
            name = self.student_name.strip()
            parts_html.append(f'<p class="te-cover">Prepared for: <strong>{html.escape(name)}</strong></p>')
            parts_md.append(f"Prepared for: **{_md_escape(name)}**")
        if self.static:
            # The style block always goes out (figure captions need it); banners only when they apply.
            _display({"text/html": "\n".join(parts_html), "text/plain": "\n".join(parts_md)})
        elif parts_md:
            _display({"text/markdown": "\n\n".join(parts_md), "text/plain": "\n".join(parts_md)})


def setup(lesson_id: str, audience: str = "student", show_answers: bool = False, data_dir=None,
          render: str = "live", student_name: str = "", quiz_seed: int | None = None) -> LessonContext:
    """Check the lesson's parameters, load the course data and return the lesson's context."""
    folder = _validate(lesson_id, audience, show_answers, data_dir, render, student_name, quiz_seed)
    course = load_course(folder)
    ctx = LessonContext(lesson_id=lesson_id, course=course, audience=audience, show_answers=show_answers,
                        render=render, student_name=student_name, quiz_seed=quiz_seed)
    ctx._banners()
    return ctx


# -- helpers -------------------------------------------------------------------
def _jupyter_server() -> dict | None:
    """``base_url`` and ``root_dir`` of the Jupyter server that started this kernel, or None.

    A Jupyter server writes ``jpserver-<its pid>.json`` into the Jupyter runtime folder (which its
    kernels share through the environment), and jupyter_client tells a kernel its launcher's pid in
    ``JPY_PARENT_PID``. Kernels run by papermill, nbval or nbclient have no such server.
    """
    pid = os.environ.get("JPY_PARENT_PID", "")
    pid = int(pid) if pid.isdigit() else os.getppid()
    try:
        info = json.loads((Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("pid") != pid or not isinstance(info.get("root_dir"), str):
        return None
    return {"base_url": info.get("base_url"), "root_dir": info["root_dir"]}


def topojson_url(server: dict | None = None, topojson_dir: Path = TOPOJSON_DIR) -> str | None:
    """Where the browser finds the course's map outlines, for plotly's ``topojsonURL`` config.

    The Jupyter server's ``/files/`` endpoint serves every file under its root folder, so when
    ``topojson_dir`` lies there (JupyterLab started from the repo, ``make lab``, Binder) the answer is
    ``<base_url>files/<topojson_dir relative to the root>/``, e.g. ``/files/src/turn_east/static/topojson/``
    or, on Binder, ``/user/<name>/files/src/turn_east/static/topojson/``: the same on every run
    under that server. The base URL is the server's own (else ``$JUPYTERHUB_SERVICE_PREFIX``, else
    ``/``). None (plotly's default, its CDN) when there is no Jupyter server or the files lie outside
    its root (e.g. a non-editable install), or in a hidden folder, which ``/files/`` refuses.
    server: ``{"base_url": ..., "root_dir": ...}``; by default the server that started this kernel.
    """
    if not any(topojson_dir.glob("*.json")):
        return None
    server = _jupyter_server() if server is None else server
    if not server or not server.get("root_dir"):
        return None
    try:
        rel = topojson_dir.resolve().relative_to(Path(server["root_dir"]).expanduser().resolve())
    except (OSError, ValueError):
        return None
    if any(part.startswith(".") for part in rel.parts):
        return None
    base = server.get("base_url") or os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/"
    base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    path = "/".join(quote(part) for part in rel.parts)
    return f"{base}files/{path}/" if path else f"{base}files/"


def _print_copy(fig, div_id: str) -> str:
    """The chart as it prints (:func:`turn_east.charts.printable`): a static plotly figure of fixed width,
    its title and source line as HTML text (they wrap), and what the screen version's controls select.
    The handout's stylesheet shows it only in print; it is hidden from assistive technology, which reads
    the interactive copy and the description."""
    import plotly.io as pio

    from turn_east.charts import printable

    pfig, title, source, controls = printable(fig)
    body = pio.to_html(pfig, full_html=False, include_plotlyjs=False, div_id=f"{div_id}-print",
                       config={"staticPlot": True, "displayModeBar": False, "responsive": False},
                       default_width=f"{pfig.layout.width}px", default_height=f"{pfig.layout.height}px",
                       validate=False, auto_play=False)
    parts = [f'<div class="te-print" aria-hidden="true">']
    if title:
        parts.append(f'<p class="te-print-title">{html.escape(title)}</p>')
    parts.append(body)
    if source:
        parts.append(f'<p class="te-print-source">{html.escape(source)}</p>')
    if controls:
        parts.append(f'<p class="te-print-controls">{html.escape(controls)} The HTML handout and the live '
                     f'lesson have the controls.</p>')
    parts.append("</div>")
    return "".join(parts)


def _display(bundle: dict) -> None:
    from IPython.display import display

    display(bundle, raw=True)


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _title_of(fig) -> str:
    try:
        title = fig.layout.title.text
    except AttributeError:
        return ""
    return re.sub(r"<[^>]+>", " ", title or "").strip()


def _height_of(fig) -> str:
    try:
        height = fig.layout.height
    except AttributeError:
        height = None
    return f"{int(height)}px" if height else FIGURE_HEIGHT


def _description_of(fig) -> str:
    """The description a turn_east chart carries; ChartArgumentError for a figure without one."""
    return describe(fig)


def _timing(lesson: dict | None) -> str:
    """The banner's time line: the lesson's minutes as blocks of the 90-minute session (turn_east.session)."""
    return banner_timing(lesson)
