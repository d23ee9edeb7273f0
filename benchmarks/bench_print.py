"""Benchmark the printed handouts: A4 (or Letter) page counts of every lesson, both copies, and what fills them.

    .venv/bin/python benchmarks/bench_print.py [--lessons 02 05] [--paper a4|letter] [--jobs 2] [--out DIR]

Renders the lessons with `turn-east handouts --pdf` (into a temporary folder unless --out is given) and prints,
per lesson and copy: pages, printed charts, the narrowest chart's plot area as a share of the text width
(target >= 75 %) and the widest line of text against the right margin. Target (issue 21): a stage lesson's
student handout under about 14 pages without dropping prose, charts or the quiz. The script reports; it never
fails on a target.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from turn_east.data import load_course  # noqa: E402
from turn_east.make import handouts  # noqa: E402

MM = 72 / 25.4
SIDE_MARGIN = 15 * MM
PLOT_FILL = 0xFC / 0xFF
TARGET_STAGE_PAGES = 14


def measure(pdf_path: Path) -> dict:
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        text_width = pdf.pages[0].width - 2 * SIDE_MARGIN
        shares, overflow = [], 0.0
        for page in pdf.pages:
            for obj in page.rects + page.curves:
                colour = obj.get("non_stroking_color")
                if isinstance(colour, (list, tuple)) and len(colour) >= 3 and obj["width"] > 50 and \
                        obj["height"] > 50 and all(abs(v - PLOT_FILL) < 0.0015 for v in colour[:3]):
                    shares.append(obj["width"] / text_width)
            if page.chars:
                overflow = max(overflow, max(c["x1"] for c in page.chars) - (page.width - SIDE_MARGIN))
        return {"pages": len(pdf.pages), "charts": len(shares), "narrowest": min(shares, default=None),
                "overflow": overflow}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lessons", nargs="+", help="lesson ids or prefixes (default: every lesson)")
    ap.add_argument("--paper", choices=("a4", "letter"), default="a4")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", help="keep the handouts here (default: a temporary folder)")
    args = ap.parse_args(argv)
    course = load_course()
    with contextlib.ExitStack() as stack:
        out = Path(args.out) if args.out else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-print-")))
        cmd = ["--out", str(out), "--pdf", "--paper", args.paper, "--jobs", str(args.jobs), "--quiet"]
        cmd += ["--lessons", *args.lessons] if args.lessons else []
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            rc = handouts.main(cmd)
        seconds = time.perf_counter() - t0
        if rc != 0:
            print(err.getvalue()[-3000:], file=sys.stderr)
            return rc
        print(f"{args.paper.upper()} handouts rendered and printed in {seconds:.0f} s ({args.jobs} workers)\n")
        print(f"{'lesson':<36} {'kind':<9} {'copy':<8} {'pages':>5} {'charts':>6} {'narrowest':>9} {'past margin':>11}")
        for lid, row in zip(course.lessons["id"], course.lessons.to_dict("records")):
            for audience in ("student", "leader"):
                pdf = out / "handouts" / audience / f"{lid}.pdf"
                if not pdf.exists():
                    continue
                m = measure(pdf)
                narrow = f"{m['narrowest']:.0%}" if m["narrowest"] is not None else "-"
                flag = " (target < 14)" if audience == "student" and row["kind"] == "stage" and \
                    m["pages"] >= TARGET_STAGE_PAGES else ""
                print(f"{lid:<36} {row['kind']:<9} {audience:<8} {m['pages']:>5} {m['charts']:>6} {narrow:>9} "
                      f"{m['overflow']:>+10.1f}pt{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
