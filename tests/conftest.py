"""Shared test set-up. Fixture notebooks are inputs for tests, not lessons: nbval must not collect them."""

import json
import os
from pathlib import Path

import pandas as pd
import pytest

collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]

ROOT = Path(__file__).resolve().parents[1]
LIST_FIELDS = {("events", "actors"), ("events", "people"), ("events", "motives"), ("relations", "events"),
               ("glossary", "stages"), ("glossary", "motives"), ("documents", "lessons")}


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def course():
    from turn_east.data import load_course

    return load_course()


def course_from(**tables):
    """A :class:`turn_east.data.Course` made from hand-written test tables.

    Tables left out are empty; columns left out of a table are filled (empty lists for the ;-list
    fields, None otherwise), with the columns of data/datapackage.json, so a test states only what
    it is about.
    """
    from turn_east.data import TABLES, Course

    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    columns = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in package["resources"]}
    frames = {}
    for name in TABLES:
        df = tables.pop(name, None)
        df = pd.DataFrame(columns=columns[name]) if df is None else df.copy()
        for col in columns[name]:
            if col not in df.columns:
                df[col] = [[] for _ in range(len(df))] if (name, col) in LIST_FIELDS else None
        frames[name] = df
    return Course(**frames, data_dir=tables.pop("data_dir", None), version=tables.pop("version", "test"),
                  periods=tables.pop("periods", []))


# ---------------------------------------------------------------- one real stage lesson, rendered once
STAGE_LESSON = "05_stage_4_war_and_alliance"
CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def stage_build(tmp_path_factory):
    """Lesson 05 rendered once for the whole test session, as a leader prepares a seminar on it:
    `turn-east handouts --lessons 05 --pdf --decks` (both copies, A4 PDFs, the slide deck).
    Yields ``{"out", "rc", "stdout", "stderr", "kernels_log"}``; the print, deck, offline and
    accessibility tests share it (rendering a lesson is the expensive part)."""
    import contextlib
    import io

    if not CHROMIUM_PATH.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium); .ci/run installs it")
    pytest.importorskip("sphinx_revealjs", reason="the decks need the [slides] extra (make test installs it)")
    from turn_east.make import handouts

    out = tmp_path_factory.mktemp("stage-build")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = handouts.main(["--lessons", STAGE_LESSON, "--out", str(out), "--jobs", "2", "--pdf", "--decks"])
    log = out / "executed" / "kernels.log"
    return {"out": out, "rc": rc, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(),
            "kernels_log": log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""}


@pytest.fixture(scope="module")
def chromium():
    """Playwright driving Debian's Chromium, one browser per test module (Playwright's sync API allows one
    running instance at a time, and other modules start their own)."""
    from playwright.sync_api import sync_playwright  # a test dependency: missing, it is an error, not a skip

    if not CHROMIUM_PATH.exists():
        why = "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(why)  # in CI a browser test that cannot run must not pass as skipped
        pytest.skip(why)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser(chromium):
    """The same browser, under the name the handout and grading tests use."""
    return chromium


def open_offline(browser, url: str, *, viewport=None):
    """A page at ``url`` with every request that leaves the machine blocked (only file:// and 127.0.0.1 pass);
    returns (page, blocked URLs, console errors and page errors)."""
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 800})
    blocked, problems = [], []

    def route(r):
        url_ = r.request.url
        if url_.startswith(("file://", "http://127.0.0.1", "data:", "blob:", "about:")):
            return r.continue_()
        blocked.append(url_)
        return r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, blocked, problems
