"""Where the website's launch buttons point: the course's public repository, its branch, a BinderHub and a
JupyterHub. Read from ``[tool.turn-east.site]`` in pyproject.toml, each overridable on the command line
(``turn-east site --repo URL --hub URL ...``) or by ``make site REPO=... HUB=...``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from turn_east import paths
from turn_east.errors import UsageError
from turn_east.make.hub import HubLinkError, clone_url, hub_base
from turn_east.make.site.links import binder_base

SECTION = "tool.turn-east.site"
#: Addresses that only stand in for the real ones until the course is published.
PLACEHOLDERS = ("OWNER", "example.edu", "example.org", "example.com")


@dataclass(frozen=True)
class SiteConfig:
    repository: str = ""     # the course's public git repository (what Binder builds and nbgitpuller clones)
    branch: str = ""         # "" = the repository's default branch
    binderhub: str = "https://mybinder.org"   # "" = no Binder button
    jupyterhub: str = ""     # "" = no JupyterHub button

    def placeholders(self) -> list[str]:
        """The configured addresses that are still placeholders (the site then links to nowhere real)."""
        return [f"{name} = {value}" for name, value in (("repository", self.repository),
                                                         ("jupyterhub", self.jupyterhub))
                if any(p in value for p in PLACEHOLDERS)]


def read_config(pyproject: Path | None = None) -> SiteConfig:
    """``[tool.turn-east.site]`` of the repository's pyproject.toml (defaults where a key or the file is missing)."""
    if pyproject is None:
        root = paths.repo_root()
        pyproject = root / "pyproject.toml" if root else None
    if pyproject is None or not Path(pyproject).is_file():
        return SiteConfig()
    try:
        table = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{pyproject}: not valid TOML ({exc})") from exc
    section = table.get("tool", {}).get("turn-east", {}).get("site", {})
    known = set(SiteConfig.__dataclass_fields__)
    unknown = sorted(set(section) - known)
    if unknown:
        raise UsageError(f"{pyproject}, [{SECTION}]: unknown key(s) {', '.join(unknown)}; "
                         f"known keys: {', '.join(sorted(known))}")
    bad = [k for k, v in section.items() if not isinstance(v, str)]
    if bad:
        raise UsageError(f"{pyproject}, [{SECTION}]: {', '.join(bad)} must be a string in quotes")
    return SiteConfig(**section)


def with_overrides(config: SiteConfig, **values: str | None) -> SiteConfig:
    """``config`` with the values given (None leaves a key as configured), each checked."""
    config = replace(config, **{k: v.strip() for k, v in values.items() if v is not None})
    try:
        if config.repository:
            clone_url(config.repository)
        if config.jupyterhub:
            hub_base(config.jupyterhub)
        if config.binderhub:
            binder_base(config.binderhub)
    except HubLinkError as exc:
        raise UsageError(f"site links: {exc}") from exc
    return config
