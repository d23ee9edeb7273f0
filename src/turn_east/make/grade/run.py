"""Running submissions: each in a fresh kernel, in a worker process of a pool, through the course's one
execution path (:mod:`turn_east.make.execute`: papermill on IPC kernels started with retries, the next
one started ahead, forked from a warm process on Linux).

A copy of the submission, with one cell appended (``ExerciseSpec.grading_cell``), runs in an empty
scratch folder. Every cell runs whatever the earlier ones raised; a cell past the cell time limit is
interrupted and the next one runs; past the notebook time limit the kernel is killed. The appended cell
reads each task's answer in the same kernel and checks it against a course loaded afresh
(:mod:`turn_east.practice.autograde`), and reports through one display output that only it makes.
The student's file is read, never written, and nothing of the run is kept but the executed copy.

Like nbgrader's tests, the checks trust the kernel they run in: a notebook written to tamper with the
course's modules in its own kernel could fool them. Ordinary mistakes cannot: a notebook that changes
its ``course`` or its ``practice`` object, or fakes the grader's output, changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import nbfiles
from turn_east.make.execute import KernelStartError, Kernels, NotebookTimeoutError, execute_notebook
from turn_east.make.grade.exercise import ANSWER_TAG, ExerciseSpec, sections
from turn_east.make.grade.submissions import Unreadable, ensure_python_kernel, read_submission
from turn_east.practice.autograde import MIME

CELL_TIMEOUT_S = 30
NOTEBOOK_TIMEOUT_S = 120
GRADER_TAG = "turn-east-grader"
# Grading kernels display figures as plotly's JSON only (the executed copies open in JupyterLab), so
# plotly's import looks at nothing else and can happen ahead, in the warm process kernels are forked
# from, with the course's modules and nbformat (which plotly imports to display a figure).
PLOTLY_RENDERER = "plotly_mimetype"
PRELOAD = ("nbformat", "IPython.display", "plotly.graph_objects", "plotly.io", "turn_east.data", "turn_east.charts",
           "turn_east.practice", "turn_east.practice.autograde")
# What a kernel started ahead imports while the previous submission runs (silently): the same modules,
# for kernels that are not forked (not Linux), and a no-op for those that are.
WARMUP = "\n".join(f"import {m}" for m in PRELOAD)


@dataclass(frozen=True)
class Job:
    student: str
    spec: ExerciseSpec
    path: str                  # "" when the student handed in no such file
    prestart_next: bool = False


@dataclass(frozen=True)
class CellError:
    section: str               # the heading the cell sits under
    cell: int                  # the cell's position in the notebook, from 1
    first_line: str
    ename: str
    evalue: str
    timed_out: bool            # interrupted at the cell time limit


@dataclass
class Outcome:
    """How one submission went. ``status``: graded | a :class:`Unreadable` status | timeout | crashed |
    grader-error (the grader's own failure: a kernel that never started)."""

    student: str
    exercise: str
    status: str
    reason: str = ""
    tasks: dict = field(default_factory=dict)       # task id -> {"status", "message", ...} from the kernel
    errors: list = field(default_factory=list)      # CellError, in notebook order
    written: dict = field(default_factory=dict)     # written task id -> the student's text ("" for none)
    seconds: float = 0.0
    executed: str = ""                              # the executed copy, relative to the output folder
    kernel: str = ""                                # how its kernel started, when that took a retry


def _first_line(source: str) -> str:
    """The cell's first line of code (comments skipped), to name the cell in feedback."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return next((line[:100] for line in lines if not line.startswith("#")), lines[0][:100] if lines else "")


def written_answers(nb, spec: ExerciseSpec) -> dict[str, str]:
    """The student's text for each written task: the cell tagged ``answer`` in the task's section (the
    exercise's prompt left as it is counts as no answer)."""
    import nbformat

    exercise = nbformat.read(str(spec.path), as_version=4)
    prompts = {nbfiles.source(c).strip() for c in exercise.cells if ANSWER_TAG in nbfiles.tags(c)}
    heads = sections(nb)
    out = {}
    for task in spec.written:
        texts = [nbfiles.source(c).strip() for c, h in zip(nb.cells, heads)
                 if h == task.section and c.cell_type == "markdown" and ANSWER_TAG in nbfiles.tags(c)]
        out[task.id] = "\n\n".join(_without_prompt(t) for t in texts if t and t not in prompts).strip()
    return out


def _without_prompt(text: str) -> str:
    """The student's words: the exercise's bold "Your answer:" label, which students keep, taken off."""
    return re.sub(r"^\s*\*\*\s*your answer:?\s*\*\*:?\s*", "", text, flags=re.IGNORECASE)


def cell_errors(nb) -> list[CellError]:
    heads = sections(nb)
    found = []
    for i, (cell, head) in enumerate(zip(nb.cells, heads), start=1):
        if cell.cell_type != "code" or GRADER_TAG in nbfiles.tags(cell):
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                found.append(CellError(head, i, _first_line(nbfiles.source(cell)), o.get("ename", ""),
                                       str(o.get("evalue", ""))[:300], o.get("ename") == "KeyboardInterrupt"))
    return found


def _grader_report(nb) -> tuple[dict | None, str]:
    """The grading cell's report, or (None, why it has none)."""
    cell = next((c for c in reversed(nb.cells) if GRADER_TAG in nbfiles.tags(c)), None)
    if cell is None:
        return None, "the grading cell is missing from the executed copy"
    for o in cell.get("outputs", []):
        if o.get("output_type") == "display_data" and MIME in o.get("data", {}):
            return o["data"][MIME], ""
        if o.get("output_type") == "error":
            if o.get("ename") == "KeyboardInterrupt":
                return None, "checking the answers took longer than the cell time limit"
            return None, f"checking the answers failed ({o.get('ename')}: {o.get('evalue')})"
    return None, "the grading cell did not run"


MAX_STREAM_CHARS = 100_000


def trim_outputs(nb) -> None:
    """Cut very long printed output (a loop that prints until it is stopped) so the executed copy stays small."""
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and len(o.get("text", "")) > MAX_STREAM_CHARS:
                text = o["text"]
                o["text"] = (text[:MAX_STREAM_CHARS // 2] + f"\n[... {len(text) - MAX_STREAM_CHARS:,} characters "
                             "left out by turn-east grade ...]\n" + text[-MAX_STREAM_CHARS // 2:])


def _clear(folder: Path) -> None:
    for p in folder.iterdir():
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def grade_job(job: Job, *, out: Path, scratch: Path, kernels: Kernels, cell_timeout: float,
              notebook_timeout: float) -> Outcome:
    """Run one submission and read its results; never raises (a problem becomes the outcome's status)."""
    import nbformat

    t0 = time.perf_counter()
    spec = job.spec
    outcome = Outcome(job.student, spec.name, "graded")
    try:
        try:
            nb = read_submission(Path(job.path) if job.path else None, spec, job.student)
        except Unreadable as exc:
            outcome.status, outcome.reason = exc.status, exc.reason
            return outcome
        outcome.written = written_answers(nb, spec)
        ensure_python_kernel(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            if GRADER_TAG in nbfiles.tags(cell):  # only the cell appended below may report to the grader
                cell.metadata["tags"] = [t for t in nbfiles.tags(cell) if t != GRADER_TAG]
        grader = nbformat.v4.new_code_cell(spec.grading_cell())
        grader.metadata["tags"] = [GRADER_TAG]
        nb.cells.append(grader)

        run_dir, result_dir = scratch / "run", scratch / "result"
        for d in (run_dir, result_dir):
            d.mkdir(parents=True, exist_ok=True)
            _clear(d)
        source, executed = run_dir / spec.name, result_dir / spec.name
        nbformat.write(nb, str(source))
        try:
            nb, start = execute_notebook(source, executed, {}, kernels=kernels, cwd=run_dir, timeout=cell_timeout,
                                         prestart_next=job.prestart_next, allow_errors=True,
                                         notebook_timeout=notebook_timeout)
        except NotebookTimeoutError:
            outcome.status = "timeout"
            outcome.reason = (f"The notebook did not finish within {notebook_timeout:g} s and was stopped, so no "
                              "task could be checked. Look for a loop that never ends, then run the notebook top to "
                              "bottom (Kernel > Restart Kernel and Run All Cells) before handing it in.")
            return outcome
        except KernelStartError as exc:
            outcome.status, outcome.reason = "grader-error", f"The grader could not start a kernel: {exc}"
            return outcome
        except Exception as exc:  # noqa: BLE001 - a kernel that died mid-run, and anything else
            if type(exc).__name__ == "DeadKernelError":
                outcome.status = "crashed"
                outcome.reason = ("The notebook's kernel stopped while it ran (the code ended its own process, "
                                  "e.g. with exit() or os._exit(), or used too much memory), so no task could be "
                                  "checked.")
            else:
                outcome.status, outcome.reason = "grader-error", f"{type(exc).__name__}: {exc}"
            return outcome
        outcome.kernel = start.describe()
        nb = nb if isinstance(nb, nbformat.NotebookNode) else nbformat.from_dict(nb)
        report, why = _grader_report(nb)
        outcome.errors = cell_errors(nb)
        if report is None:
            outcome.status, outcome.reason = "not-checked", f"No task could be checked: {why}."
        elif report.get("setup_error"):
            outcome.status = "grader-error"
            outcome.reason = f"The grader could not load the course in the kernel: {report['setup_error']}"
        else:
            outcome.tasks = dict(report.get("tasks", {}))
        nb.cells = [c for c in nb.cells if GRADER_TAG not in nbfiles.tags(c)]
        trim_outputs(nb)
        rel = Path("executed") / job.student / spec.name
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(out / rel))
        outcome.executed = rel.as_posix()
        return outcome
    except Exception as exc:  # noqa: BLE001 - one submission must never stop the batch
        outcome.status, outcome.reason = "grader-error", f"{type(exc).__name__}: {exc}"
        return outcome
    finally:
        outcome.seconds = time.perf_counter() - t0


# ---------------------------------------------------------------- the worker pool

_WORKER: dict = {}


def _worker_init(log_path: str, work_root: str, warmup: str, fork: bool, out: str, cell_timeout: float,
                 notebook_timeout: float) -> None:
    import logging
    import warnings
    from multiprocessing import util

    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)  # papermill's, nbclient's and the kernels' messages go to the log
    os.close(fd)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    os.environ["PLOTLY_RENDERER"] = PLOTLY_RENDERER  # inherited by the warm process and every kernel
    kernels = Kernels(warmup=warmup, fork=fork, preload=PRELOAD)
    util.Finalize(kernels, kernels.close, exitpriority=10)
    scratch = Path(work_root) / f"worker-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    _WORKER.update(kernels=kernels, scratch=scratch, out=Path(out), cell_timeout=cell_timeout,
                   notebook_timeout=notebook_timeout)


def _run(job: Job) -> Outcome:
    w = _WORKER
    return grade_job(job, out=w["out"], scratch=w["scratch"], kernels=w["kernels"], cell_timeout=w["cell_timeout"],
                     notebook_timeout=w["notebook_timeout"])


def needs_kernel(job: Job) -> bool:
    return bool(job.path)


def run_all(jobs: list[Job], *, out: Path, workers: int, cell_timeout: float = CELL_TIMEOUT_S,
            notebook_timeout: float = NOTEBOOK_TIMEOUT_S, progress=None, fork: bool = True) -> list[Outcome]:
    """Grade every job in a pool of ``workers`` processes, writing executed copies under ``out``;
    returns the outcomes in job order. ``progress(done, total, outcome)`` is called as each ends."""
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    log_path = out / "kernels.log"
    log_path.write_text("")
    # Missing files need no kernel: settle them here, so the workers only run notebooks.
    outcomes: dict[int, Outcome] = {}
    to_run = []
    for i, job in enumerate(jobs):
        if needs_kernel(job):
            to_run.append((i, job))
        else:
            outcomes[i] = grade_job(job, out=out, scratch=work, kernels=None, cell_timeout=cell_timeout,
                                    notebook_timeout=notebook_timeout)
    done = 0
    for i in sorted(outcomes):
        done += 1
        if progress:
            progress(done, len(jobs), outcomes[i])
    n_workers = max(1, min(workers, len(to_run) or 1))
    # The last job of each worker starts no kernel ahead.
    to_run = [(i, Job(j.student, j.spec, j.path, prestart_next=k + n_workers < len(to_run)))
              for k, (i, j) in enumerate(to_run)]
    import papermill  # noqa: F401 - imported before the fork, so every worker shares it

    if to_run:
        with ProcessPoolExecutor(max_workers=n_workers, initializer=_worker_init,
                                 initargs=(str(log_path), str(work), WARMUP, fork, str(out), cell_timeout,
                                           notebook_timeout)) as pool:
            futures = {pool.submit(_run, job): (i, job) for i, job in to_run}
            try:
                for fut in as_completed(futures):
                    i, job = futures[fut]
                    try:
                        outcome = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a worker died (out of memory, killed)
                        outcome = Outcome(job.student, job.spec.name, "grader-error",
                                          f"the grader's worker process died ({exc!r})")
                    outcomes[i] = outcome
                    done += 1
                    if progress:
                        progress(done, len(jobs), outcome)
            except KeyboardInterrupt:
                for f in futures:
                    f.cancel()
                raise
    shutil.rmtree(work, ignore_errors=True)
    return [outcomes[i] for i in range(len(jobs))]
