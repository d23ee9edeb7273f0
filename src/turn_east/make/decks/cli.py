"""`turn-east decks`: a slide deck per lesson in build/slides/, from the handouts' executed leader copies.

    turn-east decks                       # every lesson
    turn-east decks --lessons 05          # one lesson
    turn-east handouts --decks            # handouts and decks in one run (each lesson executed once)

A deck is made from ``build/executed/leader/<lesson>.ipynb``, the notebook ``turn-east handouts`` executed
for the leader handout. When that copy is missing or older than the lesson, the course data or the
package, the lesson is rendered first through the handouts (:mod:`turn_east.make.handouts`, the one path
that executes lessons), which also refreshes its leader handout; otherwise nothing is executed.
``--rerun`` renders every chosen lesson again.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from turn_east.errors import UsageError
from turn_east.make.decks import render
from turn_east.paths import PACKAGE_DIR
from turn_east.make.handouts.plan import jobs_arg


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lessons", nargs="+", metavar="ID",
                   help="lesson ids or prefixes (e.g. 05 11_motive), space- or comma-separated; default: all")
    p.add_argument("--out", default="build", metavar="DIR",
                   help="build folder (default: build/): decks go to DIR/slides/, executed lessons are read "
                        "from DIR/executed/leader/")
    p.add_argument("--jobs", "-j", type=jobs_arg, default=os.cpu_count() or 1, metavar="N",
                   help="parallel workers when lessons must be rendered first (default: the number of CPUs)")
    p.add_argument("--rerun", action="store_true",
                   help="render every chosen lesson again, even when its executed copy is up to date")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another run writing into the same --out folder")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines, only the summary")


def _newest(paths) -> float:
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def is_fresh(job, course) -> bool:
    """True when the executed leader copy of ``job`` was made with the job's parameters after the last change
    to its notebook, the course data and the package."""
    import json

    executed = Path(job.executed_path)
    if not executed.is_file():
        return False
    try:
        meta = json.loads(executed.read_text(encoding="utf-8")).get("metadata", {})
    except ValueError:
        return False
    if (meta.get("papermill") or {}).get("parameters") != dict(job.parameters):
        return False
    data = Path(course.data_dir) if course.data_dir else None
    sources = [Path(job.notebook), *(data.glob("*") if data else []), *PACKAGE_DIR.rglob("*.py")]
    return executed.stat().st_mtime >= _newest(sources)


def make_decks(out: Path, lesson_ids: list[str], course, *, quiet: bool = False) -> list[render.Deck]:
    """A deck for each lesson whose executed leader copy exists in ``out/executed/leader``."""
    from turn_east.quiz import lesson_quiz

    slides_dir = out / "slides"
    render.install_assets(slides_dir)
    decks = []
    all_ids = list(course.lesson_titles)
    for lid in lesson_ids:
        executed = out / "executed" / "leader" / f"{lid}.ipynb"
        if not executed.is_file():
            continue
        quiz = lesson_quiz(course, lid, audience="student", render="static")
        deck = render.write_deck(executed, slides_dir, course=course, lesson_ids=all_ids, quiz=quiz)
        decks.append(deck)
        if not quiet:
            print(f"deck {deck.path} ({deck.slides} slides, {deck.charts} charts)", file=sys.stderr)
    everything = []
    for lid in all_ids:  # the index lists every deck on disk, in lessons.csv order
        mine = [d for d in decks if d.lesson == lid]
        if mine:
            everything += mine
        elif (slides_dir / f"{lid}.html").is_file():
            everything.append(render.Deck(lid, course.lesson_titles[lid], slides_dir / f"{lid}.html", 0, 0, 0, 0))
    render.write_index(slides_dir, everything)
    return decks


def summary(decks) -> str:
    lines = [f"{'lesson':<36} {'slides':>6} {'charts':>6} {'notes':>5} {'words':>5}"]
    lines += [f"{d.lesson:<36} {d.slides:>6} {d.charts:>6} {d.notes:>5} {d.max_words:>5}" for d in decks]
    return "\n".join(lines)


def run(args) -> int:
    from turn_east.make.handouts.plan import make_plan
    from turn_east.make.handouts.render import render_all

    err = sys.stderr
    ns = argparse.Namespace(lessons=args.lessons, audience="leader", out=args.out, param=[], jobs=max(1, args.jobs),
                            pdf=False, paper="a4", cohort=None, notebooks_dir=None)
    try:
        render.reveal_source()
        plan = make_plan(ns)
    except UsageError as exc:
        print(f"turn-east decks: error: {exc}", file=err)
        return 2
    lessons = [ls.id for ls in plan.lessons if not ls.leader_only and plan.course.lesson(ls.id) is not None]
    if not lessons:
        print("turn-east decks: error: no lesson of lessons.csv among the chosen notebooks "
              f"({', '.join(ls.id for ls in plan.lessons)}); decks are made of lessons", file=err)
        return 2
    jobs = [j for j in plan.jobs if j.lesson in lessons]
    stale = [j for j in jobs if args.rerun or not is_fresh(j, plan.course)]
    for j in jobs:
        if j not in stale and not args.quiet:
            print(f"reusing {j.executed_path}", file=err)
    failed = []
    if stale:
        if not args.quiet:
            print(f"rendering {len(stale)} lesson(s) first (their executed copies are missing or out of date)",
                  file=err)
        workers = max(1, min(plan.workers, len(stale)))
        stale = [dataclasses.replace(j, prestart_next=i + workers < len(stale)) for i, j in enumerate(stale)]
        try:
            results, _ = render_all(dataclasses.replace(plan, jobs=stale, workers=workers),
                                    lock_wait=args.wait)
        except UsageError as exc:
            print(f"turn-east decks: error: {exc}", file=err)
            return 2
        failed = [r for r in results if r.status != "ok"]
        for r in failed:
            print(f"FAILED {r.lesson}: {r.error} (no deck)", file=err)
    ok = [lid for lid in lessons if lid not in {r.lesson for r in failed}]
    try:
        decks = make_decks(plan.out, ok, plan.course, quiet=args.quiet)
    except (UsageError, RuntimeError) as exc:
        print(f"turn-east decks: error: {exc}", file=err)
        return 1
    print(summary(decks))
    print(f"{len(decks)} deck(s) in {plan.out / 'slides'}; index: {plan.out / 'slides' / 'index.html'}")
    return 1 if failed else 0
