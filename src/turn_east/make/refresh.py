"""``turn-east refresh``: after an edit of the data, bring up to date what the edit invalidates, only where it does.

What a data edit can make stale in the notebooks, and what this command rewrites:

* **numbers in prose** registered in :mod:`turn_east.make.prose` ("the six periods", "59 events") and the
  lessons' time tables (lessons.csv's minutes); a heading whose number changes takes the quiz bank's reread
  pointers to it along (``section`` in questions.csv, the only cells of the data this command writes);
* **checked outputs**: the reference outputs of the cells nbval compares (tag ``nbval-check-output``,
  :func:`turn_east.nbfiles.is_checked_output_cell`), the only outputs a notebook keeps in git.

Finding the notebooks an edit affects is cheap because a checked cell needs little: each notebook with checked
cells is cut down to them and the cells they depend on (:func:`checked_slice`: the parameters and set-up cells,
then every earlier cell that defines or changes a name they use, read with ``ast``), that slice runs in a
kernel (through :mod:`turn_east.make.execute`, forked from a warm process), and its outputs are compared with
the stored references: a notebook is written only when one differs. A slice that fails (a dependency the
analysis cannot see) is re-run as the whole notebook; ``--full`` always runs whole notebooks. nbval in
``make test`` executes every notebook in full, so a slice that ever differed from the full run would fail there.

The data are validated first: a refresh of invalid data would store wrong references, so it stops with the
problems. ``--check`` changes nothing and exits 1 when anything is stale (for CI, or before a commit).
``turn-east refresh-checked-outputs [NOTEBOOK ...]`` is the same command without the prose (kept for old
scripts).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import contextlib
import copy
import csv
import io
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from turn_east import nbfiles
from turn_east.paths import repo_root

FOLDERS = ("notebooks", "exercises", "solutions")
CELL_TIMEOUT_S = 120
#: Methods that change the object they are called on (and pandas methods called with ``inplace=...``), so a cell
#: calling them on a name "defines" it again.
MUTATORS = {"append", "extend", "insert", "update", "pop", "popitem", "remove", "clear", "sort", "reverse", "add",
            "discard", "setdefault"}
_BUILTINS = set(dir(builtins))


# ---------------------------------------------------------------- the slice a checked cell needs

@dataclass
class _Names:
    defines: set = field(default_factory=set)
    uses: set = field(default_factory=set)


def _base(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _targets(node, out: set) -> None:
    if isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            _targets(elt, out)
    else:
        name = _base(node)
        if name:
            out.add(name)


def names(code: str) -> _Names | None:
    """The names a code cell defines (assigns, imports, changes in place) and uses; None when it is not plain
    Python (a magic, a syntax error), which makes the caller run the whole notebook."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    found = _Names()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                _targets(t, found.defines)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            _targets(node.target, found.defines)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            _targets(node.optional_vars, found.defines)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.defines |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.defines.add(node.name)
        elif isinstance(node, ast.NamedExpr):
            _targets(node.target, found.defines)
        elif isinstance(node, ast.Delete):
            for t in node.targets:
                _targets(t, found.defines)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in MUTATORS or any(k.arg == "inplace" for k in node.keywords):
                name = _base(node.func.value)
                if name:
                    found.defines.add(name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.uses.add(node.id)
    found.uses -= _BUILTINS
    return found


def checked_slice(nb):
    """A copy of ``nb`` with only the cells its checked cells need (parameters, set-up, the checked cells and
    every earlier code cell that defines or changes a name they use, transitively); None when it has no checked
    cell, or when a cell cannot be read as Python (the whole notebook must run)."""
    cells = nb.cells
    checked = [i for i, c in enumerate(cells) if nbfiles.is_checked_output_cell(c)]
    if not checked:
        return None
    keep = set(checked)
    keep |= {i for i, c in enumerate(cells[:checked[-1]]) if c.cell_type == "code"
             and ("parameters" in nbfiles.tags(c) or nbfiles.is_setup_cell(c))}
    info = {}
    for i, c in enumerate(cells[:checked[-1] + 1]):
        if c.cell_type == "code":
            info[i] = names(nbfiles.source(c))
            if info[i] is None:
                return None
    needed = set().union(*(info[i].uses for i in keep))
    for i in range(checked[-1], -1, -1):
        if i in keep or i not in info:
            if i in info:
                needed |= info[i].uses
            continue
        if info[i].defines & needed:
            keep.add(i)
            needed |= info[i].uses
    out = copy.deepcopy(nb)
    out.cells = [copy.deepcopy(c) for i, c in enumerate(cells) if i in keep]
    for c in out.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    return out


# ---------------------------------------------------------------- running and comparing

def reference(outputs) -> list:
    """A checked cell's outputs as its stored reference: stream and execute_result, counted 1 (nbval compares
    only cells that look executed)."""
    from turn_east.make.gitfilter import _reference  # the one rule: the git filter stores references so too

    return _reference([copy.deepcopy(o) for o in outputs])


@dataclass
class Refreshed:
    path: Path
    checked: int = 0          # checked cells
    changed: int = 0          # of them, with a new reference
    how: str = ""             # slice | whole notebook | no checked cell
    note: str = ""


#: Run between two notebooks' slices in the one kernel they share: each slice starts from an empty namespace,
#: as its notebook would in a kernel of its own (the imported modules stay, which is the point).
RESET = "get_ipython().run_line_magic('reset', '-f')"


def _run_slices(slices: dict[Path, object]) -> tuple[dict[Path, list], dict[Path, str]]:
    """Run every notebook's slice in one kernel (per folder and kernel kind), one after another with the namespace
    emptied in between. Returns ({path: the executed slice's checked cells' reference outputs}, {path: why it
    failed})."""
    import nbformat

    from turn_east.make.execute import execute_in_kernel, kernel_name_of

    done, failed = {}, {}
    by_folder: dict[tuple[Path, str], list[Path]] = {}
    for path in slices:
        by_folder.setdefault((path.parent, kernel_name_of(path)), []).append(path)
    for (folder, kernel_name), paths in by_folder.items():
        batch = nbformat.v4.new_notebook(metadata=copy.deepcopy(slices[paths[0]].metadata))
        spans = {}
        for path in paths:
            batch.cells.append(nbformat.v4.new_code_cell(RESET))
            first = len(batch.cells)
            batch.cells += copy.deepcopy(slices[path].cells)
            spans[path] = (first, len(batch.cells))
        try:
            ran = execute_in_kernel(batch, cwd=folder, timeout=CELL_TIMEOUT_S, kernel_name=kernel_name,
                                    allow_errors=True)
        except Exception as exc:  # noqa: BLE001 - the kernel died: every notebook of the folder runs whole
            for path in paths:
                failed[path] = f"{type(exc).__name__}: {exc}"
            continue
        for path, (a, b) in spans.items():
            cells = ran.cells[a:b]
            errors = [o for c in cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
            if errors:
                failed[path] = f"{errors[0].get('ename')}: {errors[0].get('evalue')}"
            else:
                done[path] = [reference(c.outputs) for c in cells if nbfiles.is_checked_output_cell(c)]
    return done, failed


def _run_whole(paths: list[Path]) -> dict[Path, list]:
    """Run whole notebooks, each in a kernel of its own forked from a warm process (the next one starting while
    the current one runs); {path: its checked cells' reference outputs}."""
    from turn_east.make.execute import Kernels, execute_in_kernel, kernel_name_of

    out = {}
    kernels = Kernels(warmup="import turn_east.notebook", fork=True)
    try:
        for k, path in enumerate(paths):
            nb = nbfiles.read(path)
            ran = execute_in_kernel(nb, cwd=path.parent, timeout=CELL_TIMEOUT_S, kernel_name=kernel_name_of(path),
                                    kernels=kernels, prestart_next=k + 1 < len(paths))
            out[path] = [reference(c.outputs) for c in ran.cells if nbfiles.is_checked_output_cell(c)]
    finally:
        kernels.close()
    return out


def refresh_checked_outputs(paths, *, full: bool = False, write: bool = True) -> list[Refreshed]:
    """Compute the checked cells' outputs of every notebook in ``paths`` (their slices in one shared kernel, a
    notebook whose slice cannot be made or fails as a whole notebook; every notebook whole with ``full``) and
    store those that differ from the references (unless ``write`` is False); returns what was done per notebook."""
    results, notebooks, slices = [], {}, {}
    for path in map(Path, paths):
        nb = nbfiles.read(path)
        r = Refreshed(path, checked=sum(1 for c in nb.cells if nbfiles.is_checked_output_cell(c)))
        results.append(r)
        if not r.checked:
            r.how = "no checked cell"
            continue
        notebooks[path] = nb
        cut = None if full else checked_slice(nb)
        if cut is not None:
            slices[path] = cut
    new, failed = _run_slices(slices) if slices else ({}, {})
    whole = [p for p in notebooks if p not in new]
    new.update(_run_whole(whole) if whole else {})
    for r in results:
        if r.path not in notebooks:
            continue
        r.how = "slice" if r.path in slices and r.path not in failed else "whole notebook"
        if r.path in failed:
            r.note = f"its slice failed ({failed[r.path]}), so the whole notebook ran"
        nb = notebooks[r.path]
        for cell, outputs in zip([c for c in nb.cells if nbfiles.is_checked_output_cell(c)], new[r.path]):
            if [dict(o) for o in cell.outputs] != [dict(o) for o in outputs] or cell.execution_count != 1:
                r.changed += 1
                cell.outputs, cell.execution_count = outputs, 1
        if r.changed and write:
            for c in nb.cells:  # the file as git stores it: no output but the references
                if c.cell_type == "code" and not nbfiles.is_checked_output_cell(c):
                    c.outputs, c.execution_count = [], None
            nbfiles.write_if_changed(nb, r.path)
    return results


# ---------------------------------------------------------------- the quiz's pointers follow a renamed heading

def rename_sections(questions_csv: Path, changes) -> list[str]:
    """Set ``section`` to the new heading in every question of the lesson that pointed at the old one; returns
    the ids changed. Only those records are rewritten (the file keeps its bytes elsewhere, in LF)."""
    changes = {(lesson, old): new for lesson, old, new in changes if old != new}
    if not changes or not questions_csv.is_file():
        return []
    text = questions_csv.read_text(encoding="utf-8")
    records = []
    lines = list(io.StringIO(text, newline=""))    # the physical lines, as the csv reader sees them
    reader = csv.reader(iter(lines))
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    prev_line = 0
    for row in reader:
        records.append((row, starts[prev_line], starts[reader.line_num]))
        prev_line = reader.line_num
    header = records[0][0]
    lesson_col, section_col, id_col = header.index("lesson"), header.index("section"), header.index("id")
    changed, out, pos = [], [], 0
    for row, start, end in records[1:]:
        new = changes.get((row[lesson_col], row[section_col]))
        if new is None:
            continue
        row = list(row)
        row[section_col] = new
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(row)
        out += [text[pos:start], buf.getvalue()]
        pos = end
        changed.append(row[id_col])
    if changed:
        out.append(text[pos:])
        tmp = questions_csv.with_name(f".{questions_csv.name}.tmp")
        tmp.write_text("".join(out), encoding="utf-8")
        tmp.replace(questions_csv)
    return changed


# ---------------------------------------------------------------- the command

def course_folders(root: Path) -> tuple[Path, list[Path]]:
    return root / "data", [root / d for d in FOLDERS if (root / d).is_dir()]


def add_arguments(p: argparse.ArgumentParser, *, prose: bool = True) -> None:
    p.add_argument("notebooks", nargs="*", type=Path,
                   help="only these notebooks (default: every notebook in notebooks/, exercises/ and solutions/; "
                        "only those with checked cells or registered numbers are run or read)")
    p.add_argument("--check", action="store_true",
                   help="change nothing: list what is stale and exit 1 if anything is (for CI or before a commit)")
    p.add_argument("--full", action="store_true",
                   help="run whole notebooks instead of the checked cells and what they need (slower; the same "
                        "references)")
    p.add_argument("--course", type=Path, default=None, metavar="DIR",
                   help="the course folder holding data/ and notebooks/ (default: this repository); its data/ is "
                        "the data the notebooks are run with")
    p.set_defaults(prose=prose)


def add_checked_only_arguments(p: argparse.ArgumentParser) -> None:
    add_arguments(p, prose=False)


@contextlib.contextmanager
def _data_for_kernels(data_dir: Path | None):
    """Kernels started inside find the course data in ``data_dir`` (they inherit $TURN_EAST_DATA)."""
    if data_dir is None:
        yield
        return
    old = os.environ.get("TURN_EAST_DATA")
    os.environ["TURN_EAST_DATA"] = str(Path(data_dir).resolve())
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TURN_EAST_DATA", None)
        else:
            os.environ["TURN_EAST_DATA"] = old


def run(args) -> int:
    from turn_east import data
    from turn_east.make import prose as prose_values

    t0 = time.perf_counter()
    root = Path(args.course) if args.course else (repo_root() or Path.cwd())
    data_dir, folders = course_folders(root)
    problems = data.validate(data_dir)
    if problems:
        for p in problems:
            print(p)
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the data; fix them first "
              "(`turn-east validate`), then refresh", file=sys.stderr)
        return 1
    course = data.load_course(data_dir)
    stale = 0
    notebooks_dir = root / "notebooks"
    only = ({Path(p).stem for p in args.notebooks if Path(p).resolve().parent == notebooks_dir.resolve()}
            if args.notebooks else None)
    if args.prose and only != set():
        if args.check:
            found = prose_values.problems(prose_values.check(course, notebooks_dir, only))
            for f in found:
                print(f)
            stale += len(found)
        else:
            rewritten, wrong = prose_values.refresh(course, notebooks_dir, only)
            for f in rewritten:
                print(f"{f.path}, cell {f.cell}: '{' '.join(f.text.split())}' -> '{' '.join(f.new.split())}'")
            for f in wrong:
                print(f)
            stale += len(wrong)
            renamed = rename_sections(data_dir / "questions.csv", prose_values.heading_changes(rewritten))
            if renamed:
                print(f"{data_dir / 'questions.csv'}: section of {', '.join(renamed)} follows the renamed heading")
            if rewritten:
                course = data.load_course(data_dir)
    paths = args.notebooks or sorted(p for d in folders for p in d.glob("*.ipynb"))

    with _data_for_kernels(data_dir if args.course else None):
        results = refresh_checked_outputs(paths, full=args.full, write=not args.check)
    for r in results:
        if r.changed:
            print(f"{r.path}: {r.changed} of {r.checked} checked cell(s) {'stale' if args.check else 'refreshed'} "
                  f"({r.how})" + (f"; {r.note}" if r.note else ""))
        elif r.note:
            print(f"{r.path}: unchanged; {r.note}")
    ran = [r for r in results if r.checked]
    changed = [r for r in ran if r.changed]
    stale += len(changed) if args.check else 0
    print(f"{len(ran)} notebook(s) with checked cells run, {len(changed)} "
          f"{'stale' if args.check else 'changed'}, {len(ran) - len(changed)} unaffected, in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    after = data.validate(data_dir)
    for p in after:
        print(p)
    if args.check and stale:
        print(f"{stale} stale: run `turn-east refresh`", file=sys.stderr)
    return 1 if (after or (args.check and stale) or (not args.check and stale)) else 0

