"""Making the course: the tools that execute lessons and turn them into what readers get.

Kernel-side code (``data``, ``charts``, ``quiz``, ``practice``, ``notebook``) runs inside a student's
notebook; the modules here run outside it and make or maintain the course (the ``make`` targets and
``turn-east`` commands call them; the name is not ``build``, which tools treat as generated output):

    execute.py    the one path that executes notebooks (papermill, IPC kernels, start-up retries)
    zygote.py     kernels forked from a warm process (Linux), for batches of notebooks
    files.py      atomic writes, the lock of an output folder, an output folder staged and swapped in
    handouts/     printable offline handouts: plan, render, post-process, index, command line
    grade/        grading a class's exercise notebooks (turn-east grade) and the nbgrader export
    export.py     static images of the charts (kaleido)
    slides.py     slide metadata of the lessons (jupyterlab-rise)
    decks/        a reveal.js slide deck per lesson, offline, from the executed leader copies
    guide.py      the seminar leader's guide (90-minute plans)
    exercises.py  exercises generated from solutions
    workspace.py  a student's own copy of the exercises
    release.py    the student release: no solutions or leader notes, the quiz bank sealed
    refresh.py    reference outputs of the checked cells (tag nbval-check-output)
    gitfilter.py  the git filter that keeps notebook outputs out of commits, and make lab's save hook
"""
