"""Keep notebook outputs out of git, so a student's saved run never blocks ``git pull``.

A student runs a lesson in JupyterLab and the outputs are saved into the file. Three parts
keep git from seeing them:

* The clean filter. ``.gitattributes`` sends every notebook through :func:`clean` on its way
  into git (``git add``, ``git status``, ``git diff``, ``git pull``). It is nbstripout's
  ``strip_output`` (outputs, execution counts and front-end metadata go; cell ids stay), plus
  what this course needs on top:

  - a cell nbval checks (tagged ``nbval-check-output``; the rule is
    :func:`turn_east.nbfiles.is_checked_output_cell`) keeps its output: it is the reference
    nbval compares against. It also keeps the execution count 1 that
    ``turn-east refresh`` gives it, because nbval treats a cell whose
    count is None as never run and refuses one that has outputs; nbstripout's own
    ``keep_output`` metadata keeps the outputs but not the count;
  - what JupyterLab rewrites on every save is pinned: ``language_info`` keeps only its name
    and the python3 kernelspec the display name the course commits.

  Git runs it as a long-running process (``filter.nbstripout.process``): one Python start
  per git command, not one per notebook.

* :func:`install`, run by the set-up (``make venv``): writes the filter into the checkout's
  git config. Outside a git checkout (a student release) there is nothing to install, nor in a folder
  inside a checkout that is not its top (a release written into ``build/``).

* :func:`refresh` and the Jupyter post-save hook :func:`refresh_after_save` (``make lab``
  installs it). Git believes a file whose size changed has changed without running the
  filter, so after a save that changed only outputs, ``git status`` would list the lesson and
  ``git pull`` would refuse to update it. When the saved file, cleaned, is exactly what git
  holds, they tell git to look at the content again (``git update-index --cacheinfo``):
  ``git status`` stays clean and ``git pull`` updates the lesson. A real change (a student's
  edit to a lesson's text or code) is left for git to report.

    python -m turn_east.make.gitfilter install [--quiet]   set up the filter in this git checkout
    python -m turn_east.make.gitfilter refresh [PATH ...]  forget saved outputs (before git pull)
    python -m turn_east.make.gitfilter clean [PATH]        stdin to stdout, as git's clean filter
    python -m turn_east.make.gitfilter process             git's long-running filter protocol
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

FILTER = "nbstripout"  # the driver name nbstripout uses, so `nbstripout --status` recognises it
KERNEL_DISPLAY_NAMES = {"python3": "Python 3"}  # the kernelspec label every course notebook commits
# nbstripout's default extra keys (its command line adds them; the library does not), and
# JupyterLab's "outputs hidden" flag, meaningless once the outputs are gone.
EXTRA_KEYS = ["metadata.signature", "metadata.widgets", "cell.metadata.collapsed", "cell.metadata.ExecuteTime",
              "cell.metadata.execution", "cell.metadata.heading_collapsed", "cell.metadata.hidden",
              "cell.metadata.scrolled", "cell.metadata.jupyter.outputs_hidden"]
REFERENCE_OUTPUTS = ("stream", "execute_result")  # what turn_east.make.refresh stores as a checked cell's reference


class NotebookError(ValueError):
    """A file git should store as a notebook is not one."""


def _reference(outputs: list) -> list:
    """A checked cell's outputs as the reference: streams merged as nbval merges them, count 1 (also
    ``turn_east.make.refresh.reference``). Changes the outputs it is given."""
    kept = []
    for out in outputs:
        if out.get("output_type") not in REFERENCE_OUTPUTS:
            continue
        if (out["output_type"] == "stream" and kept and kept[-1].get("output_type") == "stream"
                and kept[-1].get("name") == out.get("name")):
            kept[-1]["text"] = kept[-1]["text"] + out["text"]
            continue
        if "execution_count" in out:
            out["execution_count"] = 1
        kept.append(out)
    return kept


def clean(text: str, path: str = "<stdin>") -> str:
    """The notebook as git stores it: no outputs but the checked cells' references (see above)."""
    import nbformat
    from nbstripout import strip_output

    from turn_east import nbfiles
    from turn_east.nbfiles import is_checked_output_cell

    try:
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
        cells = nb.cells
    except Exception as exc:  # not JSON, or JSON that is no notebook (nbformat raises several types)
        raise NotebookError(f"{path}: not a notebook ({type(exc).__name__}: {str(exc)[:200]}); fix the file, "
                            f"or restore the course's version with `git restore {path}`") from None
    references = {i: _reference(cell.get("outputs", [])) for i, cell in enumerate(cells)
                  if is_checked_output_cell(cell)}
    strip_output(nb, keep_output=False, keep_count=False, keep_id=True, extra_keys=EXTRA_KEYS)
    for i, outputs in references.items():
        nb.cells[i].outputs = outputs
        nb.cells[i].execution_count = 1 if outputs else None
    for cell in nb.cells:
        nbfiles.collapse_leader_note(cell)  # a note a leader opened and saved stays collapsed in git
        if cell.get("metadata", {}).get("jupyter") == {}:
            del cell.metadata["jupyter"]  # left empty by dropping outputs_hidden
    meta = nb.metadata
    if isinstance(meta.get("language_info"), dict) and "name" in meta.language_info:
        meta.language_info = {"name": meta.language_info["name"]}
    kernelspec = meta.get("kernelspec")
    if isinstance(kernelspec, dict) and kernelspec.get("name") in KERNEL_DISPLAY_NAMES:
        kernelspec["display_name"] = KERNEL_DISPLAY_NAMES[kernelspec["name"]]
    out = nbformat.writes(nb)
    return out if out.endswith("\n") else out + "\n"


# --- git's long-running filter protocol (gitattributes(5), "Long Running Filter Process") ---------

FLUSH = b"0000"
MAX_PACKET = 65516


class ProtocolError(RuntimeError):
    pass


def _read_packet(stream) -> bytes | None:
    """One pkt-line's payload; None for a flush packet. EOFError when git has closed the pipe."""
    head = stream.read(4)
    if not head:
        raise EOFError
    if len(head) < 4:
        raise ProtocolError(f"truncated pkt-line header {head!r}")
    size = int(head, 16)
    if size == 0:
        return None
    if size < 4:
        raise ProtocolError(f"bad pkt-line length {size}")
    data = stream.read(size - 4)
    if len(data) != size - 4:
        raise ProtocolError("truncated pkt-line")
    return data


def _read_lines(stream) -> list[str]:
    lines = []
    while (packet := _read_packet(stream)) is not None:
        lines.append(packet.decode("utf-8").rstrip("\n"))
    return lines


def _read_content(stream) -> bytes:
    chunks = []
    while (packet := _read_packet(stream)) is not None:
        chunks.append(packet)
    return b"".join(chunks)


def _write_lines(stream, *lines: str) -> None:
    for line in lines:
        data = (line + "\n").encode("utf-8")
        stream.write(b"%04x" % (len(data) + 4) + data)
    stream.write(FLUSH)


def _write_content(stream, data: bytes) -> None:
    for start in range(0, len(data), MAX_PACKET):
        chunk = data[start:start + MAX_PACKET]
        stream.write(b"%04x" % (len(chunk) + 4) + chunk)
    stream.write(FLUSH)


def serve(stdin, stdout, stderr=sys.stderr, available: bool = True) -> int:
    """Answer git's clean requests until git closes the pipe. Smudge is not offered (checkout writes
    the blob as it is), so checking out never needs this process.

    ``available=False`` (no .venv: see :func:`filter_command`) answers every request with an error
    status, which git, as the filter is not ``required``, takes as "store the file as it is": git keeps
    working, and saved outputs show as changes until `make venv` brings the filter back."""
    welcome = _read_lines(stdin)
    if welcome[:1] != ["git-filter-client"] or "version=2" not in welcome:
        raise ProtocolError(f"expected git-filter-client version=2, got {welcome}")
    _write_lines(stdout, "git-filter-server", "version=2")
    capabilities = _read_lines(stdin)
    _write_lines(stdout, *[c for c in capabilities if c == "capability=clean"])
    stdout.flush()
    while True:
        try:
            request = dict(line.split("=", 1) for line in _read_lines(stdin) if "=" in line)
        except EOFError:
            return 0
        content = _read_content(stdin)
        path = request.get("pathname", "<unknown>")
        if not available:
            _write_lines(stdout, "status=error")
            stdout.flush()
            continue
        try:
            if request.get("command") != "clean":
                raise NotebookError(f"{path}: unsupported filter command {request.get('command')!r}")
            result = clean(content.decode("utf-8"), path).encode("utf-8")
        except Exception as exc:  # one bad notebook must not stop the filter for the others
            print(f"turn-east notebook filter: {exc}", file=stderr)
            _write_lines(stdout, "status=error")
            stdout.flush()
            continue
        _write_lines(stdout, "status=success")
        _write_content(stdout, result)
        stdout.write(FLUSH)  # an empty list: the status stays "success"
        stdout.flush()


# --- set-up -------------------------------------------------------------------------------------

def _git(*args: str, cwd=None, check: bool = True, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=check)


def git_toplevel(cwd=None) -> Path | None:
    """The work tree's top folder, or None outside a git checkout (or where git is missing)."""
    try:
        done = _git("rev-parse", "--show-toplevel", cwd=cwd, check=False)
    except FileNotFoundError:
        return None
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace")
        if "dubious ownership" in err:
            raise RuntimeError(err.strip())
        return None
    return Path(done.stdout.decode().strip())


FALLBACK = "src/turn_east/make/gitfilter.py"  # run by path with the system's python3 when .venv is missing


def filter_command(top: Path, python: str | None = None) -> str:
    """How git starts this module: the checkout's own .venv by a relative path (git runs filters from
    the top of the work tree, so every git worktree uses its own .venv), else this interpreter.

    With .venv, the command is wrapped so that a checkout whose .venv is missing (deleted, or a fresh
    ``git worktree add``) does not make every git command fail ("the remote end hung up"): this file
    then runs with the system's python3, needs nothing but the standard library, warns once and
    lets git store notebooks as they are (:func:`serve` with ``available=False``)."""
    exe = Path(python or sys.executable)
    try:
        rel = exe.absolute().relative_to(top.absolute() / ".venv")
    except ValueError:
        return f"{shlex.quote(str(exe.absolute()))} -m turn_east.make.gitfilter"
    runner = shlex.quote(str(Path(".venv") / rel))
    script = (f"if [ -x {runner} ]; then exec {runner} -m turn_east.make.gitfilter \"$@\"; "
              f"else exec python3 {FALLBACK} unavailable \"$@\"; fi")
    return f"sh -c {shlex.quote(script)} turn-east-filter"


def wanted_config(top: Path, python: str | None = None) -> dict[str, str]:
    cmd = filter_command(top, python)
    return {f"filter.{FILTER}.process": f"{cmd} process",
            f"filter.{FILTER}.clean": f"{cmd} clean %f"}  # for git < 2.11, and for `nbstripout --status`


def install(cwd=None, quiet: bool = False, python: str | None = None, out=sys.stdout) -> int:
    """Write the filter into the git config of the checkout around cwd; nothing outside git.

    quiet: say nothing outside a git checkout (the Makefile runs this before every target)."""
    try:
        top = git_toplevel(cwd)
    except RuntimeError as exc:  # git refuses this checkout to this user: so will every git command
        print(f"turn-east: warning: no notebook filter set up, git refuses this folder: {exc}", file=sys.stderr)
        return 0
    if top is None:
        if not quiet:
            print("turn-east: not a git checkout; no notebook filter needed", file=out)
        return 0
    here = Path(cwd if cwd is not None else os.getcwd()).resolve()
    if here != top.resolve():
        # A course folder inside another checkout (a student release written into build/, say): the filter
        # belongs to that checkout's own set-up, and must not point git at this folder's .venv.
        if not quiet:
            print(f"turn-east: {here} is inside the git checkout {top}, not its top; no notebook filter set up "
                  "(run `make venv` at the top of a checkout)", file=out)
        return 0
    changed = []
    for key, value in wanted_config(top, python).items():
        now = _git("config", "--local", "--get", key, cwd=top, check=False).stdout.decode().strip()
        if now != value:
            _git("config", "--local", key, value, cwd=top)
            changed.append(key)
    # A `required` filter makes every checkout fail where .venv is missing (a fresh `git worktree add`);
    # without it, a missing .venv only means outputs show up as changes until `make venv`.
    if _git("config", "--local", "--get", f"filter.{FILTER}.required", cwd=top, check=False).returncode == 0:
        _git("config", "--local", "--unset", f"filter.{FILTER}.required", cwd=top)
        changed.append(f"filter.{FILTER}.required")
    attr = _git("check-attr", "filter", "--", "notebooks/00_course_map.ipynb", cwd=top, check=False)
    if not attr.stdout.decode().strip().endswith(f": {FILTER}"):
        print(f"turn-east: warning: {top / '.gitattributes'} does not send notebooks through the "
              f"'{FILTER}' filter; restore it with `git restore .gitattributes`", file=sys.stderr)
    if changed:
        print(f"turn-east: notebook outputs stay out of git in {top} (git config {', '.join(changed)})", file=out)
    return 0


# --- telling git that a saved notebook holds nothing new ----------------------------------------

def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _uses_filter(top: Path, rels: list[str]) -> set[str]:
    if not rels:
        return set()
    done = _git("check-attr", "-z", "filter", "--", *rels, cwd=top, check=False)
    fields = done.stdout.decode().split("\0")
    return {fields[i] for i in range(0, len(fields) - 2, 3) if fields[i + 2] == FILTER}


def refresh(paths=None, cwd=None) -> list[str]:
    """Tell git to recheck tracked notebooks whose cleaned content is what the index holds.

    paths: notebooks (default: every tracked notebook of the checkout around cwd that git may see as
    changed, i.e. whose size or time differs from what the index recorded). Returns the paths
    (relative to the top) whose index entry was renewed. A notebook with a real change, untracked, in
    conflict, or not valid JSON is left alone: git reports it as before.
    """
    top = git_toplevel(cwd)
    if top is None:
        return []
    if paths is None:  # the notebooks whose recorded size or time no longer match (no filter runs here)
        rels = [r for r in _git("diff-files", "--name-only", "-z", "--", "*.ipynb", cwd=top).stdout.decode()
                .split("\0") if r]
    else:
        rels = [os.path.relpath(Path(p).absolute(), top) for p in paths]
    if not rels:
        return []
    listed = _git("ls-files", "-s", "-z", "--", *rels, cwd=top).stdout.decode()
    entries = {}
    for record in filter(None, listed.split("\0")):
        info, rel = record.split("\t", 1)
        mode, sha, stage = info.split()
        entries.setdefault(rel, []).append((mode, sha, stage))
    renewed = []
    for rel in sorted(_uses_filter(top, list(entries))):
        if len(entries[rel]) != 1 or entries[rel][0][2] != "0":
            continue  # a merge conflict: git must keep reporting it
        mode, sha, _ = entries[rel][0]
        try:
            data = (top / rel).read_bytes()
            cleaned = clean(data.decode("utf-8"), rel).encode("utf-8")
        except (OSError, UnicodeDecodeError, NotebookError):
            continue
        if _blob_id(cleaned) != sha:
            continue
        # Re-registering the same blob resets the entry's recorded size, so git compares the content
        # (through the filter) the next time it looks, and finds it unchanged.
        if _git("update-index", "--cacheinfo", f"{mode},{sha},{rel}", cwd=top, check=False).returncode == 0:
            renewed.append(rel)
    return renewed


def refresh_after_save(os_path=None, model=None, contents_manager=None, **kwargs) -> None:
    """Jupyter server post-save hook (``--ContentsManager.post_save_hook``; ``make lab`` sets it)."""
    if not os_path or not str(os_path).endswith(".ipynb"):
        return
    try:
        renewed = refresh([os_path], cwd=Path(os_path).parent)
    except Exception as exc:  # a hook must never turn a good save into an error
        if contents_manager is not None:
            contents_manager.log.warning("turn-east: could not tell git about %s: %s", os_path, exc)
        return
    if renewed and contents_manager is not None:
        contents_manager.log.debug("turn-east: %s holds no change for git but outputs", renewed[0])


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    if command == "unavailable":  # started by path without .venv: see filter_command
        print("turn-east: the notebook filter needs the course's .venv, which is missing here; notebooks go "
              "into git as they are until you run `make venv`", file=sys.stderr)
        if args[1:2] == ["process"]:
            return serve(sys.stdin.buffer, sys.stdout.buffer, available=False)
        sys.stdout.buffer.write(sys.stdin.buffer.read())  # the one-shot clean: the file as it is
        return 0
    if command == "clean":
        path = args[1] if len(args) > 1 else "<stdin>"
        try:
            sys.stdout.buffer.write(clean(sys.stdin.buffer.read().decode("utf-8"), path).encode("utf-8"))
        except (NotebookError, UnicodeDecodeError) as exc:
            print(f"turn-east notebook filter: {exc}", file=sys.stderr)
            return 1
        return 0
    if command == "process":
        return serve(sys.stdin.buffer, sys.stdout.buffer)
    if command == "install":
        return install(quiet="--quiet" in args[1:])
    if command == "refresh":
        try:
            top = git_toplevel()
        except RuntimeError as exc:
            print(f"turn-east: {exc}", file=sys.stderr)
            return 1
        if top is None:
            print("turn-east: not a git checkout; nothing to refresh", file=sys.stderr)
            return 1
        renewed = refresh(args[1:] or None)
        for rel in renewed:
            print(f"unchanged but for outputs: {rel}")
        return 0
    print(__doc__.split("\n\n    ", 1)[-1] if "\n\n    " in __doc__ else __doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
