"""The course website's parts that need no browser: launch links, configuration, page notebooks, generated
pages, execution fingerprints. The built site itself is checked in Chromium by tests/test_site_browser.py."""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from turn_east.errors import UsageError
from turn_east.make import fingerprint, hub
from turn_east.make.hub import HubLinkError
from turn_east.make.site import build as site_build
from turn_east.make.site import config as site_config
from turn_east.make.site import lessons as site_lessons
from turn_east.make.site import pages
from turn_east.make.site.links import LaunchLinks, binder_url, launch_links

ROOT = Path(__file__).resolve().parents[1]
REPO = "https://github.com/OWNER/turn-east"
LESSON = "02_stage_1_adjusting_to_asia"


# ------------------------------------------------------------------------------ links
def test_binder_link_is_the_readme_badge_for_the_course_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\(https://mybinder\.org/v2/[^)\s]+\)", readme).group(0)[1:-1]
    assert binder_url("https://mybinder.org", REPO, "notebooks/00_course_map.ipynb") == badge


def test_binder_link_for_a_branch_and_for_a_git_host_other_than_github():
    assert binder_url("https://mybinder.org/", "git@github.com:me/turn-east.git", "notebooks/x.ipynb",
                      branch="spring-2026") == ("https://mybinder.org/v2/gh/me/turn-east/spring-2026"
                                                "?urlpath=lab/tree/notebooks/x.ipynb")
    assert binder_url("https://binder.uni.edu", "https://gitlab.uni.edu/ir/turn-east.git", "notebooks/x.ipynb") == (
        "https://binder.uni.edu/v2/git/https%3A%2F%2Fgitlab.uni.edu%2Fir%2Fturn-east.git/HEAD"
        "?urlpath=lab/tree/notebooks/x.ipynb")
    with pytest.raises(HubLinkError, match="BinderHub address"):
        binder_url("mybinder.org", REPO, "notebooks/x.ipynb")


def test_jupyterhub_link_is_the_one_hub_links_prints():
    links = launch_links(LESSON, repository=REPO, binderhub="https://mybinder.org",
                         jupyterhub="https://hub.uni.edu/hub/home", branch="main")
    printed = {ln.lesson_id: ln.url for ln in hub.course_links("https://hub.uni.edu", REPO, [(LESSON, "t")],
                                                               branch="main")}
    assert links.hub == printed[LESSON]
    assert "targetPath=turn-east" in links.hub and f"urlpath=lab/tree/turn-east/notebooks/{LESSON}.ipynb" in links.hub
    assert launch_links(LESSON, repository=REPO, binderhub="", jupyterhub="") == LaunchLinks("", "")
    assert launch_links(LESSON, repository="", binderhub="https://mybinder.org", jupyterhub="https://h.edu") == \
        LaunchLinks("", "")


# ------------------------------------------------------------------------------ configuration
def test_config_from_pyproject_with_overrides_and_placeholders(tmp_path):
    shipped = site_config.read_config()  # the repository's own pyproject.toml reads cleanly
    assert shipped.repository and shipped.binderhub
    assert site_config.SiteConfig(repository=REPO, jupyterhub="https://hub.example.edu").placeholders() == [
        f"repository = {REPO}", "jupyterhub = https://hub.example.edu"]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.turn-east.site]\nrepository = "https://github.com/uni/turn-east"\n'
                         'jupyterhub = "https://hub.uni.edu"\n', encoding="utf-8")
    cfg = site_config.read_config(pyproject)
    assert cfg.placeholders() == [] and cfg.branch == ""
    cfg = site_config.with_overrides(cfg, jupyterhub="", branch=" main ", repository=None)
    assert (cfg.jupyterhub, cfg.branch, cfg.repository) == ("", "main", "https://github.com/uni/turn-east")


@pytest.mark.parametrize("body, message", [
    ('hub = "https://h.edu"\n', "unknown key.*hub.*known keys: binderhub, branch, jupyterhub, repository"),
    ("branch = 3\n", "branch must be a string"),
    ("repository = \n", "not valid TOML"),
])
def test_config_mistakes_are_named(tmp_path, body, message):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.turn-east.site]\n" + body, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        site_config.read_config(pyproject)


def test_override_that_cannot_make_a_link_is_refused():
    with pytest.raises(UsageError, match="hub address 'hub.uni.edu' is not an http"):
        site_config.with_overrides(site_config.SiteConfig(repository=REPO), jupyterhub="hub.uni.edu")
    with pytest.raises(UsageError, match="neither a URL nor an absolute path"):
        site_config.with_overrides(site_config.SiteConfig(), repository="turn-east")


# ------------------------------------------------------------------------------ a lesson's page notebook
def _cell(kind, source, tags=(), outputs=None):
    cell = {"cell_type": kind, "id": f"c{abs(hash(source)) % 10**8}", "metadata": {"tags": list(tags)},
            "source": source}
    if kind == "code":
        cell.update(outputs=outputs or [], execution_count=1)
    return cell


EXECUTED = {
    "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}},
    "cells": [
        _cell("markdown", "# Stage One\n\nAfter [the prelude](01_prelude_six_party_talks.ipynb)."),
        _cell("code", 'audience = "student"', ["parameters"]),
        _cell("code", 'render = "static"', ["injected-parameters"]),
        _cell("code", 'ctx = setup("02_stage_1_adjusting_to_asia", audience=audience)', [],
              [{"output_type": "display_data", "data": {"text/html": "<style>.te-banner{}</style>"}, "metadata": {}}]),
        _cell("markdown", "## Learning objectives\n\n1. Date the Turn."),
        _cell("code", "ctx.show(charts.timeline(course))"),
        _cell("markdown", "**Leader note**\n\nListen for dates.", ["leader"]),
        _cell("markdown", "Every chart is in the [chart gallery](91_chart_gallery.ipynb); the exercise is "
                          "[here](../exercises/02_stage_1_adjusting_to_asia.ipynb)."),
    ],
}
ROW = {"summary": "Examines the launch of the Turn.", "reading_min": 35, "exercise_min": 20, "discussion_min": 25}
LINKS = LaunchLinks("https://mybinder.org/v2/gh/o/r/HEAD?urlpath=lab/tree/notebooks/x.ipynb",
                    "https://hub.uni.edu/hub/user-redirect/git-pull?repo=r")


def page(audience="student", executed=EXECUTED):
    return site_lessons.site_notebook(executed, ROW, audience=audience, lesson_ids=[LESSON, "01_prelude_six_party_talks"],
                                      links=LINKS, download="../_notebooks/x.ipynb")


def test_page_notebook_drops_parameters_and_leader_cells_and_folds_code():
    nb = page()
    sources = [c["source"] for c in nb["cells"]]
    assert not any("audience =" in s or "render =" in s or "Leader note" in s for s in sources)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["metadata"]["tags"] for c in code] == [["remove-input"], ["hide-input"]]
    assert code[0]["outputs"], "the set-up cell keeps its output (the lesson's styles)"
    assert EXECUTED["cells"][1]["metadata"]["tags"] == ["parameters"], "the executed notebook is left as it was"
    leader = page("leader")
    assert any("Leader note" in c["source"] for c in leader["cells"])


def test_about_box_follows_the_title_with_minutes_and_run_links():
    nb = page()
    assert nb["cells"][0]["source"].startswith("# Stage One")
    box = nb["cells"][1]["source"]
    assert box.startswith(":::{admonition} About this lesson")
    assert "Examines the launch of the Turn." in box
    assert "35 min reading, 20 min exercises, 25 min discussion (80 min in all)" in box
    assert "{download}`Download the notebook <../_notebooks/x.ipynb>`" in box
    assert f"[Open it on Binder]({LINKS.binder})" in box and f"[Open it on your JupyterHub]({LINKS.hub})" in box
    after = [c["source"] for c in nb["cells"][2:] if c["cell_type"] == "markdown"]
    assert after[0].startswith("## Learning objectives")
    no_links = site_lessons.about_box({}, LaunchLinks(), "../_notebooks/x.ipynb")
    assert "Binder" not in no_links and "JupyterHub" not in no_links and "Time" not in no_links


def test_links_to_notebooks_outside_the_site_keep_their_text_only():
    text = page()["cells"][-1]["source"]
    assert text == "Every chart is in the chart gallery; the exercise is here."
    assert "[the prelude](01_prelude_six_party_talks.ipynb)" in page()["cells"][0]["source"]


# ------------------------------------------------------------------------------ generated pages
def test_markdown_from_the_data_is_escaped():
    assert pages.md("a *b* [c](d) <e> | f_g\n  h") == r"a \*b\* \[c\](d) \<e\> \| f\_g h"
    assert pages.md(None) == ""


def test_every_lesson_of_lessons_csv_is_on_the_map_and_in_the_navigation(course):
    extra = course.lessons.iloc[[2]].assign(id="06_epilogue_after_the_article", order=99, title="Epilogue: after",
                                            stage="", motive="")
    more = copy.copy(course)
    object.__setattr__(more, "lessons", pd.concat([course.lessons, extra], ignore_index=True))
    entries = pages.lesson_entries(more)
    assert [e.id for e in entries] == list(course.lessons.sort_values("order")["id"]) + ["06_epilogue_after_the_article"]
    text = pages.course_map(more, entries)
    for e in entries:
        assert f"]({pages.LESSONS_DIR}/{e.id}.ipynb)" in text
    nav = pages.toc(entries, {"course-map", "glossary", "bibliography", "leaders"})
    assert [g["caption"] for g in nav] == ["The course", "Lessons", "Reference", "For seminar leaders"]
    assert nav[1]["docs"] == [f"lessons/{e.id}" for e in entries]
    assert [g["caption"] for g in pages.toc(entries, {"glossary"})] == ["Lessons", "Reference"]


def test_glossary_and_bibliography_hold_every_row(course):
    glossary = pages.glossary(course)
    assert glossary.count("\n  ") >= 2 * len(course.glossary)
    for term in course.glossary["term"]:
        assert pages.md(term) in glossary
    bibliography = pages.bibliography(course)
    for source_id in course.sources["id"]:
        assert f"(source-{source_id})=" in bibliography
    for source_id in course.glossary["source_id"].dropna():
        assert f"<source-{source_id}>`" in glossary


def test_leaders_overview_has_the_plans_but_no_answers(course):
    text = pages.leaders(course, pages.lesson_entries(course))
    for title in course.lessons["title"]:
        assert f"### {title}" in text
    assert "*Answer:*" not in text and "Leader note" not in text


# ------------------------------------------------------------------------------ fingerprints
def test_fingerprint_follows_cells_parameters_and_data_not_outputs(tmp_path):
    nb_path = tmp_path / "lesson.ipynb"
    nb = copy.deepcopy(EXECUTED)
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    base = fingerprint.execution_fingerprint(nb_path, {"render": "static"}, data)
    assert base == fingerprint.execution_fingerprint(nb_path, {"render": "static"}, data)

    nb["cells"][5]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran in place"}]
    nb["cells"][5]["execution_count"] = 7
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    assert fingerprint.execution_fingerprint(nb_path, {"render": "static"}, data) == base

    assert fingerprint.execution_fingerprint(nb_path, {"render": "live"}, data) != base
    nb["cells"][4]["source"] += "\n2. Weigh the evidence."
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    edited = fingerprint.execution_fingerprint(nb_path, {"render": "static"}, data)
    assert edited != base

    with (data / "events.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    fingerprint.clear_cache()
    assert fingerprint.execution_fingerprint(nb_path, {"render": "static"}, data) != edited


def test_recorded_fingerprint_is_read_back_and_absent_otherwise(tmp_path):
    nb = copy.deepcopy(EXECUTED)
    fingerprint.record(nb, "abc")
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert fingerprint.recorded(path) == "abc"
    assert fingerprint.recorded(tmp_path / "missing.ipynb") is None
    (tmp_path / "broken.ipynb").write_text("{", encoding="utf-8")
    assert fingerprint.recorded(tmp_path / "broken.ipynb") is None


def test_leader_build_overview_gives_the_answers(course):
    text = pages.leaders(course, pages.lesson_entries(course, {LESSON}), show_answers=True)
    assert "*Answer:*" in text and "leader's copy of the site" in text


# ------------------------------------------------------------------------------ building: plan, sources, output
def test_site_plan_keeps_the_course_lessons_only(course):
    from turn_east.make.handouts.plan import make_plan

    args = site_build._handouts_args(argparse.Namespace(lessons=None, out="build", jobs=2), "leader")
    plan = make_plan(args)
    assert any(ls.leader_only for ls in plan.lessons)  # the leader guide prints as a leader's handout
    narrowed = site_build.site_plan(plan)
    ids = list(course.lessons.sort_values("order")["id"])
    assert [ls.id for ls in narrowed.lessons] == ids and [j.lesson for j in narrowed.jobs] == ids
    assert all(j.fingerprint for j in narrowed.jobs)


def test_sources_are_rewritten_only_where_they_changed(tmp_path):
    src = tmp_path / "src"
    site_build._sync(src, {"a.md": "one", "lessons/b.ipynb": "{}", "lessons/c.ipynb": "{}"})
    stamp = (src / "a.md").stat().st_mtime_ns
    site_build._sync(src, {"a.md": "one", "lessons/b.ipynb": "{ }"})
    assert (src / "a.md").stat().st_mtime_ns == stamp  # unchanged: Sphinx does not reread it
    assert (src / "lessons" / "b.ipynb").read_text() == "{ }"
    assert not (src / "lessons" / "c.ipynb").exists()  # a lesson gone from the course goes from the site


def test_publish_replaces_the_site_in_one_step_and_leaves_no_theme_macros(tmp_path):
    html, dest = tmp_path / "html", tmp_path / "site"
    (html / "_static").mkdir(parents=True)
    (html / "index.html").write_text("new", encoding="utf-8")
    (html / "_static" / "webpack-macros.html").write_text("{% macro %}", encoding="utf-8")
    (html / ".buildinfo").write_text("x", encoding="utf-8")
    dest.mkdir()
    (dest / "index.html").write_text("old", encoding="utf-8")
    (dest / "stale.html").write_text("old", encoding="utf-8")
    site_build.publish(html, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == ["_static", "index.html"]
    assert (dest / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "site"]


def test_offline_check_names_the_page_and_what_it_would_load(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "ok.html").write_text('<script src="_static/plotly.min.js"></script><a href="https://x.org">x</a>',
                                      encoding="utf-8")
    (tmp_path / "lessons" / "bad.html").write_text(
        '<link rel="stylesheet" href="https://fonts.example.com/a.css"><img src="//cdn.example.com/i.png">',
        encoding="utf-8")
    assert site_build.offline_problems(tmp_path) == [
        "lessons/bad.html: link https://fonts.example.com/a.css", "lessons/bad.html: img //cdn.example.com/i.png"]


def test_command_line_mistakes_stop_before_anything_is_built(tmp_path, capsys):
    from turn_east.cli import main

    assert main(["site", "--out", str(tmp_path), "--hub", "hub.uni.edu"]) == 2
    assert "hub address 'hub.uni.edu' is not an http(s) address" in capsys.readouterr().err
    assert main(["site", "--out", str(tmp_path), "--lessons", "99"]) == 2
    assert "no lesson matches '99'" in capsys.readouterr().err
    assert not (tmp_path / "site").exists() and not (tmp_path / "executed").exists()


def _doc(**fields):
    from types import SimpleNamespace

    base = dict(id="1961-ussr-dprk-treaty-art1", title="Treaty of 1961, Article 1", date=pd.Timestamp("1961-07-06"),
                when="6 July 1961", issuer="USSR and DPRK", kind="treaty", text="reprint",
                text_note="The UNTS translation.", excerpt="The Parties declare ... Should either suffer *armed attack*",
                source_id="article", citation="North Korea's Importance for Putin's \"Turn to the East\" (2024). "
                                              "Analytical article.", url=None, purpose="The Cold War benchmark.",
                asks=("What does it oblige?", "What is missing?", "Return to alliance?"),
                lessons=["05_stage_4_war_and_alliance", "99_not_a_lesson"])
    return SimpleNamespace(**{**base, **fields})


def test_documents_page_from_the_documents_table(course):
    from types import SimpleNamespace

    doc = _doc()
    later = _doc(id="2024-treaty-art4", title="Treaty of 2024, Article 4", date=pd.Timestamp("2024-06-19"),
                 text="official", lessons=["02_stage_1_adjusting_to_asia"])
    data = SimpleNamespace(documents_by_id={later.id: later, doc.id: doc})
    shown = {"05_stage_4_war_and_alliance": {"doc-1961-ussr-dprk-treaty-art1", "glossary-kn-23"}}
    text = pages.documents(data, pages.lesson_entries(course), shown)
    assert text.index("(document-1961-ussr-dprk-treaty-art1)=\n## Treaty of 1961, Article 1") < \
        text.index("## Treaty of 2024, Article 4")  # in date order
    assert "*USSR and DPRK, 6 July 1961.* Treaty. A reprint of the text. The UNTS translation." in text
    assert "> The Parties declare \\[…\\] Should either suffer \\*armed attack\\*\n\n*Source:*" in text  # a quotation, ended before its source
    assert "*Source:* {ref}`North Korea's Importance for Putin's \"Turn to the East\" (2024) <source-article>`." in text
    assert "1. What does it oblige?\n2. What is missing?\n3. Return to alliance?" in text
    # linked to the point of the lesson that shows it, or to the lesson's page when it shows it otherwise
    assert ("**Read in:** [Stage Four: war and alliance (2022-2024)](lessons/05_stage_4_war_and_alliance.ipynb"
            "#doc-1961-ussr-dprk-treaty-art1).") in text
    assert "[Stage One: adjusting to Asia (2012 to early 2014)](lessons/02_stage_1_adjusting_to_asia.ipynb)." in text
    assert "99_not_a_lesson" not in text
    assert pages.documents(SimpleNamespace(), []) is None  # course data without documents.csv: no page


def test_home_page_keeps_the_course_s_own_periods_apart_from_the_article_s(course):
    text = pages.home(course, pages.lesson_entries(course), version="9.9", toc=[], title="T")
    stages = course.stages.sort_values("order")
    ours = list(stages.loc[stages["defined_by"] == "course", "title"])
    article = list(stages.loc[stages["defined_by"] == "article", "title"])
    said = re.search(r"It follows North Korea's place through (\d+)\s+periods \(([^)]*(?:\([^)]*\)[^)]*)*)\)", text)
    assert int(said.group(1)) == len(article) and all(pages.md(t) in said.group(2) for t in article)
    assert all(pages.md(t) not in said.group(2) for t in ours)
    if ours:
        assert "Beyond the article, the course adds" in text and all(pages.md(t) in text for t in ours)
    assert f"A course of {len(course.lessons)} lessons" in text and "version 9.9 of the course" in text


def test_generated_pages_copy_nothing_from_the_article_and_no_garbled_phrase(course, syllabus_text):
    """The text check of tests/test_textcheck.py (its word lists in tests/textcheck_data/) over every page
    the site generates from the data."""
    from test_textcheck import PHRASES, copied_runs

    entries = pages.lesson_entries(course)
    texts = {"home": pages.home(course, entries, version="1", toc=[], title="T"),
             "course map": pages.course_map(course, entries), "glossary": pages.glossary(course, entries),
             "bibliography": pages.bibliography(course, documents_page=True), "leaders": pages.leaders(course, entries),
             "documents": pages.documents(course, entries), "syllabus": syllabus_text}
    for name, text in texts.items():
        assert copied_runs(text) == [], name
        assert [p for p in PHRASES if p in text.lower()] == [], name


# ------------------------------------------------------------------------------ the syllabus
@pytest.fixture(scope="module")
def syllabus_text(course):
    entries = pages.lesson_entries(course)
    return pages.syllabus(course, entries, notebooks={e.id: ROOT / "notebooks" / f"{e.id}.ipynb" for e in entries},
                          exercises=site_build._exercises([e.id for e in entries]))


def test_syllabus_has_a_week_per_lesson_with_its_objectives_readings_and_practice(course, syllabus_text):
    from turn_east import nbfiles, reading

    entries = pages.lesson_entries(course)
    weeks = re.findall(r"^## Week (\d+): (.+)$", syllabus_text, flags=re.M)
    assert weeks == [(str(i), pages.md(e.title)) for i, e in enumerate(entries, start=1)]
    parts = re.split(r"^## Week \d+: .+$", syllabus_text, flags=re.M)[1:]
    for e, part in zip(entries, parts):
        assert f"**Lesson:** [{pages.md(e.title)}]({e.doc}.ipynb)" in part, e.id
        assert f"({e.total} min in all)" in part, e.id
        objectives = pages.section_items(nbfiles.read(ROOT / "notebooks" / f"{e.id}.ipynb"), "Learning objectives")
        assert len(objectives) >= 3 and all(f"{i}. {o}" in part for i, o in enumerate(objectives, 1)), e.id
        assert "](#glossary-" not in part and "(#" not in part, e.id  # a lesson's own links stay in the lesson
        for r in reading.further_reading(course, e.id):
            assert f"<source-{r.source_id}>`. {pages.md(r.note)}" in part, (e.id, r.source_id)
        for d in course.documents_for(e.id):
            assert f"](documents.md#document-{d.id})" in part, (e.id, d.id)
        exercise = ROOT / "exercises" / f"{e.id}.ipynb"
        if exercise.exists():
            practice = pages.practice_of(nbfiles.read(exercise))
            assert practice["tasks"] and f"<_exercises/{e.id}.ipynb>`" in part, e.id
            assert all(t in part for t in practice["tasks"]), e.id
        else:
            assert "**Practice:**" not in part, e.id


def test_objectives_are_the_numbered_items_under_their_heading():
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# T\n\n## Learning objectives\n\nYou will:\n\n"
                                                          "1. **Date** the [APEC](#glossary-apec) summit\n"
                                                          "   to the month.\n2) Read [a treaty](x.ipynb).\n"},
        {"cell_type": "markdown", "metadata": {"tags": ["leader"]}, "source": "3. A leader's aside."},
        {"cell_type": "markdown", "metadata": {}, "source": "3. Weigh the claim.\n\n## Time\n\n1. Not an objective."},
    ]}
    assert pages.section_items(nb, "Learning objectives") == [
        "**Date** the APEC summit to the month.", "Read a treaty.", "Weigh the claim."]
    assert pages.section_items(nb, "Key points") == []


# ------------------------------------------------------------------------------ one reading of the reference tables
def test_handouts_and_site_reference_pages_show_the_same_entries(course, tmp_path):
    """The handouts' glossary.html and bibliography.html and the site's pages come from turn_east.make.reference:
    the same terms in the same order, the same sections in the same order with the same sources."""
    from html.parser import HTMLParser

    from turn_east.make import reference
    from turn_east.make.handouts.reference import write_reference_pages

    class Ids(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.h2 = [], []
            self._in_h2 = False

        def handle_starttag(self, tag, attrs):
            if dict(attrs).get("id"):
                self.ids.append(dict(attrs)["id"])
            self._in_h2 = tag == "h2"

        def handle_data(self, data):
            if self._in_h2 and data.strip():
                self.h2.append(data.strip())
                self._in_h2 = False

    write_reference_pages(tmp_path, course)
    handout_glossary, handout_bib = Ids(), Ids()
    handout_glossary.feed((tmp_path / "handouts" / "glossary.html").read_text(encoding="utf-8"))
    handout_bib.feed((tmp_path / "handouts" / "bibliography.html").read_text(encoding="utf-8"))

    terms = reference.glossary_terms(course)
    assert [t.id for t in terms] == handout_glossary.ids == sorted(course.glossary["id"], key=lambda i: (
        reference.term_key(course.glossary.set_index("id").loc[i, "term"]), i))
    site_glossary = pages.glossary(course, pages.lesson_entries(course))
    assert [m for m in re.findall(r"^(\S.*)\n  ", site_glossary.split(":::{glossary}")[1], flags=re.M)] == \
        [pages.md(t.term) for t in terms]

    bib = reference.bibliography(course)
    site_bib = pages.bibliography(course, documents_page=True)
    site_sections = re.findall(r"^## (.+)$", site_bib, flags=re.M)
    assert site_sections == ["The article"] + [s.title for s in bib.sections]
    assert handout_bib.h2 == ["The article", "Primary documents quoted in the lessons"] + [s.title for s in bib.sections]
    listed = [s.id for section in bib.sections for s in section.sources]
    assert [i[len("src-"):] for i in handout_bib.ids if i.startswith("src-")] == listed
    assert re.findall(r"^\(source-(.+)\)=$", site_bib, flags=re.M) == ["article"] + listed
    assert sorted(listed + ["article"]) == sorted(course.sources["id"]) and bib.count == len(course.sources)
    docs = [d.id for d in reference.documents(course)]
    assert [i[len("doc-"):] for i in handout_bib.ids if i.startswith("doc-")] == docs
    assert re.findall(r"^\(document-(.+)\)=$", pages.documents(course, pages.lesson_entries(course)), flags=re.M) == docs


def test_reference_entries_keep_every_source_and_read_missing_fields_as_empty():
    from conftest import course_from
    from turn_east.make import reference

    sources = pd.DataFrame([
        {"id": "article", "kind": "article", "citation": "The article (2024).", "url": None, "year": 2024},
        {"id": "b", "kind": "book", "citation": "Zhou, A book.", "url": "https://b.org", "year": None},
        {"id": "a", "kind": "journal", "citation": "Adams, A paper.", "url": float("nan"), "year": None},
        {"id": "p", "kind": "podcast", "citation": "A podcast.", "url": None, "year": None},
    ])
    glossary = pd.DataFrame([
        {"id": "nl", "term": '"no limits" partnership', "definition": "A  pledge.", "stages": [], "motives": [],
         "source_id": "article"},
        {"id": "apec", "term": "APEC", "definition": "A forum.", "stages": [], "motives": ["agenda"], "source_id": "b"},
        {"id": "x", "term": "Xenon", "definition": "Unsourced.", "stages": [], "motives": [], "source_id": None},
    ])
    small = course_from(sources=sources, glossary=glossary)
    bib = reference.bibliography(small)
    assert bib.article.citation == "The article (2024)." and bib.article.year == "2024"
    assert [(s.title, [x.id for x in s.sources]) for s in bib.sections] == [
        ("Scholarly works", ["a", "b"]), ("Podcast", ["p"])]  # a kind without a section still gets one
    assert bib.sections[0].sources[0].url == "" and bib.count == 4
    terms = reference.glossary_terms(small)
    assert [t.id for t in terms] == ["apec", "nl", "x"]  # "no limits" files under N
    assert terms[1].definition == "A pledge." and terms[1].from_article and terms[1].citation == "The article (2024)."
    assert (terms[0].citation, terms[0].url, terms[0].motives) == ("Zhou, A book.", "https://b.org", ("agenda",))
    assert (terms[2].source_id, terms[2].citation) == ("", "")
    assert reference.documents(small) == []


# ------------------------------------------------------------------------------ links into a lesson's outputs
def test_page_notebook_titles_glossary_links_and_lists_the_lesson_s_documents():
    executed = copy.deepcopy(EXECUTED)
    executed["cells"][4]["source"] = "## Learning objectives\n\n1. Date [APEC](#glossary-apec) and [*juche*](#glossary-juche)."
    executed["cells"].insert(6, _cell("code", "ctx.further_reading()"))
    hover = {"apec": 'APEC: a "forum" of C:\\economies.'}
    nb = site_lessons.site_notebook(executed, ROW, audience="student", lesson_ids=[LESSON], links=LINKS,
                                    download="../_notebooks/x.ipynb", glossary=hover,
                                    documents=[("Treaty of 1961, *Article 1*", "../documents.md#document-t")])
    sources = [c["source"] for c in nb["cells"]]
    objectives = next(s for s in sources if s.startswith("## Learning objectives"))
    assert '[APEC](#glossary-apec "APEC: a \\"forum\\" of C:\\\\economies.")' in objectives
    assert "[*juche*](#glossary-juche)" in objectives  # a term the course glossary lacks keeps its plain link
    at = next(i for i, c in enumerate(nb["cells"]) if c["id"] == "te-documents-on-the-site")
    assert "ctx.further_reading()" in sources[at - 1]
    assert sources[at].endswith("- [Treaty of 1961, \\*Article 1\\*](../documents.md#document-t)\n")
    no_docs = site_lessons.site_notebook(executed, ROW, audience="student", lesson_ids=[LESSON], links=LINKS,
                                         download="../_notebooks/x.ipynb")
    assert not any(c["id"] == "te-documents-on-the-site" for c in no_docs["cells"])


def test_output_ids_are_read_from_the_html_outputs():
    nb = {"cells": [
        {"cell_type": "code", "source": "", "outputs": [
            {"output_type": "display_data", "data": {"text/html": ['<figure class="te-doc" id="doc-a">',
                                                                   "<dl><dt id='glossary-b'>B</dt></dl>"],
                                                     "text/plain": 'id="not-html"'}}]},
        {"cell_type": "markdown", "source": '<p id="not-an-output"></p>'},
    ]}
    assert site_build.output_ids(nb) == {"doc-a", "glossary-b"}
    assert site_lessons.html_ids('<a href="#x" data-id="no"><span id="yes">') == {"yes"}


def test_a_term_marked_but_missing_from_the_lesson_s_glossary_is_named_with_the_fix():
    warnings = [
        "/x/build/site-work/student/src/lessons/06_epilogue.ipynb:60032: WARNING: 'myst' cross-reference target "
        "not found: 'glossary-kursk' [myst.xref_missing]",
        "/x/build/site-work/student/src/lessons/06_epilogue.ipynb:70001: WARNING: 'myst' cross-reference target "
        "not found: 'glossary-apec' [myst.xref_missing]",
        "/x/build/site-work/student/src/index.md:3: WARNING: 'myst' cross-reference target not found: 'nowhere'",
    ]
    assert site_build.warning_hints(warnings) == (
        "\nnotebooks/06_epilogue.ipynb marks term(s) apec, kursk ([term](#glossary-<id>)) that its "
        "ctx.glossary(...) cell does not list: add them there")
    assert site_build.warning_hints(warnings[2:]) == ""
