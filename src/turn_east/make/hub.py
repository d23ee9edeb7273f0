"""nbgitpuller links that open the course on a JupyterHub: one per lesson and one per exercise.

A link sends a student to their own server on the hub, where nbgitpuller clones the course
into ``~/turn-east`` on the first click and merges the course's new commits on every later
click, then opens the notebook in JupyterLab::

    https://hub.example.edu/hub/user-redirect/git-pull?repo=...&targetPath=turn-east
        &urlpath=lab/tree/turn-east/notebooks/02_stage_1_adjusting_to_asia.ipynb

Lesson links open the lesson in that clone. Exercise links open the student's own copy in
``~/my-work/``, beside the clone: nbgitpuller only ever touches ``~/turn-east``, so nothing
in ``~/my-work`` is merged, renamed or reset by a course update. The hub makes those copies
when a student's server starts (``turn-east workspace --dest ~/my-work``, set up in
``deploy/``); on a hub you do not run, ``exercises="course"`` links to the exercise inside the
clone instead, where nbgitpuller's merge keeps the lines the student changed.

The functions up to :func:`course_links` are pure (strings in, strings out): the course
website builds its launch buttons with :func:`nbgitpuller_url`. ``turn-east hub-links``
(:func:`add_arguments`, :func:`run`) wires them to the command line.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

DEFAULT_TARGET = "turn-east"   # the folder in the student's home that nbgitpuller clones into
WORKSPACE_DIR = "my-work"      # beside it: the student's own copies of the exercises
EXERCISE_MODES = ("workspace", "course")

_SCP_LIKE = re.compile(r"^(?:(?P<user>[\w.\-]+)@)?(?P<host>[\w.\-]+):(?P<path>(?!//)[^\s]+)$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


class HubLinkError(ValueError):
    """A hub address, repository or path that cannot make a working link; the message says why and how to fix it."""


@dataclass(frozen=True)
class HubLink:
    kind: str        # "lesson" or "exercise"
    lesson_id: str
    title: str
    path: str        # what the link opens, relative to the student's home folder
    url: str


def hub_base(hub: str) -> str:
    """The hub's base address, from what a leader pastes (``https://hub.example.edu/hub/home`` works too).

    Keeps a base path the hub is served under (``https://uni.edu/jupyter``), drops JupyterHub's
    own pages (``/hub/...``, ``/user/<name>/...``), the query and the fragment.
    """
    text = (hub or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HubLinkError(f"hub address {hub!r} is not an http(s) address; give the address students "
                           "open in their browser, e.g. --hub https://hub.example.edu")
    path = parts.path
    for marker in ("/hub/", "/user/"):
        cut = (path + "/").find(marker)
        if cut != -1:
            path = path[:cut]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def clone_url(repo: str) -> str:
    """The address a student's server clones: an https/http/git/file URL or an absolute path.

    An ssh remote (``git@github.com:owner/turn-east.git``) becomes its https address, because a
    student's server has no ssh key; the course repository must be readable without one.
    """
    text = (repo or "").strip()
    if not text:
        raise HubLinkError("no repository address; pass --repo with the course's public git URL, "
                           "e.g. --repo https://github.com/<owner>/turn-east")
    parts = urlsplit(text)
    if parts.scheme in ("https", "http", "git", "file"):
        if parts.scheme != "file" and not parts.netloc:
            raise HubLinkError(f"repository {repo!r} has no host; write it as https://host/owner/name")
        return text
    if parts.scheme == "ssh":
        host = parts.hostname or ""
        return f"https://{host}/{parts.path.lstrip('/')}" if host else _bad_repo(repo)
    m = _SCP_LIKE.match(text)
    if m and "/" not in m.group("host") and not text.startswith("/"):
        return f"https://{m.group('host')}/{m.group('path').lstrip('/')}"
    if text.startswith("/"):
        return text
    return _bad_repo(repo)


def _bad_repo(repo: str) -> str:
    raise HubLinkError(f"repository {repo!r} is neither a URL nor an absolute path; pass the course's "
                       "public git URL, e.g. --repo https://github.com/<owner>/turn-east")


def _check_name(value: str, what: str) -> str:
    if not value or not _SAFE_NAME.match(value):
        raise HubLinkError(f"{what} {value!r} must be one folder or branch name of letters, digits, "
                           "'.', '_' or '-' (no slashes, no spaces)")
    return value


def _check_branch(branch: str | None) -> str | None:
    if branch is None:
        return None
    if not branch or branch.startswith(("-", "/")) or branch.endswith("/") or ".." in branch \
            or re.search(r"[\s~^:?*\[\\]", branch):
        raise HubLinkError(f"branch {branch!r} is not a valid git branch name")
    return branch


def nbgitpuller_url(hub: str, repo: str, open_path: str, *, branch: str | None = None,
                    target: str = DEFAULT_TARGET) -> str:
    """One nbgitpuller link: pull ``repo`` into ``~/<target>`` and open ``open_path`` in JupyterLab.

    ``open_path`` is relative to the student's home (``turn-east/notebooks/x.ipynb``,
    ``my-work/x.ipynb``). ``targetPath`` is always given, so the clone lands in the same folder
    whatever the repository's address ends with (nbgitpuller would otherwise name it
    ``turn-east.git`` for an address ending in ``.git``). Without ``branch``, nbgitpuller follows
    the repository's default branch.
    """
    base = hub_base(hub)
    target = _check_name(target, "target folder")
    branch = _check_branch(branch)
    rel = PurePosixPath(open_path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise HubLinkError(f"path {open_path!r} must be relative to the student's home, without '..'")
    query = {"repo": clone_url(repo)}
    if branch:
        query["branch"] = branch
    query["targetPath"] = target
    query["urlpath"] = "lab/tree/" + quote(rel.as_posix())
    return f"{base}/hub/user-redirect/git-pull?{urlencode(query, quote_via=quote, safe='/:')}"


def lesson_path(lesson_id: str, *, target: str = DEFAULT_TARGET) -> str:
    return f"{target}/notebooks/{lesson_id}.ipynb"


def exercise_path(lesson_id: str, *, target: str = DEFAULT_TARGET, exercises: str = "workspace") -> str:
    if exercises == "workspace":
        return f"{WORKSPACE_DIR}/{lesson_id}.ipynb"
    if exercises == "course":
        return f"{target}/exercises/{lesson_id}.ipynb"
    raise HubLinkError(f"exercises={exercises!r}: choose one of {', '.join(EXERCISE_MODES)}")


def course_links(hub: str, repo: str, lessons, exercise_ids=(), *, branch: str | None = None,
                 target: str = DEFAULT_TARGET, exercises: str = "workspace") -> list[HubLink]:
    """Links for every lesson (in course order) and every exercise.

    ``lessons``: ``(id, title)`` pairs in course order, or a DataFrame with ``id`` and
    ``title`` columns (``load_course().lessons``). ``exercise_ids``: the lessons that have an
    exercise notebook; an id that is not a lesson is an error (a link to nothing).
    """
    if hasattr(lessons, "columns"):
        pairs = list(zip(lessons["id"], lessons["title"]))
    else:
        pairs = [(str(i), str(t)) for i, t in lessons]
    titles = dict(pairs)
    unknown = sorted(set(exercise_ids) - set(titles))
    if unknown:
        raise HubLinkError(f"exercise notebook(s) {', '.join(e + '.ipynb' for e in unknown)} match no lesson "
                           "in data/lessons.csv; rename the file to its lesson's id or add the lesson")
    links = [HubLink("lesson", i, t, p, nbgitpuller_url(hub, repo, p, branch=branch, target=target))
             for i, t in pairs for p in [lesson_path(i, target=target)]]
    wanted = set(exercise_ids)
    links += [HubLink("exercise", i, t, p, nbgitpuller_url(hub, repo, p, branch=branch, target=target))
              for i, t in pairs if i in wanted
              for p in [exercise_path(i, target=target, exercises=exercises)]]
    return links


def format_links(links: list[HubLink], fmt: str = "text") -> str:
    """``text``: one "kind id url" line each; ``markdown``: a list for a course page; ``csv``: for an LMS import."""
    if fmt == "text":
        return "".join(f"{ln.kind:<8} {ln.lesson_id}  {ln.url}\n" for ln in links)
    if fmt == "markdown":
        out, kind = [], None
        for ln in links:
            if ln.kind != kind:
                kind = ln.kind
                out.append(("\n" if out else "") + ("## Lessons\n" if kind == "lesson" else "## Exercises\n"))
            out.append(f"- [{ln.title}]({ln.url})\n")
        return "".join(out)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["kind", "lesson_id", "title", "opens", "url"])
        writer.writerows([ln.kind, ln.lesson_id, ln.title, ln.path, ln.url] for ln in links)
        return buf.getvalue()
    raise HubLinkError(f"format {fmt!r}: choose text, markdown or csv")


# ---------------------------------------------------------------- command line: turn-east hub-links

def course_root(start: Path | None = None) -> Path | None:
    """The checkout this package runs from (the folder with pyproject.toml and exercises/), if any."""
    here = Path(start or __file__).resolve()
    for folder in [here, *here.parents]:
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return None


def origin_url(root: Path) -> str | None:
    """The ``origin`` remote configured in the checkout at ``root``, or None."""
    try:
        out = subprocess.run(["git", "-C", str(root), "remote", "get-url", "origin"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def add_arguments(p) -> None:
    p.description = ("Print one nbgitpuller link per lesson and per exercise. A link pulls the course into "
                     "~/turn-east on the student's hub server (merging updates, keeping the student's edits) "
                     "and opens the notebook in JupyterLab.")
    p.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    p.add_argument("--repo", default=None,
                   help="the course's git URL that students' servers clone (default: this checkout's origin)")
    p.add_argument("--branch", default=None, help="branch to pull (default: the repository's default branch)")
    p.add_argument("--target", default=DEFAULT_TARGET, help=f"folder in the student's home (default: {DEFAULT_TARGET})")
    p.add_argument("--exercises", choices=EXERCISE_MODES, default="workspace",
                   help="workspace: open the student's copy in ~/my-work (the hub makes it, see deploy/); "
                        "course: open the exercise inside the pulled course (for a hub you do not run)")
    p.add_argument("--format", choices=("text", "markdown", "csv"), default="text")
    p.add_argument("--data-dir", default=None, help="data folder (default: the bundled data/)")


def run(args) -> int:
    from turn_east.data import DataError, load_course

    root = course_root()
    repo = args.repo or (origin_url(root) if root else None)
    if not repo:
        print("turn-east hub-links: no --repo given and this checkout has no 'origin' remote; pass the "
              "course's public git URL, e.g. --repo https://github.com/<owner>/turn-east", file=sys.stderr)
        return 2
    try:
        course = load_course(args.data_dir)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    exercise_dir = root / "exercises" if root else None
    exercise_ids = sorted(p.stem for p in exercise_dir.glob("*.ipynb")) if exercise_dir and exercise_dir.is_dir() else []
    try:
        links = course_links(args.hub, repo, course.lessons, exercise_ids, branch=args.branch,
                             target=args.target, exercises=args.exercises)
        sys.stdout.write(format_links(links, args.format))
    except HubLinkError as exc:
        print(f"turn-east hub-links: {exc}", file=sys.stderr)
        return 2
    return 0
