"""`turn-east`: the course's command line. It only wires; the work is in the modules.

    turn-east validate [DATA_DIR]     check the course data (tables and quiz bank)
    turn-east handouts [...]          render lessons to build/handouts/
    turn-east figures [...]           every chart as PNG/SVG/PDF for slides and print
    turn-east exercises [...]         generate exercises/ from solutions/
    turn-east workspace [...]         copy the exercises into my-work/
    turn-east slides [--check]        set the lessons' slide types (jupyterlab-rise)
    turn-east refresh-checked-outputs store the reference outputs of checked cells
    turn-east hub-links --hub URL     nbgitpuller links to every lesson and exercise on a JupyterHub
"""

from __future__ import annotations

import argparse
import sys

from turn_east import data
from turn_east.make import exercises, export, hub, refresh, slides, workspace
from turn_east.make.handouts import cli as handouts


def _validate(args) -> int:
    problems = data.validate(args.data_dir)
    if not problems:
        print(data.summary(data.load_course(args.data_dir)))
        return 0
    for p in problems:
        print(p)
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", file=sys.stderr)
    return 1


def _add_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("data_dir", nargs="?", default=None, help="data folder (default: the bundled data/)")


# (name, help, add_arguments, run)
COMMANDS = (
    ("validate", "check the course data (exit 1 with one line per problem)", _add_validate, _validate),
    ("handouts", "render lessons to offline HTML handouts in build/handouts/", handouts.add_arguments, handouts.run),
    ("figures", "write every chart of the course as an image (offline)", export.add_arguments, export.run),
    ("exercises", "generate exercises/ from solutions/ (idempotent)", exercises.add_arguments, exercises.run),
    ("workspace", "copy the exercises into my-work/ (never overwrites)", workspace.add_arguments, workspace.run),
    ("slides", "set every lesson cell's slide type for jupyterlab-rise", slides.add_arguments, slides.run),
    ("refresh-checked-outputs", "store the reference outputs of checked cells (tag nbval-check-output)",
     refresh.add_arguments, refresh.run),
    ("hub-links", "print an nbgitpuller link for every lesson and exercise, for a JupyterHub",
     hub.add_arguments, hub.run),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="turn-east", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_, add_arguments, run in COMMANDS:
        p = sub.add_parser(name, help=help_, description=help_[0].upper() + help_[1:] + ".")
        add_arguments(p)
        p.set_defaults(func=run)
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
