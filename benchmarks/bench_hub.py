"""A class on a real JupyterHub, on this machine, all on 127.0.0.1.

    .venv/bin/python benchmarks/bench_hub.py --users 25

Starts JupyterHub (the ``jupyterhub`` package, ``configurable-http-proxy`` from npm, installed
into build/node/ on first use), with the dummy authenticator and a local process spawner that
starts each student's server through ``deploy/start-singleuser.sh``, as the hub deployments do.
Then every simulated student, all at once:

1. logs in through the hub's API (user name and password in, a token out);
2. asks for a server and waits until it is ready;
3. opens the course's nbgitpuller link (``turn_east.make.hub``) and runs the pull it starts, from a
   local bare clone of this repository;
4. runs one lesson top to bottom through the server's kernel API (a session and its websocket);
5. answers one quiz question through the widgets, as JupyterLab does: it sets the answer
   widget's state and clicks Check over the widget comms, first a wrong option, then the right
   one, and reads the feedback the kernel sends back.

A failed step is retried (login, spawn, pull, a kernel that dies); a student who still fails is
reported with the step and the reason. The benchmark has an overall time limit, and it stops
every process it started, on success, on failure and on Ctrl-C. The last line is:

    hub: users N, ok M, p50 X s, p95 Y s, peak rss/user Z MB, wall W s

p50/p95: a student's time from login to the quiz's feedback. peak rss/user: the largest, over
students, of the peak resident memory of a student's server with its kernel and children
(RSS counts shared libraries in full, so this over-states what a container is charged).
wall: from starting the hub until the last student finished. Exit 1 when any student failed,
2 when the set-up failed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import fcntl
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from turn_east.make import hub as hub_links  # noqa: E402
from turn_east.data import load_course  # noqa: E402
from turn_east.quiz import load_bank  # noqa: E402

CHP_VERSION = "4.6.3"           # configurable-http-proxy: any Node.js >= 10 runs it
NODE_DIR = ROOT / "build" / "node"
LESSON = "00_course_map"        # the first lesson of the course, the one a class opens first
EXERCISE = "01_prelude_six_party_talks"   # the first exercise: its link opens ~/my-work/<id>.ipynb
PASSWORD = "turn-east-class"
RUN_ID_ENV = "TURN_EAST_BENCH_ID"   # set on the hub and every server and kernel: how a test finds leftovers


class SetupError(RuntimeError):
    """The benchmark cannot start (no npm, the hub does not come up...): exit 2 with the reason."""


class StepFailed(RuntimeError):
    def __init__(self, step: str, reason: str):
        super().__init__(f"{step}: {reason}")
        self.step, self.reason = step, reason


@dataclass
class Student:
    name: str
    phases: dict = field(default_factory=dict)   # step -> seconds
    total: float | None = None
    error: str | None = None
    retries: list = field(default_factory=list)
    step: str = "waiting"


# ---------------------------------------------------------------- set-up

def proxy_command() -> str:
    """configurable-http-proxy: on PATH, in build/node/, or installed there now with npm."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    local = NODE_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    with open(NODE_DIR / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # two test workers never install at once
        if local.exists():
            return str(local)
        npm = shutil.which("npm")
        if not npm:
            raise SetupError("configurable-http-proxy is not installed and npm is missing; install Node.js "
                             "and npm (Debian: apt-get install nodejs npm), then run again")
        print(f"bench_hub: installing configurable-http-proxy@{CHP_VERSION} into {NODE_DIR} (npm)", flush=True)
        done = subprocess.run([npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                               "--loglevel=error", f"configurable-http-proxy@{CHP_VERSION}"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not local.exists():
            raise SetupError(f"npm could not install configurable-http-proxy:\n{done.stderr[-2000:]}")
    return str(local)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def course_upstream(tmp: Path) -> tuple[Path, str]:
    """A bare clone of this repository's checked-out commit, as branch main: what students pull."""
    bare = tmp / "course.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "--git-dir", str(bare), "fetch", "-q", "--depth", "1", str(ROOT), "HEAD:refs/heads/main"],
                   check=True, capture_output=True)
    subprocess.run(["git", "--git-dir", str(bare), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    return bare, "main"


def hub_config(tmp: Path, names: list[str], ports: dict, token: str, chp: str, run_id: str) -> Path:
    bin_dir = Path(sys.executable).parent
    path = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")])
    args = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []
    cfg = f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {ports['public']}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {ports['hub']}
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports['proxy_api']}"
c.JupyterHub.db_url = "sqlite:///{tmp / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = "{tmp / 'cookie_secret'}"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = set({names!r})
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp / 'home'}/{{username}}"
c.Spawner.cmd = [{str(ROOT / 'deploy' / 'start-singleuser.sh')!r}]
c.Spawner.args = {args!r}
c.Spawner.environment = {{"PATH": {path!r}, {RUN_ID_ENV!r}: {run_id!r}}}
c.Spawner.default_url = "/lab"
# A class arrives at once on 2 cores: give a server time to start before calling it failed.
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 180
c.JupyterHub.services = [{{"name": "bench", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "bench", "services": ["bench"],
                             "scopes": ["admin:users", "admin:servers", "list:users"]}}]
c.JupyterHub.cleanup_servers = True
c.JupyterHub.log_level = "WARN"
"""
    out = tmp / "jupyterhub_config.py"
    out.write_text(cfg)
    return out


# ---------------------------------------------------------------- processes and memory

class Processes:
    """Every process the hub starts, seen by a sampler thread; peak memory per student."""

    def __init__(self, hub: subprocess.Popen):
        self.hub = hub
        self.seen: dict[int, psutil.Process] = {}
        self.peak: dict[str, float] = {}
        self.peak_server: dict[str, float] = {}     # the single-user server alone
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (user, CPU seconds last seen)
        self.users: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _user_of(self, proc: psutil.Process) -> str | None:
        if proc.pid not in self.users:
            try:
                self.users[proc.pid] = proc.environ().get("JUPYTERHUB_USER", "")
            except (psutil.Error, OSError):
                return None
        return self.users[proc.pid] or None

    def sample(self) -> None:
        try:
            top = psutil.Process(self.hub.pid)
            children = top.children()
        except psutil.Error:
            return
        for child in children:
            self.seen.setdefault(child.pid, child)
            user = self._user_of(child)
            try:
                tree = [child] + child.children(recursive=True)
            except psutil.Error:
                continue
            rss = server_rss = 0
            for proc in tree:
                self.seen.setdefault(proc.pid, proc)
                try:
                    with proc.oneshot():
                        mem, cpu = proc.memory_info().rss, proc.cpu_times()
                except psutil.Error:
                    continue
                rss += mem
                server_rss = mem if proc is child else server_rss
                if user:
                    self.cpu[proc.pid] = (user, cpu.user + cpu.system)
            if user:
                self.peak[user] = max(self.peak.get(user, 0.0), rss / 2**20)
                self.peak_server[user] = max(self.peak_server.get(user, 0.0), server_rss / 2**20)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time per student: their server, kernels and git, as last sampled."""
        out: dict[str, float] = {}
        for user, seconds in self.cpu.values():
            out[user] = out.get(user, 0.0) + seconds
        return out

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def stop_sampling(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def kill_all(self, grace: float = 10.0) -> list[int]:
        """SIGTERM the hub (it stops the proxy and the servers), then kill whatever is left."""
        self.stop_sampling()
        self.sample()
        procs = [p for p in self.seen.values()]
        if self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
            try:
                self.hub.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.hub.kill()
                self.hub.wait(timeout=5)
        alive = []
        for p in procs:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.Error:
                continue
        for p in alive:
            try:
                p.terminate()
            except psutil.Error:
                pass
        _, still = psutil.wait_procs(alive, timeout=5)
        for p in still:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(still, timeout=5)
        return [p.pid for p in alive]


# ---------------------------------------------------------------- talking to the hub and the servers

class Client:
    def __init__(self, base: str):
        self.base = base
        self.http = AsyncHTTPClient(max_clients=256)

    async def request(self, method: str, url: str, *, token: str | None = None, body=None,
                      timeout: float = 60, expect=(200, 201, 202, 204), headers=None, raw: str | None = None):
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"token {token}"
        data = raw
        if body is not None:
            data = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        elif data is None and method in ("POST", "PUT", "PATCH"):
            data = ""
        req = HTTPRequest(url if url.startswith("http") else self.base + url, method=method, headers=hdrs,
                          body=data, request_timeout=timeout, connect_timeout=min(timeout, 30),
                          follow_redirects=False, allow_nonstandard_methods=True)
        try:
            resp = await self.http.fetch(req, raise_error=False)
        except Exception as exc:  # connection refused, timeout
            raise StepFailed("http", f"{method} {req.url}: {type(exc).__name__}: {exc}") from exc
        if resp.code not in expect:
            text = (resp.body or b"")[:300].decode("utf-8", "replace")
            raise StepFailed("http", f"{method} {req.url} -> {resp.code} {text}")
        return resp


async def retry(student: Student, step: str, attempts: int, func, *args):
    student.step = step
    last = None
    for attempt in range(1, attempts + 1):
        try:
            return await func(*args)
        except (StepFailed, asyncio.TimeoutError, OSError) as exc:
            last = exc
            if attempt < attempts:
                student.retries.append(f"{step} attempt {attempt}: {exc}")
                await asyncio.sleep(2 * attempt)
    raise StepFailed(step, f"{last} (after {attempts} attempts)")


async def login(client: Client, name: str) -> str:
    resp = await client.request("POST", f"/hub/api/users/{name}/tokens",
                                body={"auth": {"username": name, "password": PASSWORD}, "note": "bench login",
                                      "expires_in": 3600})
    return json.loads(resp.body)["token"]


async def spawn(client: Client, name: str, token: str, admin_token: str, limit: float) -> str:
    """Ask for the server, wait until the hub says it is ready; on failure stop it so a retry starts clean."""
    resp = await client.request("POST", f"/hub/api/users/{name}/server", token=token, expect=(201, 202, 400))
    if resp.code == 400 and b"already running" not in (resp.body or b"") and b"pending" not in (resp.body or b""):
        raise StepFailed("spawn", resp.body.decode("utf-8", "replace")[:300])
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        info = json.loads((await client.request("GET", f"/hub/api/users/{name}", token=token)).body)
        server = (info.get("servers") or {}).get("")
        if server and server.get("ready"):
            return server["url"]
        if not server and not info.get("pending"):
            raise StepFailed("spawn", "the hub reports the server stopped while starting")
        await asyncio.sleep(0.5)
    await client.request("DELETE", f"/hub/api/users/{name}/server", token=admin_token, expect=(202, 204, 400))
    raise StepFailed("spawn", f"server not ready after {limit:.0f} s")


async def open_link(client: Client, name: str, link: str) -> tuple[str, str]:
    """Open an nbgitpuller link as a browser does: log in on the hub's form (cookies, _xsrf), then follow
    the redirects (hub, the student's server, its OAuth round trip) to nbgitpuller's page."""
    jar: dict[str, str] = {}

    def absorb(resp):
        for header in resp.headers.get_list("Set-Cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                if morsel.value and morsel["expires"] != "Thu, 01 Jan 1970 00:00:00 GMT" and morsel["max-age"] != "0":
                    jar[key] = morsel.value
                else:
                    jar.pop(key, None)

    def headers():
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}

    form = await client.request("GET", "/hub/login")
    absorb(form)
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.body.decode())
    body = {"username": name, "password": PASSWORD, **({"_xsrf": html.unescape(xsrf.group(1))} if xsrf else {})}
    resp = await client.request("POST", "/hub/login", raw=urlencode(body), expect=(302, 303),
                                headers={**headers(), "Content-Type": "application/x-www-form-urlencoded"})
    absorb(resp)
    url = link
    for _ in range(10):
        resp = await client.request("GET", url, expect=(200, 302, 303, 307), headers=headers())
        absorb(resp)
        if resp.code == 200:
            return url, resp.body.decode("utf-8", "replace")
        location = resp.headers["Location"]
        url = location if location.startswith("http") else client.base + location
    raise StepFailed("link", "too many redirects")


async def git_pull(client: Client, server_url: str, token: str, query: dict) -> list[str]:
    """nbgitpuller's event stream (what its page's script reads): every event, ending in 'finished'."""
    resp = await client.request("GET", f"{server_url}git-pull/api?{urlencode(query)}", token=token, timeout=300)
    events = [json.loads(line[5:]) for line in resp.body.decode().splitlines() if line.startswith("data:")]
    if not events or events[-1].get("phase") != "finished":
        last = events[-1] if events else {}
        raise StepFailed("pull", f"nbgitpuller: {last.get('message') or last}")
    return [e.get("output", "") for e in events]


class Kernel:
    """One kernel session over the server's websocket (the JSON protocol JupyterLab also speaks)."""

    def __init__(self, client: Client, server_url: str, token: str):
        self.client, self.server_url, self.token = client, server_url, token
        self.session = uuid.uuid4().hex
        self.ws = None
        self.session_id = self.kernel_id = None
        self.comms: dict[str, dict] = {}
        self.updates: dict[str, list] = {}

    async def start(self, path: str) -> None:
        resp = await self.client.request("POST", f"{self.server_url}api/sessions", token=self.token, timeout=180,
                                         body={"path": path, "type": "notebook", "name": path.rsplit("/", 1)[-1],
                                               "kernel": {"name": "python3"}})
        model = json.loads(resp.body)
        self.session_id, self.kernel_id = model["id"], model["kernel"]["id"]
        ws_url = (self.client.base.replace("http", "ws", 1) + self.server_url +
                  f"api/kernels/{self.kernel_id}/channels?session_id={self.session}")
        req = HTTPRequest(ws_url, headers={"Authorization": f"token {self.token}"}, request_timeout=120)
        self.ws = await websocket_connect(req, max_message_size=256 * 2**20)

    def _msg(self, msg_type: str, content: dict, channel: str = "shell") -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
                           "session": self.session, "date": dt.datetime.now(dt.timezone.utc).isoformat(),
                           "version": "5.3"},
                "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}

    @staticmethod
    def _decode(frame) -> dict:
        if isinstance(frame, str):
            return json.loads(frame)
        # binary frame (a message with buffers): count, offsets, then the JSON message first
        n = int.from_bytes(frame[:4], "little")
        offsets = [int.from_bytes(frame[4 + 4 * i: 8 + 4 * i], "little") for i in range(n)]
        end = offsets[1] if n > 1 else len(frame)
        return json.loads(frame[offsets[0]:end])

    def _track(self, msg: dict) -> None:
        mt, content = msg.get("msg_type") or msg["header"]["msg_type"], msg.get("content", {})
        if mt == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.comms[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
        elif mt == "comm_msg" and content.get("comm_id") in self.comms:
            data = content.get("data", {})
            if data.get("method") in ("update", "echo_update"):
                self.comms[content["comm_id"]].update(data.get("state", {}))
                self.updates.setdefault(content["comm_id"], []).append(data.get("state", {}))

    async def send(self, msg: dict, timeout: float, want_reply=True) -> dict | None:
        """Send a shell message; read until the kernel is idle again for it. Returns the reply."""
        await self.ws.write_message(json.dumps(msg))
        msg_id, reply, idle = msg["header"]["msg_id"], None, False
        deadline = time.monotonic() + timeout
        while not (idle and (reply or not want_reply)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError(f"no answer from the kernel within {timeout:.0f} s")
            frame = await asyncio.wait_for(self.ws.read_message(), left)
            if frame is None:
                raise StepFailed("kernel", "the kernel's websocket closed (kernel died or server stopped)")
            out = self._decode(frame)
            self._track(out)
            if out.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            mt = out["header"]["msg_type"]
            if mt == "status" and out["content"].get("execution_state") == "idle":
                idle = True
            elif mt == "status" and out["content"].get("execution_state") == "dead":
                raise StepFailed("kernel", "the kernel died")
            elif mt.endswith("_reply"):
                reply = out
        return reply

    async def execute(self, code: str, timeout: float) -> dict:
        reply = await self.send(self._msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                                              "user_expressions": {}, "allow_stdin": False,
                                                              "stop_on_error": True}), timeout)
        return reply["content"]

    async def comm(self, comm_id: str, data: dict, timeout: float) -> None:
        await self.send(self._msg("comm_msg", {"comm_id": comm_id, "data": data}), timeout, want_reply=False)

    async def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
        if self.session_id:
            try:
                await self.client.request("DELETE", f"{self.server_url}api/sessions/{self.session_id}",
                                          token=self.token, timeout=60, expect=(204, 404))
            except StepFailed:
                pass


async def run_lesson(client: Client, server_url: str, token: str, path: str, cell_timeout: float) -> Kernel:
    resp = await client.request("GET", f"{server_url}api/contents/{quote(path)}?content=1", token=token)
    cells = [c for c in json.loads(resp.body)["content"]["cells"] if c["cell_type"] == "code"]
    kernel = Kernel(client, server_url, token)
    try:
        await kernel.start(path)
        for i, cell in enumerate(cells):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            result = await kernel.execute(source, cell_timeout)
            if result.get("status") != "ok":
                raise StepFailed("lesson", f"code cell {i + 1} of {len(cells)}: {result.get('ename')}: "
                                           f"{result.get('evalue')}")
    except BaseException:
        await kernel.close()
        raise
    return kernel


def _children(state: dict) -> list[str]:
    return [c.removeprefix("IPY_MODEL_") for c in state.get("children", [])]


async def answer_quiz(kernel: Kernel, questions, timeout: float) -> str:
    """First single-choice question of the quiz: a wrong option, Check, then the right one, Check."""
    comms = kernel.comms
    for box_id, box in list(comms.items()):
        kids = _children(box)
        if box.get("_model_name") != "VBoxModel" or len(kids) < 4:
            continue
        head, answer, controls = (comms.get(k, {}) for k in kids[:3])
        # the question's controls: an HBox holding Check (and, for leaders, Show answer); a bare button before
        control_ids = _children(controls) if controls.get("_model_name") == "HBoxModel" else [kids[2]]
        check_id = next((k for k in control_ids if comms.get(k, {}).get("_model_name") == "ButtonModel"
                         and comms[k].get("description") == "Check"), None)
        if check_id is None or answer.get("_model_name") != "RadioButtonsModel":
            continue
        prompt_html = head.get("value", "")
        q = next((q for q in questions if q.type == "single" and html.escape(q.prompt, quote=True) in prompt_html), None)
        if q is None:
            raise StepFailed("quiz", "a single-choice question on screen matches no question of the lesson's bank")
        labels = answer.get("_options_labels", [])
        right = labels.index(q.answer[0])
        wrong = next(i for i in range(len(labels)) if i != right)
        verdicts = []
        for index in (wrong, right):
            kernel.updates.pop(kids[3], None)
            await kernel.comm(kids[1], {"method": "update", "state": {"index": index}, "buffer_paths": []}, timeout)
            await kernel.comm(check_id, {"method": "custom", "content": {"event": "click"}}, timeout)
            values = [u["value"] for u in kernel.updates.get(kids[3], []) if u.get("value")]
            if not values:
                raise StepFailed("quiz", "Check sent no feedback")
            verdicts.append(re.sub(r"<[^>]+>", " ", html.unescape(values[-1])))
        if "Not quite" not in verdicts[0] or "Correct" not in verdicts[1]:
            raise StepFailed("quiz", f"unexpected feedback: wrong -> {verdicts[0][:80]!r}, right -> {verdicts[1][:80]!r}")
        return verdicts[1]
    raise StepFailed("quiz", "no single-choice quiz question with a Check button was displayed")


async def one_student(st: Student, client: Client, admin_token: str, repo: str, branch: str, questions,
                      limits: dict) -> None:
    t0 = time.monotonic()

    async def timed(step, coro):
        st.step = step
        t = time.monotonic()
        out = await coro
        st.phases[step] = time.monotonic() - t
        return out

    token = await timed("login", retry(st, "login", 3, login, client, st.name))
    server_url = await timed("spawn", retry(st, "spawn", 2, spawn, client, st.name, token, admin_token,
                                            limits["spawn"]))
    link = hub_links.nbgitpuller_url(client.base, repo, hub_links.lesson_path(LESSON), branch=branch)
    landed, page = await timed("link", retry(st, "link", 3, open_link, client, st.name, link))
    if "/git-pull?" not in landed or "nbgitpuller" not in page.lower():
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        raise StepFailed("link", f"the link reached {landed} ({title.group(1).strip() if title else 'no title'}), "
                                 "not nbgitpuller's page")
    query = {"repo": repo, "branch": branch, "targetpath": hub_links.DEFAULT_TARGET}
    await timed("pull", retry(st, "pull", 3, git_pull, client, server_url, token, query))
    # the exercise links open the student's copy in ~/my-work, made when the server started
    exercise = hub_links.exercise_path(EXERCISE)
    mine = await client.request("GET", f"{server_url}api/contents/{exercise}?content=0", token=token,
                                expect=(200, 404))
    if mine.code != 200:
        raise StepFailed("workspace", f"~/{exercise} is missing: deploy/start-singleuser.sh did not make it")
    kernel = await timed("lesson", retry(st, "lesson", 2, run_lesson, client, server_url, token,
                                         hub_links.lesson_path(LESSON), limits["cell"]))
    try:
        await timed("quiz", answer_quiz(kernel, questions, limits["cell"]))
    finally:
        await kernel.close()
    st.total = time.monotonic() - t0
    st.step = "done"


async def run_class(names, client, admin_token, repo, branch, questions, limits, deadline) -> list[Student]:
    students = [Student(n) for n in names]

    async def guarded(st, delay):
        await asyncio.sleep(delay)
        try:
            await one_student(st, client, admin_token, repo, branch, questions, limits)
        except StepFailed as exc:
            st.error = str(exc)
        except asyncio.CancelledError:
            st.error = f"{st.step}: stopped by the overall time limit"
            raise
        except Exception as exc:  # a bug or an unexpected answer: reported per student, never a hang
            st.error = f"{st.step}: {type(exc).__name__}: {exc}"

    # students arrive within a few seconds of each other, as a class does
    tasks = [asyncio.ensure_future(guarded(st, 0.2 * i)) for i, st in enumerate(students)]
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic()))
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for st in students:
        if st.total is None and not st.error:
            st.error = f"{st.step}: stopped by the overall time limit"
    return students


async def wait_for_hub(client: Client, hub: subprocess.Popen, log: Path, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise SetupError(f"JupyterHub exited with {hub.returncode}:\n{log.read_text()[-3000:]}")
        try:
            await client.request("GET", "/hub/api/", timeout=5)
            return
        except StepFailed:
            await asyncio.sleep(0.5)
    raise SetupError(f"JupyterHub did not answer within {limit:.0f} s:\n{log.read_text()[-3000:]}")


async def stop_servers(client: Client, names, admin_token: str) -> None:
    async def stop(name):
        try:
            await client.request("DELETE", f"/hub/api/users/{name}/server", token=admin_token, timeout=60,
                                 expect=(202, 204, 400, 404))
        except StepFailed:
            pass
    await asyncio.gather(*(stop(n) for n in names))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summary(n: int, students: list[Student], peak: dict, wall: float) -> str:
    ok = [s for s in students if s.error is None and s.total is not None]
    times = sorted(s.total for s in ok)
    peak_mb = max((peak.get(s.name, 0.0) for s in students), default=0.0)
    return (f"hub: users {n}, ok {len(ok)}, p50 {percentile(times, 50):.1f} s, p95 {percentile(times, 95):.1f} s, "
            f"peak rss/user {peak_mb:.0f} MB, wall {wall:.1f} s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=25, help="simulated students (default 25)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="overall time limit in seconds (default 180 + 15 per student)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, homes) for a post-mortem")
    args = ap.parse_args(argv)
    if args.users < 1:
        ap.error("--users must be at least 1")
    limit = args.timeout or 180 + 15 * args.users
    start = time.monotonic()
    deadline = start + limit
    tmp = Path(tempfile.mkdtemp(prefix="bench_hub_"))
    procs: Processes | None = None
    names = [f"student{i:02d}" for i in range(1, args.users + 1)]
    admin_token = secrets.token_hex(24)
    ports = {"public": free_port(), "hub": free_port(), "proxy_api": free_port()}
    client = Client(f"http://127.0.0.1:{ports['public']}")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    old_term = signal.signal(signal.SIGTERM, on_term)
    status = 2
    try:
        chp = proxy_command()
        repo, branch = course_upstream(tmp)
        questions = [q for q in load_bank(load_course()) if q.lesson == LESSON]
        run_id = os.environ.get(RUN_ID_ENV) or secrets.token_hex(8)
        config = hub_config(tmp, names, ports, admin_token, chp, run_id)
        log = tmp / "jupyterhub.log"
        with open(log, "w") as log_file:
            hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=tmp,
                                   stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, RUN_ID_ENV: run_id})
        procs = Processes(hub)
        hub_started = time.monotonic()
        loop.run_until_complete(wait_for_hub(client, hub, log))
        print(f"bench_hub: JupyterHub up at {client.base}; {args.users} student(s) arriving", flush=True)
        limits = {"spawn": 300.0, "cell": 300.0}
        students = loop.run_until_complete(run_class(names, client, admin_token, str(repo), branch, questions,
                                                     limits, deadline))
        wall = time.monotonic() - hub_started
        procs.sample()
        for st in students:
            for note in st.retries:
                print(f"{st.name}: retried {note}")
            if st.error:
                print(f"{st.name}: FAILED at {st.error}")
        ok = [s for s in students if s.error is None]
        if ok:
            steps = list(ok[0].phases)
            print("median seconds per step: " + ", ".join(
                f"{k} {statistics.median(s.phases[k] for s in ok):.1f}" for k in steps))
        cpu = procs.cpu_seconds()
        if procs.peak:
            print(f"per student (median / max): peak rss {statistics.median(procs.peak.values()):.0f} / "
                  f"{max(procs.peak.values()):.0f} MB, of which the server {statistics.median(procs.peak_server.values()):.0f}"
                  f" / {max(procs.peak_server.values()):.0f} MB; CPU {statistics.median(cpu.values()):.1f} / "
                  f"{max(cpu.values()):.1f} s")
        loop.run_until_complete(stop_servers(client, names, admin_token))
        print(summary(args.users, students, procs.peak, wall), flush=True)
        status = 0 if len(ok) == args.users else 1
    except SetupError as exc:
        print(f"bench_hub: {exc}", file=sys.stderr)
        print(f"hub: users {args.users}, ok 0, p50 nan s, p95 nan s, peak rss/user 0 MB, "
              f"wall {time.monotonic() - start:.1f} s")
        status = 2
    except KeyboardInterrupt:
        print("bench_hub: interrupted; stopping every process it started", file=sys.stderr)
        status = 130
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            try:
                loop.run_until_complete(asyncio.wait(pending, timeout=10))
            except BaseException:
                pass
        if procs is not None:
            procs.kill_all()
        signal.signal(signal.SIGTERM, old_term)
        loop.close()
        if args.keep:
            print(f"bench_hub: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
