"""Course updates reach students through the real nbgitpuller without overwriting their work.

The story a class lives through: a student clicks a lesson link (nbgitpuller clones the
course), works in a lesson and an exercise, keeps graded work in ~/my-work; the leader
pushes an update that touches the same notebooks; the student clicks a link again. The
README ("Teaching a class on JupyterHub") promises exactly what is asserted here.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbgitpuller import pull as nbgitpuller_pull  # the [hub] extra, which `make test` installs

from turn_east.make import hub
from turn_east.make.workspace import make_workspace

LESSON = "notebooks/02_stage_1_adjusting_to_asia.ipynb"
EXERCISE = "exercises/02_stage_1_adjusting_to_asia.ipynb"
GIT_ENV = {"GIT_AUTHOR_NAME": "Leader", "GIT_AUTHOR_EMAIL": "leader@example.edu",
           "GIT_COMMITTER_NAME": "Leader", "GIT_COMMITTER_EMAIL": "leader@example.edu"}


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def pull(upstream, clone, **kwargs):
    """What the git-pull handler does when a student clicks a link: the real GitPuller, to the end."""
    return list(nbgitpuller_pull.GitPuller(str(upstream), str(clone), branch="main", **kwargs).pull())


def read(path):
    return nbformat.read(path, as_version=4)


def save(nb, path):
    # JupyterLab's save: nbformat's JSON (indent 1, sorted keys) and a final newline
    Path(path).write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def edit_cell(path, index, new_source):
    nb = read(path)
    nb.cells[index].source = new_source
    save(nb, path)


def cell_index(nb, starts):
    return next(i for i, c in enumerate(nb.cells) if c.source.startswith(starts))


@pytest.fixture()
def course_repo(tmp_path, root):
    """The leader's repository (a working copy of the course) and the bare repository students pull from."""
    work = tmp_path / "leader"
    for folder in ("notebooks", "exercises"):
        shutil.copytree(root / folder, work / folder)
    shutil.copy(root / ".gitignore", work / ".gitignore")
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    git(work, "add", "-A")
    git(work, "commit", "-qm", "course")
    upstream = tmp_path / "course.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(upstream))
    git(work, "remote", "add", "origin", str(upstream))
    return work, upstream


def test_student_work_survives_a_course_update_that_touches_the_same_notebooks(tmp_path, course_repo):
    work, upstream = course_repo
    home = tmp_path / "home" / "student"
    home.mkdir(parents=True)
    clone = home / hub.DEFAULT_TARGET                       # where the course's links clone to

    # First click: the course arrives; the hub has put the student's exercise copies in ~/my-work.
    pull(upstream, clone)
    assert (clone / LESSON).is_file() and (clone / EXERCISE).is_file()
    copied, _ = make_workspace(clone / "exercises", home / hub.WORKSPACE_DIR)
    assert "02_stage_1_adjusting_to_asia.ipynb" in copied

    # The student works: a note in the lesson, a run cell's output, answers in both exercise copies,
    # a notebook of their own, and a deleted exercise they want afresh.
    lesson = read(clone / LESSON)
    try_it = cell_index(lesson, "*Try it:*")
    chart = cell_index(lesson, "ctx.show(charts.timeline")
    lesson.cells[try_it].source += "\n\nMy answer: only two events involve North Korea, so it was marginal."
    lesson.cells[chart].outputs = [nbformat.v4.new_output("stream", name="stdout", text="(chart)\n")]
    lesson.cells[chart].execution_count = 3
    save(lesson, clone / LESSON)
    exercise = read(clone / EXERCISE)
    task1 = cell_index(exercise, "events = course.events")
    answer = cell_index(exercise, "**Your answer:**")
    exercise.cells[task1].source = 'events = course.events\nstage1 = events[events["stage"] == "stage-1"]\nstage1'
    exercise.cells[answer].source = "**Your answer:** Pyongyang mattered little while Tokyo and Seoul courted Moscow."
    save(exercise, clone / EXERCISE)
    mine = home / hub.WORKSPACE_DIR / "02_stage_1_adjusting_to_asia.ipynb"
    edit_cell(mine, task1, 'stage1 = course.events.query("stage == \'stage-1\'")')
    my_work_before = {p.name: p.read_bytes() for p in (home / hub.WORKSPACE_DIR).iterdir()}
    own = clone / "notebooks" / "my_notes.ipynb"
    save(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Notes for the essay")]), own)
    (clone / "exercises" / "03_stage_2_after_crimea.ipynb").unlink()

    # The leader's update touches the same two notebooks, one of them on the very lines the student
    # changed, adds a lesson, and adds a notebook under the name the student had used.
    lesson_up = read(work / LESSON)
    key_points = cell_index(lesson_up, "## Key points")
    lesson_up.cells[key_points].source += "\n- New in this update: the 2013 Rason-Khasan rail link."
    lesson_up.cells[try_it].source = lesson_up.cells[try_it].source.replace("*Try it:*", "*Try it (revised):*")
    save(lesson_up, work / LESSON)
    exercise_up = read(work / EXERCISE)
    task4 = cell_index(exercise_up, "## Task 4")
    exercise_up.cells[task4].source += "\n\nUpdated hint: count each pair once."
    save(exercise_up, work / EXERCISE)
    save(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Leader's notes")]),
         work / "notebooks" / "my_notes.ipynb")
    save(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A new lesson")]),
         work / "notebooks" / "21_new_lesson.ipynb")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "course update")
    git(work, "push", "-q", "origin", "main")

    # Second click.
    log = "".join(pull(upstream, clone))

    lesson = read(clone / LESSON)                              # still a valid notebook after the merge
    nbformat.validate(lesson)
    assert "My answer: only two events involve North Korea" in lesson.cells[try_it].source
    assert "(revised)" not in lesson.cells[try_it].source      # same lines: the student's version wins
    assert lesson.cells[chart].outputs[0]["text"] == "(chart)\n"
    assert "New in this update: the 2013 Rason-Khasan rail link." in lesson.cells[key_points].source
    exercise = read(clone / EXERCISE)
    nbformat.validate(exercise)
    assert 'stage1 = events[events["stage"] == "stage-1"]' in exercise.cells[task1].source
    assert exercise.cells[answer].source.startswith("**Your answer:** Pyongyang mattered little")
    assert "Updated hint: count each pair once." in exercise.cells[task4].source
    assert (clone / "notebooks" / "21_new_lesson.ipynb").is_file()
    assert (clone / "exercises" / "03_stage_2_after_crimea.ipynb").is_file()   # deleted -> fresh copy

    # The student's own notebook was renamed, not overwritten: name__YYYYmmddHHMMSS.ipynb beside it.
    renamed = [p for p in (clone / "notebooks").glob("my_notes__*.ipynb")]
    assert len(renamed) == 1 and re.fullmatch(r"my_notes__\d{14}\.ipynb", renamed[0].name), log
    assert read(renamed[0]).cells[0].source == "Notes for the essay"
    assert read(clone / "notebooks" / "my_notes.ipynb").cells[0].source == "Leader's notes"

    # ~/my-work is outside the clone: byte for byte what the student left.
    assert {p.name: p.read_bytes() for p in (home / hub.WORKSPACE_DIR).iterdir()} == my_work_before


def test_a_rewritten_course_history_is_resolved_by_a_backup_beside_the_course(tmp_path, course_repo):
    work, upstream = course_repo
    home = tmp_path / "home" / "student"
    home.mkdir(parents=True)
    clone = home / hub.DEFAULT_TARGET
    pull(upstream, clone)
    edit_cell(clone / LESSON, 0, "# My own title for this lesson")

    # The leader rewrites history (a new root commit, force-pushed): no merge can join the two.
    git(work, "checkout", "-q", "--orphan", "fresh")
    git(work, "commit", "-qm", "course, history rewritten")
    git(work, "push", "-q", "--force", "origin", "fresh:main")
    with pytest.raises(subprocess.CalledProcessError):
        pull(upstream, clone)

    # The link with backup=true ("Backup and resync" on nbgitpuller's error page): the student's
    # folder moves to ~/turn-east_backup_<YYYYmmddHHMMSS>, and a fresh copy is cloned.
    pull(upstream, clone, backup=True)
    backups = list(home.glob(f"{hub.DEFAULT_TARGET}_backup_*"))
    assert len(backups) == 1 and re.fullmatch(rf"{hub.DEFAULT_TARGET}_backup_\d{{14}}", backups[0].name)
    assert read(backups[0] / LESSON).cells[0].source == "# My own title for this lesson"
    assert read(clone / LESSON).cells[0].source.startswith("# Stage One: adjusting to Asia")
