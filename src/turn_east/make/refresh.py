"""Maintainer tool: ``turn-east refresh-checked-outputs [NOTEBOOK ...]``.

Notebooks are committed without outputs, except the cells nbval checks (tagged
``nbval-check-output``, :func:`turn_east.nbfiles.is_checked_output_cell`): their output is the
reference nbval compares against. After a
data change, this command executes the notebooks and stores the new reference outputs
(and nothing else) back into them.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

from turn_east import nbfiles
from turn_east.make.execute import execute_in_kernel
from turn_east.paths import repo_folder

FOLDERS = ("notebooks", "exercises", "solutions")


def refresh(path: Path, timeout: int = 120) -> int:
    """Execute the notebook and store the outputs of its checked cells; returns how many were refreshed."""
    nb = nbfiles.read(path)
    if not any(nbfiles.is_checked_output_cell(c) for c in nb.cells):
        return 0
    run = execute_in_kernel(copy.deepcopy(nb), cwd=Path(path).parent, timeout=timeout)
    n = 0
    for mine, done in zip(nb.cells, run.cells):
        if mine.cell_type == "code":
            mine.execution_count = None
            mine.outputs = []
            if nbfiles.is_checked_output_cell(mine):
                # nbval only compares cells that look executed, so the reference keeps a count (always 1).
                mine.execution_count = 1
                mine.outputs = [o for o in done.outputs if o.get("output_type") in ("stream", "execute_result")]
                for o in mine.outputs:
                    if "execution_count" in o:
                        o["execution_count"] = 1
                n += 1
    nbfiles.write_if_changed(nb, path)
    return n


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebooks", nargs="*", type=Path,
                   help="notebooks to refresh (default: every notebook in notebooks/, exercises/, solutions/)")


def run(args) -> int:
    paths = args.notebooks or sorted(p for d in FOLDERS for p in repo_folder(d).glob("*.ipynb"))
    for p in paths:
        print(f"{p}: {refresh(p)} checked cell(s) refreshed")
    return 0
