"""The one path that executes notebooks: papermill, on kernels that start reliably.

Every builder that runs a lesson (handouts now; the grading and site builds later; the reference
outputs of ``turn-east refresh``) executes it here, so they all get the same three
guarantees:

* **IPC transport** where the platform has it (Linux, macOS): a kernel talks over Unix sockets named
  after itself, so two kernels started at the same moment cannot race for a TCP port (the cause of
  "Address already in use" kernels on a busy machine). TCP elsewhere.
* **Start-up failures are caught and retried.** A kernel whose process exits while starting is noticed
  at once (jupyter_client polls the process while it waits for the first reply), and the lesson gets a
  fresh kernel, up to ``retries`` more times; :class:`KernelStart` records what happened, for the report.
* **The next kernel starts early.** :class:`Kernels` keeps one kernel starting in the background
  (optionally importing the course's modules, silently) while the current lesson runs, so a lesson
  waits for neither the kernel's start nor its imports; for a batch, kernels can be forks of a warm
  process (:mod:`turn_east.make.zygote`), which spares each the heaviest imports.

Execution itself is papermill's (parameters injected after the ``parameters`` cell, errors reported
with the failing cell), through a papermill engine that takes the kernel handed to it
(:class:`ProvidedKernelEngine`, registered as ``turn-east``) and shuts it down afterwards.

For notebooks that are not the course's own (a student's submission, graded by ``turn-east grade``),
``execute_notebook`` can also run every cell whatever the earlier ones raised (``allow_errors``: a cell
over its time limit is interrupted and the next one runs) and stop the whole notebook after a time limit
(``notebook_timeout``: its kernel's process group is killed, :class:`NotebookTimeoutError`).
"""

from __future__ import annotations

import functools
import logging
import os
import queue
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_core.utils import run_sync
from traitlets import default

from turn_east.errors import TurnEastError
from turn_east.make.zygote import Zygote, ZygoteProvisioner, supported as zygote_supported

KERNEL_NAME = "python3"
START_TIMEOUT_S = 60
RETRIES = 2
ENGINE = "turn-east"


def ipc_supported() -> bool:
    """True where kernels can use Unix-socket (IPC) transport: not Windows, and libzmq built with it."""
    return sys.platform != "win32" and bool(zmq.has("ipc"))


TRANSPORT = "ipc" if ipc_supported() else "tcp"


def _ipc_path() -> str:
    # jupyter_client's own IPC default is a path relative to the working directory ("kernel-ipc-<n>"),
    # which breaks when the kernel runs in another folder than its client and can collide between
    # kernels: an absolute path, unique per kernel, avoids both.
    return os.path.join(tempfile.gettempdir(), f"te-kernel-{uuid.uuid4().hex[:12]}")


class CourseKernelManager(AsyncKernelManager):
    """The kernel manager of every course build (asyncio, as nbclient uses it): IPC where supported."""

    @default("transport")
    def _default_transport(self):
        return TRANSPORT

    @default("ip")
    def _default_ip(self):
        return _ipc_path() if self.transport == "ipc" else "127.0.0.1"


class BlockingCourseKernelManager(KernelManager):
    """The same transport for tools that drive kernels synchronously (nbval in the test suite)."""

    _default_transport = CourseKernelManager._default_transport
    _default_ip = CourseKernelManager._default_ip


class KernelStartError(TurnEastError, RuntimeError):
    """No kernel could be started for a notebook, even after the retries."""


class NotebookTimeoutError(TurnEastError, RuntimeError):
    """A notebook ran past its time limit; its kernel was stopped."""


@dataclass
class KernelStart:
    """How a notebook's kernel came to be: the attempts it took and why earlier ones failed."""

    attempts: int = 1
    failures: list[str] = field(default_factory=list)
    prestarted: bool = False
    seconds: float = 0.0      # waiting for the kernel to be ready (after the lesson asked for it)

    @property
    def retried(self) -> bool:
        return self.attempts > 1

    def describe(self) -> str:
        if not self.failures:
            return ""
        return (f"kernel start retried: {'; '.join(self.failures)}; "
                f"started on attempt {self.attempts}")


class _Pending:
    """A kernel being started: its manager, and a blocking client on its shell channel that sent it the
    warm-up code (or, without one, a kernel_info request), whose reply says that the kernel is up."""

    def __init__(self, kernel_name: str, cwd: str, warmup: str, zygote: Zygote | None = None):
        self.kernel_name, self.cwd, self.warmup = kernel_name, cwd, warmup
        self.km = CourseKernelManager(kernel_name=kernel_name)
        if zygote is not None:  # launch through the zygote (a fork) when the kernel is a plain ipykernel
            self.km.kernel_id = str(uuid.uuid4())
            self.km.provisioner = ZygoteProvisioner(kernel_id=self.km.kernel_id, kernel_spec=self.km.kernel_spec,
                                                    parent=self.km)
            self.km.provisioner.zygote = zygote
        self.kc = None
        self.waiting_for = None

    def start(self) -> "_Pending":
        run_sync(self.km.start_kernel)(cwd=self.cwd)
        self.kc = BlockingKernelClient(**self.km.get_connection_info(session=True),
                                       connection_file=self.km.connection_file)
        self.kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        # Sent at once: ZeroMQ queues the request until the kernel has bound its sockets, so the warm-up
        # runs as soon as the kernel is up, while the previous notebook is still executing.
        self.waiting_for = (self.kc.execute(self.warmup, silent=True, store_history=False) if self.warmup
                            else self.kc.kernel_info())
        return self

    def ready(self, timeout: float) -> None:
        """Wait for the kernel's reply; RuntimeError as soon as its process has ended, or after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.kc.get_shell_msg(timeout=0.2)
            except queue.Empty:
                msg = None
            if msg is not None and msg["parent_header"].get("msg_id") == self.waiting_for:
                return  # the warm-up's result does not matter: a notebook reports its own import errors
            if not run_sync(self.km.is_alive)():
                raise RuntimeError("the kernel's process has ended")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no reply from the kernel in {timeout:.0f} s")

    def why(self, exc: BaseException) -> str:
        """Why this kernel did not start, in a few words (its exit code when its process has ended)."""
        proc = getattr(self.km.provisioner, "process", None) if self.km.has_kernel else None
        code = proc.poll() if proc is not None else None
        if code is not None:
            return f"the kernel's process exited with code {code} while starting"
        return f"the kernel did not start ({type(exc).__name__}: {exc})"

    def release_client(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None

    def discard(self) -> None:
        """Shut the kernel down and remove its files, whatever state it is in."""
        self.release_client()
        shut_down(self.km)


def shut_down(km) -> None:
    """Stop a kernel at once (if it still runs) and remove its connection file and sockets."""
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - a kernel that is already gone
        pass
    finally:
        run_sync(km.cleanup_resources)()


class Kernels:
    """Kernels for one process that executes notebooks one after another.

    ``take(kernel_name, cwd)`` returns a kernel that has answered (started now, or ahead of time by
    ``prestart``), retrying a failed start up to ``retries`` times. ``warmup`` is code every kernel runs
    silently before its notebook (no output, no execution count), e.g. the imports all lessons share.
    ``fork``: start plain ipykernel kernels as forks of a warm process (:mod:`turn_east.make.zygote`,
    Linux), which spares each kernel the import of ipykernel, IPython, numpy and pandas; ``preload`` names
    more modules the warm process imports (see :class:`turn_east.make.zygote.Zygote`).
    """

    def __init__(self, *, warmup: str = "", retries: int = RETRIES, start_timeout: float = START_TIMEOUT_S,
                 fork: bool = False, preload: tuple[str, ...] = ()):
        self.warmup, self.retries, self.start_timeout = warmup, retries, start_timeout
        self.fork = fork and zygote_supported()
        self.preload = tuple(preload)
        self._spare: _Pending | None = None
        self._zygote: Zygote | None = None

    def _pending(self, kernel_name: str, cwd) -> _Pending:
        if self.fork and (self._zygote is None or self._zygote.proc.poll() is not None):
            try:
                self._zygote = Zygote(self.preload)
            except OSError:
                self.fork = False
        return _Pending(kernel_name, str(cwd), self.warmup, self._zygote if self.fork else None)

    def prestart(self, kernel_name: str, cwd) -> None:
        """Start the next notebook's kernel now, so that it is ready when asked for."""
        if self._spare is None:
            spare = self._pending(kernel_name, cwd)
            try:
                self._spare = spare.start()
            except Exception:  # noqa: BLE001 - take() starts (and retries) one when it is needed
                spare.discard()

    def take(self, kernel_name: str, cwd) -> tuple[AsyncKernelManager, KernelStart]:
        """A kernel that is ready, in ``cwd``; KernelStartError after ``retries`` failed attempts."""
        t0 = time.perf_counter()
        start = KernelStart(attempts=0)
        spare, self._spare = self._spare, None
        if spare is not None and (spare.kernel_name, spare.cwd) != (kernel_name, str(cwd)):
            spare.discard()
            spare = None
        start.prestarted = spare is not None
        while True:
            start.attempts += 1
            pending, spare = spare, None
            try:
                if pending is None:
                    pending = self._pending(kernel_name, cwd)
                    pending.start()
                pending.ready(self.start_timeout)
                pending.release_client()
                start.seconds = time.perf_counter() - t0
                return pending.km, start
            except Exception as exc:  # noqa: BLE001 - any failure to start is retried the same way
                start.failures.append(pending.why(exc))
                pending.discard()
                if start.attempts > self.retries:
                    raise KernelStartError(
                        f"no kernel '{kernel_name}' could be started in {start.attempts} attempts: "
                        + "; ".join(start.failures)) from exc

    def close(self) -> None:
        """Shut down a kernel started ahead that no notebook took, and the zygote."""
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.discard()
        zygote, self._zygote = self._zygote, None
        if zygote is not None:
            zygote.close()


# ---------------------------------------------------------------- papermill

@functools.cache
def _register_engine() -> None:
    """Register :class:`ProvidedKernelEngine` with papermill (once per process)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class ProvidedKernelEngine(NBClientEngine):
        """papermill's nbclient engine on a kernel it is given (``km``), which it shuts down afterwards."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            km = kwargs.pop("km")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logging.getLogger("papermill"),
                                 log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            # cleanup_kc: the client closes its channels and shuts the kernel down, as for its own kernels.
            return PapermillNotebookClient(nb_man, km=km, **final).execute(cleanup_kc=True)

    papermill_engines.register(ENGINE, ProvidedKernelEngine)


def kernel_name_of(notebook) -> str:
    """The kernel a notebook asks for in its metadata (``python3`` when it says nothing)."""
    import nbformat

    spec = nbformat.read(str(notebook), as_version=4).metadata.get("kernelspec") or {}
    return spec.get("name") or KERNEL_NAME


class _Watchdog:
    """Kills a kernel's process group (the kernel and whatever it started) after ``seconds``."""

    def __init__(self, km, seconds: float):
        self.km, self.seconds, self.fired = km, seconds, False
        self._timer = threading.Timer(seconds, self._kill)
        self._timer.daemon = True
        self._timer.start()

    def _kill(self) -> None:
        self.fired = True
        provisioner = getattr(self.km, "provisioner", None)
        pgid = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:  # already gone
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _without_papermill_markers(path):
    """The notebook papermill wrote at ``path`` after a failed cell, without the two marker cells it adds."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    nbformat.write(nb, str(path))
    return nb


def execute_notebook(notebook, output_path, parameters: dict, *, kernels: Kernels, cwd, timeout: float,
                     prestart_next: bool = False, allow_errors: bool = False,
                     notebook_timeout: float | None = None):
    """Execute ``notebook`` (a path) with papermill into ``output_path``, on the kernel its metadata
    names; returns (nb, KernelStart).

    ``timeout`` limits each cell. ``prestart_next`` starts the next notebook's kernel (the same kind, in
    the same ``cwd``) while this one runs.
    Raises papermill's PapermillExecutionError when a cell fails (the executed notebook, with the
    error, is written to ``output_path``), KernelStartError when no kernel starts.

    ``allow_errors``: every cell runs whatever the earlier ones raised, and a cell that runs past
    ``timeout`` is interrupted (its output ends with a KeyboardInterrupt) instead of failing the
    notebook; errors stay in the cells' outputs and nothing is raised for them.
    ``notebook_timeout``: seconds for the whole notebook (its kernel's start not counted); past it the
    kernel's process group is killed and NotebookTimeoutError is raised (nothing is written).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _register_engine()
    kernel_name = kernel_name_of(notebook)
    km, start = kernels.take(kernel_name, cwd)
    if prestart_next:
        kernels.prestart(kernel_name, cwd)
    lenient = {"allow_errors": True, "interrupt_on_timeout": True} if allow_errors else {}
    watchdog = _Watchdog(km, notebook_timeout) if notebook_timeout else None
    try:
        nb = pm.execute_notebook(str(notebook), str(output_path), parameters=parameters, engine_name=ENGINE,
                                 kernel_name=kernel_name, km=km, progress_bar=False, log_output=False,
                                 request_save_on_cell_execute=False, execution_timeout=timeout,
                                 shutdown_kernel="immediate", **lenient)
    except PapermillExecutionError:
        if watchdog is not None and watchdog.fired:
            raise NotebookTimeoutError(f"{notebook} did not finish in {notebook_timeout:g} s") from None
        if not allow_errors:
            raise
        nb = _without_papermill_markers(output_path)  # the errors are in the cells' outputs
    except Exception as exc:
        if watchdog is not None and watchdog.fired:
            raise NotebookTimeoutError(f"{notebook} did not finish in {notebook_timeout:g} s") from exc
        raise
    finally:
        if watchdog is not None:
            watchdog.cancel()
        shut_down(km)  # the engine has shut it down already, unless papermill failed before running it
    return nb, start


def execute_in_kernel(nb, *, cwd, timeout: float, kernel_name: str = KERNEL_NAME, kernels: Kernels | None = None,
                      prestart_next: bool = False, allow_errors: bool = False):
    """Execute a notebook node in a fresh kernel (no parameters, nothing written); returns it executed.
    ``kernels``: where the kernel comes from (default: one started now); ``prestart_next`` starts the next
    notebook's kernel (the same kind, in the same ``cwd``) while this one runs; ``allow_errors``: every cell runs
    whatever the earlier ones raised (the errors stay in their outputs)."""
    from nbclient import NotebookClient

    kernels = kernels if kernels is not None else Kernels()
    km, _ = kernels.take(kernel_name, Path(cwd))
    if prestart_next:
        kernels.prestart(kernel_name, Path(cwd))
    try:
        NotebookClient(nb, km=km, timeout=timeout, kernel_name=kernel_name, allow_errors=allow_errors,
                       shutdown_kernel="immediate").execute(cleanup_kc=True)
    finally:
        shut_down(km)
    return nb
