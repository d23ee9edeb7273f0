"""A lesson in real JupyterLab, started by `make lab`, driven by headless Chromium (Playwright + /usr/bin/chromium).

JupyterLab is started exactly as a student starts it, `make lab`, with only a port, a token and the
test's own settings folders added through LAB_OPTIONS; the browser `make lab` launches is a recorder
(BROWSER), so the test opens the very page `make lab` opens: the course map, with the course root
(lessons, my-work/, the package's map outlines) in the file browser. It then opens a lesson copied
into my-work/ (as `make workspace` copies lessons), runs all cells through the Run menu, and checks
what a student meets: every chart drawn by the plotly JupyterLab extension, the map drawn from the
course's own outlines, the ipywidgets quiz answering back ("Not quite" for a wrong option, "Correct"
for the right one, both from turn_east.quiz.grade), no cell raising. It saves the lesson (Ctrl+S) and
checks that the saved file, outputs and all, is what git holds once the notebook filter
(turn_east.make.gitfilter) has cleaned it. It leaves a screenshot in build/test-artifacts/lab-lesson.png,
deletes the kernel sessions through the REST API, stops the server and removes its my-work/ copy
even when a check fails.

The lesson must work offline. The browser is cut off: every request that leaves 127.0.0.1 is
aborted (and recorded, and the test fails if there was any). plotly.js would fetch the map
outlines for geo charts from https://cdn.plot.ly/un/<name>.json; the course points plotly's
topojsonURL at its own copy as the Jupyter server serves it (turn_east.notebook.topojson_url:
/files/src/turn_east/static/topojson/, reachable because `make lab` serves the course root), and
the test checks that the map drew its countries, land and coastlines from there.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
LESSON = "02_stage_1_adjusting_to_asia"
NOTEBOOK = ROOT / "notebooks" / f"{LESSON}.ipynb"
COURSE_MAP = "notebooks/00_course_map.ipynb"
ARTIFACTS = ROOT / "build" / "test-artifacts"
TOPOJSON_URL = "/files/src/turn_east/static/topojson/"  # `make lab` serves the course root
LOCAL_HOSTS = ("127.0.0.1", "localhost")
STARTUP_S = 60
RUN_S = 90

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                      "(apt-get install chromium); .ci/run installs it"),
]

# JupyterLab settings for the test's own (temporary) user-settings folder: never autosave (the
# lesson must stay without outputs), no news pop-up, every cell in the DOM so they can be counted.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab server and a cookie-aware REST client for it."""

    def __init__(self, proc, url, token, log):
        self.proc, self.url, self.token, self.log = proc, url, token, log
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, method, path, timeout=10):
        xsrf = next((c.value for c in self.jar if c.name == "_xsrf"), "")
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}", "X-XSRFToken": xsrf})
        with self.opener.open(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, n=40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def delete_sessions(self) -> list[str]:
        # A page load sets the _xsrf cookie; the DELETE sends it back as X-XSRFToken along with the token.
        self.opener.open(f"{self.url}/lab?token={self.token}", timeout=10).read()
        deleted = []
        for s in self.request("GET", "/api/sessions"):
            self.request("DELETE", f"/api/sessions/{s['id']}")
            deleted.append(s["path"])
        return deleted


@pytest.fixture(params=["/", "/user/student-x1y2z3/"], ids=["make-lab", "binder-base-url"])
def lab(request, tmp_path):
    """JupyterLab started by `make lab`, at base URL / and as Binder runs it (under a base URL)."""
    base_url = request.param
    settings = tmp_path / "lab-settings"
    for name, value in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value), encoding="utf-8")
    opened = tmp_path / "browser-opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n', encoding="utf-8")
    browser.chmod(0o755)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               BROWSER=f"{browser} %s")  # Python's webbrowser, which jupyter_server uses, runs $BROWSER
    for var in ("JUPYTERHUB_SERVICE_PREFIX", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(var, None)
    if base_url != "/":
        env["JUPYTERHUB_SERVICE_PREFIX"] = base_url  # what a JupyterHub (Binder) single-user server's kernels see
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyterlab.log"
    options = ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.base_url={base_url}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
               "--LabServerApp.extension_manager=readonly",
               f"--FileCheckpoints.checkpoint_dir={tmp_path / 'checkpoints'}"]  # absolute: no .ipynb_checkpoints/
    assert all(" " not in o for o in options), "LAB_OPTIONS is split on spaces by the shell"
    cmd = ["make", "--no-print-directory", "lab", f"LAB_OPTIONS={' '.join(options)}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Lab(proc, f"http://127.0.0.1:{port}{base_url.rstrip('/')}", token, log)
    server.opened = opened
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with code {proc.returncode}:\n{server.log_tail()}")
            try:
                server.request("GET", "/api/status", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {STARTUP_S} s:\n{server.log_tail()}")
                time.sleep(0.3)
        yield server
    finally:
        try:
            if proc.poll() is None:
                server.delete_sessions()
        except Exception as exc:  # the server is stopped below either way
            print(f"could not delete the kernel sessions: {exc}", file=sys.stderr)
        # make, its shell and JupyterLab share the process group started for them.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def my_work_lesson():
    """The lesson copied into my-work/ (a folder of its own, removed afterwards; nothing of the student's touched)."""
    made_my_work = not (ROOT / "my-work").exists()
    folder = ROOT / "my-work" / f"test-lab-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    copy = folder / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    try:
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if made_my_work:
            try:
                folder.parent.rmdir()  # the test made my-work/; remove it if nothing else arrived
            except OSError:
                pass


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            yield context.new_page()
        finally:
            browser.close()


def _leaves(url: str) -> bool:
    """A request that would leave the machine (file:, data: and blob: URLs never do)."""
    return urlsplit(url).hostname not in LOCAL_HOSTS and not url.startswith(("data:", "blob:", "file:"))


def _go_offline(page, blocked: list[str]) -> None:
    """Abort (and record) every request that would leave 127.0.0.1: the browser has no internet."""

    def handle(route):
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    page.route(_leaves, handle)  # requests to 127.0.0.1 are not intercepted at all


def _dismiss_notifications(page) -> None:
    for close in page.locator(".jp-Notification-Toast-Close, .Toastify__close-button").all():
        try:
            close.click(timeout=1000)
        except Exception:
            pass


def _lesson_counts():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return len(code), sum(1 for s in code if re.search(r"\bctx\.show\(", s))


def _first_single_question(course):
    from turn_east.quiz import lesson_quiz

    quiz = lesson_quiz(course, LESSON)
    for number, q in enumerate(quiz.questions, 1):
        if q.type == "single":
            wrong = next(c for c in q.choices if c != q.answer[0])
            return number, len(quiz.questions), wrong, q.answer[0]
    pytest.fail(f"{LESSON} has no single-choice question to answer")


def _first_text_question(course):
    from turn_east.quiz import lesson_quiz

    quiz = lesson_quiz(course, LESSON)
    for number, q in enumerate(quiz.questions, 1):
        if q.type == "text":
            return number, q.answer[0]
    return None


def _committed_lesson() -> str:
    shown = subprocess.run(["git", "show", f":notebooks/{NOTEBOOK.name}"], cwd=ROOT, capture_output=True)
    return shown.stdout.decode("utf-8") if shown.returncode == 0 else NOTEBOOK.read_text(encoding="utf-8")


def _open_what_make_lab_opens(lab, page) -> None:
    """Follow the URL `make lab` handed to the browser: the course map, at the course root."""
    deadline = time.monotonic() + STARTUP_S
    while not (lab.opened.exists() and lab.opened.read_text().strip()):
        if time.monotonic() > deadline:
            pytest.fail(f"make lab opened no browser within {STARTUP_S} s:\n{lab.log_tail()}")
        time.sleep(0.2)
    url = lab.opened.read_text().split()[0]
    assert url.startswith("file://"), url  # jupyter_server's redirect page, which carries the token
    page.goto(url)
    page.wait_for_url(re.compile(re.escape(f"{lab.url}/lab/tree/{COURSE_MAP}")), timeout=STARTUP_S * 1000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=STARTUP_S * 1000)
    current = page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").all_inner_texts()
    assert "00_course_map.ipynb" in current, current
    # The server's root is the course: lessons, the student's my-work/ and the package (maps' outlines).
    root = {item["name"] for item in lab.request("GET", "/api/contents/")["content"]}
    assert {"notebooks", "my-work", "src", "data", "exercises"} <= root, root
    # ... and the student reaches it in the file browser: it opens at notebooks/, one click below the root.
    page.wait_for_function("() => /notebooks/.test(document.querySelector('.jp-BreadCrumbs')?.textContent || '')",
                           timeout=30_000)
    page.locator(".jp-BreadCrumbs-home").first.click()
    page.wait_for_function(
        """() => { const names = [...document.querySelectorAll('.jp-DirListing-itemText')].map(e => e.textContent);
                   return ['my-work', 'notebooks', 'exercises'].every(n => names.includes(n)); }""",
        timeout=30_000)


def test_lesson_runs_in_jupyterlab_with_charts_and_a_live_quiz(lab, page, course, my_work_lesson):
    started = time.monotonic()
    before = NOTEBOOK.read_bytes()
    map_before = (ROOT / COURSE_MAP).read_bytes()
    lesson_path = my_work_lesson.relative_to(ROOT).as_posix()
    n_code, n_charts = _lesson_counts()
    q_number, q_total, wrong, right = _first_single_question(course)

    external, blocked, outlines, page_errors = [], [], [], []
    page.on("request", lambda r: external.append(r.url) if _leaves(r.url) else None)
    page.on("response", lambda r: outlines.append((r.url, r.status)) if r.url.endswith("_50m.json") else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    _go_offline(page, blocked)

    _open_what_make_lab_opens(lab, page)
    # The lesson copy in my-work/, in a workspace of its own (only its cells on the page).
    page.goto(f"{lab.url}/lab/workspaces/lesson/tree/{lesson_path}?token={lab.token}")
    panel = page.locator(".jp-NotebookPanel").filter(has=page.locator(".jp-Notebook")).first
    # Run All only once the kernel is idle; before that the request can be lost.
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=STARTUP_S * 1000)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def run_all() -> bool:
        """Run All and wait until every code cell has a count (or one raised); False if it stalls."""
        # On a loaded machine the indicator can say idle a moment before the kernel takes requests, and
        # Run All then runs nothing: try again (up to 3 times) when no cell has started within 15 s.
        for attempt in range(3):
            _dismiss_notifications(page)
            # Give the notebook focus (Run All is disabled while, say, the file browser is the current widget).
            panel.locator(".jp-Cell .jp-InputPrompt").first.click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
            try:
                page.wait_for_function(
                    """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')]
                            .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))""", timeout=15_000)
                break
            except PlaywrightTimeout:
                print(f"Run All attempt {attempt + 1} started no cell; trying again", file=sys.stderr)
        # Finished when every code cell has an execution count, or stopped early by an error.
        try:
            page.wait_for_function(
                """([n]) => {
                    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')];
                    const done = prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                    const failed = document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
                    return done || (failed && /Traceback|Error/.test(failed.textContent));
                }""", arg=[n_code], timeout=RUN_S * 1000)
            return True
        except PlaywrightTimeout:
            return False

    # Under load jupyter_server can drop the kernel's websocket mid-run (seen: a 500 on /channels), after
    # which JupyterLab forgets the queued cells. That is the harness, not the lesson: reload and run once more.
    finished = run_all()
    if not finished:
        print("Run All stalled; reloading the page and running again", file=sys.stderr)
        page.reload()
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=STARTUP_S * 1000)
        finished = run_all()
    if not finished:
        prompts = panel.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-lesson-failed.png"))
        pytest.fail(f"Run All did not finish within {RUN_S} s, twice; prompts {prompts}; requests blocked for "
                    f"leaving 127.0.0.1: {blocked}; page errors {page_errors}; JupyterLab's log:\n{lab.log_tail(25)}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=30_000)

    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    raised = [t[:600] for t in errors.all_inner_texts() if re.search(r"Traceback|\w*Error\b", t)]
    assert not raised, f"a cell raised:\n{raised[0]}"
    assert panel.locator(".jp-InputArea-prompt", has_text="[*]").count() == 0

    # Every ctx.show() cell drew its chart through the plotly JupyterLab extension.
    try:
        page.wait_for_function(
            """([n]) => [...document.querySelectorAll('.jp-RenderedPlotly')]
                    .filter(d => d.querySelector('.plot-container .main-svg')).length >= n""",
            arg=[n_charts], timeout=30_000)
    except PlaywrightTimeout:
        drawn = page.evaluate("""() => [...document.querySelectorAll('.jp-RenderedPlotly')]
                                    .filter(d => d.querySelector('.plot-container .main-svg')).length""")
        pytest.fail(f"only {drawn} of {n_charts} charts drew; map outline requests {outlines}; requests blocked "
                    f"for leaving 127.0.0.1: {blocked}")
    drawn = page.locator(".jp-RenderedPlotly .plot-container").count()
    assert drawn >= n_charts >= 3, (drawn, n_charts)
    assert page.locator(".js-plotly-plot").count() >= n_charts
    assert "northeast_asia_map" in NOTEBOOK.read_text(encoding="utf-8"), f"{LESSON} should show a map"
    # The map drew its base layers from the course's topojson, served by the Jupyter server itself
    # (without the file plotly.js would draw the graticule at most, and no country, land or coastline).
    page.wait_for_function(
        """() => ['countries', 'land', 'coastlines'].every(layer =>
                [...document.querySelectorAll(`.jp-RenderedPlotly .geolayer .layer.${layer} path`)]
                    .some(p => (p.getAttribute('d') || '').length > 1000))""", timeout=30_000)
    assert page.locator(".jp-RenderedPlotly .geolayer .layer.countries path").count() > 0
    assert outlines and all(url == f"{lab.url}{TOPOJSON_URL}world_50m.json" and status == 200
                            for url, status in outlines), outlines

    # The quiz, through the page: a wrong option, Check, "Not quite"; the right one, Check, "Correct".
    item = (page.locator(".widget-vbox").filter(has_text=f"Question {q_number} of {q_total}")
            .filter(has_not_text=f"Question {q_number + 1} of {q_total}").last)
    item.scroll_into_view_if_needed()
    _dismiss_notifications(page)
    feedback = item.locator(".widget-html-content").nth(1)
    item.locator(".widget-radio-box label", has_text=wrong).click()
    item.get_by_role("button", name="Check").click()
    page.wait_for_function("e => /Not quite|Correct/.test(e.textContent)", arg=feedback.element_handle(),
                           timeout=15_000)
    text = feedback.inner_text()
    assert "Not quite" in text and wrong in text, text
    assert "Reread:" in text, text
    item.locator(".widget-radio-box label", has_text=right).click()
    item.get_by_role("button", name="Check").click()
    page.wait_for_function("e => /Correct/.test(e.textContent)", arg=feedback.element_handle(), timeout=15_000)
    assert "Correct" in feedback.inner_text() and right in feedback.inner_text()
    assert "Why:" in item.inner_text(), "the explanation appears after a correct answer"

    typed = _first_text_question(course)
    if typed:
        t_number, t_answer = typed
        t_item = (page.locator(".widget-vbox").filter(has_text=f"Question {t_number} of {q_total}")
                  .filter(has_not_text=f"Question {t_number + 1} of {q_total}").last)
        t_item.locator("input[type=text]").fill(t_answer.lower())
        t_item.locator("input[type=text]").press("Enter")
        t_item.get_by_role("button", name="Check").click()
        t_feedback = t_item.locator(".widget-html-content").nth(1)
        page.wait_for_function("e => /Correct|Not quite/.test(e.textContent)", arg=t_feedback.element_handle(),
                               timeout=15_000)
        assert "Correct" in t_feedback.inner_text(), t_feedback.inner_text()
        page.wait_for_function("() => /Score: 2 of/.test(document.body.innerText)", timeout=15_000)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lab-lesson.png"))

    assert page_errors == [], page_errors
    assert blocked == [] and external == [], f"requests that would leave 127.0.0.1: {blocked or external}"

    # Save (File > Save Notebook): the file gets the outputs, and git would store none of them.
    def saved_with_outputs(timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while '"output_type": "display_data"' not in my_work_lesson.read_text(encoding="utf-8"):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.3)
        return True

    for attempt in range(2):  # on a loaded machine the first click can land before the menu is ready
        _dismiss_notifications(page)
        panel.locator(".jp-Cell .jp-InputPrompt").first.click()
        page.get_by_role("menuitem", name="File", exact=True).click()
        page.locator("li.lm-Menu-item[data-command='docmanager:save']").click()
        if saved_with_outputs(20):
            break
        print(f"File > Save Notebook attempt {attempt + 1} wrote nothing; trying again", file=sys.stderr)
    else:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-save-failed.png"))
        pytest.fail(f"File > Save Notebook did not save the lesson's outputs, twice; dialogs "
                    f"{page.locator('.jp-Dialog').all_inner_texts()}; JupyterLab's log:\n{lab.log_tail(25)}")
    from turn_east.make.gitfilter import clean

    saved = my_work_lesson.read_text(encoding="utf-8")
    assert clean(saved, lesson_path) == _committed_lesson(), \
        "a lesson run and saved in JupyterLab must clean to exactly the committed lesson"

    # Shut the kernels down through the REST API, then make sure nothing is left running.
    deleted = lab.delete_sessions()
    assert lesson_path in deleted, deleted
    # The other is the course map's kernel; JupyterLab may still list it under a temporary name in its folder.
    assert len(deleted) == 2 and all(p.startswith("notebooks/") for p in deleted if p != lesson_path), deleted
    assert lab.request("GET", "/api/kernels") == []
    assert NOTEBOOK.read_bytes() == before, "the course's lesson file changed on disk"
    assert (ROOT / COURSE_MAP).read_bytes() == map_before, "the course map changed on disk"
    print(f"JupyterLab lesson test took {time.monotonic() - started:.1f} s")
