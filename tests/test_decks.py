"""Slide decks (`turn-east decks`, `turn-east handouts --decks`): one idea per slide, offline, charts drawn.

The rules are tested on small inputs; the deck of lesson 05 (rendered once per session with its handouts,
``stage_build``) is opened in headless Chromium with every request that leaves the machine blocked.
"""

from __future__ import annotations

import argparse
import json
import os
import re

import nbformat
import pytest

from conftest import STAGE_LESSON, open_offline
from turn_east.cli import main as turn_east
from turn_east.make.decks import build, cli, condense, render

LESSON_05 = STAGE_LESSON


# ------------------------------------------------------------------ what a slide shows of prose
def test_a_long_paragraph_shows_its_first_sentences_and_keeps_all_in_the_notes():
    text = "## A section\n\n" + " ".join(f"Sentence number {i} says one thing about the war." for i in range(12))
    c = condense.condense(text)
    assert c.heading == "## A section" and c.cut
    assert c.body.startswith("Sentence number 0 says") and c.words <= condense.PARA_WORDS
    assert c.body.endswith(".")


def test_a_lead_in_keeps_its_list_with_items_cut_to_a_clause():
    text = ("## Learning objectives\n\nBy the end you should be able to:\n\n"
            "1. **Order and date** at least eight events, from the invasion of 24 February 2022 to the treaty.\n"
            "2. **Explain** why a war of attrition, which consumes shells faster than they are made, mattered.\n")
    c = condense.condense(text)
    assert "By the end you should be able to:" in c.body
    assert "1. **Order and date** at least eight events\u2026" in c.body
    assert re.search(r"^2\. \*\*Explain\*\* why a war of attrition\u2026$", c.body, re.M)
    assert c.cut and c.words <= condense.SLIDE_WORDS


def test_long_lists_stop_at_the_budget_and_say_how_many_more():
    items = "\n".join(f"- Source {i} (2024). A long citation with a title and a date." for i in range(30))
    c = condense.condense("## References\n\n" + items)
    assert c.body.count("\n- ") + 1 <= condense.LIST_ITEMS + 1
    assert re.search(r"\u2026 and \d+ more \(in the notes\)", c.body)


def test_sentences_do_not_end_at_abbreviations_or_inside_bold():
    assert condense.sentences("**What it shows.** The U.S. and e.g. China. Then more.") == [
        "**What it shows.**", "The U.S. and e.g. China.", "Then more."]
    assert condense.shorten("**Bold lead** and then a very long tail of words that goes on and on and on", 5) \
        .count("**") % 2 == 0


def test_lesson_files_are_named_by_title_on_slides():
    titles = {"11_motive_triangle_grand_strategy": "Reviving the Grand Strategic Triangle"}
    text = "Continue with **[11_motive_triangle_grand_strategy.ipynb](11_motive_triangle_grand_strategy.ipynb)**."
    assert build.lesson_names(text, titles) == "Continue with lesson 11 (Reviving the Grand Strategic Triangle)."


# ------------------------------------------------------------------ slides from a notebook
def _md(text, tags=()):
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": list(tags)})


def _code(source, html=None, text=None):
    cell = nbformat.v4.new_code_cell(source)
    if html is not None:
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "x"})]
    if text is not None:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return cell


CHART_HTML = ('<figure class="te-figure" id="f1"><div class="te-screen"><div class="plotly-graph-div"></div></div>'
              '<div class="te-print" aria-hidden="true"><p>printed</p><div>copy</div></div>'
              '<figcaption><strong>Chart description.</strong> Markers on a time axis.</figcaption></figure>')


def test_slides_of_a_small_lesson():
    nb = nbformat.v4.new_notebook(cells=[
        _md("# Title\n\nWhere this lesson sits. A second sentence."),
        _code('audience = "student"'),
        _md("## Section\n\nOne idea. " + "More words here. " * 30),
        _md("### Chart: the stage\n\n**Question:** when?"),
        _code("ctx.show(charts.timeline(course))", html=CHART_HTML),
        _md("**What it shows.** Events. **What it cannot show.** Secrets."),
        _md("**Leader note** (about 5 minutes)\n\nAsk the room.", tags=["leader"]),
        _md("### Data: events\n\nThe cells list events."),
        _code("course.events", text="40 events\n"),
        _code("x", text="3 rows\n"),
        _md("*Try it.* Count them."),
        _md("## Discussion\n\nIn groups."),
        _md("**1.** A prompt?"),
        _md("**Leader note**\n\nListen for X.", tags=["leader"]),
    ])
    nb.cells[1].metadata["tags"] = ["parameters"]
    slides = build.slides_of(nb, lesson={"title": "Title", "summary": "What the lesson does."}, titles={})
    kinds = [s.kind for s in slides]
    assert kinds == ["title", "section", "chart", "data", "data", "task", "section", "prompt"]
    title, section, chart, data1, data2, task, discussion, prompt = slides
    assert title.body == "What the lesson does." and "Where this lesson sits" in title.notes[0]
    assert section.body.startswith("One idea. More words here.") and not section.vertical
    assert condense.count_words(section.body) <= condense.PARA_WORDS and section.notes[0].count("More") == 30
    html = chart.outputs[0]["data"]["text/html"]
    assert "plotly-graph-div" in html and "te-print" not in html and "figcaption" not in html
    assert any(n.startswith("**What it shows.**") for n in chart.notes)
    assert any("Markers on a time axis" in n for n in chart.notes)
    assert any(n.startswith("**Leader note**") for n in chart.notes), "a leader note goes to the notes"
    assert all("Leader note" not in (s.body + s.heading) for s in slides), "never on a slide"
    assert data2.heading == "### Data: events" and data1.vertical
    assert task.body.startswith("*Try it.*")
    assert prompt.body.startswith("**1.**") and prompt.notes == ["**Leader note**\n\nListen for X."]
    deck = build.deck_notebook(slides)
    types = [c.metadata["slideshow"]["slide_type"] for c in deck.cells]
    assert types.count("slide") == 3 and "notes" in types
    assert all(c.cell_type != "code" or c.source == "" for c in deck.cells), "no code reaches a deck"


def test_quiz_questions_become_slides_without_their_answers(course):
    from turn_east.quiz import lesson_quiz

    quiz = lesson_quiz(course, LESSON_05, render="static")
    slides = build.quiz_slides(quiz, course)
    assert len(slides) == len(quiz.questions) >= 3
    for i, (slide, q) in enumerate(zip(slides, quiz.questions), start=1):
        assert slide.heading == f"### Question {i} of {len(slides)}"
        shown = slide.outputs[0]["data"]["text/html"]
        assert "te-key" not in shown and "<section" not in shown, "no answer key, no nested reveal.js section"
        assert slide.notes[0].startswith("**Answer:**") and q.explanation in slide.notes[0]


# ------------------------------------------------------------------ the command
def test_missing_revealjs_is_a_clear_error(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_revealjs(name, *args, **kwargs):
        if name == "sphinx_revealjs":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_revealjs)
    assert turn_east(["decks", "--lessons", "05"]) == 2
    err = capsys.readouterr().err
    assert "sphinx-revealjs" in err and "make decks" in err


def test_decks_are_made_of_lessons_only(capsys):
    pytest.importorskip("sphinx_revealjs")
    assert turn_east(["decks", "--lessons", "90"]) == 2
    assert "decks are made of lessons" in capsys.readouterr().err


def test_an_executed_copy_is_reused_only_when_it_is_newer_than_its_sources(tmp_path, course):
    from turn_east.make.handouts.plan import make_plan

    ns = argparse.Namespace(lessons=["05"], audience="leader", out=str(tmp_path), param=[], jobs=1, pdf=False,
                            paper="a4", cohort=None, notebooks_dir=None)
    job = make_plan(ns).jobs[0]
    executed = tmp_path / "executed" / "leader" / f"{LESSON_05}.ipynb"
    assert not cli.is_fresh(job, course)
    executed.parent.mkdir(parents=True)
    executed.write_text(json.dumps({"metadata": {"papermill": {"parameters": dict(job.parameters)}}}))
    assert cli.is_fresh(job, course)
    os.utime(executed, (1, 1))  # older than the lesson: executed again
    assert not cli.is_fresh(job, course)
    executed.write_text(json.dumps({"metadata": {"papermill": {"parameters": {"audience": "student"}}}}))
    assert not cli.is_fresh(job, course), "another copy's parameters"


# ------------------------------------------------------------------ the deck of lesson 05, in Chromium

LEAVES = "[...document.querySelectorAll('.reveal .slides section')].filter(s => !s.querySelector('section'))"


@pytest.fixture(scope="module")
def deck(stage_build, chromium):
    assert stage_build["rc"] == 0, stage_build["stderr"][-3000:]
    path = stage_build["out"] / "slides" / f"{LESSON_05}.html"
    page, blocked, problems = open_offline(chromium, path.as_uri(), viewport={"width": 1280, "height": 720})
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=20_000)
    page.wait_for_function(f"{LEAVES}.filter(s => s.dataset.teKind === 'chart')"
                           ".every(s => s.querySelector('.main-svg'))", timeout=30_000)
    yield page, blocked, problems, path
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_deck_opens_offline_with_every_chart_drawn(deck, stage_build):
    page, blocked, problems, path = deck
    assert blocked == [] and problems == []
    slides = page.evaluate(f"""() => {LEAVES}.map(s => ({{kind: s.dataset.teKind,
        graphs: s.querySelectorAll('.plotly-graph-div').length,
        drawn: [...s.querySelectorAll('.plotly-graph-div')].filter(g => g.querySelector('.main-svg')).length}}))""")
    charts = [s for s in slides if s["kind"] == "chart"]
    assert len(charts) == 4, slides  # lesson 05 has four charts
    assert all(s["graphs"] == 1 and s["drawn"] == 1 for s in charts), charts
    assert page.evaluate("Reveal.getTotalSlides()") == len(slides)
    assert f"{LESSON_05}.html" in (stage_build["out"] / "slides" / "index.html").read_text(encoding="utf-8")
    print(f"\n{LESSON_05}: {len(slides)} slides, {len(charts)} charts")


@pytest.mark.browser
@pytest.mark.slow
def test_no_code_and_no_answer_on_any_slide(deck):
    page, *_ = deck
    shown = page.evaluate(f"""() => {LEAVES}.map(s => {{ const c = s.cloneNode(true);
        c.querySelectorAll('aside.notes').forEach(n => n.remove()); return c.innerText || c.textContent; }})""")
    text = "\n".join(shown)
    for code in ("ctx.show", "ctx.quiz", "charts.", "import ", "setup(", "stage_events["):
        assert code not in text, code
    assert "Leader note" not in text
    assert "Answer:" not in re.sub(r"Answer:\s*_+", "", text), "a blank to fill in, never the answer"
    assert page.locator(".reveal .te-key, .reveal .jp-CodeCell .jp-InputArea, .reveal .slides .highlight").count() == 0


@pytest.mark.browser
@pytest.mark.slow
def test_one_idea_per_slide_and_the_rest_in_speaker_notes(deck):
    page, *_ = deck
    rows = page.evaluate(f"""() => {LEAVES}.map(s => {{ const c = s.cloneNode(true);
        c.querySelectorAll('aside.notes, style, h1, h2, h3, figure, table, .te-q, .te-table-note, .plotly-graph-div')
         .forEach(n => n.remove());
        const words = (c.textContent.match(/[0-9A-Za-z\\u00C0-\\u024F][\\w'\\u2019.\\u2013-]*/g) || []).length;
        return {{kind: s.dataset.teKind, words, notes: s.querySelectorAll('aside.notes').length,
                 leader: [...s.querySelectorAll('aside.notes')].some(n => n.textContent.includes('Leader note'))}}; }})""")
    too_long = [r for r in rows if r["words"] > condense.SLIDE_WORDS]
    assert not too_long, too_long
    assert sum(r["notes"] > 0 for r in rows) >= len(rows) // 2
    prompts = [r for r in rows if r["kind"] == "prompt"]
    assert prompts and all(r["leader"] for r in prompts), "each discussion prompt carries its leader note"
    quiz = [r for r in rows if r["kind"] == "quiz"]
    assert quiz and all(r["notes"] for r in quiz), "each question's answer is in the notes"


@pytest.mark.browser
@pytest.mark.slow
def test_slider_charts_open_on_the_lessons_own_period(deck, course):
    page, *_ = deck
    stage = course.lesson(LESSON_05)["stage"]
    label = course.stage_titles[stage].split(":")[0]
    opened = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')]
        .filter(g => g.layout && g.layout.sliders && g.layout.sliders.length)
        .map(g => { const s = g.layout.sliders[0]; return s.steps[s.active || 0].label; })""")
    assert opened and set(opened) == {label}, (opened, label)


@pytest.mark.browser
@pytest.mark.slow
def test_a_chart_fits_its_slide(deck):
    page, *_ = deck
    index = page.evaluate(f"() => Reveal.getIndices({LEAVES}.find(s => s.dataset.teKind === 'chart'))")
    page.evaluate(f"() => Reveal.slide({index['h']}, {index['v'] or 0})")
    page.wait_for_timeout(500)
    box = page.evaluate("""() => { const g = Reveal.getCurrentSlide().querySelector('.plotly-graph-div');
        const r = g.getBoundingClientRect(), v = document.querySelector('.reveal').getBoundingClientRect();
        return {bottom: r.bottom, height: r.height, viewport: v.bottom}; }""")
    assert box["height"] > 250 and box["bottom"] <= box["viewport"] + 1, box


def test_the_deck_index_and_assets_are_local(tmp_path):
    pytest.importorskip("sphinx_revealjs")
    render.install_assets(tmp_path)
    for name in render.REVEAL_FILES:
        assert (tmp_path / render.REVEAL_DIR / name).is_file(), name
    assert (tmp_path / "plotly.min.js").is_file()
    head = (tmp_path / render.REVEAL_DIR / "dist" / "reveal.js").read_text(encoding="utf-8")[:200]
    assert "reveal.js 5" in head


def test_lesson_chart_calls_read_literal_arguments_and_refuse_the_rest(tmp_path):
    from turn_east.errors import ExportError
    from turn_east.make.export import lesson_chart_calls

    def notebook(source):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        path = tmp_path / "x.ipynb"
        nbformat.write(nb, path)
        return path

    assert lesson_chart_calls(notebook('ctx.show(charts.timeline(course, stages=["stage-4"]))')) == [
        ("timeline", {"stages": ["stage-4"]})]
    with pytest.raises(ExportError, match=r"x.ipynb, cell 0: charts.timeline has an argument that is not a literal"):
        lesson_chart_calls(notebook("ctx.show(charts.timeline(course, stages=chosen))"))
    with pytest.raises(ExportError, match="does not call a turn_east.charts function directly"):
        lesson_chart_calls(notebook("ctx.show(fig)"))


def test_no_slide_of_any_lesson_shows_more_than_the_budget(course):
    """The prose of every lesson (its notebook as committed: the rules do not depend on outputs)."""
    from turn_east import nbfiles
    from turn_east.make.slides import lesson_notebooks

    paths = lesson_notebooks(course=course)
    assert len(paths) >= 10
    for path in paths:
        slides = build.slides_of(nbfiles.read(path), lesson=course.lesson(path.stem) or {},
                                 titles=dict(course.lesson_titles))
        assert slides[0].kind == "title" and len(slides) >= 10, path.name
        long = [(s.heading, build.shown_words(s)) for s in slides if build.shown_words(s) > condense.SLIDE_WORDS]
        assert not long, (path.name, long)
        hidden = [s.heading for s in slides if any("Leader note" in p for p in (s.body, s.heading))]
        assert not hidden, (path.name, hidden)
