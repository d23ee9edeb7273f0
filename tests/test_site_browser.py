"""The course website as a reader meets it: built once (``turn-east site``'s own code, every lesson), served
over HTTP on 127.0.0.1 and opened in headless Chromium (Playwright driving Debian's /usr/bin/chromium) with
every other host blocked.

One visit per page collects what the checks need (requests, console, charts drawn, axe-core's WCAG 2.1 A/AA
violations at desktop width, the page's width at 390 px), so the pages load once. axe-core comes from npm
(installed into build/node/ on first use, like the hub benchmark's proxy).

In a checkout where `make handouts` or `make site` has run, the build reuses those executions when they
are still current (their fingerprints say so), as `make site` does; on a fresh clone it executes every
lesson once.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from turn_east import __version__
from turn_east.data import load_course
from turn_east.make import fingerprint
from turn_east.make.gitfilter import clean as clean_notebook
from turn_east.make.handouts.plan import make_plan
from turn_east.make.site import build as site_build
from turn_east.make.site.config import SiteConfig
from turn_east.make.site.links import launch_links
from turn_east.paths import html_has_map

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
NODE_DIR = ROOT / "build" / "node"
AXE_VERSION = "4.14.1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CONFIG = SiteConfig(repository="https://github.com/OWNER/turn-east", binderhub="https://mybinder.org",
                    jupyterhub="https://hub.uni.edu")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                      "(apt-get install chromium); .ci/run installs it"),
]


# ------------------------------------------------------------------------------ the site, built once
def _args(out: Path) -> argparse.Namespace:
    return argparse.Namespace(audience="student", lessons=None, out=str(out), jobs=2, wait=600.0)


def _seed_from_checkout(out: Path) -> None:
    """Copy the checkout's executed lessons (with their handouts) into ``out`` where they are still current,
    which is what `make site` reuses."""
    for job in site_build.site_plan(make_plan(site_build._handouts_args(_args(out), "student"))).jobs:
        executed = ROOT / "build" / "executed" / "student" / Path(job.executed_path).name
        handout = ROOT / "build" / "handouts" / "student" / Path(job.html_path).name
        if job.fingerprint and fingerprint.recorded(executed) == job.fingerprint and handout.is_file():
            for ours, theirs in ((executed, job.executed_path), (handout, job.html_path)):
                Path(theirs).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ours, theirs)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site-build")
    _seed_from_checkout(out)
    result = site_build.build_site(_args(out), config=CONFIG)
    return {"out": out, "site": result.site, "result": result}


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built["site"]


@pytest.fixture(scope="module")
def course():
    return load_course()


@pytest.fixture(scope="module")
def lesson_ids(course) -> list[str]:
    return list(course.lessons.sort_values("order")["id"])


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def axe_source() -> str:
    """axe-core's axe.min.js, from build/node/ (installed there with npm on first use)."""
    script = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    installed = NODE_DIR / "node_modules" / "axe-core" / "package.json"
    if not script.exists() or json.loads(installed.read_text())["version"] != AXE_VERSION:
        npm = shutil.which("npm")
        assert npm, "the accessibility test needs npm for axe-core (Debian: apt-get install npm); .ci/run installs it"
        done = subprocess.run([npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                               "--loglevel=error", f"axe-core@{AXE_VERSION}"], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"npm could not install axe-core:\n{done.stderr[-2000:]}"
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def context(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = browser.new_context(viewport=DESKTOP)
        blocked: list[str] = []

        def only_the_site(route):
            if route.request.url.startswith(server):
                route.continue_()
            else:  # every other host is blocked: a request there fails and is counted
                blocked.append(route.request.url)
                route.abort()

        ctx.route("**/*", only_the_site)
        ctx.blocked = blocked
        yield ctx
        browser.close()


def open_page(ctx, url: str):
    page = ctx.new_page()
    facts = {"failed": [], "console": [], "requests": []}
    page.on("console", lambda m: facts["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: facts["console"].append(f"page error: {e}"))
    page.on("requestfailed", lambda r: facts["failed"].append(r.url))
    page.on("request", lambda r: facts["requests"].append(r.url))
    response = page.goto(url)
    page.wait_for_load_state("load")
    facts["status"] = response.status if response else None
    return page, facts


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


GEO_DRAWN = """() => [...document.querySelectorAll('.geolayer .layer.coastlines path')]
    .some(p => (p.getAttribute('d') || '').length > 1000)"""
AXE_RUN = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ${v.nodes[0].target.join(' ')})`)"""


@pytest.fixture(scope="module")
def visits(site, server, context):
    """Every page visited once: what it requested, logged, drew and violated (desktop), and its width at 390 px."""
    axe = axe_source()
    out = {}
    for rel in site_pages(site):
        page, facts = open_page(context, server + rel)
        figures = page.evaluate("[...document.querySelectorAll('.plotly-graph-div')].map(d => d.id)")
        for fig in figures:
            page.wait_for_selector(f"#{fig} .main-svg", state="attached", timeout=20_000)
        facts["figures"] = figures
        facts["drawn"] = page.evaluate("[...document.querySelectorAll('.plotly-graph-div')]"
                                       ".filter(d => d.querySelector('.main-svg')).map(d => d.id)")
        facts["maps"] = html_has_map((site / rel).read_text(encoding="utf-8"))
        if facts["maps"]:  # outlines drawn from _static/plotly-geo-topojson.js (plotly.js fetches none)
            page.wait_for_function(GEO_DRAWN, timeout=20_000)
        page.add_script_tag(content=axe)
        facts["axe"] = page.evaluate(AXE_RUN, AXE_TAGS)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)
        facts["phone_width"] = page.evaluate("document.documentElement.scrollWidth")
        out[rel] = facts
        page.close()
    return out


# ------------------------------------------------------------------------------ the build
def test_every_page_is_built_and_the_executions_are_the_handouts(built, site, lesson_ids):
    result = built["result"]
    assert sorted(result.reused + result.executed) == sorted(lesson_ids)
    names = set(site_pages(site))
    for page in ("index.html", "course-map.html", "syllabus.html", "documents.html", "glossary.html",
                 "bibliography.html", "leaders.html", "search.html"):
        assert page in names
    assert {f"lessons/{i}.html" for i in lesson_ids} <= names
    assert result.pages == len(names)
    for lesson in lesson_ids:  # the handout and the page show one execution: the same figures, the same data
        handout = (built["out"] / "handouts" / "student" / f"{lesson}.html").read_text(encoding="utf-8")
        page = (site / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        assert _figure_ids(page) and _figure_ids(handout) == _figure_ids(page), lesson
        assert _figure_data(handout) == _figure_data(page), lesson


def _figure_ids(text: str) -> list[str]:
    """The ids of the plotly figure divs (nbconvert and Sphinx order the attributes differently)."""
    return [i for attrs in re.findall(r"<div\b([^>]*)>", text) if "plotly-graph-div" in attrs
            for i in re.findall(r'\bid="(te-[^"]+-fig\d+)"', attrs)]


def _figure_data(text: str) -> list[str]:
    """The data of every chart (the first argument after the div id of each Plotly.newPlot call)."""
    return re.findall(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.{0,2000})', text)


def test_a_second_build_reuses_every_execution(built, lesson_ids):
    plan = site_build.site_plan(make_plan(site_build._handouts_args(_args(built["out"]), "student")))
    reused, executed = site_build.ensure_executions(plan)
    assert (sorted(reused), executed) == (sorted(lesson_ids), [])


def test_no_leader_notes_or_answer_keys_in_the_public_site(site):
    for rel in site_pages(site):
        text = (site / rel).read_text(encoding="utf-8")
        assert "Leader note" not in text and 'class="te-key"' not in text, rel


def test_version_and_licences_in_every_footer(site, course):
    for rel in site_pages(site):
        text = (site / rel).read_text(encoding="utf-8")
        assert f"Version {__version__} (course data {course.version})" in text, rel
        assert 'href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in text, rel


# ------------------------------------------------------------------------------ links, crawled
class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for attr in ("href", "src"):
            if attrs.get(attr) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.urls.append((tag, attrs[attr]))


@functools.cache
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_no_broken_internal_link(site):
    broken, checked = [], 0
    for rel in site_pages(site):
        page = site / rel
        for tag, url in _parse(page).urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{rel}: <{tag}> {url} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _parse(target).ids:
                broken.append(f"{rel}: <{tag}> {url} (no element with that id)")
    assert checked > 500
    assert broken == []


def _neighbour(site: Path, rel: str, which: str) -> str | None:
    """The page the theme's previous ("left-prev") or next ("right-next") link leads to, relative to the site."""
    m = re.search(rf'<a class="{which}"\s+href="([^"]+)"', (site / rel).read_text(encoding="utf-8"))
    if m is None:
        return None
    return (site / rel).parent.joinpath(urlsplit(m.group(1)).path).resolve().relative_to(site.resolve()).as_posix()


def test_previous_next_links_follow_the_course_order(site, lesson_ids):
    order = ["index.html", "course-map.html", "syllabus.html"] + [f"lessons/{i}.html" for i in lesson_ids] + \
            ["documents.html", "glossary.html", "bibliography.html", "leaders.html"]
    for here, there in zip(order, order[1:]):
        assert _neighbour(site, here, "right-next") == there, here
        assert _neighbour(site, there, "left-prev") == here, there


def test_lesson_pages_open_with_times_objectives_and_run_buttons(site, course, lesson_ids):
    rows = course.lessons.set_index("id")
    for lesson in lesson_ids:
        rel = f"lessons/{lesson}.html"
        text = (site / rel).read_text(encoding="utf-8")
        article = text[text.index('<article class="bd-article">'):]
        row = rows.loc[lesson]
        minutes = (f"{row.reading_min} min reading, {row.exercise_min} min exercises, "
                   f"{row.discussion_min} min discussion")
        about, objectives, first_chart = (article.find("About this lesson"), article.find("Learning objectives"),
                                          article.find("plotly-graph-div"))
        assert 0 < about < objectives < first_chart, lesson
        assert minutes in article[about:objectives], lesson
        links = launch_links(lesson, repository=CONFIG.repository, binderhub=CONFIG.binderhub,
                             jupyterhub=CONFIG.jupyterhub)
        hrefs = [u for tag, u in _parse(site / rel).urls if tag == "a"]
        assert hrefs.count(links.binder) == 2 and hrefs.count(links.hub) == 2, lesson  # the box and the header
        downloads = {u for u in hrefs if u.endswith(f"/{lesson}.ipynb") and not urlsplit(u).scheme}
        assert len(downloads) == 1, (lesson, downloads)  # the box and the header offer the same file
        notebook = (site / "lessons" / downloads.pop()).resolve()
        source = ROOT / "notebooks" / f"{lesson}.ipynb"
        assert notebook.read_text(encoding="utf-8") == clean_notebook(source.read_text(encoding="utf-8"), str(source))
        assert 'class="dropdown dropdown-launch-buttons"' in text


def test_lessons_link_their_terms_and_documents_to_their_entries(site, course, lesson_ids):
    """A marked term shows its definition on hover and jumps to the lesson's own glossary entry (as in the
    handouts); each document the lesson reads is linked to the primary-documents page and back."""
    definitions = dict(zip(course.glossary["id"], course.glossary["definition"]))
    documents_page = _parse(site / "documents.html")
    marked = 0
    for lesson in lesson_ids:
        text = (site / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        for attrs in re.findall(r'<a\b([^>]*\bhref="#glossary-[^"]+"[^>]*)>', text):
            term = re.search(r'href="#glossary-([^"]+)"', attrs).group(1)
            title = re.search(r'title="([^"]*)"', attrs)
            assert title and unescape(title.group(1)).endswith(definitions[term]), (lesson, term)
            marked += 1
        hrefs = [u for tag, u in _parse(site / "lessons" / f"{lesson}.html").urls if tag == "a"]
        for doc in course.documents_for(lesson):
            assert f"../documents.html#document-{doc.id}" in hrefs, (lesson, doc.id)
            assert any(u.startswith(f"lessons/{lesson}.html") for t, u in documents_page.urls if t == "a"), lesson
    assert marked >= 50


# ------------------------------------------------------------------------------ in the browser
def test_no_request_leaves_the_site(visits, context):
    for rel, facts in visits.items():
        assert facts["status"] == 200, rel
        assert facts["failed"] == [], (rel, facts["failed"])
        assert facts["console"] == [], (rel, facts["console"])
    assert context.blocked == []


def test_every_chart_is_drawn_with_its_map_outlines(visits, lesson_ids):
    charted = 0
    for rel, facts in visits.items():
        assert sorted(facts["drawn"]) == sorted(facts["figures"]), rel
        charted += bool(facts["figures"])
        loaded = {urlsplit(u).path for u in facts["requests"]}
        if facts["maps"]:
            assert any(u.endswith("/_static/plotly-geo-topojson.js") for u in loaded), rel
        if facts["figures"]:
            assert any(u.endswith("/_static/plotly.min.js") for u in loaded), rel
        else:  # pages without charts do not load plotly.js
            assert not any(u.endswith("/plotly.min.js") for u in loaded), rel
    assert charted == len(lesson_ids)
    assert sum(f["maps"] for f in visits.values()) >= 2


def test_axe_finds_no_serious_or_critical_violation_on_any_page(visits, site):
    assert len(visits) == len(site_pages(site))
    found = {rel: facts["axe"] for rel, facts in visits.items() if facts["axe"]}
    assert found == {}


def test_readable_at_phone_width(visits, site, server, context, tmp_path_factory):
    too_wide = {rel: f["phone_width"] for rel, f in visits.items() if f["phone_width"] > PHONE["width"]}
    assert too_wide == {}
    page, facts = open_page(context, server + "lessons/02_stage_1_adjusting_to_asia.html")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.bd-article p')).fontSize)")
    assert size >= 16
    page.add_script_tag(content=axe_source())  # the phone layout (drawer, header buttons) passes too
    assert page.evaluate(AXE_RUN, AXE_TAGS) == []
    shot = tmp_path_factory.mktemp("screenshots") / "site-lesson-02-390px.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    print(f"phone-width screenshot: {shot}")
    page.close()


def test_quiz_self_check_answers_on_the_site(server, context):
    page, facts = open_page(context, server + "lessons/02_stage_1_adjusting_to_asia.html")
    form = page.locator("form.te-check").first
    form.scroll_into_view_if_needed()
    form.locator("button[type=submit]").click()
    assert "Choose or type an answer first" in form.locator(".te-result").inner_text()
    choices = form.locator("input[type=radio], input[type=checkbox]")
    if choices.count():
        choices.first.check()
    else:
        field = form.locator("input, select").first
        field.fill("1990") if field.evaluate("e => e.tagName") == "INPUT" else field.select_option(index=1)
    form.locator("button[type=submit]").click()
    assert form.locator(".te-result").inner_text().startswith(("\u2714", "\u2718"))
    assert facts["console"] == [] and facts["failed"] == []
    page.close()


def test_full_text_search_works_offline(server, context):
    page, facts = open_page(context, server + "search.html?q=Vladivostok")
    page.wait_for_selector("ul.search li a", timeout=20_000)
    hits = page.evaluate("[...document.querySelectorAll('ul.search li a')].map(a => a.getAttribute('href'))")
    assert any(h.startswith("lessons/") for h in hits), hits
    assert facts["failed"] == [] and facts["console"] == []
    page.close()
