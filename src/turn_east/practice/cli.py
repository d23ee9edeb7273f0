"""`turn-east exercises` and `turn-east workspace`."""

from __future__ import annotations

import sys
from pathlib import Path

from turn_east.practice.generate import GenerationError, generate_all
from turn_east.practice.workspace import make_workspace

ROOT = Path(__file__).resolve().parents[3]


def register(sub) -> None:
    p = sub.add_parser("exercises", help="generate exercises/ from solutions/ (idempotent)")
    p.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    p.add_argument("--exercises", type=Path, default=ROOT / "exercises")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if exercises are out of date")
    p.set_defaults(func=run_exercises)
    w = sub.add_parser("workspace", help="copy the exercises into my-work/ (never overwrites)")
    w.add_argument("--exercises", type=Path, default=ROOT / "exercises")
    w.add_argument("--dest", type=Path, default=ROOT / "my-work")
    w.set_defaults(func=run_workspace)


def run_exercises(args) -> int:
    try:
        changed, same = generate_all(args.solutions, args.exercises, check_only=args.check)
    except GenerationError as exc:
        print(f"turn-east exercises: {exc}", file=sys.stderr)
        return 2
    if args.check:
        for name in changed:
            print(f"out of date: exercises/{name}")
        print(f"{len(same)} exercise(s) up to date, {len(changed)} out of date"
              + ("; run `make exercises`" if changed else ""))
        return 1 if changed else 0
    for name in changed:
        print(f"wrote exercises/{name}")
    print(f"{len(changed)} exercise(s) written, {len(same)} already up to date")
    return 0


def run_workspace(args) -> int:
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
