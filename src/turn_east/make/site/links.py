"""The links a lesson page offers for running the lesson: Binder, a JupyterHub (through nbgitpuller, built
by :mod:`turn_east.make.hub`, the same links as ``turn-east hub-links``) and the notebook to download.
Pure functions: strings in, strings out."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from turn_east.make.hub import HubLinkError, clone_url, lesson_path, nbgitpuller_url


@dataclass(frozen=True)
class LaunchLinks:
    binder: str = ""   # "" when no BinderHub or no repository is configured
    hub: str = ""      # "" when no JupyterHub or no repository is configured


def binder_base(binderhub: str) -> str:
    parts = urlsplit((binderhub or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HubLinkError(f"BinderHub address {binderhub!r} is not an http(s) address, e.g. https://mybinder.org")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def binder_url(binderhub: str, repository: str, path: str, *, branch: str = "") -> str:
    """A BinderHub link that builds ``repository`` (its ``environment.yml``) and opens ``path`` in JupyterLab.

    GitHub repositories use BinderHub's ``gh`` provider (``/v2/gh/<owner>/<name>/<ref>``, the README's
    badge), any other git host the ``git`` provider with the URL encoded; ``branch`` "" builds ``HEAD``,
    the default branch.
    """
    base = binder_base(binderhub)
    url = clone_url(repository)
    ref = quote(branch or "HEAD", safe="")
    parts = urlsplit(url)
    owner_name = parts.path.strip("/").removesuffix(".git").split("/")
    if parts.netloc.lower() == "github.com" and len(owner_name) == 2:
        spec = f"gh/{owner_name[0]}/{owner_name[1]}/{ref}"
    else:
        spec = f"git/{quote(url, safe='')}/{ref}"
    return f"{base}/v2/{spec}?urlpath={quote('lab/tree/' + path.lstrip('/'), safe='/')}"


def launch_links(lesson_id: str, *, repository: str, branch: str = "", binderhub: str = "",
                 jupyterhub: str = "") -> LaunchLinks:
    """Binder and JupyterHub links for one lesson (each "" when its service or the repository is not set)."""
    if not repository:
        return LaunchLinks()
    binder = binder_url(binderhub, repository, f"notebooks/{lesson_id}.ipynb", branch=branch) if binderhub else ""
    hub = nbgitpuller_url(jupyterhub, repository, lesson_path(lesson_id), branch=branch or None) if jupyterhub else ""
    return LaunchLinks(binder, hub)
