"""Printable, offline handouts: every lesson run with papermill, then exported to HTML.

    turn-east handouts                        # every lesson, student and leader copies
    turn-east handouts --lessons 02 03        # a subset, by id or id prefix
    turn-east handouts --audience leader --pdf
    turn-east handouts -p data_dir=../my-data # a lesson parameter, checked before anything runs
    turn-east handouts --cohort students.csv  # one personalised student copy per student
    python -m turn_east.handouts ...          # the same, without the CLI wrapper

Output (``--out``, default ``build/``)::

    build/handouts/index.html                 course map linking every handout (date, data version)
    build/handouts/plotly.min.js              plotly.js, shipped once; handouts load it relatively
    build/handouts/plotly-geo-topojson.js     map outlines (from static/topojson/), loaded by handouts with a map
    build/handouts/student/<lesson>.html      leader cells dropped, questions without answers
    build/handouts/leader/<lesson>.html       leader notes, timings, answer keys with explanations
    build/handouts/cohort/<student>/<lesson>.html   personalised copies (--cohort)
    build/executed/<audience>/<lesson>.ipynb  the executed notebooks
    build/executed/<audience>/<lesson>.failed.ipynb  kept for debugging when a lesson fails

How it works: each job (lesson x audience) runs in a worker process of a process pool
(``--jobs``): papermill executes the notebook with ``render="static"``, ``audience``
and ``show_answers`` injected, and nbconvert exports it with the ``handout``
template (``turn_east/templates/handout``: JupyterLab's HTML without require.js,
MathJax, mermaid or the widget manager, code cells hidden, outputs kept). Every file
is written to a temporary file in its folder and ``os.replace()``-d into place, so a
failed render never leaves a half-written handout and the previous good one stays.
One broken lesson does not stop the batch; the exit status is 1 when any job failed,
2 for a usage error (unknown lesson, bad ``-p`` parameter, missing chromium for
``--pdf``, bad cohort file), in which case nothing is rendered.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import datetime as _dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from turn_east.data import DataError, bundled_data_dir, load_course

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parents[1]
DEFAULT_NOTEBOOKS = ROOT / "notebooks"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "handout"
GEO_JS = "plotly-geo-topojson.js"  # map outlines for plotly geo charts (plotly.js would fetch them from a CDN)
# The outlines themselves: plain topojson files, the one copy in the repo. Live JupyterLab loads them
# through plotly's topojsonURL (turn_east.notebook); handouts get GEO_JS, written from them by geo_assets_js().
TOPOJSON_DIR = PACKAGE_DIR / "static" / "topojson"
_GEO_TRACE = re.compile(r'"type":\s*"(?:scattergeo|choropleth)"')
AUDIENCES = ("student", "leader")
COURSE_TITLE = "North Korea in Russia's Turn to the East"
PDF_BUDGET_MS = 8000
CELL_TIMEOUT_S = 600

# Parameters the tool itself injects; -p may not set them.
RESERVED = {
    "render": "always 'static' for handouts",
    "audience": "use --audience student|leader|both",
    "show_answers": "set by the audience (student: False, leader: True)",
    "student_name": "use --cohort students.csv",
    "quiz_seed": "use --cohort students.csv (derived from each student's name)",
}
# Types allowed for template parameters whose default (None) says nothing about the type.
KNOWN_TYPES = {"data_dir": (type(None), str)}


class UsageError(Exception):
    """A problem with the command line or its inputs: reported, exit 2, nothing rendered."""


# ------------------------------------------------------------------------------ lessons
def _data_dir(override: str | None = None) -> Path:
    return Path(override) if override else bundled_data_dir()


def _course(data_dir: Path):
    """The course data, through the one loader; bad data stops the batch before anything renders."""
    try:
        return load_course(data_dir)
    except DataError as exc:
        raise UsageError(f"{exc}\nNothing was rendered. `turn-east validate {data_dir}` lists the same "
                         "problems; fix them, or pass -p data_dir=FOLDER for other data.") from exc


def _read_lessons_csv(data_dir: Path) -> list[dict]:
    lessons = _course(data_dir).lessons.astype(object)
    return lessons.where(lessons.notna(), "").to_dict("records")


def _data_version(data_dir: Path) -> str:
    return _course(data_dir).version


def _notebook_title(path: Path) -> str:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.stem
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            src = "".join(cell.get("source", ""))
            m = re.search(r"^#\s+(.+)$", src, re.M)
            if m:
                return m.group(1).strip()
    return path.stem


@dataclass
class Lesson:
    id: str
    notebook: Path
    title: str
    row: dict = field(default_factory=dict)


def discover_lessons(notebooks_dir: Path | None = None, data_dir: Path | None = None) -> list[Lesson]:
    """The lessons to render: ``lessons.csv`` order for the course's notebooks/, else every notebook in the folder."""
    data_dir = data_dir or _data_dir()
    rows = {r["id"]: r for r in _read_lessons_csv(data_dir)}
    if notebooks_dir is None or Path(notebooks_dir).resolve() == DEFAULT_NOTEBOOKS.resolve():
        folder = DEFAULT_NOTEBOOKS
        ids = list(rows)
    else:
        folder = Path(notebooks_dir)
        if not folder.is_dir():
            raise UsageError(f"notebooks folder {folder} does not exist")
        ids = sorted(p.stem for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    lessons = []
    for lid in ids:
        path = folder / f"{lid}.ipynb"
        row = rows.get(lid, {})
        title = row.get("title") or (_notebook_title(path) if path.exists() else lid)
        lessons.append(Lesson(lid, path, title, row))
    return lessons


def select_lessons(lessons: list[Lesson], wanted: list[str] | None) -> list[Lesson]:
    """Keep lessons whose id equals or starts with one of ``wanted`` (comma- or space-separated)."""
    if not wanted:
        return lessons
    tokens = [t for w in wanted for t in re.split(r"[,\s]+", w) if t]
    chosen, unknown = [], []
    for tok in tokens:
        hits = [ls for ls in lessons if ls.id == tok] or [ls for ls in lessons if ls.id.startswith(tok)]
        if not hits:
            unknown.append(tok)
        for h in hits:
            if h not in chosen:
                chosen.append(h)
    if unknown:
        raise UsageError(f"--lessons: no lesson matches {', '.join(map(repr, unknown))}; "
                         f"known lessons: {', '.join(ls.id for ls in lessons)}")
    return [ls for ls in lessons if ls in chosen]  # course order


# ------------------------------------------------------------------------------ parameters
def notebook_parameters(path: Path) -> dict[str, object]:
    """Names and default values of the notebook's cell tagged ``parameters`` ({} when it has none)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell.get("source", ""))
            out: dict[str, object] = {}
            for node in ast.parse(src).body:
                targets = []
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    targets, value = [node.target], node.value
                for t in targets:
                    if isinstance(t, ast.Name):
                        try:
                            out[t.id] = ast.literal_eval(value)
                        except ValueError:
                            out[t.id] = ...  # not a literal: any type accepted
            return out
    return {}


def parse_param(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` -> (name, value); VALUE is a Python literal, else taken as a plain string."""
    if "=" not in text:
        raise UsageError(f"-p/--param {text!r}: expected NAME=VALUE, e.g. -p data_dir=../data")
    name, raw = text.split("=", 1)
    name = name.strip()
    if not name.isidentifier():
        raise UsageError(f"-p/--param {text!r}: {name!r} is not a parameter name")
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError):
        value = raw
    return name, value


def _type_ok(name: str, default, value) -> tuple[bool, str]:
    if name in KNOWN_TYPES:
        allowed = KNOWN_TYPES[name]
        return isinstance(value, allowed), " or ".join("None" if t is type(None) else t.__name__ for t in allowed)
    if default is ... or default is None:
        return True, "any literal"
    if isinstance(default, bool):
        return isinstance(value, bool), "bool (True or False)"
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool), "int"
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool), "float"
    return isinstance(value, type(default)), type(default).__name__


def validate_params(params: dict[str, object], lessons: list[Lesson]) -> dict[str, object]:
    """Check every ``-p`` against each selected notebook's parameters cell; return the values to inject."""
    problems = []
    for name in params:
        if name in RESERVED:
            problems.append(f"parameter {name!r} is set by turn-east handouts ({RESERVED[name]}); "
                            "it cannot be given with -p")
    if problems:
        raise UsageError("\n".join(problems))
    for lesson in lessons:
        if not lesson.notebook.is_file():
            continue  # reported as a failed job
        declared = notebook_parameters(lesson.notebook)
        allowed = ", ".join(sorted(n for n in declared if n not in RESERVED)) or "(none)"
        for name, value in params.items():
            if name not in declared:
                problems.append(f"unknown parameter {name!r} for notebook {lesson.notebook}: "
                                f"not in its parameters cell; allowed names: {allowed} "
                                f"({', '.join(sorted(RESERVED))} are set by turn-east handouts itself)")
                continue
            ok, expected = _type_ok(name, declared[name], value)
            if not ok:
                problems.append(f"parameter {name!r} for notebook {lesson.notebook}: value {value!r} is a "
                                f"{type(value).__name__}, expected {expected} (default {declared[name]!r}); "
                                f"allowed names: {allowed}")
    if problems:
        raise UsageError("\n".join(problems))
    out = dict(params)
    if isinstance(out.get("data_dir"), str):
        folder = Path(out["data_dir"]).expanduser().resolve()
        if not folder.is_dir():
            raise UsageError(f"-p data_dir={params['data_dir']}: the folder {folder} does not exist; give a folder "
                             "holding datapackage.json and the course CSV files, or leave data_dir out")
        out["data_dir"] = str(folder)  # notebooks run with their own folder as working directory
    return out


# ------------------------------------------------------------------------------ cohort
def slugify(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug or "student-" + hashlib.sha256(text.encode()).hexdigest()[:8]


def quiz_seed_for(name: str) -> int:
    """A stable quiz seed for a student: the same name always gives the same question order."""
    return int.from_bytes(hashlib.sha256(name.strip().encode("utf-8")).digest()[:4], "big")


def read_cohort(path: Path) -> list[dict]:
    """``[{name, slug, seed}]`` from a CSV with a ``name`` column and an optional ``id`` column."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--cohort: the file {path} does not exist")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip() for f in (reader.fieldnames or [])]
        if "name" not in fields:
            raise UsageError(f"--cohort {path}: needs a 'name' column (optional 'id'); found {fields or 'no header'}")
        students, seen = [], {}
        for lineno, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            if not row.get("name"):
                continue
            slug = slugify(row.get("id") or row["name"])
            if slug in seen:
                raise UsageError(f"--cohort {path} line {lineno}: {row['name']!r} gives the folder name {slug!r}, "
                                 f"already used on line {seen[slug]}; add a distinct 'id' column value")
            seen[slug] = lineno
            students.append({"name": row["name"], "slug": slug, "seed": quiz_seed_for(row["name"])})
    if not students:
        raise UsageError(f"--cohort {path}: no student names found")
    return students


# ------------------------------------------------------------------------------ jobs
@dataclass(frozen=True)
class Job:
    lesson: str
    title: str
    notebook: str
    audience: str            # student | leader (what the notebook is told)
    label: str               # student | leader | cohort/<slug> (where it goes, shown in the summary)
    html_path: str
    executed_path: str
    parameters: tuple        # ((name, value), ...) injected by papermill
    plotly_url: str          # plotly.min.js relative to the HTML file
    geo_url: str             # the offline map outlines, loaded only by handouts with a map
    index_url: str
    footer: str
    pdf: bool = False
    chromium: str = ""
    lesson_ids: tuple = ()   # every lesson of the course: links to them point at their handouts


@dataclass
class Result:
    lesson: str
    label: str
    status: str              # ok | failed
    seconds: float = 0.0
    size: int = 0
    html_path: str = ""
    pdf_path: str = ""
    error: str = ""
    cell_index: int | None = None
    cell_line: str = ""
    warnings: list = field(default_factory=list)


def _rel(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def build_jobs(lessons, audiences, out: Path, params: dict, *, cohort=None, pdf=False, chromium="",
               data_version="", lesson_ids=()) -> list[Job]:
    handouts = out / "handouts"
    plotly_js = handouts / "plotly.min.js"
    index = handouts / "index.html"
    today = _dt.date.today().isoformat()
    jobs = []

    def make(lesson, audience, label, html_dir, exec_dir, extra, who=""):
        html_path = html_dir / f"{lesson.id}.html"
        injected = {**params, "render": "static", "audience": audience,
                    "show_answers": audience == "leader", **extra}
        footer = (f"{COURSE_TITLE} - {lesson.title} - {label} handout{who} - "
                  f"data version {data_version or 'unknown'} - rendered {today}")
        return Job(lesson=lesson.id, title=lesson.title, notebook=str(lesson.notebook), audience=audience,
                   label=label, html_path=str(html_path), executed_path=str(exec_dir / f"{lesson.id}.ipynb"),
                   parameters=tuple(sorted(injected.items())), plotly_url=_rel(plotly_js, html_dir),
                   geo_url=_rel(handouts / GEO_JS, html_dir),
                   index_url=_rel(index, html_dir), footer=footer, pdf=pdf, chromium=chromium,
                   lesson_ids=tuple(lesson_ids) or tuple(l.id for l in lessons))

    for lesson in lessons:
        for audience in audiences:
            jobs.append(make(lesson, audience, audience, handouts / audience, out / "executed" / audience, {}))
        for st in cohort or []:
            label = f"cohort/{st['slug']}"
            jobs.append(make(lesson, "student", label, handouts / "cohort" / st["slug"],
                             out / "executed" / "cohort" / st["slug"],
                             {"student_name": st["name"], "quiz_seed": st["seed"]}, who=f" for {st['name']}"))
    return jobs


# ------------------------------------------------------------------------------ atomic writes
def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_path(final: Path, suffix: str = ""):
    """Yield a temporary path in ``final``'s folder; on success it replaces ``final``, on error it is removed."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}.", suffix=suffix or f".tmp{final.suffix}")
    os.close(fd)
    os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; handouts are for sharing
    try:
        yield Path(tmp)
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_atomic(final: Path, data: str | bytes) -> None:
    with atomic_path(final) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)


def _install(src: Path, dst: Path) -> Path:
    if not dst.exists() or dst.stat().st_size != src.stat().st_size or dst.read_bytes() != src.read_bytes():
        write_atomic(dst, src.read_bytes())
    return dst


_GEO_JS_HEADER = """/* Offline map outlines for plotly.js geo charts in turn-east handouts, written by turn-east handouts
 * from src/turn_east/static/topojson/*.json ({names}): the topojson of plotly.js (as in dist/plotly-geo-assets.js
 * of the npm package plotly.js, MIT licence, Copyright Plotly, Inc.; outlines from UN / Natural Earth geodata).
 * plotly.js reads window.PlotlyGeoAssets.topojson[name] before it would fetch https://cdn.plot.ly/un/<name>.json,
 * so a handout that loads this file after plotly.min.js draws its maps without the internet (even from file://,
 * where plotly.js could not fetch a .json file). */
"""


def geo_assets_js(topojson_dir: Path = TOPOJSON_DIR) -> str:
    """The handouts' ``plotly-geo-topojson.js``: every ``<name>.json`` of ``topojson_dir`` as
    ``window.PlotlyGeoAssets.topojson[name]``, in name order (the same bytes on every run)."""
    files = sorted(topojson_dir.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no topojson files in {topojson_dir}: the handouts' maps would have no outlines")
    parts = [_GEO_JS_HEADER.format(names=", ".join(f.stem for f in files)),
             "(function(){var w=window;w.PlotlyGeoAssets=w.PlotlyGeoAssets||{topojson:{}};"
             "w.PlotlyGeoAssets.topojson=w.PlotlyGeoAssets.topojson||{};var t=w.PlotlyGeoAssets.topojson;\n"]
    for f in files:
        text = f.read_text(encoding="utf-8").strip()
        data = json.loads(text)  # plain JSON only: the file is pasted into a script as it is
        if not isinstance(data, dict) or data.get("type") != "Topology":
            raise ValueError(f"{f} is not a topojson Topology")
        parts.append(f"t[{json.dumps(f.stem)}]={text};\n")
    parts.append("})();\n")
    return "".join(parts)


def install_plotly_js(handouts_dir: Path) -> Path:
    """Copy plotly's bundled plotly.min.js (and write the offline map outlines) beside the handouts, once."""
    import plotly

    geo_js = handouts_dir / GEO_JS
    text = geo_assets_js()
    if not geo_js.exists() or geo_js.read_text(encoding="utf-8") != text:
        write_atomic(geo_js, text)
    return _install(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", handouts_dir / "plotly.min.js")


# ------------------------------------------------------------------------------ offline check
_LOADING_URL = re.compile(r"""(?:import\s*\(|src\s*=|href\s*=|url\()\s*["']?((?:https?:)?//[^"'\s)]+)""", re.I)
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)


class _RefParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attr in ("src", "href"):
            url = attrs.get(attr) or ""
            if tag in ("script", "link", "img", "iframe", "source", "embed") and _EXTERNAL.match(url):
                self.refs.append((tag, url))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.refs.extend(("script (inline)", m.group(1)) for m in _LOADING_URL.finditer(data))


def external_references(page: str, tags=("script", "link", "script (inline)")) -> list[tuple[str, str]]:
    """External URLs (http, https or protocol-relative) the page would load from ``tags``."""
    parser = _RefParser()
    parser.feed(page)
    return [(t, u) for t, u in parser.refs if t in tags]


_STRIP_SCRIPT = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script>""", re.I)
_STRIP_LINK = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", re.I)


_NOTEBOOK_LINK = re.compile(r"""<a\b([^>]*?)\bhref=(["'])((?![a-z][a-z0-9+.-]*:)[^"'#]*?([^/"'#]+)\.ipynb)(#[^"']*)?\2([^>]*)>(.*?)</a>""",
                            re.I | re.S)


def link_handouts(page: str, lesson_ids) -> str:
    """Point links to lesson notebooks at their handouts (same folder); a link to any other
    notebook (an exercise, the leader guide) keeps its text but loses the dead link."""
    known = set(lesson_ids)

    def fix(m):
        before, quote, path, stem, anchor, after, text = m.groups()
        folder = path[: -len(stem) - len(".ipynb")].strip("./")
        if stem in known and folder in ("", "notebooks"):
            return f"<a{before}href={quote}{stem}.html{anchor or ''}{quote}{after}>{text}</a>"
        return f'<span class="te-notebook-ref" title="a notebook in the course repository">{text}</span>'

    return _NOTEBOOK_LINK.sub(fix, page)


def make_offline(page: str) -> str:
    """Drop any <script src> / <link href> pointing off the machine (a safety net behind the template)."""
    return _STRIP_LINK.sub("", _STRIP_SCRIPT.sub("", page))


# ------------------------------------------------------------------------------ worker
_EXPORTERS: dict = {}


def _exporter(audience: str):
    if audience not in _EXPORTERS:
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
        from traitlets.config import Config

        class DropNoise(Preprocessor):
            """Remove stderr streams (warnings) and the parameters cells: a reader wants prose, charts, quizzes."""

            def preprocess(self, nb, resources):
                nb.cells = [c for c in nb.cells
                            if not {"parameters", "injected-parameters"} & set(c.get("metadata", {}).get("tags", []))]
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        cell.outputs = [o for o in cell.get("outputs", [])
                                        if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
                return nb, resources

        c = Config()
        c.TemplateExporter.exclude_input = True
        c.TemplateExporter.exclude_input_prompt = True
        c.TemplateExporter.exclude_output_prompt = True
        c.HTMLExporter.embed_images = True
        remove = {"leader"} if audience == "student" else set()
        exporter = HTMLExporter(config=c, template_name=TEMPLATE_NAME,
                                extra_template_basedirs=[str(TEMPLATES_DIR)])
        tag_remove = TagRemovePreprocessor(config=c, remove_cell_tags=remove, enabled=True)
        exporter.register_preprocessor(tag_remove, enabled=True)
        exporter.register_preprocessor(DropNoise(config=c), enabled=True)
        _EXPORTERS[audience] = exporter
    return _EXPORTERS[audience]


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _source_index(executed_nb_path: Path, index: int) -> int:
    """Map a cell index of the executed notebook to the source notebook (papermill inserts one cell)."""
    try:
        nb = json.loads(executed_nb_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return index
    # papermill adds error-marker cells when it saves a failed run; the index it reports does not count them
    cells = [c for c in nb["cells"] if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    injected = sum(1 for c in cells[:index] if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return index - injected


def print_pdf(chromium: str, html_path: Path, pdf_path: Path, budget_ms: int = PDF_BUDGET_MS) -> None:
    """Print an HTML file to PDF with headless Chromium (charts rendered within the virtual time budget)."""
    with tempfile.TemporaryDirectory(prefix="te-chromium-") as profile, atomic_path(pdf_path, ".tmp.pdf") as tmp:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--disable-quic", "--no-pdf-header-footer", f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", f"--print-to-pdf={tmp}", Path(html_path).resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise RuntimeError(f"chromium could not print {html_path} (exit {proc.returncode}): "
                               f"{proc.stderr.strip()[-400:]}")


def render_job(job: Job) -> Result:
    """Execute one notebook with papermill and export it; runs inside a worker process."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    res = Result(job.lesson, job.label, "failed", html_path=job.html_path)
    html_path, exec_path = Path(job.html_path), Path(job.executed_path)
    notebook = Path(job.notebook)
    tmp_nb = None
    try:
        if not notebook.is_file():
            raise FileNotFoundError(f"notebook {notebook} does not exist")
        exec_path.parent.mkdir(parents=True, exist_ok=True)
        failed_copy = exec_path.with_suffix(".failed.ipynb")
        fd, tmp_name = tempfile.mkstemp(dir=exec_path.parent, prefix=f".{exec_path.stem}.", suffix=".tmp.ipynb")
        os.close(fd)
        os.chmod(tmp_name, _FILE_MODE)
        tmp_nb = Path(tmp_name)
        try:
            nb = pm.execute_notebook(str(notebook), str(tmp_nb), parameters=dict(job.parameters),
                                     cwd=str(notebook.parent), progress_bar=False, log_output=False,
                                     request_save_on_cell_execute=False, execution_timeout=CELL_TIMEOUT_S,
                                     shutdown_kernel="immediate")
        except PapermillExecutionError as exc:
            res.cell_index = _source_index(tmp_nb, exc.cell_index)
            res.cell_line = _first_line(exc.source)
            res.error = f"{exc.ename}: {exc.evalue}".strip()
            if tmp_nb.exists() and tmp_nb.stat().st_size:
                os.replace(tmp_nb, failed_copy)  # for debugging; never the handout
            return res
        nb = nbformat.from_dict(nb) if not isinstance(nb, nbformat.NotebookNode) else nb
        has_map = any(_GEO_TRACE.search(o.get("data", {}).get("text/html", "") or "")
                      for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
        resources = {"metadata": {"name": job.title}, "plotly_js_url": job.plotly_url,
                     "geo_js_url": job.geo_url if has_map else "",
                     "te_course": COURSE_TITLE, "te_index_url": job.index_url, "te_footer": job.footer,
                     "te_audience_label": ("Seminar leader's copy" if job.audience == "leader"
                                           else "Student handout")}
        body, _ = _exporter(job.audience).from_notebook_node(nb, resources=resources)
        body = link_handouts(make_offline(body), job.lesson_ids)
        leftovers = external_references(body)
        if leftovers:
            raise RuntimeError("the handout would load from the internet: "
                               + ", ".join(f"{t} {u}" for t, u in leftovers[:5]))
        res.warnings = [f"{t} {u}" for t, u in external_references(body, tags=("img", "iframe", "source", "embed"))]
        write_atomic(html_path, body)
        res.size = html_path.stat().st_size
        if job.pdf:
            pdf_path = html_path.with_suffix(".pdf")
            print_pdf(job.chromium, html_path, pdf_path)
            res.pdf_path = str(pdf_path)
        os.replace(tmp_nb, exec_path)
        with contextlib.suppress(FileNotFoundError):
            failed_copy.unlink()
        res.status = "ok"
    except Exception as exc:  # one broken lesson must not stop the batch
        res.error = res.error or f"{type(exc).__name__}: {exc}"
    finally:
        res.seconds = time.perf_counter() - t0
        if tmp_nb is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp_nb.unlink()
    return res


def _worker_init(log_path: str | None) -> None:
    """Send the worker's (and its kernels') stderr noise to a log file instead of the progress display."""
    if log_path:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    import logging

    logging.getLogger("papermill").setLevel(logging.ERROR)
    import warnings

    warnings.filterwarnings("ignore")


# ------------------------------------------------------------------------------ index
def write_index(out: Path, lessons: list[Lesson], data_dir: Path) -> Path:
    """``handouts/index.html``: the course map, linking every handout that exists on disk."""
    handouts = out / "handouts"
    version = _data_version(data_dir)
    today = _dt.date.today().isoformat()
    rows = []
    for lesson in lessons:
        links = []
        for aud, label in (("student", "Student"), ("leader", "Leader")):
            f = handouts / aud / f"{lesson.id}.html"
            if f.exists():
                links.append(f'<a href="{aud}/{lesson.id}.html">{label}</a>')
                if f.with_suffix(".pdf").exists():
                    links.append(f'<a href="{aud}/{lesson.id}.pdf">{label} PDF</a>')
        r = lesson.row
        minutes = ""
        with contextlib.suppress(ValueError, TypeError):
            minutes = str(sum(int(r.get(k) or 0) for k in ("reading_min", "exercise_min", "discussion_min")) or "")
        rows.append(f"<tr><td><code>{html.escape(lesson.id)}</code></td><td><strong>{html.escape(lesson.title)}"
                    f"</strong><br><span class=summary>{html.escape(r.get('summary', ''))}</span></td>"
                    f"<td>{html.escape(r.get('kind', ''))}</td><td>{minutes}</td>"
                    f"<td>{' &middot; '.join(links) or '<em>not rendered</em>'}</td></tr>")
    cohort_html = ""
    cohort_dir = handouts / "cohort"
    if cohort_dir.is_dir():
        items = []
        for d in sorted(p for p in cohort_dir.iterdir() if p.is_dir()):
            files = [f'<a href="cohort/{d.name}/{ls.id}.html">{html.escape(ls.id)}</a>'
                     for ls in lessons if (d / f"{ls.id}.html").exists()]
            if files:
                items.append(f"<li><strong>{html.escape(d.name)}</strong>: {', '.join(files)}</li>")
        if items:
            cohort_html = "<h2>Personalised student copies</h2><ul>" + "".join(items) + "</ul>"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(COURSE_TITLE)}: handouts</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;width:100%}} th,td{{border-bottom:1px solid #ddd;padding:.45em;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}} .summary{{color:#555;font-size:.9em}} .meta{{color:#555}}
</style></head>
<body>
<h1>{html.escape(COURSE_TITLE)}</h1>
<p class="meta">Course map of the printable handouts. Rendered {today}; course data version {html.escape(version or 'unknown')}.
Student handouts leave out leader notes and answers (each quiz has an offline self-check); leader copies add
leader notes, timings and answer keys with explanations. Everything here works offline.</p>
<table><thead><tr><th>Lesson</th><th>Title</th><th>Kind</th><th>Minutes</th><th>Handouts</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
{cohort_html}
</body></html>
"""
    index = handouts / "index.html"
    write_atomic(index, page)
    return index


# ------------------------------------------------------------------------------ command line
def _jobs_arg(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs needs a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return n


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lessons", nargs="+", metavar="ID",
                   help="lesson ids or prefixes (e.g. 02 03_stage_2), space- or comma-separated; default: all")
    p.add_argument("--audience", choices=("student", "leader", "both"), default=None,
                   help="which copies to render (default: both; with --cohort: only the cohort copies)")
    p.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build/)")
    p.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a lesson parameter (a Python literal, else a string), checked against every "
                        "notebook's parameters cell before anything runs; repeatable")
    p.add_argument("--jobs", "-j", type=_jobs_arg, default=os.cpu_count() or 1, metavar="N",
                   help="parallel workers (default: the number of CPUs)")
    p.add_argument("--pdf", action="store_true", help="also print each handout to PDF with headless Chromium")
    p.add_argument("--cohort", metavar="CSV",
                   help="students.csv with a 'name' column (optional 'id'): one personalised student copy per "
                        "student in handouts/cohort/<student>/")
    p.add_argument("--notebooks-dir", metavar="DIR", default=None,
                   help="render the notebooks in this folder instead of the course's lessons (tests, drafts)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines, only the summary")


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("handouts", help="render lessons to offline HTML handouts in build/handouts/",
                              description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def find_chromium() -> str | None:
    for cand in (os.environ.get("TURN_EAST_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def _fmt_size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n else "-"


def summary_table(results: list[Result]) -> str:
    w_lesson = max([len("lesson")] + [len(r.lesson) for r in results])
    w_aud = max([len("audience")] + [len(r.label) for r in results])
    lines = [f"{'lesson':<{w_lesson}}  {'audience':<{w_aud}}  {'status':<6}  {'seconds':>7}  {'size':>8}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        lines.append(f"{r.lesson:<{w_lesson}}  {r.label:<{w_aud}}  {r.status:<6}  {r.seconds:7.1f}  "
                     f"{_fmt_size(r.size):>8}")
    return "\n".join(lines)


def failure_report(r: Result) -> str:
    where = ""
    if r.cell_index is not None:
        where = f" in cell {r.cell_index} (0-based) `{r.cell_line}`"
    return f"FAILED {r.lesson} [{r.label}]{where}: {r.error}"


@dataclass
class Plan:
    """Everything checked and decided before the first notebook runs."""

    jobs: list[Job]
    all_lessons: list[Lesson]
    lessons: list[Lesson]
    audiences: tuple
    cohort: list | None
    out: Path
    data_dir: Path
    workers: int


def plan(args) -> Plan:
    """Check the command line (lessons, -p parameters, cohort file, chromium) and list the jobs.

    Raises UsageError before anything is written.
    """
    params = dict(parse_param(p) for p in args.param)
    data_dir = _data_dir(params.get("data_dir") if isinstance(params.get("data_dir"), str) else None)
    all_lessons = discover_lessons(Path(args.notebooks_dir) if args.notebooks_dir else None, data_dir)
    if not all_lessons:
        raise UsageError(f"no lessons found (looked in {args.notebooks_dir or DEFAULT_NOTEBOOKS} and "
                         f"{data_dir / 'lessons.csv'})")
    lessons = select_lessons(all_lessons, args.lessons)
    injected = validate_params(params, lessons)
    cohort = read_cohort(Path(args.cohort)) if getattr(args, "cohort", None) else None
    audience = args.audience or ("none" if cohort else "both")
    audiences = {"both": AUDIENCES, "none": ()}.get(audience, (audience,))
    chromium = ""
    if args.pdf:
        chromium = find_chromium() or ""
        if not chromium:
            raise UsageError("--pdf needs Chromium, which was not found at /usr/bin/chromium or on PATH. "
                             "Install it (Debian/Ubuntu: sudo apt-get install chromium) or leave out --pdf.")
    out = Path(args.out)
    jobs = build_jobs(lessons, audiences, out, injected, cohort=cohort, pdf=args.pdf, chromium=chromium,
                      data_version=_data_version(data_dir), lesson_ids=[l.id for l in all_lessons])
    return Plan(jobs, all_lessons, lessons, audiences, cohort, out, data_dir, max(1, min(args.jobs, len(jobs) or 1)))


def execute(p: Plan, *, progress=None) -> tuple[list[Result], float]:
    """Run every job of the plan in a process pool; returns the results (in job order) and the wall time."""
    handouts = p.out / "handouts"
    handouts.mkdir(parents=True, exist_ok=True)
    install_plotly_js(handouts)
    (p.out / "executed").mkdir(parents=True, exist_ok=True)
    log_path = p.out / "executed" / "kernels.log"
    log_path.write_text("")  # this run's kernel messages only

    # Import the heavy modules before forking, so every worker shares them.
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    t0 = time.perf_counter()
    results: dict[Job, Result] = {}
    with ProcessPoolExecutor(max_workers=p.workers, initializer=_worker_init, initargs=(str(log_path),)) as pool:
        futures = {pool.submit(render_job, job): job for job in p.jobs}
        try:
            for done, fut in enumerate(as_completed(futures), start=1):
                job = futures[fut]
                try:
                    r = fut.result()
                except Exception as exc:  # a worker died (e.g. out of memory)
                    r = Result(job.lesson, job.label, "failed", error=f"worker crashed: {exc!r}")
                results[job] = r
                if progress:
                    progress(done, len(p.jobs), r)
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            raise
    wall = time.perf_counter() - t0
    write_index(p.out, p.all_lessons, p.data_dir)
    return [results[j] for j in p.jobs], wall


def run(args) -> int:
    """Render handouts as the command line asks; returns the exit status (0 ok, 1 a job failed, 2 usage)."""
    err = sys.stderr
    try:
        p = plan(args)
    except UsageError as exc:
        print(f"turn-east handouts: error: {exc}", file=err)
        print("nothing was rendered", file=err)
        return 2

    handouts = p.out / "handouts"
    quiet = getattr(args, "quiet", False)
    if not quiet:
        who = list(p.audiences) + ([f"cohort of {len(p.cohort)}"] if p.cohort else [])
        print(f"rendering {len(p.jobs)} handout(s): {len(p.lessons)} lesson(s) x {', '.join(who)} "
              f"with {p.workers} worker(s) into {handouts}", file=err)

    def progress(done, total, r):
        if quiet:
            return
        extra = f"  {r.error}" if r.status != "ok" else f"  {_fmt_size(r.size)}"
        print(f"[{done:>{len(str(total))}}/{total}] {r.status:<6} {r.lesson} [{r.label}] {r.seconds:.1f} s{extra}",
              file=err, flush=True)

    results, wall = execute(p, progress=progress)
    print(summary_table(results))
    failed = [r for r in results if r.status != "ok"]
    for r in results:
        for w in r.warnings:
            print(f"warning: {r.lesson} [{r.label}] loads from the internet: {w}", file=err)
    print(f"{len(results) - len(failed)} ok, {len(failed)} failed in {wall:.1f} s; index: {handouts / 'index.html'}")
    for r in failed:
        print(failure_report(r), file=err)
    if failed:
        print(f"failed renders left the previous handouts in place; executed copies for debugging are in "
              f"{p.out / 'executed'}/*/*.failed.ipynb, kernel messages in {p.out / 'executed' / 'kernels.log'}",
              file=err)
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="turn-east handouts", description=__doc__.split("\n\n")[0])
    add_arguments(ap)
    return ap


def main(argv=None) -> int:
    return run(parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
