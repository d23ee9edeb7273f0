"""`turn-east`: the course's command line. It only wires; the work is in the modules.

    turn-east validate [DATA_DIR]     check the course data (tables and quiz bank)
    turn-east handouts [...]          render lessons to build/handouts/
    turn-east figures [...]           every chart as PNG/SVG/PDF for slides and print
    turn-east decks [...]             a slide deck per lesson (reveal.js, offline) in build/slides/
    turn-east exercises [...]         generate exercises/ from solutions/
    turn-east workspace [...]         copy the exercises into my-work/
    turn-east lesson-metadata [--check]  set the lessons' slide types, collapse leader notes (also: slides)
    turn-east refresh [--check]       after a data edit: rewrite the numbers in prose and the checked outputs
                                      it made stale, only in the notebooks it affects
    turn-east refresh-checked-outputs the checked outputs only (tag nbval-check-output)
    turn-east hub-links --hub URL     nbgitpuller links to every lesson and exercise on a JupyterHub
    turn-east release OUT [--zip]     the course for students: no solutions, no leader notes, answers sealed
    turn-east site [...]              the course website in build/site/ (needs the [site] extra)
    turn-east grade SUBMISSIONS --out DIR    grade a class's exercise notebooks (gradebook, feedback pages)
    turn-east nbgrader-export DIR     the exercises as an nbgrader course folder
    turn-east agreement FOLDER        how far a class's codings of the held-out events agree
"""

from __future__ import annotations

import argparse
import sys

from turn_east import data
from turn_east.make import agreement, exercises, export, hub, refresh, release, site, slides, workspace
from turn_east.make.decks import cli as decks
from turn_east.make.grade import cli as grade
from turn_east.make.grade import nbgrader_export
from turn_east.make.handouts import cli as handouts


def _validate(args) -> int:
    if args.fix_line_endings:
        for name in data.fix_line_endings(args.data_dir):
            print(f"{name}: line endings rewritten as LF", file=sys.stderr)
    problems = data.validate(args.data_dir)
    if not problems:
        course = data.load_course(args.data_dir)
        print(data.summary(course))
        for note in data.notes(course):
            print(f"note: {note}", file=sys.stderr)
        return 0
    for p in problems:
        print(p)
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", file=sys.stderr)
    return 1


def _add_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("data_dir", nargs="?", default=None, help="data folder (default: the bundled data/)")
    p.add_argument("--fix-line-endings", action="store_true",
                   help="first rewrite every CSV file whose lines do not all end in LF (only the line endings "
                        "change), then validate")


# (name, help, add_arguments, run)
COMMANDS = (
    ("validate", "check the course data (exit 1 with one line per problem)", _add_validate, _validate),
    ("handouts", "render lessons to offline HTML handouts in build/handouts/", handouts.add_arguments, handouts.run),
    ("figures", "write every chart of the course as an image (offline)", export.add_arguments, export.run),
    ("decks", "a slide deck per lesson for the projector (offline reveal.js) in build/slides/",
     decks.add_arguments, decks.run),
    ("exercises", "generate exercises/ from solutions/ (idempotent)", exercises.add_arguments, exercises.run),
    ("workspace", "copy the exercises into my-work/ (never overwrites)", workspace.add_arguments, workspace.run),
    ("lesson-metadata", "set every lesson cell's slide type and collapse the leader notes", slides.add_arguments,
     slides.run),
    ("slides", "the same as lesson-metadata (kept for old scripts)", slides.add_arguments, slides.run),
    ("refresh", "after a data edit, rewrite what it made stale (numbers in lesson prose, checked outputs), only "
                "in the notebooks it affects; --check lists it and changes nothing", refresh.add_arguments, refresh.run),
    ("refresh-checked-outputs", "store the reference outputs of checked cells (tag nbval-check-output) that differ",
     refresh.add_checked_only_arguments, refresh.run),
    ("hub-links", "print an nbgitpuller link for every lesson and exercise, for a JupyterHub",
     hub.add_arguments, hub.run),
    ("release", "write the course for students: no solutions or leader notes, quiz answers sealed",
     release.add_arguments, release.run),
    ("site", "build the course website into build/site/ (Sphinx; needs the [site] extra)",
     site.add_arguments, site.run),
    ("grade", "grade a class's exercise notebooks: gradebook.csv and a feedback page per student",
     grade.add_arguments, grade.run),
    ("nbgrader-export", "write the exercises as an nbgrader course folder (source/ assignments, nbgrader_config.py)",
     nbgrader_export.add_arguments, nbgrader_export.run),
    ("agreement", "measure how far a class's codings of the held-out events agree (Krippendorff's alpha)",
     agreement.add_arguments, agreement.run),
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
