"""Grading a class's exercise notebooks (``turn-east grade``) and exporting the exercises to nbgrader
(``turn-east nbgrader-export``).

    exercise.py         what an exercise asks: checked and written tasks, their check calls, points
    submissions.py      finding and reading SUBMISSIONS/<student>/<exercise>.ipynb (and what is wrong with one)
    run.py              each submission in a fresh kernel through turn_east.make.execute, in a worker pool
    report.py           gradebook.csv, totals.csv, written.csv, feedback pages, the leader's index
    cli.py              the command line
    nbgrader_export.py  an nbgrader course folder: source/<assignment>/ with nbgrader's cell metadata

The answers are checked in the student's kernel by :mod:`turn_east.practice.autograde` (kernel side).
"""
