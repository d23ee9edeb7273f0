"""Writing build outputs safely: every file goes to a temporary name in its folder and is renamed into
place, so a failed build never leaves a half-written file and the previous good one stays; a lock
per output folder, so two builds into the same folder cannot mix their files; and, for a tool whose
output is a whole folder (``turn-east grade``), the folder built beside its place and swapped in at the
end (:func:`staged_folder`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from turn_east.errors import UsageError

try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
except ImportError:  # Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_path(final: Path, suffix: str = ""):
    """Yield a temporary path in ``final``'s folder; on success it replaces ``final``, on error it is removed."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}.", suffix=suffix or f".tmp{final.suffix}")
    os.close(fd)
    os.chmod(tmp, FILE_MODE)  # mkstemp makes 0600; build outputs are for sharing
    try:
        yield Path(tmp)
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_atomic(final: Path, data: str | bytes) -> None:
    with atomic_path(final) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)


def write_if_changed(final: Path, data: str | bytes) -> Path:
    """``write_atomic`` unless ``final`` already holds exactly ``data`` (its time stamp then stays)."""
    final = Path(final)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not final.exists() or final.stat().st_size != len(raw) or final.read_bytes() != raw:
        write_atomic(final, raw)
    return final


@contextlib.contextmanager
def folder_lock(folder: Path, *, wait: float = 0.0, what: str = "a build"):
    """Hold ``folder/.turn-east.lock`` for the length of a build into ``folder``.

    Another build that holds it makes this one wait up to ``wait`` seconds, then stop with a UsageError
    naming the folder and the other build's process id. The lock is an OS lock (flock): it is released
    when its process ends, however it ends, so a crashed build never leaves a stale lock behind.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".turn-east.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = path.read_text(errors="replace").strip() or "another process"
                raise UsageError(f"{folder} is in use by {what} still running ({holder}); wait for it to "
                                 "finish, or give another output folder")
            time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode())
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def staged_folder(final: Path, *, marker: str, what: str = "a build"):
    """Build a whole output folder at once: yield an empty folder beside ``final``; when the block succeeds
    it takes ``final``'s place (the previous one is removed), otherwise it is removed and ``final`` stays.

    ``final`` must not exist, be empty, or hold ``marker`` (a file an earlier run of the same tool left), so
    that a folder of other files is never replaced. A second run into the same ``final`` while this one
    works stops with a UsageError; a crashed run's leftover is removed by the next. Nothing stays beside
    ``final`` afterwards.
    """
    final = Path(final).absolute()
    if final.exists() and (not final.is_dir() or (any(final.iterdir()) and not (final / marker).exists())):
        raise UsageError(f"{final} exists and is not an output of {what}: give a new folder (nothing was written)")
    final.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{final.name}.staging-"
    stage = Path(tempfile.mkdtemp(dir=final.parent, prefix=prefix))
    fd = os.open(stage / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    _try_lock(fd)
    try:
        for other in final.parent.glob(prefix + "*"):
            if other == stage:
                continue
            other_fd = os.open(other / ".lock", os.O_RDWR | os.O_CREAT, 0o644) if other.is_dir() else None
            try:
                if other_fd is not None and not _try_lock(other_fd):
                    raise UsageError(f"{final} is being written by {what} still running; wait for it to finish, "
                                     "or give another output folder")
            finally:
                if other_fd is not None:
                    os.close(other_fd)
            shutil.rmtree(other, ignore_errors=True)  # left by a run that crashed
        yield stage
        (stage / marker).touch()
        os.close(fd)
        fd = None
        (stage / ".lock").unlink()
        if final.exists():
            old = final.parent / f".{final.name}.replaced-{os.getpid()}"
            os.replace(final, old)
            os.replace(stage, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, final)
    finally:
        if fd is not None:
            os.close(fd)
        shutil.rmtree(stage, ignore_errors=True)
