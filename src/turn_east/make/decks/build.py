"""From a lesson's executed notebook to its slide deck: one idea per slide, charts drawn, code hidden, the
long prose and the leader notes in the speaker notes.

:func:`deck_notebook` turns the executed leader copy of a lesson (``build/executed/leader/<lesson>.ipynb``,
written by ``turn-east handouts``) into a notebook of slides: every cell carries its reveal.js slide type
(``metadata.slideshow``), and nbconvert's reveal machinery (the ``deck`` template, which extends nbconvert's
``reveal`` template) groups the cells into ``<section>`` s. Nothing is executed here.

What goes where:

* the title cell: the lesson's title and its summary from ``lessons.csv``; the opening paragraph in the notes;
* a ``##`` section: a slide with its heading and first idea (:func:`condense`); the full text in the notes;
* a ``###`` chart heading and its question: a slide with the interactive chart (the screen copy: its menus
  and slider work on the projector); what the chart shows, what it cannot show and the chart's description
  in the notes; the chart opens on the period the lesson chose (``period=`` in the lesson's call);
* a ``### Data`` heading: a slide per output (tables cut to :data:`DECK_ROWS` rows, a line saying how many);
* "Try it" prompts and numbered discussion prompts: a slide each; the leader note after a prompt in its notes;
* the quiz: a slide per question as the students see it ("Question 3 of 7"), without the answer; the
  answer and why in the notes;
* leader notes: the speaker notes of the slide they follow; they never appear on a slide.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field

from turn_east import nbfiles
from turn_east.make.decks.condense import condense, count_words, unlink
from turn_east.make.handouts import tables

#: table rows a slide shows (the rest: "N rows; see the lesson notebook")
DECK_ROWS = 8
KINDS = ("title", "section", "chart", "data", "document", "task", "quiz", "prompt")

_PRINT_COPY = re.compile(r'<div class="te-print"[^>]*>.*?</div>(?=<figcaption|</figure>)', re.S)
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_LESSON_FILE = re.compile(r"\*{0,2}\[?`?(\d\d_[a-z0-9_]+)\.ipynb`?\]?(?:\([^)]*\))?\*{0,2}")


@dataclass
class Slide:
    kind: str                      # one of KINDS
    heading: str                   # Markdown heading line shown on top ("" for none)
    body: str = ""                 # Markdown shown under the heading
    outputs: list = field(default_factory=list)   # nbformat outputs shown after the body
    notes: list[str] = field(default_factory=list)  # Markdown of the speaker notes
    vertical: bool = False         # a sub-slide of the slide before (reveal.js: down)

    def has_output(self) -> bool:
        return bool(self.outputs)


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", _TAGS.sub(" ", markup))).strip()


def _html_of(output) -> str:
    text = output.get("data", {}).get("text/html", "")
    return "".join(text) if isinstance(text, list) else str(text or "")


def chart_for_slide(output) -> tuple[dict, str]:
    """A chart output as a slide shows it: the interactive copy only (the printed copy and the caption go);
    returns the output and the chart's description (for the notes)."""
    out = copy.deepcopy(output)
    markup = _html_of(out)
    caption = _CAPTION.search(markup)
    description = _text(caption.group(1)) if caption else ""
    markup = _CAPTION.sub("", _PRINT_COPY.sub("", markup))
    out["data"] = {"text/html": markup, "text/plain": out.get("data", {}).get("text/plain", "")}
    return out, description


def table_for_slide(output, notebook: str, csv: str = "") -> dict:
    out = copy.deepcopy(output)
    markup = _html_of(out)
    if "dataframe" in markup:
        out["data"] = dict(out.get("data", {}), **{"text/html": tables.wrap_tables(
            markup, notebook=notebook, csv=csv, limit=DECK_ROWS, verb="shown")})
    return out


def _is_chart(output) -> bool:
    return "te-figure" in _html_of(output)


def _is_quiz(output) -> bool:
    return "te-quiz" in _html_of(output)


def _shown_outputs(cell) -> list:
    """Outputs a reader would see: no stderr, no empty streams."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            if o.get("name") == "stderr" or not "".join(o.get("text", "")).strip():
                continue
        elif o.get("output_type") == "error":
            continue
        out.append(o)
    return out


def lesson_names(text: str, titles: dict) -> str:
    """``05_x.ipynb`` (a link, code or bold) as "lesson 05 (Title)" for a slide."""
    def name(m):
        lid = m.group(1)
        title = titles.get(lid)
        return f"lesson {lid[:2]} ({title})" if title else lid
    return _LESSON_FILE.sub(name, text)


class _Builder:
    def __init__(self, lesson: dict, titles: dict, notebook: str):
        self.lesson, self.titles, self.notebook = lesson, titles, notebook
        self.slides: list[Slide] = []
        self.section = ""          # the current ## heading (continuation slides repeat it)
        self.heading = ""          # the current slide's heading
        self.after_chart = False   # the last shown cell was a chart: its reading goes to the notes
        self.sources: list[str] = []

    @property
    def current(self) -> Slide | None:
        return self.slides[-1] if self.slides else None

    def add(self, kind, heading, body="", *, vertical=True, notes=None) -> Slide:
        slide = Slide(kind, heading, body, vertical=vertical and bool(self.slides), notes=list(notes or []))
        self.slides.append(slide)
        self.heading = heading
        return slide

    def note(self, markdown: str) -> None:
        if self.current is None:
            self.add("title", f"# {self.lesson.get('title', '')}")
        self.current.notes.append(markdown)

    # -- markdown ---------------------------------------------------------------------------------------
    def markdown(self, cell) -> None:
        text = nbfiles.source(cell).strip()
        if not text:
            return
        if "leader" in nbfiles.tags(cell):
            self.note(text)
            return
        first = text.splitlines()[0]
        if self.after_chart:
            self.after_chart = False
            if not first.startswith("#") and not nbfiles.PROMPT.match(first) and not _is_task(first):
                self.note(text)
                return
        shown = condense(lesson_names(text, self.titles))
        notes = [text] if shown.cut else []
        if first.startswith("# ") and not self.slides:
            summary = self.lesson.get("summary") or ""
            self.add("title", shown.heading, summary or shown.body, vertical=False, notes=[text])
        elif first.startswith("## "):
            self.section = shown.heading.replace("## ", "### ", 1)
            self.add("section", shown.heading, shown.body, vertical=False, notes=notes)
        elif first.startswith("### "):
            kind = "data" if re.match(r"###\s*Data\b", first) else "chart" if "chart" in first.lower() else "section"
            self.add(kind, shown.heading, shown.body, notes=notes)
        elif nbfiles.PROMPT.match(first):
            self.add("prompt", self.section or "### Discussion", shown.markdown, notes=notes)
        elif _is_task(first):
            self.add("task", self.heading if self.current and self.current.kind == "data" else self.section,
                     shown.markdown, notes=notes)
        elif self.current is not None and not self.current.body and not self.current.has_output() \
                and not shown.heading:
            self.current.body = shown.markdown
            self.current.notes += notes
        else:
            self.add("section", self.section, shown.markdown, notes=notes)

    # -- code -------------------------------------------------------------------------------------------
    def code(self, cell, quiz_slides) -> None:
        self.sources.insert(0, nbfiles.source(cell))
        outputs = _shown_outputs(cell)
        if not outputs:
            return
        if any(_is_quiz(o) for o in outputs):
            for slide in quiz_slides():
                self.slides.append(slide)
            return
        for o in outputs:
            kind = _reading_kind(o)
            if kind == "reference":  # a glossary or further-reading list: for the leader's notes, not the screen
                if self.current is None:
                    self.add("section", self.heading or self.section)
                self.current.notes.append(_plain_of(o))
                continue
            if kind == "document":  # a primary document (or two side by side) on a slide of its own
                self.add("document", self.heading or self.section)
                self.current.outputs.append(o)
                continue
            if _is_chart(o):
                shown, description = chart_for_slide(o)
                if self.current is None or self.current.has_output() or self.current.kind != "chart":
                    self.add("chart", self.heading or self.section)
                self.current.outputs.append(shown)
                if description:
                    self.current.notes.append(f"**Chart description.** {description}")
                self.after_chart = True
                continue
            shown = table_for_slide(o, self.notebook, tables.csv_named(self.sources))
            if self.current is None or self.current.has_output() or self.current.kind not in ("data", "section"):
                heading = self.heading if self.current and self.current.kind == "data" else self.section
                self.add("data", heading)
            self.current.outputs.append(shown)


def _reading_kind(output) -> str:
    """"document" for a primary document's output (turn_east.reading), "reference" for a glossary or a
    further-reading list, "" for anything else."""
    markup = _html_of(output)
    if 'class="te-doc"' in markup or 'class="te-compare"' in markup:
        return "document"
    if 'class="te-glossary"' in markup or 'class="te-reading"' in markup:
        return "reference"
    return ""


def _plain_of(output) -> str:
    text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _is_task(first_line: str) -> bool:
    return bool(re.match(r"^\**\s*_?\*?Try it", first_line, re.I))


def quiz_slides(quiz, course) -> list[Slide]:
    """A slide per question as the students see it, without the answer; the answer and why in the notes."""
    from turn_east.quiz import answer_text

    total = len(quiz.questions)
    out = []
    for i, q in enumerate(quiz.questions):
        answer = "; ".join(answer_text(q, course))
        notes = [f"**Answer:** {answer}\n\n**Why:** {q.explanation}"
                 + (f"\n\n*Reread:* {q.section}" if q.section else "")]
        markup = quiz.question_html(i, "student")  # one <section>: a <div> here, as reveal.js takes sections for slides
        markup = re.sub(r"^(\s*)<section\b", r"\1<div", markup, count=1)
        markup = re.sub(r"</section>(\s*)$", r"</div>\1", markup, count=1)
        shown = {"output_type": "display_data", "metadata": {},
                 "data": {"text/html": markup, "text/plain": q.prompt}}
        out.append(Slide("quiz", f"### Question {i + 1} of {total}", outputs=[shown], notes=notes, vertical=True))
    return out


def slides_of(nb, *, lesson: dict, titles: dict, quiz=None, course=None, notebook: str = "") -> list[Slide]:
    """The slides of an executed lesson notebook (see the module docstring)."""
    b = _Builder(lesson, titles, notebook)
    for cell in nb.cells:
        tags = set(nbfiles.tags(cell))
        if tags & {"parameters", "injected-parameters"} or cell.cell_type == "raw" or nbfiles.is_setup_cell(cell):
            continue
        if cell.cell_type == "markdown":
            b.markdown(cell)
        elif cell.cell_type == "code":
            b.code(cell, lambda: quiz_slides(quiz, course) if quiz is not None else [])
    return b.slides


def deck_notebook(slides: list[Slide], metadata: dict | None = None):
    """A notebook whose cells carry reveal.js slide types, for nbconvert's reveal machinery."""
    import nbformat

    cells = []
    for slide in slides:
        meta = {"slideshow": {"slide_type": "subslide" if slide.vertical else "slide",
                              "data": {"te_kind": slide.kind}}}
        shown = "\n\n".join(p for p in (slide.heading, slide.body) if p) or "&nbsp;"
        cells.append(nbformat.v4.new_markdown_cell(shown, metadata=meta))
        if slide.outputs:
            code = nbformat.v4.new_code_cell("", metadata={"slideshow": {"slide_type": "-"}})
            code.outputs = [nbformat.from_dict(o) for o in slide.outputs]
            cells.append(code)
        for note in slide.notes:
            cells.append(nbformat.v4.new_markdown_cell(note, metadata={"slideshow": {"slide_type": "notes"}}))
    nb = nbformat.v4.new_notebook(cells=cells, metadata=dict(metadata or {}))
    return nb


def shown_words(slide: Slide) -> int:
    """Words of prose a slide shows (its heading, charts, tables and quiz options not counted)."""
    return count_words(unlink(slide.body))
