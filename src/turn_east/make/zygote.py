"""Kernels forked from a warm process: a kernel's start without its heaviest imports.

A fresh kernel spends most of its start importing: ipykernel and IPython, then numpy and pandas for
the lesson, over a second of CPU that every lesson pays again. The zygote is a process that imports
those once and forks a kernel on request. The child starts the kernel exactly as
``python -m ipykernel_launcher -f <connection file>`` would (``ipykernel_launcher`` run as
``__main__``, the same arguments, working folder and environment, a new session), with those modules
already loaded. Only modules whose import does not look at its surroundings are loaded ahead: plotly,
for one, picks its default renderer at import from the IPython shell it finds, so the kernel imports
it itself, as before. A caller that fixes what such a module looks at may preload it too
(``Zygote(preload=...)``): the grader sets ``PLOTLY_RENDERER`` and preloads plotly and the course.

The zygote runs on Linux only (forking without exec is unsafe with macOS system frameworks, Windows
has no fork). :class:`ZygoteProvisioner`, a jupyter_client kernel provisioner, uses it for kernels
launched as ``<this python> -m ipykernel_launcher``; any other kernel, or any kernel when the zygote
has failed, is launched the usual way.

Protocol (one JSON object a line): ``{"op": "spawn", "args": [...], "cwd": ..., "env": {...}}`` ->
``{"pid": n}``; ``{"op": "poll", "pid": n}`` -> ``{"returncode": int | null}``.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
import time
import traceback

from jupyter_client.provisioning import LocalProvisioner

#: Loaded by the zygote before it forks: the kernel's own modules and the lessons' heaviest imports
#: that do not depend on where they are imported.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "numpy", "pandas", "jinja2")
LAUNCHER = ("-m", "ipykernel_launcher")


def supported() -> bool:
    return sys.platform.startswith("linux")


class ZygoteError(RuntimeError):
    """The zygote is gone or answered nonsense: kernels start the usual way."""


class Zygote:
    """A running zygote, driven through its stdin and stdout (one request at a time)."""

    def __init__(self, preload: tuple[str, ...] = ()):
        """``preload``: modules to load ahead besides :data:`PRELOAD` (imported before the zygote answers)."""
        self._lock = threading.Lock()
        extra = ["--preload", ",".join(preload)] if preload else []
        self.proc = subprocess.Popen([sys.executable, "-m", "turn_east.make.zygote", *extra], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1, start_new_session=True)
        self._ready = False

    def _ask(self, request: dict) -> dict:
        with self._lock:
            if not self._ready:
                if self.proc.stdout.readline().strip() != "ready":
                    raise ZygoteError("the zygote did not start")
                self._ready = True
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                reply = self.proc.stdout.readline()
            except (OSError, ValueError) as exc:
                raise ZygoteError(f"the zygote is gone ({exc})") from exc
        if not reply:
            raise ZygoteError(f"the zygote is gone (exit code {self.proc.poll()})")
        return json.loads(reply)

    def spawn(self, args: list[str], *, cwd: str, env: dict) -> int:
        return int(self._ask({"op": "spawn", "args": list(args), "cwd": str(cwd), "env": dict(env)})["pid"])

    def poll(self, pid: int) -> int | None:
        return self._ask({"op": "poll", "pid": pid})["returncode"]

    def close(self) -> None:
        """Stop the zygote (kernels it forked are stopped by their managers)."""
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


class ForkedKernel:
    """The ``subprocess.Popen`` interface LocalProvisioner uses, for a kernel the zygote forked."""

    stdin = stdout = stderr = None  # no pipes: the kernel's stdout and stderr are the zygote's stderr

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.zygote.poll(self.pid)
            except ZygoteError:  # the zygote is gone: ask the system whether the process still runs
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


class ZygoteProvisioner(LocalProvisioner):
    """LocalProvisioner, with ``<this python> -m ipykernel_launcher`` kernels forked by ``zygote``."""

    zygote: Zygote | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if self.zygote is None or len(cmd) < 3 or cmd[0] != sys.executable or tuple(cmd[1:3]) != LAUNCHER:
            return await super().launch_kernel(cmd, **kwargs)
        try:
            pid = self.zygote.spawn(cmd[3:], cwd=kwargs.get("cwd") or os.getcwd(),
                                    env=kwargs.get("env") or dict(os.environ))
        except ZygoteError:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(self.zygote, pid)
        self.pid = self.pgid = pid  # the child starts its own session
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info


# ---------------------------------------------------------------- the zygote process

def _child(request: dict) -> None:
    """In the forked child: become `python -m ipykernel_launcher ARGS` and never return."""
    code = 1
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(2, 1)  # the zygote's stdout is its pipe to the worker
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # The kernel's parent is this zygote: its parent poller watches it (the zygote ends with its worker).
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        import runpy
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        sys.path[0] = os.getcwd()  # as `python -m` sets it (the launcher removes it again)
        sys.argv = ["ipykernel_launcher", *request["args"]]
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on stderr, and in the exit code
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    # A kernel's parent is this zygote; set before the imports, since ipykernel reads it when imported.
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    extra = sys.argv[sys.argv.index("--preload") + 1].split(",") if "--preload" in sys.argv else []
    for name in (*PRELOAD, *extra):
        importlib.import_module(name)
    exits: dict[int, int] = {}
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        while True:  # reap every child that has ended
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            exits[pid] = os.waitstatus_to_exitcode(status)
        if request["op"] == "spawn":
            pid = os.fork()
            if pid == 0:
                _child(request)
            reply = {"pid": pid}
        else:
            reply = {"returncode": exits.get(request["pid"])}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
