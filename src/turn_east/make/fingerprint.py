"""What an execution of a lesson depends on, as one hash, so a later build can reuse it.

A lesson executed with papermill (:mod:`turn_east.make.execute`) depends on its notebook's cells,
the parameters injected, the course data it reads, the course's kernel-side code and the versions of
the libraries that draw its outputs. :func:`execution_fingerprint` hashes exactly these; the handouts
record the hash in the executed notebook's metadata (``metadata.turn_east.fingerprint``), and the
course website (:mod:`turn_east.make.site`) reuses an executed notebook whose recorded hash is the one
it would run now, instead of executing the lesson a second time.

What does not count: outputs saved in the lesson file (a student who ran it in place), execution
counts, front-end metadata, and the course-building code in ``turn_east.make`` (it never runs in a
lesson's kernel).
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path

from turn_east import nbfiles, paths
from turn_east.errors import NotebookFormatError

METADATA_KEY = "turn_east"
#: Libraries whose version changes what a lesson's outputs look like.
LIBRARIES = ("plotly", "pandas", "numpy", "ipywidgets")


def _library_versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = ""
    return out


@functools.lru_cache(maxsize=16)
def _folder_digest(folder: str, skip: tuple[str, ...] = ()) -> str:
    """Every file under ``folder`` (names and bytes, in name order), but for ``__pycache__`` and ``skip``."""
    h = hashlib.sha256()
    root = Path(folder)
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = f.relative_to(root).as_posix()
        if "__pycache__" in rel or rel.endswith(".pyc") or any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        h.update(rel.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def folder_digest(folder) -> str:
    """Every file under ``folder`` (names and bytes), as one hash; cached until :func:`clear_cache`."""
    return _folder_digest(str(Path(folder).resolve()))


def kernel_code_digest() -> str:
    """The package as a lesson's kernel runs it: everything but ``turn_east.make`` (and the data copy)."""
    return _folder_digest(str(paths.PACKAGE_DIR), ("make", "course_data"))


def data_digest(data_dir) -> str:
    return _folder_digest(str(Path(data_dir).resolve()))


def notebook_digest(path) -> str:
    """A notebook's cells as git stores them: type, source and tags; outputs and counts do not count."""
    try:
        with Path(path).open(encoding="utf-8") as fh:
            nb = json.load(fh)  # plain JSON: nbformat's validation would cost more than the hash
    except (OSError, ValueError) as exc:
        raise NotebookFormatError(f"{path}: not a readable notebook ({exc})") from exc
    cells = [(c.get("cell_type"), nbfiles.source(c), sorted(nbfiles.tags(c))) for c in nb.get("cells", [])]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name", "")
    return hashlib.sha256(json.dumps([kernel, cells], ensure_ascii=False).encode()).hexdigest()


def execution_fingerprint(notebook, parameters: dict, data_dir=None) -> str:
    """The hash of everything an execution of ``notebook`` with ``parameters`` depends on.

    ``data_dir``: the course data the lesson reads (a ``data_dir`` parameter wins; None: the course's
    own, as :func:`turn_east.paths.data_dir` finds it).
    """
    chosen = parameters.get("data_dir") or data_dir
    parts = {
        "notebook": notebook_digest(notebook),
        "parameters": sorted((k, repr(v)) for k, v in parameters.items()),
        "data": data_digest(paths.data_dir(chosen)),
        "code": kernel_code_digest(),
        "libraries": _library_versions(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def record(nb, fingerprint: str) -> None:
    """Write the fingerprint into an executed notebook's metadata (in place)."""
    nb.setdefault("metadata", {})[METADATA_KEY] = {"fingerprint": fingerprint}


def recorded(executed_path) -> str | None:
    """The fingerprint an executed notebook carries, or None (no file, not a notebook, none recorded)."""
    path = Path(executed_path)
    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8") as fh:
            nb = json.load(fh)
    except (OSError, ValueError):
        return None
    value = nb.get("metadata", {}).get(METADATA_KEY, {})
    return value.get("fingerprint") if isinstance(value, dict) else None


def clear_cache() -> None:
    """Forget the folder digests (a long-lived process whose data or code changed on disk)."""
    _folder_digest.cache_clear()
