"""Copy the exercises into a student's own folder, never overwriting what is there."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from turn_east.paths import repo_folder


def make_workspace(exercises_dir: Path, dest: Path) -> tuple[list[str], list[str]]:
    """Copy every exercise notebook into dest. Returns (copied, skipped) file names.

    A file that already exists in dest is never touched: it may hold the student's answers.
    """
    exercises_dir, dest = Path(exercises_dir), Path(dest)
    if not exercises_dir.is_dir():
        raise FileNotFoundError(f"no exercises folder at {exercises_dir}; run `make exercises` first")
    dest.mkdir(parents=True, exist_ok=True)
    copied, skipped = [], []
    for src in sorted(exercises_dir.glob("*.ipynb")):
        target = dest / src.name
        if target.exists():
            skipped.append(src.name)
            continue
        tmp = target.with_name(f".{src.name}.copying")
        shutil.copyfile(src, tmp)
        try:
            # link() refuses an existing target, so a file the student made meanwhile is kept,
            # and a copy that fails half-way never appears under the real name.
            os.link(tmp, target)
            copied.append(src.name)
        except FileExistsError:
            skipped.append(src.name)
        finally:
            tmp.unlink(missing_ok=True)
    return copied, skipped


# ---------------------------------------------------------------- `turn-east workspace`

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--exercises", type=Path, default=repo_folder("exercises"))
    p.add_argument("--dest", type=Path, default=repo_folder("my-work"))


def run(args) -> int:
    try:
        copied, skipped = make_workspace(args.exercises, args.dest)
    except FileNotFoundError as exc:
        print(f"turn-east workspace: {exc}", file=sys.stderr)
        return 2
    for name in copied:
        print(f"copied   {args.dest.name}/{name}")
    for name in skipped:
        print(f"skipped  {args.dest.name}/{name} (already there: your work is kept)")
    print(f"{len(copied)} copied, {len(skipped)} skipped into {args.dest}")
    return 0
