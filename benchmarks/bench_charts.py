"""Time to build every chart of the course, and each figure's JSON size.

Targets (docs/ARCHITECTURE.md, issue "Interactive chart library"): all figures built in
under 1 s together, each figure's JSON under 200 KB. Plain printed output, no asserts:

    .venv/bin/python benchmarks/bench_charts.py [--repeat N] [--data-dir DIR]

Uses the bundled course data (or --data-dir); data that do not load stop the benchmark with
their problems.
"""
from __future__ import annotations

import argparse
import time

BUDGET_S = 1.0
BUDGET_KB = 200.0


def load(data_dir):
    from turn_east.data import load_course

    return load_course(data_dir), "bundled data" if data_dir is None else str(data_dir)


def builders():
    from turn_east import charts

    return [
        ("timeline", lambda c: charts.timeline(c)),
        ("timeline(color_by='actor')", lambda c: charts.timeline(c, color_by="actor")),
        ("timeline(start=None)", lambda c: charts.timeline(c, start=None)),
        ("timeline(stages=['stage-4'])", lambda c: charts.timeline(c, stages=["stage-4"])),
        ("relations_network", charts.relations_network),
        ("strategic_triangle", charts.strategic_triangle),
        ("northeast_asia_map", lambda c: charts.northeast_asia_map(c)),
        ("northeast_asia_map(stage='stage-4')", lambda c: charts.northeast_asia_map(c, stage="stage-4")),
        ("relations_heatmap", lambda c: charts.relations_heatmap(c)),
        ("activity_by_stage", lambda c: charts.activity_by_stage(c)),
        ("activity_by_stage(pairs=...)",
         lambda c: charts.activity_by_stage(c, pairs=[("RUS", "PRK"), ("RUS", "KOR"), ("RUS", "CHN")])),
        ("tone_by_stage", lambda c: charts.tone_by_stage(c)),
        ("stage_motive_matrix", charts.stage_motive_matrix),
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="builds per figure; the best time is kept")
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    import turn_east.charts  # noqa: F401  (import cost reported separately)
    t_import = time.perf_counter() - t0
    course, label = load(args.data_dir)
    print(f"course: {label}: {len(course.events)} events, {len(course.relations)} relations, "
          f"{len(course.places)} places")
    print(f"import turn_east.charts: {t_import * 1000:.0f} ms")
    print(f"{'figure':40s} {'build ms':>9s} {'to_json ms':>10s} {'JSON KB':>8s}")
    total_build = 0.0
    default_total = 0.0
    worst_kb = 0.0
    defaults = {"timeline", "timeline(color_by='actor')", "relations_network", "strategic_triangle",
                "northeast_asia_map", "relations_heatmap", "activity_by_stage", "tone_by_stage",
                "stage_motive_matrix"}
    for name, build in builders():
        best, best_json, fig = float("inf"), float("inf"), None
        for _ in range(max(1, args.repeat)):
            t = time.perf_counter()
            fig = build(course)
            best = min(best, time.perf_counter() - t)
            t = time.perf_counter()
            js = fig.to_json()
            best_json = min(best_json, time.perf_counter() - t)
        kb = len(js.encode("utf-8")) / 1024
        worst_kb = max(worst_kb, kb)
        total_build += best
        if name in defaults:
            default_total += best
        flag = "  OVER 200 KB" if kb > BUDGET_KB else ""
        print(f"{name:40s} {best * 1000:9.1f} {best_json * 1000:10.1f} {kb:8.1f}{flag}")
    print(f"all {len(builders())} figures: {total_build * 1000:.0f} ms; the course's "
          f"{len(defaults)} default charts: {default_total * 1000:.0f} ms "
          f"(target < {BUDGET_S * 1000:.0f} ms); largest JSON {worst_kb:.1f} KB (target < {BUDGET_KB:.0f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
