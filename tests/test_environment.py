"""environment.yml (conda, Binder, the hub image) must install what pyproject.toml asks for, under names that exist.

The design (README, "Conda, Binder and JupyterHub"): conda provides Python and pip only, and pip
installs the course itself from pyproject.toml (``-e .[hub]``), so every PyPI name goes to pip
and none has to exist on conda-forge. A conda package may be added only through CONDA_FORGE_NAMES,
the one place that maps a pyproject.toml name to the conda-forge name checked by hand on
conda-forge's package page; a name that is neither there nor in pyproject.toml fails.
"""

import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

# PyPI name (as in pyproject.toml) -> conda-forge name. Empty by design: add a pair only after
# checking the conda-forge package page, and only for a package pip cannot install well.
CONDA_FORGE_NAMES: dict[str, str] = {}
# What conda itself must provide: the interpreter and the installer for everything else.
CONDA_ONLY = {"python", "pip"}
# repo2docker reads the Python version with this pattern (buildpacks/conda): only `python=X.Y`
# is understood; `python>=3.11` would silently build Python 3.10 and then re-solve.
REPO2DOCKER_PYTHON = re.compile(r"python\s*=+\s*([\d\.]*)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject(root):
    return tomllib.loads((root / "pyproject.toml").read_text())["project"]


def _environment(root):
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"environment.yml: unexpected section {sorted(dep)}; only 'pip:' is used"
            pip += dep["pip"]
        else:
            conda.append(str(dep))
    return env, conda, pip


def _conda_name(spec: str) -> str:
    return _norm(re.split(r"[\s=<>!~]", spec.strip(), maxsplit=1)[0])


def test_conda_installs_only_python_pip_and_mapped_names(root):
    _, conda, _ = _environment(root)
    project = _pyproject(root)
    known = {_norm(Requirement(r).name) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        known |= {_norm(Requirement(r).name) for r in extra}
    mapped = {c: p for p, c in CONDA_FORGE_NAMES.items()}
    for spec in conda:
        name = _conda_name(spec)
        if name in CONDA_ONLY:
            continue
        assert name in mapped, (
            f"environment.yml asks conda for {spec!r}, which is neither python/pip nor a conda-forge name "
            f"mapped in CONDA_FORGE_NAMES; install it through pip (pyproject.toml) instead")
        assert mapped[name] in known, f"{spec!r} maps to {mapped[name]!r}, which pyproject.toml does not ask for"
    assert {_conda_name(s) for s in conda} >= CONDA_ONLY, "environment.yml must ask conda for python and pip"


def test_pip_installs_the_course_from_pyproject_with_existing_extras(root):
    _, _, pip = _environment(root)
    project = _pyproject(root)
    local = [line for line in pip if re.match(r"^(-e\s+)?\.(\[|$)", line.strip())]
    assert local, "environment.yml must install the course itself with pip (`-e .[hub]`), so pyproject.toml is the one list"
    assert all(line.startswith("-e ") for line in local), (
        "install the course editable (`-e .`): the package finds data/ and exercises/ in the repository")
    extras = set()
    for line in local:
        m = re.search(r"\[([^\]]*)\]", line)
        extras |= {e.strip() for e in m.group(1).split(",")} if m else set()
    unknown = extras - set(project["optional-dependencies"])
    assert not unknown, f"environment.yml asks for extras {sorted(unknown)} that pyproject.toml does not define"
    assert "hub" in extras, "the hub image needs the [hub] extra (nbgitpuller) from the same environment.yml"
    others = [line for line in pip if line not in local]
    names = {_norm(Requirement(r).name): r for r in project["dependencies"]}
    for line in others:
        req = Requirement(line)
        assert _norm(req.name) in names, (
            f"environment.yml pip: {line!r} is not in pyproject.toml; add it there, the one list")
        assert str(req.specifier) == str(Requirement(names[_norm(req.name)]).specifier), (
            f"environment.yml pip: {line!r} has another bound than pyproject.toml's {names[_norm(req.name)]!r}")


def test_every_pyproject_dependency_reaches_the_environment(root):
    """Each runtime dependency is installed by pip through the course itself (or through a mapped conda name)."""
    _, conda, pip = _environment(root)
    project = _pyproject(root)
    through_course = any(re.match(r"^-e\s+\.(\[|$)", line.strip()) for line in pip)
    conda_names = {_conda_name(s) for s in conda}
    for requirement in project["dependencies"]:
        name = _norm(Requirement(requirement).name)
        assert through_course or CONDA_FORGE_NAMES.get(name) in conda_names, (
            f"pyproject.toml dependency {requirement!r} is installed neither by pip nor under a mapped conda name")


def test_python_is_pinned_the_way_repo2docker_reads_it_and_satisfies_requires_python(root):
    _, conda, _ = _environment(root)
    pythons = [s for s in conda if _conda_name(s) == "python"]
    assert len(pythons) == 1, f"environment.yml must name python once, found {pythons}"
    m = REPO2DOCKER_PYTHON.match(pythons[0])
    assert m and re.fullmatch(r"3\.\d+", m.group(1)), (
        f"write python as `python=3.X` (repo2docker reads only that form), not {pythons[0]!r}")
    assert Version(m.group(1)) in SpecifierSet(_pyproject(root)["requires-python"]), (
        f"python={m.group(1)} does not satisfy requires-python {_pyproject(root)['requires-python']}")


def test_environment_yml_sits_where_repo2docker_looks_and_nothing_overrides_it(root):
    env, _, _ = _environment(root)
    assert env.get("channels") == ["conda-forge"]
    # repo2docker uses binder/ (or .binder/) instead of the root files when such a folder exists,
    # and `-e .` would then point at that folder: one environment.yml, at the root.
    for folder in ("binder", ".binder"):
        assert not (root / folder).exists(), f"{folder}/ would make repo2docker ignore the root environment.yml"
    for other in ("requirements.txt", "Pipfile", "setup.py", "environment.yaml"):
        assert not (root / other).exists(), f"{other} beside environment.yml would be a second definition"


@pytest.mark.parametrize("bad, message", [
    ({"dependencies": ["python=3.11", "pip", "kaleido", {"pip": ["-e .[hub]"]}]}, "neither python/pip"),
    ({"dependencies": ["python>=3.11", "pip", {"pip": ["-e .[hub]"]}]}, "python=3.X"),
    ({"dependencies": ["python=3.11", "pip", {"pip": ["-e .[nosuch]"]}]}, "extras"),
    ({"dependencies": ["python=3.11", "pip", {"pip": ["-e .[hub]", "left-pad>=1"]}]}, "not in pyproject.toml"),
])
def test_the_checks_fail_on_a_wrong_environment(tmp_path, root, bad, message):
    (tmp_path / "pyproject.toml").write_text((root / "pyproject.toml").read_text())
    (tmp_path / "environment.yml").write_text(yaml.safe_dump({"name": "x", "channels": ["conda-forge"], **bad}))
    checks = [test_conda_installs_only_python_pip_and_mapped_names,
              test_pip_installs_the_course_from_pyproject_with_existing_extras,
              test_python_is_pinned_the_way_repo2docker_reads_it_and_satisfies_requires_python]
    failures = []
    for check in checks:
        try:
            check(tmp_path)
        except AssertionError as exc:
            failures.append(str(exc))
    assert any(message in f for f in failures), f"expected a failure mentioning {message!r}, got {failures}"
