"""Making the course: the tools that execute lessons and turn them into what readers get.

Kernel-side code (``data``, ``charts``, ``quiz``, ``practice``, ``notebook``) runs inside a student's
notebook; the modules here run outside it and make or maintain the course (the ``make`` targets and
``turn-east`` commands call them; the name is not ``build``, which tools treat as generated output):

    execute.py    the one path that executes notebooks (papermill, IPC kernels, start-up retries)
    zygote.py     kernels forked from a warm process (Linux), for batches of notebooks
    files.py      atomic writes and the lock of an output folder
    handouts/     printable offline handouts: plan, render, post-process, index, command line
    export.py     static images of the charts (kaleido)
    slides.py     slide metadata of the lessons (jupyterlab-rise)
    guide.py      the seminar leader's guide (90-minute plans)
    exercises.py  exercises generated from solutions
    workspace.py  a student's own copy of the exercises
    refresh.py    reference outputs of the checked cells (tag nbval-check-output)
    gitfilter.py  the git filter that keeps notebook outputs out of commits, and make lab's save hook
"""
