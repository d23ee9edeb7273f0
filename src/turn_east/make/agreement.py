"""`turn-east agreement FOLDER`: the class exercise on coding. Reads every student's coding of the held-out events
from a folder of saved practice notebooks (``<student>/<exercise>.ipynb`` or ``<student>.ipynb``) or CSV codings,
and reports how far the coders agree (Krippendorff's alpha per field) and where they disagree most.

    turn-east agreement submissions/                      # a report on the terminal
    turn-east agreement submissions/ --lesson 02_stage_1_adjusting_to_asia --out build/agreement/

With ``--out``, it also writes codings.csv (every coding read), events.csv (per event: spread, splits, the course's
coding) and disputes.csv (event and field, most disputed first); each file is written whole or not at all.
Nothing in FOLDER is changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from turn_east.data import load_course
from turn_east.errors import TurnEastError
from turn_east.make.files import write_atomic
from turn_east.practice import agreement, collect_codings


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", type=Path, help="folder of saved practice notebooks or CSV codings")
    p.add_argument("--lesson", default=None, help="only this practice notebook's coding (a lesson id)")
    p.add_argument("--out", type=Path, default=None, help="also write codings.csv, events.csv and disputes.csv here")


def run(args) -> int:
    try:
        course = load_course()
        found = collect_codings(args.folder, course=course, lesson=args.lesson)
    except (FileNotFoundError, TurnEastError) as exc:
        print(f"turn-east agreement: {exc}", file=sys.stderr)
        return 2
    for problem in found.problems:
        print(f"not read: {problem}", file=sys.stderr)
    if found.codings.empty:
        print(f"turn-east agreement: no coding found in {args.folder}; expected saved practice notebooks "
              "(run them and save) or CSV files with the columns coder, event, goldstein, stage, motives",
              file=sys.stderr)
        return 1
    result = agreement(found.codings, course=course)
    print(result)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        codings = found.codings.assign(motives=found.codings["motives"].map(";".join))
        write_atomic(args.out / "codings.csv", codings.to_csv(index=False))
        write_atomic(args.out / "events.csv", result.by_event.to_csv(index=False))
        write_atomic(args.out / "disputes.csv", result.disputes.to_csv(index=False))
        print(f"wrote codings.csv, events.csv and disputes.csv to {args.out}")
    return 0
