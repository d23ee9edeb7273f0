"""Publishing basics: the licences, the citation file, the changelog and the one version they all show."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import turn_east
from turn_east.make.handouts.plan import COURSE_TITLE

ROOT = Path(__file__).resolve().parents[1]


def test_one_version_for_package_citation_and_changelog():
    version = turn_east.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[.-]?\w+)?", version)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "turn_east.__version__"}
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version
    newest = re.search(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M).group(1)
    assert newest.split()[0].strip("[]") == version, f"CHANGELOG.md's newest entry is {newest!r}, not {version}"


def test_citation_file_says_what_to_cite():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert COURSE_TITLE in citation["title"]
    assert citation["authors"] and all(a.get("name") or a.get("family-names") for a in citation["authors"])
    assert set(citation["license"]) == {"CC-BY-4.0", "MIT"}
    assert citation["message"] and citation["abstract"]


def test_licences_code_mit_and_content_cc_by():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert code.startswith("MIT License") and "Permission is hereby granted, free of charge" in code
    content = (ROOT / "LICENSE-CONTENT").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in content
    for section in range(1, 9):  # the whole legal code, not a summary
        assert f"Section {section} -- " in content
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "MIT" in readme and "LICENSE-CONTENT" in readme
    assert "https://mybinder.org/badge_logo.svg" in readme
