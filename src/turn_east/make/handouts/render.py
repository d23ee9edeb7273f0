"""Rendering a planned batch: every job (lesson x copy) runs in a worker process of a process pool
(``--jobs``). A worker executes the notebook through :mod:`turn_east.make.execute` (papermill, with
``render="static"``, ``audience`` and ``show_answers`` injected) and exports it with
:mod:`.postprocess`. Every file is written to a temporary name and renamed into place, so a failed
render never leaves a half-written handout and the previous good one stays. One broken lesson does not
stop the batch.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import nbfiles
from turn_east.make import fingerprint
from turn_east.make.execute import Kernels, execute_notebook
from turn_east.make.files import FILE_MODE, atomic_path, folder_lock, write_atomic
from turn_east.make.handouts.assets import install_plotly_js
from turn_east.make.handouts.index import write_index
from turn_east.make.handouts.reference import write_reference_pages
from turn_east.make.handouts.plan import COURSE_TITLE, PAPER_SIZES, Job, Plan
from turn_east.make.handouts.postprocess import exporter, external_references, make_offline
from turn_east.paths import html_has_map

PDF_BUDGET_MS = 8000
CELL_TIMEOUT_S = 600
# What every lesson imports first: a kernel started ahead of its lesson imports it while the previous
# lesson runs (silently: no output, no execution count).
WARMUP = "import turn_east.notebook"


@dataclass
class Result:
    lesson: str
    label: str
    status: str              # ok | failed
    seconds: float = 0.0
    size: int = 0
    html_path: str = ""
    pdf_path: str = ""
    error: str = ""
    cell_index: int | None = None
    cell_line: str = ""
    warnings: list = field(default_factory=list)
    kernel: str = ""         # how its kernel started, when that took a retry
    timings: dict = field(default_factory=dict)  # kernel wait, execution, export (seconds)


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _source_index(executed_nb_path: Path, index: int) -> int:
    """Map a cell index of the executed notebook to the source notebook (papermill inserts one cell)."""
    try:
        nb = nbfiles.read(executed_nb_path)
    except ValueError:
        return index
    # papermill adds error-marker cells when it saves a failed run; the index it reports does not count them
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in nbfiles.tags(c)]
    injected = sum(1 for c in cells[:index] if "injected-parameters" in nbfiles.tags(c))
    return index - injected


def print_pdf(chromium: str, html_path: Path, pdf_path: Path, budget_ms: int = PDF_BUDGET_MS) -> None:
    """Print an HTML file to PDF with headless Chromium (charts rendered within the virtual time budget)."""
    with tempfile.TemporaryDirectory(prefix="te-chromium-") as profile, atomic_path(pdf_path, ".tmp.pdf") as tmp:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--disable-quic", "--no-pdf-header-footer", f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", f"--print-to-pdf={tmp}", Path(html_path).resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise RuntimeError(f"chromium could not print {html_path} (exit {proc.returncode}): "
                               f"{proc.stderr.strip()[-400:]}")


def add_session_plan(job: Job, nb) -> bool:
    """Open a leader handout with its lesson's 90-minute plan (:mod:`turn_east.make.guide`), on a page of its
    own before the lesson (the print stylesheet breaks the page after it); False for a notebook that is not
    a lesson in lessons.csv (the guide itself, a test fixture)."""
    import nbformat

    from turn_east.data import load_course
    from turn_east.make import guide

    params = dict(job.parameters)
    course = load_course(params.get("data_dir") or None)
    if course.lesson(job.lesson) is None:
        return False
    plan = guide.seminar_plan(course, job.lesson, notebooks_dir=Path(job.notebook).parent)
    cell = nbformat.v4.new_markdown_cell(
        plan.to_markdown(course=course, level=1),
        metadata={"tags": ["te-session-plan"]})
    nb.cells.insert(0, cell)
    return True


def css_string(text: str) -> str:
    """``text`` for a CSS string in double quotes inside a <style> element (the page's running header)."""
    out = []
    for ch in text:
        if ch in '\\"<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


def inline_scripts(page: str, folder: Path) -> str:
    """Fill a self-contained handout's script placeholders (``<script data-te-inline="NAME">``) with the text of
    ``folder/NAME`` (plotly.min.js, the map outlines), so the page needs no other file."""
    def fill(m):
        text = (folder / m.group(1)).read_text(encoding="utf-8")
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"
    return re.sub(r'<script data-te-inline="([A-Za-z0-9_.-]+)"></script>', fill, page)


def _export(job: Job, nb) -> str:
    has_map = any(html_has_map(o.get("data", {}).get("text/html", ""))
                  for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    resources = {"metadata": {"name": job.title}, "plotly_js_url": job.plotly_url,
                 "geo_js_url": job.geo_url if has_map else "", "te_lesson_ids": list(job.lesson_ids),
                 "te_lesson_titles": dict(job.lesson_titles), "te_glossary": dict(job.glossary),
                 "te_self_contained": job.self_contained, "te_course": COURSE_TITLE,
                 "te_index_url": "" if job.self_contained else job.index_url, "te_footer": job.footer,
                 "te_audience_label": "Seminar leader's copy" if job.audience == "leader" else "Student handout",
                 "te_notebook": f"notebooks/{Path(job.notebook).name}", "te_paper": PAPER_SIZES[job.paper],
                 "te_running_css": css_string(f"{job.title} \u00b7 "
                                              f"{'Leader copy' if job.audience == 'leader' else 'Student handout'}")}
    body, _ = exporter(job.audience).from_notebook_node(nb, resources=resources)
    body = make_offline(body)
    leftovers = external_references(body)
    if leftovers:
        raise RuntimeError("the handout would load from the internet: "
                           + ", ".join(f"{t} {u}" for t, u in leftovers[:5]))
    if job.self_contained:
        # where plotly.min.js lies for this handout (normpath: the handout's own folder may not exist yet)
        body = inline_scripts(body, Path(os.path.normpath(Path(job.html_path).parent / job.plotly_url)).parent)
    return body


def render_job(job: Job, kernels=None) -> Result:
    """Execute one notebook and export it; runs inside a worker process (``kernels``: the worker's)."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    kernels = kernels if kernels is not None else _KERNELS
    t0 = time.perf_counter()
    res = Result(job.lesson, job.label, "failed", html_path=job.html_path)
    html_path, exec_path = Path(job.html_path), Path(job.executed_path)
    notebook = Path(job.notebook)
    tmp_nb = None
    try:
        if not notebook.is_file():
            raise FileNotFoundError(f"notebook {notebook} does not exist")
        exec_path.parent.mkdir(parents=True, exist_ok=True)
        failed_copy = exec_path.with_suffix(".failed.ipynb")
        fd, tmp_name = tempfile.mkstemp(dir=exec_path.parent, prefix=f".{exec_path.stem}.", suffix=".tmp.ipynb")
        os.close(fd)
        os.chmod(tmp_name, FILE_MODE)
        tmp_nb = Path(tmp_name)
        try:
            nb, start = execute_notebook(notebook, tmp_nb, dict(job.parameters), kernels=kernels,
                                                 cwd=notebook.parent, timeout=CELL_TIMEOUT_S,
                                                 prestart_next=job.prestart_next)
        except PapermillExecutionError as exc:
            res.cell_index = _source_index(tmp_nb, exc.cell_index)
            res.cell_line = _first_line(exc.source)
            res.error = f"{exc.ename}: {exc.evalue}".strip()
            if tmp_nb.exists() and tmp_nb.stat().st_size:
                os.replace(tmp_nb, failed_copy)  # for debugging; never the handout
            return res
        res.kernel = start.describe()
        t_exec = time.perf_counter()
        res.timings = {"kernel": start.seconds, "execute": t_exec - t0 - start.seconds}
        nb = nb if isinstance(nb, nbformat.NotebookNode) else nbformat.from_dict(nb)
        if job.fingerprint:  # so that the site (or a later run) can reuse this execution
            fingerprint.record(nb, job.fingerprint)
            nbformat.write(nb, str(tmp_nb))
        if job.audience == "leader":
            add_session_plan(job, nb)
        body = _export(job, nb)
        res.warnings = [f"{t} {u}" for t, u in external_references(body, tags=("img", "iframe", "source", "embed"))]
        write_atomic(html_path, body)
        res.timings["export"] = time.perf_counter() - t_exec
        res.size = html_path.stat().st_size
        if job.pdf:
            pdf_path = html_path.with_suffix(".pdf")
            print_pdf(job.chromium, html_path, pdf_path)
            res.pdf_path = str(pdf_path)
        os.replace(tmp_nb, exec_path)
        with contextlib.suppress(FileNotFoundError):
            failed_copy.unlink()
        res.status = "ok"
    except Exception as exc:  # one broken lesson must not stop the batch
        res.error = res.error or f"{type(exc).__name__}: {exc}"
    finally:
        res.seconds = time.perf_counter() - t0
        if tmp_nb is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp_nb.unlink()
    return res


_KERNELS = None


def _worker_init(log_path: str | None, warmup: str, fork: bool) -> None:
    """Set up a worker: its kernels, and its (and its kernels') stderr noise sent to a log file."""
    global _KERNELS
    if log_path:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    import logging
    import warnings
    from multiprocessing import util

    logging.getLogger("papermill").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    _KERNELS = Kernels(warmup=warmup, fork=fork)
    util.Finalize(_KERNELS, _KERNELS.close, exitpriority=10)  # a kernel started ahead and never taken


def render_all(p: Plan, *, progress=None, warmup: str = WARMUP, fork: bool = True,
               lock_wait: float = 0.0) -> tuple[list[Result], float]:
    """Run every job of the plan in a process pool; returns the results (in job order) and the wall time.

    Each worker starts the next job's kernel during the current one, runs ``warmup`` in it, and (with
    ``fork``, on Linux) forks its kernels from a warm process (see :class:`turn_east.make.execute.Kernels`).
    Holds the output folder's lock for the whole batch (see :func:`turn_east.make.files.folder_lock`).
    """
    with folder_lock(p.out, wait=lock_wait, what="another `turn-east handouts`"):
        handouts = p.out / "handouts"
        handouts.mkdir(parents=True, exist_ok=True)
        install_plotly_js(handouts)
        (p.out / "executed").mkdir(parents=True, exist_ok=True)
        log_path = p.out / "executed" / "kernels.log"
        log_path.write_text("")  # this run's kernel messages only

        # Import the heavy modules before forking, so every worker shares them.
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        t0 = time.perf_counter()
        results: dict[Job, Result] = {}
        with ProcessPoolExecutor(max_workers=p.workers, initializer=_worker_init,
                                 initargs=(str(log_path), warmup, fork)) as pool:
            futures = {pool.submit(render_job, job): job for job in p.jobs}
            try:
                for done, fut in enumerate(as_completed(futures), start=1):
                    job = futures[fut]
                    try:
                        r = fut.result()
                    except Exception as exc:  # a worker died (e.g. out of memory)
                        r = Result(job.lesson, job.label, "failed", error=f"worker crashed: {exc!r}")
                    results[job] = r
                    if progress:
                        progress(done, len(p.jobs), r)
            except KeyboardInterrupt:
                for f in futures:
                    f.cancel()
                raise
        wall = time.perf_counter() - t0
        write_reference_pages(p.out, p.course)
        write_index(p.out, p.all_lessons, p.course.version)
    return [results[j] for j in p.jobs], wall
