"""The package as it ships: a wheel holds every subpackage, its templates and the course data, and an
installation from it (a JupyterHub image, a student release) finds the data without the repository."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT
from turn_east import paths
from turn_east.errors import DataNotFoundError

SRC = ROOT / "src" / "turn_east"


def _declared_packages() -> set[str]:
    return set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])


def test_pyproject_lists_every_package_and_the_data():
    found = {".".join(p.parent.relative_to(SRC.parent).parts) for p in SRC.rglob("__init__.py")}
    declared = _declared_packages()
    assert found <= declared, f"add {sorted(found - declared)} to [tool.setuptools] packages in pyproject.toml"
    assert declared - found == {"turn_east.course_data"}, "only the data package lives outside src/"


def test_no_data_found_says_in_one_line_how_to_point_at_them(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_DATA_DIR, raising=False)
    monkeypatch.setattr(paths, "repo_root", lambda: None)
    monkeypatch.setattr(paths, "PACKAGED_DATA_DIR", tmp_path / "nothing-here")
    with pytest.raises(DataNotFoundError) as info:
        paths.data_dir()
    message = str(info.value)
    assert "\n" not in message and paths.ENV_DATA_DIR in message and "datapackage.json" in message
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path))
    assert paths.data_dir() == tmp_path  # the environment variable points at other data


def _tool(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_validates_its_own_data(tmp_path):
    # Build from a copy of what the wheel is made of, so the build leaves nothing in the repository.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("src", "data"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist, venv, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    uv = shutil.which("uv") or (str(Path(sys.executable).with_name("uv"))
                                if Path(sys.executable).with_name("uv").exists() else None)
    run = dict(capture_output=True, text=True, timeout=900)
    if uv:
        steps = [[uv, "build", "--wheel", "--out-dir", str(dist), str(source)],
                 [uv, "venv", "--python", sys.executable, str(venv)]]
    else:
        steps = [[sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(source)],
                 [sys.executable, "-m", "venv", str(venv)]]
    for cmd in steps:
        out = subprocess.run(cmd, **run)
        assert out.returncode == 0, f"{cmd}: {out.stderr[-2000:]}"
    (wheel,) = dist.glob("turn_east-*.whl")
    python = _tool(venv, "python")
    install = ([uv, "pip", "install", "--python", str(python), str(wheel)] if uv
               else [str(python), "-m", "pip", "install", str(wheel)])
    out = subprocess.run(install, **run)
    assert out.returncode == 0, out.stderr[-2000:]

    env = {k: v for k, v in os.environ.items() if k not in (paths.ENV_DATA_DIR, "PYTHONPATH", "VIRTUAL_ENV")}
    out = subprocess.run([str(_tool(venv, "turn-east")), "validate"], cwd=elsewhere, env=env, **run)
    assert out.returncode == 0, out.stdout + out.stderr
    with (ROOT / "data" / "questions.csv").open(encoding="utf-8", newline="") as f:
        n_questions = sum(1 for _ in csv.DictReader(f))
    assert ": OK (" in out.stdout and f"{n_questions} questions" in out.stdout
    site_data = out.stdout.split(" in ", 1)[1].split(": OK", 1)[0]
    assert Path(site_data).parts[-2:] == ("turn_east", "course_data"), site_data
    assert not Path(site_data).is_relative_to(ROOT), "the installed package must not read the repository"
    # the templates and assets came along: a quiz renders and the map outlines are there
    code = ("from turn_east.data import load_course; from turn_east.quiz import lesson_quiz; "
            "from turn_east.paths import TOPOJSON_DIR; c = load_course(); "
            "print(len(lesson_quiz(c, '02_stage_1_adjusting_to_asia').to_html('selfcheck')), "
            "(TOPOJSON_DIR / 'world_50m.json').is_file())")
    out = subprocess.run([str(python), "-c", code], cwd=elsewhere, env=env, **run)
    assert out.returncode == 0 and out.stdout.split()[1] == "True" and int(out.stdout.split()[0]) > 1000, out.stderr
