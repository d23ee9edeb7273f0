"""`turn-east`: the course's command line. It only wires; the work is in the modules.

    turn-east validate [DATA_DIR]     check the course data
    turn-east handouts [...]          render lessons to build/handouts/
    turn-east exercises [...]         generate exercises/ from solutions/
    turn-east workspace [...]         copy the exercises into my-work/
    turn-east figures [...]           every chart as PNG/SVG/PDF for slides and print
    turn-east hub-links --hub URL     nbgitpuller links to every lesson and exercise on a JupyterHub
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommands that live in their own modules: each exposes register(subparsers) and run(args).
PLUGINS = ("handouts", "practice", "hub")


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


def _figures(args) -> int:
    from turn_east import charts, data
    from turn_east.export import ExportError, write_images

    try:
        course = data.load_course(args.data_dir)
        paths = write_images(charts.all_figures(course), args.out, format=args.format,
                             width=args.width, height=args.height)
    except data.DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    except ExportError as exc:
        print(f"turn-east figures: {exc}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    print(f"{len(paths)} figure(s) written to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="turn-east", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("validate", help="check the course data (exit 1 with one line per problem)")
    p.add_argument("data_dir", nargs="?", default=None, help="data folder (default: the bundled data/)")
    p.set_defaults(func=_validate)
    f = sub.add_parser("figures", help="write every chart of the course as an image (offline)")
    f.add_argument("--out", default="build/figures", help="folder for the images (default: build/figures)")
    f.add_argument("--format", default="png", choices=["png", "svg", "pdf", "jpeg", "webp"])
    f.add_argument("--width", type=int, default=1200)
    f.add_argument("--height", type=int, default=700)
    f.add_argument("--data-dir", default=None, help="data folder (default: the bundled data/)")
    f.set_defaults(func=_figures)
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
