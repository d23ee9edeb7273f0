"""environment.yml (conda, Binder) and pyproject.toml must ask for the same packages."""

import re
import tomllib

import yaml


def _name_and_spec(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject(root):
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + list(meta["optional-dependencies"]["test"])
    return dict(_name_and_spec(r) for r in reqs), meta["requires-python"]


def _environment(root):
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep.get("pip", [])
        else:
            name, spec = _name_and_spec(dep)
            conda[name] = spec
    return conda, pip


def test_environment_lists_every_pyproject_dependency_with_the_same_bound(root):
    wanted, _ = _pyproject(root)
    conda, _ = _environment(root)
    missing = sorted(set(wanted) - set(conda))
    assert not missing, f"environment.yml lacks {missing}; add them with the bounds from pyproject.toml"
    differ = {n: (wanted[n], conda[n]) for n in wanted if wanted[n] != conda[n]}
    assert not differ, f"bounds differ (pyproject, environment.yml): {differ}"


def test_environment_adds_nothing_pyproject_does_not_know(root):
    wanted, _ = _pyproject(root)
    conda, _ = _environment(root)
    extra = sorted(set(conda) - set(wanted) - {"python", "pip"})
    assert not extra, f"environment.yml has {extra} that pyproject.toml does not; add them there or drop them"


def test_environment_python_matches_and_installs_the_package(root):
    _, requires_python = _pyproject(root)
    conda, pip = _environment(root)
    assert conda["python"] == requires_python
    assert "-e ." in pip or "." in pip, "environment.yml must install the turn_east package itself"
