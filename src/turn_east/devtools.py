"""Maintainer tools: ``python -m turn_east.devtools refresh-checked-outputs [NOTEBOOK ...]``.

Notebooks are committed without outputs, except cells that start with
``# NBVAL_CHECK_OUTPUT``: their output is the reference nbval compares against. After a
data change, this command executes the notebooks and stores the new reference outputs
(and nothing else) back into them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
MARK = "# NBVAL_CHECK_OUTPUT"


def _checked(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(MARK)


def refresh(path: Path, timeout: int = 120) -> int:
    nb = nbformat.read(path, as_version=4)
    if not any(_checked(c) for c in nb.cells):
        return 0
    run = nbformat.from_dict(nb)
    NotebookClient(run, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    n = 0
    for mine, done in zip(nb.cells, run.cells):
        if mine.cell_type == "code":
            mine.execution_count = None
            mine.outputs = []
            if _checked(mine):
                # nbval only compares cells that look executed, so the reference keeps a count (always 1).
                mine.execution_count = 1
                mine.outputs = [o for o in done.outputs if o.get("output_type") in ("stream", "execute_result")]
                for o in mine.outputs:
                    if "execution_count" in o:
                        o["execution_count"] = 1
                n += 1
    nbformat.write(nb, path)
    return n


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "refresh-checked-outputs":
        print(__doc__)
        return 2
    paths = [Path(a) for a in args[1:]] or sorted(p for d in ("notebooks", "exercises", "solutions")
                                                   for p in (ROOT / d).glob("*.ipynb"))
    for p in paths:
        print(f"{p}: {refresh(p)} checked cell(s) refreshed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
