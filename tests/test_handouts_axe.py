"""Accessibility: the handouts and slide decks pass axe-core's WCAG 2.1 A and AA rules in headless Chromium.

axe-core (the rules most accessibility audits run) comes from npm into build/node/ on first use, pinned.
Checked: lesson 05's student and leader handouts (charts and their printed copies, long tables, the
self-check quiz and its Check buttons, the leader's session plan), on screen and with print media; the index
of the handouts; the lesson's slide deck and the index of the decks.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess

import pytest

from conftest import ROOT, STAGE_LESSON, open_offline

AXE_VERSION = "4.10.2"
NODE_DIR = ROOT / "build" / "node"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="session")
def axe_js() -> str:
    """axe.min.js from npm (build/node/node_modules/axe-core), installed once."""
    script = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    with open(NODE_DIR / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not script.exists():
            npm = shutil.which("npm")
            if not npm:
                pytest.fail("axe-core is not installed and npm is missing: install Node.js and npm "
                            "(Debian: apt-get install nodejs npm); .ci/run installs them")
            done = subprocess.run([npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                                   "--loglevel=error", f"axe-core@{AXE_VERSION}"],
                                  capture_output=True, text=True, timeout=600)
            assert done.returncode == 0 and script.exists(), f"npm could not install axe-core:\n{done.stderr[-2000:]}"
    return script.read_text(encoding="utf-8")


def violations(browser, path, axe_js, *, media="screen", ready="() => true"):
    page, blocked, problems = open_offline(browser, path.as_uri())
    page.emulate_media(media=media)
    page.wait_for_function(ready, timeout=30_000)
    page.add_script_tag(content=axe_js)
    found = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. `
                                     + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join('; ')); }""", TAGS)
    page.close()
    assert blocked == [], blocked
    return found


@pytest.mark.parametrize("audience", ["student", "leader"])
@pytest.mark.parametrize("media", ["screen", "print"])
def test_handouts_pass_wcag_21_aa(stage_build, chromium, axe_js, audience, media):
    path = stage_build["out"] / "handouts" / audience / f"{STAGE_LESSON}.html"
    drawn = "() => [...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('.main-svg'))"
    assert violations(chromium, path, axe_js, media=media, ready=drawn) == []


def test_the_index_of_the_handouts_passes(stage_build, chromium, axe_js):
    assert violations(chromium, stage_build["out"] / "handouts" / "index.html", axe_js) == []


def test_the_deck_and_its_index_pass(stage_build, chromium, axe_js):
    slides = stage_build["out"] / "slides"
    ready = "() => window.Reveal && Reveal.isReady()"
    assert violations(chromium, slides / f"{STAGE_LESSON}.html", axe_js, ready=ready) == []
    assert violations(chromium, slides / "index.html", axe_js) == []
