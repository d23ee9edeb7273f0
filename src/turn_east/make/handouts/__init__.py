"""Printable, offline handouts: every lesson run with papermill, then exported to HTML.

    turn-east handouts                        # every lesson, student and leader copies
    turn-east handouts --lessons 02 03        # a subset, by id or id prefix
    turn-east handouts --audience leader --pdf
    turn-east handouts -p data_dir=../my-data # a lesson parameter, checked before anything runs
    turn-east handouts --cohort students.csv  # one personalised student copy per student

Output (``--out``, default ``build/``)::

    build/handouts/index.html                 course map linking every handout (date, data version)
    build/handouts/glossary.html              every glossary term with its definition (linked from the index)
    build/handouts/bibliography.html          the article, the scholarly works, the primary documents, all sources
    build/handouts/plotly.min.js              plotly.js, shipped once; handouts load it relatively
    build/handouts/plotly-geo-topojson.js     map outlines (from static/topojson/), loaded by handouts with a map
    build/handouts/student/<lesson>.html      leader cells dropped, questions without answers
    build/handouts/leader/<lesson>.html       leader notes, timings, answer keys with explanations
    build/handouts/cohort/<student>/<lesson>.html   personalised copies (--cohort)
    build/executed/<audience>/<lesson>.ipynb  the executed notebooks
    build/executed/<audience>/<lesson>.failed.ipynb  kept for debugging when a lesson fails

How it works: ``plan`` checks everything and lists the jobs (lesson x audience); each job runs
in a worker process of a process pool (``--jobs``, ``render``): papermill executes the notebook
(``turn_east.make.execute``) with ``render="static"``, ``audience`` and ``show_answers``
injected, and nbconvert exports it with the ``handout`` template (``postprocess``;
``templates/handout``: JupyterLab's HTML without require.js, MathJax, mermaid or the widget
manager, code cells hidden, outputs kept); ``index`` writes the course map of the handouts. Every file
is written to a temporary file in its folder and ``os.replace()``-d into place, so a
failed render never leaves a half-written handout and the previous good one stays.
One broken lesson does not stop the batch; the exit status is 1 when any job failed,
2 for a usage error (unknown lesson, bad ``-p`` parameter, missing chromium for
``--pdf``, bad cohort file, the output folder in use by another run), in which case
nothing is rendered.

    plan.py         lessons, parameters (papermill.inspect_notebook), cohort, the jobs
    render.py       the worker pool: execute and export each job, atomically
    postprocess.py  nbconvert exporter and preprocessors; the offline check
    assets.py       plotly.js and the map outlines beside the handouts
    index.py        handouts/index.html (a Jinja template)
    reference.py    handouts/glossary.html and bibliography.html (a Jinja template)
    cli.py          `turn-east handouts`
"""

from turn_east.make.handouts.assets import geo_assets_js, install_plotly_js
from turn_east.make.handouts.cli import add_arguments, failure_report, main, parser, run, summary_table
from turn_east.make.handouts.plan import (
    AUDIENCES, COURSE_TITLE, GEO_JS, Job, Lesson, Plan, discover_lessons, notebook_parameters, parse_param,
    make_plan, quiz_seed_for, read_cohort, select_lessons, slugify, validate_params, with_jobs,
)
from turn_east.make.handouts.postprocess import external_references, make_offline, notebook_link
from turn_east.make.handouts.render import Result, render_all, render_job

__all__ = [
    "AUDIENCES", "COURSE_TITLE", "GEO_JS", "Job", "Lesson", "Plan", "Result", "add_arguments",
    "discover_lessons", "external_references", "failure_report", "geo_assets_js",
    "install_plotly_js", "main", "make_offline", "make_plan", "notebook_link", "notebook_parameters",
    "parse_param", "parser", "quiz_seed_for", "read_cohort", "render_all", "render_job", "run", "select_lessons",
    "slugify", "summary_table", "validate_params", "with_jobs",
]
