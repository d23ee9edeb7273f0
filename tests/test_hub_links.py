"""`turn-east hub-links`: one working nbgitpuller link per lesson and per exercise."""

import csv
import io
import subprocess
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from turn_east import cli
from turn_east.make import hub

HUB = "https://hub.example.edu"
REPO = "https://github.com/example/turn-east"


def _query(url):
    parts = urlsplit(url)
    return parts, {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}


def test_every_lesson_and_exercise_gets_one_link_that_opens_an_existing_notebook(course, root):
    exercise_ids = sorted(p.stem for p in (root / "exercises").glob("*.ipynb"))
    links = hub.course_links(HUB, REPO, course.lessons, exercise_ids, branch="main")
    lessons = [ln for ln in links if ln.kind == "lesson"]
    exercises = [ln for ln in links if ln.kind == "exercise"]
    assert [ln.lesson_id for ln in lessons] == list(course.lessons["id"])
    assert sorted(ln.lesson_id for ln in exercises) == exercise_ids
    assert exercise_ids == sorted(p.stem for p in (root / "solutions").glob("*.ipynb")), "one exercise per solution"
    for ln in links:
        parts, q = _query(ln.url)
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
        assert q["repo"] == REPO and q["branch"] == "main" and q["targetPath"] == "turn-east"
        assert q["urlpath"] == f"lab/tree/{ln.path}"
        if ln.kind == "lesson":
            assert ln.path.startswith("turn-east/notebooks/")
            assert (root / ln.path.removeprefix("turn-east/")).is_file(), ln.path
        else:
            # the student's own copy beside the clone, made from the course's exercise of that name
            assert ln.path == f"my-work/{ln.lesson_id}.ipynb"
            assert (root / "exercises" / f"{ln.lesson_id}.ipynb").is_file()


def test_exercise_links_can_open_the_exercise_inside_the_course_instead(course):
    links = hub.course_links(HUB, REPO, course.lessons, ["02_stage_1_adjusting_to_asia"], exercises="course")
    ex = [ln for ln in links if ln.kind == "exercise"]
    assert [ln.path for ln in ex] == ["turn-east/exercises/02_stage_1_adjusting_to_asia.ipynb"]


@pytest.mark.parametrize("pasted, base", [
    ("https://hub.example.edu", "https://hub.example.edu"),
    ("https://hub.example.edu/", "https://hub.example.edu"),
    ("https://hub.example.edu/hub/home", "https://hub.example.edu"),
    ("https://hub.example.edu/hub", "https://hub.example.edu"),
    ("https://uni.edu/jupyter/user/alice/lab/tree/x.ipynb?reset#top", "https://uni.edu/jupyter"),
    (" http://127.0.0.1:8000/ ", "http://127.0.0.1:8000"),
])
def test_the_hub_address_a_leader_pastes_is_reduced_to_the_hub_base(pasted, base):
    assert hub.hub_base(pasted) == base
    assert hub.nbgitpuller_url(pasted, REPO, "turn-east/notebooks/x.ipynb").startswith(base + "/hub/user-redirect/git-pull?")


@pytest.mark.parametrize("remote, url", [
    ("git@github.com:example/turn-east.git", "https://github.com/example/turn-east.git"),
    ("ssh://git@gitlab.example.edu/teach/turn-east.git", "https://gitlab.example.edu/teach/turn-east.git"),
    ("https://github.com/example/turn-east", "https://github.com/example/turn-east"),
    ("/srv/courses/turn-east", "/srv/courses/turn-east"),
    ("file:///srv/courses/turn-east", "file:///srv/courses/turn-east"),
])
def test_repository_addresses_become_what_a_students_server_can_clone(remote, url):
    assert hub.clone_url(remote) == url


@pytest.mark.parametrize("call, message", [
    (lambda: hub.hub_base("hub.example.edu"), "not an http(s) address"),
    (lambda: hub.hub_base("ftp://hub.example.edu"), "not an http(s) address"),
    (lambda: hub.clone_url(""), "no repository address"),
    (lambda: hub.clone_url("turn-east"), "neither a URL nor an absolute path"),
    (lambda: hub.clone_url("https:///nohost"), "has no host"),
    (lambda: hub.nbgitpuller_url(HUB, REPO, "x.ipynb", branch="bad branch"), "not a valid git branch"),
    (lambda: hub.nbgitpuller_url(HUB, REPO, "x.ipynb", target="a/b"), "one folder"),
    (lambda: hub.nbgitpuller_url(HUB, REPO, "../etc/passwd"), "without '..'"),
    (lambda: hub.exercise_path("x", exercises="elsewhere"), "choose one of"),
    (lambda: hub.course_links(HUB, REPO, [("01", "One")], ["07_nosuch"]), "07_nosuch.ipynb match no lesson"),
])
def test_bad_input_says_what_is_wrong_and_how_to_fix_it(call, message):
    with pytest.raises(hub.HubLinkError) as info:
        call()
    assert message in str(info.value)


def test_special_characters_survive_the_round_trip_through_the_link():
    url = hub.nbgitpuller_url(HUB, "https://git.example.edu/c?a=1&b=2+3", "turn-east/notebooks/a b#1.ipynb",
                              branch="term/2025-spring")
    _, q = _query(url)
    assert q["repo"] == "https://git.example.edu/c?a=1&b=2+3" and q["branch"] == "term/2025-spring"
    # urlpath is itself a URL path: the file name stays encoded inside it
    assert q["urlpath"] == "lab/tree/turn-east/notebooks/a%20b%231.ipynb"
    assert unquote(q["urlpath"]) == "lab/tree/turn-east/notebooks/a b#1.ipynb"


def test_cli_prints_every_link_and_takes_the_repo_from_origin(capsys, monkeypatch, course, root):
    monkeypatch.setattr(hub, "origin_url", lambda root: "git@github.com:example/turn-east.git")
    assert cli.main(["hub-links", "--hub", HUB + "/hub/home", "--branch", "main"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(course.lessons) + len(list((root / "exercises").glob("*.ipynb")))
    assert all("repo=https://github.com/example/turn-east.git&branch=main&targetPath=turn-east" in ln for ln in lines)
    assert lines[0].split()[:2] == ["lesson", "00_course_map"]
    assert lines[-1].split()[:2] == ["exercise", "20_synthesis_weighing_the_argument"]


def test_cli_without_repo_or_origin_says_what_to_pass(capsys, monkeypatch):
    monkeypatch.setattr(hub, "origin_url", lambda root: None)
    assert cli.main(["hub-links", "--hub", HUB]) == 2
    err = capsys.readouterr().err
    assert "no --repo given" in err and "--repo https://github.com/<owner>/turn-east" in err


def test_cli_formats_for_a_course_page_and_an_lms(capsys):
    assert cli.main(["hub-links", "--hub", HUB, "--repo", REPO, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Lessons\n- [Course map: North Korea in Russia's Turn to the East](https://hub.example.edu/")
    assert "\n## Exercises\n" in md
    assert cli.main(["hub-links", "--hub", HUB, "--repo", REPO, "--format", "csv", "--exercises", "course"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["kind"] == "lesson" and rows[-1]["opens"] == "turn-east/exercises/20_synthesis_weighing_the_argument.ipynb"


def test_cli_rejects_a_bad_hub_address_without_a_traceback(capsys):
    assert cli.main(["hub-links", "--hub", "hub.example.edu", "--repo", REPO]) == 2
    assert "turn-east hub-links: hub address 'hub.example.edu' is not an http(s) address" in capsys.readouterr().err


def test_origin_url_reads_the_configured_remote(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert hub.origin_url(tmp_path) is None
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:example/turn-east.git"],
                   check=True)
    assert hub.origin_url(tmp_path) == "git@github.com:example/turn-east.git"
