"""deploy/: the start script every student's server runs, the Helm values and the TLJH recipe agree."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

SCRIPT = Path("deploy") / "start-singleuser.sh"


def _stub_singleuser(folder: Path) -> Path:
    """A stand-in for jupyterhub-singleuser that records its arguments and where it ran."""
    folder.mkdir(parents=True, exist_ok=True)
    stub = folder / "jupyterhub-singleuser"
    stub.write_text('#!/bin/sh\necho "singleuser $*"\n')
    stub.chmod(0o755)
    return folder


def _start(root, home, path):
    env = {**os.environ, "HOME": str(home), "PATH": path}
    return subprocess.run([str(root / SCRIPT), "--port=8888", "--SingleUserNotebookApp.default_url=/lab"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_start_script_fills_my_work_then_becomes_the_server_with_the_hubs_arguments(root, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = os.pathsep.join([str(_stub_singleuser(tmp_path / "stub")), str(Path(sys.executable).parent),
                            os.environ["PATH"]])
    first = _start(root, home, path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == "singleuser --port=8888 --SingleUserNotebookApp.default_url=/lab"
    copies = sorted(p.name for p in (home / "my-work").glob("*.ipynb"))
    assert copies == sorted(p.name for p in (root / "exercises").glob("*.ipynb")) and len(copies) >= 10

    # the student's answers survive every later start
    mine = home / "my-work" / copies[0]
    mine.write_text(mine.read_text().replace('"cells": [', '"cells": [ ', 1))
    before = mine.read_bytes()
    again = _start(root, home, path)
    assert again.returncode == 0 and mine.read_bytes() == before


def test_start_script_still_starts_the_server_when_the_workspace_cannot_be_made(root, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "my-work").write_text("a file where the folder should be")
    path = os.pathsep.join([str(_stub_singleuser(tmp_path / "stub")), str(Path(sys.executable).parent),
                            os.environ["PATH"]])
    run = _start(root, home, path)
    assert run.returncode == 0 and "singleuser --port=8888" in run.stdout
    assert "could not prepare" in run.stderr


def test_helm_values_start_servers_through_the_script_in_the_image_with_measured_resources(root):
    values = yaml.safe_load((root / "deploy" / "values.yaml").read_text())
    user = values["singleuser"]
    assert user["cmd"] == ["/srv/turn-east/" + SCRIPT.as_posix()]       # repo2docker --target-repo-dir
    assert "--target-repo-dir /srv/turn-east" in (root / "deploy" / "README.md").read_text()
    assert user["defaultUrl"] == "/lab"
    assert user["image"]["tag"] != "latest"
    mem = {k: user["memory"][k] for k in ("guarantee", "limit")}
    assert mem == {"guarantee": "384M", "limit": "1G"}
    assert user["cpu"] == {"guarantee": 0.1, "limit": 1}
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] >= 1800
    # deploy/README.md shows the arithmetic with the same numbers
    readme = (root / "deploy" / "README.md").read_text()
    for figure in ("384M", "1G", "300 x 384 MB", "7.5 / 0.1 = **75**", "**5 nodes**"):
        assert figure in readme, figure


def test_tljh_recipe_sets_the_same_start_command(root):
    class Config(dict):
        def __getattr__(self, name):
            return self.setdefault(name, Config())

        def __setattr__(self, name, value):
            self[name] = value

    c = Config()
    exec((root / "deploy" / "tljh" / "turn-east.py").read_text(), {"get_config": lambda: c})
    assert c.Spawner.cmd == ["/opt/turn-east/" + SCRIPT.as_posix()]
    assert c.Spawner.default_url == "/lab"
    recipe = (root / "deploy" / "README.md").read_text()
    assert "sudo git clone https://github.com/<owner>/turn-east /opt/turn-east" in recipe
    assert re.search(r"pip install -e \"/opt/turn-east\[hub\]\"", recipe)


def test_start_script_is_executable_in_git(root):
    mode = subprocess.run(["git", "ls-files", "-s", SCRIPT.as_posix()], cwd=root, capture_output=True,
                          text=True).stdout.split()[:1]
    assert mode == ["100755"], "deploy/start-singleuser.sh must be committed executable (git add --chmod=+x)"
