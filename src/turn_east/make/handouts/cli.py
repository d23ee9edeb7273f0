"""`turn-east handouts`: the command line of the handouts (arguments, progress, summary, exit status)."""

from __future__ import annotations

import argparse
import os
import sys

from turn_east.make.handouts.plan import make_plan
from turn_east.make.handouts.render import Result, render_all
from turn_east.errors import UsageError
from turn_east.make.handouts.plan import jobs_arg

DESCRIPTION = "Printable, offline handouts: every lesson run with papermill, then exported to HTML."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lessons", nargs="+", metavar="ID",
                   help="lesson ids or prefixes (e.g. 02 03_stage_2), space- or comma-separated; default: all")
    p.add_argument("--audience", choices=("student", "leader", "both"), default=None,
                   help="which copies to render (default: both; with --cohort: only the cohort copies)")
    p.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build/)")
    p.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a lesson parameter (a Python literal, else a string), checked against every "
                        "notebook's parameters cell before anything runs; repeatable")
    p.add_argument("--jobs", "-j", type=jobs_arg, default=os.cpu_count() or 1, metavar="N",
                   help="parallel workers (default: the number of CPUs)")
    p.add_argument("--pdf", action="store_true", help="also print each handout to PDF with headless Chromium")
    p.add_argument("--self-contained", action="store_true",
                   help="write each HTML handout as one file with plotly.js (and a map's outlines) inside, to "
                        "e-mail or upload to a learning platform (about 5 MB, 7 MB with a map)")
    p.add_argument("--paper", choices=("a4", "letter"), default="a4",
                   help="paper size of the PDF and of a browser's Print (default: a4)")
    p.add_argument("--cohort", metavar="CSV",
                   help="students.csv with a 'name' column (optional 'id'): one personalised student copy per "
                        "student in handouts/cohort/<student>/")
    p.add_argument("--notebooks-dir", metavar="DIR", default=None,
                   help="render the notebooks in this folder instead of the course's lessons (tests, drafts)")
    p.add_argument("--decks", action="store_true",
                   help="also make a slide deck per lesson in OUT/slides/ from the leader copies this run "
                        "executes (needs the leader copies and the [slides] extra; see turn-east decks)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="when another run is writing into the same --out folder, wait this long for it to "
                        "finish (default: stop at once and say so)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines, only the summary")


def _fmt_size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n else "-"


def summary_table(results: list[Result]) -> str:
    w_lesson = max([len("lesson")] + [len(r.lesson) for r in results])
    w_aud = max([len("audience")] + [len(r.label) for r in results])
    lines = [f"{'lesson':<{w_lesson}}  {'audience':<{w_aud}}  {'status':<6}  {'seconds':>7}  {'size':>8}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        lines.append(f"{r.lesson:<{w_lesson}}  {r.label:<{w_aud}}  {r.status:<6}  {r.seconds:7.1f}  "
                     f"{_fmt_size(r.size):>8}")
    return "\n".join(lines)


def failure_report(r: Result) -> str:
    where = ""
    if r.cell_index is not None:
        where = f" in cell {r.cell_index} (0-based) `{r.cell_line}`"
    return f"FAILED {r.lesson} [{r.label}]{where}: {r.error}"


def stale_prose(p) -> list:
    """Numbers the planned lessons state that the data no longer give (:mod:`turn_east.make.prose`): a handout
    would print them as they are, so the command says so first (`turn-east refresh` rewrites them)."""
    from turn_east.make import prose

    out = []
    for folder in sorted({ls.notebook.parent for ls in p.lessons}):
        names = {ls.notebook.stem for ls in p.lessons if ls.notebook.parent == folder}
        found = prose.check(p.course, folder)
        out += [f for f in found if f.path.stem in names and f.status == "stale"]
    return out


def run(args) -> int:
    """Render handouts as the command line asks; returns the exit status (0 ok, 1 a job failed, 2 usage)."""
    err = sys.stderr
    try:
        p = make_plan(args)
        if getattr(args, "decks", False):
            from turn_east.make.decks import render as decks_render

            if "leader" not in p.audiences:
                raise UsageError("--decks is made from the leader copies: leave out --audience student (or --cohort)")
            decks_render.reveal_source()
    except UsageError as exc:
        print(f"turn-east handouts: error: {exc}", file=err)
        print("nothing was rendered", file=err)
        return 2

    handouts = p.out / "handouts"
    quiet = getattr(args, "quiet", False)
    for stale in stale_prose(p):
        print(f"warning: {stale}", file=err)
    if not quiet:
        who = list(p.audiences) + ([f"cohort of {len(p.cohort)}"] if p.cohort else [])
        print(f"rendering {len(p.jobs)} handout(s): {len(p.lessons)} lesson(s) x {', '.join(who)} "
              f"with {p.workers} worker(s) into {handouts}", file=err)

    def progress(done, total, r):
        if quiet:
            return
        extra = f"  {r.error}" if r.status != "ok" else f"  {_fmt_size(r.size)}"
        if r.kernel:
            extra += f"  ({r.kernel})"
        print(f"[{done:>{len(str(total))}}/{total}] {r.status:<6} {r.lesson} [{r.label}] {r.seconds:.1f} s{extra}",
              file=err, flush=True)

    try:
        results, wall = render_all(p, progress=progress, lock_wait=getattr(args, "wait", 0.0))
    except UsageError as exc:  # the output folder is in use by another run
        print(f"turn-east handouts: error: {exc}", file=err)
        print("nothing was rendered", file=err)
        return 2
    print(summary_table(results))
    failed = [r for r in results if r.status != "ok"]
    for r in results:
        for w in r.warnings:
            print(f"warning: {r.lesson} [{r.label}] loads from the internet: {w}", file=err)
        if r.kernel:
            print(f"note: {r.lesson} [{r.label}]: {r.kernel}", file=err)
    print(f"{len(results) - len(failed)} ok, {len(failed)} failed in {wall:.1f} s; index: {handouts / 'index.html'}")
    for r in failed:
        print(failure_report(r), file=err)
    if getattr(args, "decks", False):
        from turn_east.make.decks.cli import make_decks, summary

        done = {r.lesson for r in results if r.status == "ok" and r.label == "leader"}
        ids = [ls.id for ls in p.lessons if ls.id in done and p.course.lesson(ls.id) is not None]
        try:
            print(summary(make_decks(p.out, ids, p.course, quiet=quiet)))
        except RuntimeError as exc:
            print(f"turn-east handouts: decks: {exc}", file=err)
            return 1
    if failed:
        print(f"failed renders left the previous handouts in place; executed copies for debugging are in "
              f"{p.out / 'executed'}/*/*.failed.ipynb, kernel messages in {p.out / 'executed' / 'kernels.log'}",
              file=err)
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="turn-east handouts", description=DESCRIPTION)
    add_arguments(ap)
    return ap


def main(argv=None) -> int:
    return run(parser().parse_args(argv))
