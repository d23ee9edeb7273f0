"""`turn-east`: the course's command line. It only wires; the work is in the modules.

    turn-east validate [DATA_DIR]     check the course data
    turn-east handouts [...]          render lessons to build/handouts/
    turn-east exercises [...]         generate exercises/ from solutions/
    turn-east workspace [...]         copy the exercises into my-work/
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommands that live in their own modules: each exposes register(subparsers) and run(args).
PLUGINS = ("handouts", "practice")


def _validate(args) -> int:
    from turn_east import data

    problems = data.validate(args.data_dir)
    if not problems:
        try:
            from turn_east import quiz
        except ImportError:
            quiz = None
        course = data.load_course(args.data_dir)
        if quiz is not None and hasattr(quiz, "load_bank"):
            try:
                quiz.load_bank(course)
            except data.DataError as exc:
                problems = exc.problems
        if not problems:
            print(data.summary(course))
            return 0
    for p in problems:
        print(p)
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="turn-east", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("validate", help="check the course data (exit 1 with one line per problem)")
    p.add_argument("data_dir", nargs="?", default=None, help="data folder (default: the bundled data/)")
    p.set_defaults(func=_validate)
    for name in PLUGINS:
        try:
            module = importlib.import_module(f"turn_east.{name}")
        except ImportError:
            continue
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
