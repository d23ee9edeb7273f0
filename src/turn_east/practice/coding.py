"""Coding tasks: a student codes real events held out of the dataset (``coding_exercises.csv``) with the
codebook's rules, giving each a Goldstein score, a stage and motives; the check compares the coding with the
course's and explains every difference with the course's one-line reasons.

    sheet = coding_sheet(course, lesson)        # what the student codes from (no answers in it)
    ok, message = check_coding(course, lesson, answer)
    rows = coding_rows(answer, coder="ana", course=course)   # one row per event, for agreement()
    found = collect_codings("submissions/", course=course)   # every coding in a folder of notebooks or CSVs

An answer is a dict keyed by event id, ``{"<event id>": {"goldstein": <-10..10>, "stage": "<stage id>",
"motives": ["<motive id>", ...]}, ...}``, or a DataFrame with one row per event (index or an ``id``/``event``
column); this docstring ships to students, so it shows no real event's coding. Motives may be a list, a
;-separated string as in the CSV files, or one id; motive titles and stage titles are accepted too.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from turn_east import nbfiles
from turn_east.data import format_date
from turn_east.practice.registry import tasks_for

CODING_MIME = "application/vnd.turn-east.coding+json"
FIELDS = ("goldstein", "stage", "motives")
GOLDSTEIN_TOLERANCE = 2
# The anchors of the Goldstein scale as data/README.md ("Scales") states them.
ANCHORS = ((-10, -9, "war, invasion, military attack"),
           (-8, -6, "nuclear tests, long-range missiles aimed at the other side, seizure of territory"),
           (-5, -3, "sanctions, threats, expulsions, serious crises"),
           (-2, -1, "protests, accusations, cancelled visits"),
           (0, 0, "neutral statements, leadership changes"),
           (1, 3, "supportive statements, multilateral meetings, talks held"),
           (4, 6, "summits, state visits, economic agreements"),
           (7, 9, "treaties, alliance-level commitments, military aid"),
           (10, 10, "merger or full military alliance in action"))


def anchor_of(score: float) -> str:
    for lo, hi, words in ANCHORS:
        if lo - 0.5 < score < hi + 0.5:
            return f"{lo:+d} to {hi:+d} ({words})" if lo != hi else f"{lo:+d} ({words})".replace("+0 ", "0 ")
    return "outside the scale"


def coding_events(course, lesson: str) -> pd.DataFrame:
    """The held-out events of a practice notebook, in date order (the course's coding included)."""
    ce = getattr(course, "coding_exercises", None)
    if ce is None or ce.empty:
        return pd.DataFrame(columns=["id"])
    return ce[ce["lesson"] == lesson].sort_values(["date", "id"]).reset_index(drop=True)


@dataclass(frozen=True)
class CodingSheet:
    """The events a student codes, as the student sees them: no coding, no reasons."""

    rows: list

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td><code>{html.escape(r['id'])}</code></td><td>{html.escape(r['when'])}</td>"
            f"<td><strong>{html.escape(r['title'])}</strong><br>{html.escape(r['summary'])}</td>"
            f"<td>{html.escape(r['actors'])}</td><td>{html.escape(r['pair'])}</td></tr>" for r in self.rows)
        return ("<table><thead><tr><th>Event id</th><th>Date</th><th>What happened</th><th>Actors</th>"
                "<th>Main pair (score the tone between these two)</th></tr></thead>"
                f"<tbody>{body}</tbody></table>")

    def __str__(self) -> str:
        return "\n\n".join(f"{r['id']} ({r['when']})\n  {r['title']}\n  {r['summary']}\n  actors: {r['actors']}; "
                           f"main pair: {r['pair']}" for r in self.rows)

    __repr__ = __str__


def coding_sheet(course, lesson: str) -> CodingSheet:
    names = course.actor_names
    rows = []
    for r in coding_events(course, lesson).itertuples(index=False):
        rows.append(dict(id=str(r.id), when=format_date(r.date, str(r.date_precision)), title=str(r.title),
                         summary=str(r.summary), actors=", ".join(f"{names.get(a, a)} ({a})" for a in r.actors),
                         pair=f"{names.get(r.actor_a, r.actor_a)} ({r.actor_a}) and "
                              f"{names.get(r.actor_b, r.actor_b)} ({r.actor_b})"))
    return CodingSheet(rows)


# ---------------------------------------------------------------- reading a coding

def _motive_ids(value, course) -> tuple[list | None, list]:
    """(motive ids, unknown items) from a list, a ;-string or one id; titles and any case accepted."""
    if value is None or (isinstance(value, float) and value != value):
        return [], []
    if isinstance(value, str):
        items = [v for v in re.split(r"[;,|]", value) if v.strip()]
    elif isinstance(value, (list, tuple, set, pd.Series)):
        items = [str(v) for v in value]
    else:
        return None, [repr(value)]
    known = {}
    if course is not None:
        for mid, title in course.motive_titles.items():
            known[mid.lower()] = mid
            known[title.lower()] = mid
    out, unknown = [], []
    for item in items:
        key = item.strip().lower()
        mid = known.get(key, key if course is None else None)
        if mid is None:
            unknown.append(item.strip())
        elif mid not in out:
            out.append(mid)
    return out, unknown


def _stage_id(value, course) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if course is None:
        return text
    for sid, title in course.stage_titles.items():
        if text.lower() in (sid.lower(), title.lower()):
            return sid
    return text


def _records(answer) -> tuple[dict | None, str]:
    """{event id: {field: value}} from the shapes a coding may take."""
    if isinstance(answer, dict):
        if all(isinstance(v, dict) for v in answer.values()):
            return {str(k): dict(v) for k, v in answer.items()}, ""
        return None, ('Each event needs its own dict: {"event id": {"goldstein": ..., "stage": ..., "motives": [...]}, '
                      "...}. Your dict maps ids to something else.")
    if isinstance(answer, pd.DataFrame):
        df = answer.copy()
        for col in ("id", "event"):
            if col in df.columns:
                df = df.set_index(col)
                break
        missing = [f for f in FIELDS if f not in df.columns]
        if missing:
            return None, f"Your table needs the columns goldstein, stage and motives; it lacks {', '.join(missing)}."
        return {str(k): {f: row[f] for f in FIELDS} for k, row in df.iterrows()}, ""
    if isinstance(answer, (list, tuple)) and answer and all(isinstance(v, dict) for v in answer):
        out = {}
        for item in answer:
            key = item.get("id", item.get("event"))
            if key is None:
                return None, 'Each dict in your list needs an "id" with the event id.'
            out[str(key)] = item
        return out, ""
    return None, ('Expected a dict keyed by event id, {"event id": {"goldstein": ..., "stage": ..., "motives": [...]}}, '
                  f"got {type(answer).__name__}.")


def read_coding(answer, course=None) -> tuple[pd.DataFrame | None, str]:
    """(rows, "") with columns event, goldstein (float), stage, motives (list), unknown (problems found); or (None, why)."""
    recs, why = _records(answer)
    if recs is None:
        return None, why
    rows = []
    for event, rec in recs.items():
        rec = {str(k).strip().lower(): v for k, v in rec.items()}
        problems = []
        g = rec.get("goldstein")
        try:
            g = None if g is None or isinstance(g, bool) else float(g)
        except (TypeError, ValueError):
            problems.append(f"Goldstein {g!r} is not a number")
            g = None
        if g is not None and g != g:
            g = None
        motives, unknown = _motive_ids(rec.get("motives"), course)
        if motives is None:
            problems.append(f"motives {rec.get('motives')!r} is not a list of motive ids")
            motives = []
        problems += [f"'{u}' is not a motive id" for u in unknown]
        others = [k for k in rec if k not in FIELDS + ("id", "event")]
        rows.append(dict(event=event, goldstein=g, stage=_stage_id(rec.get("stage"), course), motives=motives,
                         unknown=problems, others=others))
    return pd.DataFrame(rows, columns=["event", "goldstein", "stage", "motives", "unknown", "others"]), ""


def coding_rows(answer, coder: str, course=None) -> pd.DataFrame:
    """A student's coding as rows for :func:`turn_east.practice.agreement` (coder, event, goldstein, stage, motives);
    an empty frame when the answer cannot be read."""
    rows, _ = read_coding(answer, course)
    if rows is None:
        return pd.DataFrame(columns=["coder", "event", "goldstein", "stage", "motives"])
    rows = rows.drop(columns=["unknown", "others"])
    rows.insert(0, "coder", str(coder))
    return rows


# ---------------------------------------------------------------- the check

def _fmt(x: float) -> str:
    return f"{x:+g}" if x else "0"


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _new_year_boundary(course, one: str, other: str) -> bool:
    """Whether the later of two neighbouring periods starts on 1 January (the boundary follows the calendar)."""
    later = max(one, other, key=course.periods.index)
    start = course.stage_spans.get(later, (None, None))[0]
    return start is not None and (start.month, start.day) == (1, 1)


def _explain(event, mine, course) -> tuple[bool, list[str]]:
    """Whether one event's coding is accepted, and one sentence (or two) per field."""
    ok, notes = True, []
    stage = None if pd.isna(event.stage) else str(event.stage)
    if mine["stage"] == stage:
        notes.append("Stage agrees.")
    else:
        ok = False
        if mine["stage"] is None:
            notes.append("Stage missing. " + _sentence(event.stage_why))
        elif mine["stage"] not in course.periods:
            notes.append(f"Stage '{mine['stage']}' is not a stage id (use one of {', '.join(course.periods)}).")
        else:
            near = stage is not None and abs(course.periods.index(mine["stage"]) - course.periods.index(stage)) == 1
            notes.append(f"Stage: you have {mine['stage']}"
                         + (", the neighbouring stage: check the boundaries in stages.csv"
                            + ("" if _new_year_boundary(course, mine["stage"], stage) else
                               ", which do not follow calendar years") if near else "")
                         + ". " + _sentence(event.stage_why))
    g, want = mine["goldstein"], float(event.goldstein)
    if g is not None and g != g:  # a missing score becomes NaN in a table of codings
        g = None
    if g is None:
        ok = False
        others = mine.get("others") or []
        notes.append("Goldstein score missing: give a number from -10 to +10"
                     + (f" under the key \"goldstein\" (your entry has {', '.join(map(repr, others))}; the keys are "
                        "goldstein, stage and motives)." if others else "."))
    elif not -10 <= g <= 10:
        ok = False
        notes.append(f"Goldstein {_fmt(g)} is outside the scale, which runs from -10 to +10.")
    else:
        same_side = (g > 0) == (want > 0) and (g < 0) == (want < 0)
        if g == want:
            notes.append("Goldstein score agrees.")
        elif same_side and abs(g - want) <= GOLDSTEIN_TOLERANCE:
            notes.append(f"Goldstein {_fmt(g)} is within {GOLDSTEIN_TOLERANCE} points of the course's score, so it is "
                         f"accepted. The course's reasoning: {_sentence(event.goldstein_why)}")
        else:
            ok = False
            side = "" if same_side else ", on the other side of zero"
            pair = ""
            if not same_side:
                names = getattr(course, "actor_names", {}) or {}
                a, b = str(event.actor_a), str(event.actor_b)
                pair = (f" The score is for the tone between the main pair, {names.get(a, a)} ({a}) and "
                        f"{names.get(b, b)} ({b}), whatever the event meant for anyone else.")
            notes.append(f"Goldstein {_fmt(g)} (the anchors put that at {anchor_of(g)}) is more than "
                         f"{GOLDSTEIN_TOLERANCE} points from the course's score{side}.{pair} The course's reasoning: "
                         f"{_sentence(event.goldstein_why)}")
    want_m, also = list(event.motives), list(event.motives_also)
    got_m = mine["motives"]
    unsupported = [m for m in got_m if m not in want_m and m not in also]
    defended = [m for m in got_m if m in also]
    why = _sentence(event.motives_why)
    if mine["unknown"]:
        ok = False
        notes.append(_sentence("; ".join(mine["unknown"]) + f" (the motive ids are {', '.join(course.motive_titles)})"))
    if not got_m:
        if not mine["unknown"]:
            ok = False
            notes.append("No motive tagged: tag the motives the event illustrates.")
    elif not set(got_m) & set(want_m):
        ok = False
        if defended:
            notes.append(f"Motives: {', '.join(defended)} is defensible, but only beside the motive the course "
                         f"tags, and yours has none of the course's. {why}")
        else:
            notes.append(f"Motives: none of yours is one of the course's. {why}")
    elif unsupported:
        ok = False
        titles = course.motive_titles
        named = ", ".join(f"{m} ({titles[m]})" if m in titles else m for m in unsupported)
        notes.append(f"Motives: {named} is hard to defend for this event: does it really illustrate that reason? {why}")
    else:
        left_out = [m for m in want_m if m not in got_m]
        if not left_out and not defended:
            notes.append("Motives agree.")
        else:
            notes.append("Motives accepted" + (f" ({', '.join(defended)} is defensible too)" if defended else "")
                         + (f"; the course also tags {', '.join(left_out)}" if left_out else "") + f". {why}")
    return ok, notes


def _looks_like_relation_scale(coded, events) -> bool:
    """Every score lies within -3..+3 and, stretched to -10..+10, would be near the course's: the student used the
    relations scale (relations.csv) instead of the Goldstein scale. A single 0 or 3 on its own is no sign of it."""
    pairs = [(float(coded[e.id].goldstein), float(e.goldstein)) for e in events.itertuples(index=False)
             if coded[e.id].goldstein is not None and coded[e.id].goldstein == coded[e.id].goldstein]
    if not pairs or any(abs(g) > 3 for g, _ in pairs) or not any(abs(w) > 3 for _, w in pairs):
        return False
    return all(abs(g * 10 / 3 - w) <= GOLDSTEIN_TOLERANCE + 1 for g, w in pairs)


def check_coding(course, lesson: str, answer) -> tuple[bool, str]:
    events = coding_events(course, lesson)
    if events.empty:
        return False, f"No held-out events are listed for {lesson} in coding_exercises.csv."
    rows, why = read_coding(answer, course)
    if rows is None:
        return False, why
    wanted = list(events["id"])
    coded = {r.event: r for r in rows.itertuples(index=False)}
    missing = [e for e in wanted if e not in coded]
    extra = [e for e in coded if e not in wanted]
    if extra:
        return False, (f"{', '.join(extra)} is not one of the events to code here; copy the ids from the coding sheet "
                       f"({', '.join(wanted)}).")
    if missing:
        return False, f"Code every event of the sheet: {', '.join(missing)} is missing."
    all_ok, parts = True, []
    for event in events.itertuples(index=False):
        r = coded[event.id]
        ok, notes = _explain(event, dict(goldstein=r.goldstein, stage=r.stage, motives=r.motives, unknown=r.unknown,
                                         others=r.others), course)
        all_ok &= ok
        parts.append(f"{event.id}:\n  - " + "\n  - ".join(notes))
    if not all_ok and _looks_like_relation_scale(coded, events):
        parts.insert(0, "All your scores lie between -3 and +3: that is the relations scale (relations.csv). "
                        "Events use the Goldstein scale, from -10 to +10 (see the anchors in data/README.md).")
    head = ("Your coding agrees with the course's, within the codebook's tolerance."
            if all_ok else "Some of your coding differs from the course's; each difference is explained.")
    return all_ok, "\n".join([head] + parts)


def coding_payload(lesson: str, answer, course) -> dict | None:
    """The coding as JSON-ready data (carried in the check's output, so a saved notebook holds it)."""
    rows, _ = read_coding(answer, course)
    if rows is None or rows.empty:
        return None
    return {"lesson": lesson, "coding": [dict(event=r.event, goldstein=r.goldstein, stage=r.stage, motives=list(r.motives))
                                          for r in rows.itertuples(index=False)]}


# ---------------------------------------------------------------- a folder of codings (the class exercise)

@dataclass
class Collected:
    """Every coding found in a folder: one row per coder and event, and what could not be read (file: why)."""

    codings: pd.DataFrame
    problems: list = field(default_factory=list)

    def __str__(self) -> str:
        n = self.codings["coder"].nunique() if not self.codings.empty else 0
        lines = [f"{len(self.codings)} codings of {self.codings['event'].nunique() if n else 0} events by {n} coders"]
        lines += [f"  not read: {p}" for p in self.problems]
        return "\n".join(lines)

    __repr__ = __str__


_PRACTICE = re.compile(r"""Practice\(\s*["']([^"']+)["']""")
_CHECK = re.compile(r"""practice\.check\(\s*["'](t\d+)["']\s*,\s*(\w+)\s*\)""")


def _coding_task_ids(lesson: str) -> set[str]:
    return {tid for tid, t in tasks_for(lesson).items() if t.kind == "coding"}


def _literal_assignment(cells: list[str], name: str):
    """The value of the last literal `name = ...` in the given code cells' sources (ast.literal_eval)."""
    value, found = None, False
    for src in cells:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                try:
                    value, found = ast.literal_eval(node.value), True
                except (ValueError, SyntaxError, TypeError):
                    value, found = None, False
    return value, found


def codings_in_notebook(nb: dict, course) -> tuple[str | None, object | None, str]:
    """(lesson, coding answer, "") from a saved practice notebook, or (lesson, None, why)."""
    code = [nbfiles.source(c) for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    lesson = next((m.group(1) for src in code for m in [_PRACTICE.search(src)] if m), None)
    if lesson is None:
        return None, None, "not a practice notebook (no Practice(...) call)"
    wanted = _coding_task_ids(lesson)
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    for i, cell in enumerate(cells):
        m = _CHECK.search(nbfiles.source(cell))
        if not m or m.group(1) not in wanted:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {}).get(CODING_MIME)
            if data:
                payload = json.loads(data) if isinstance(data, str) else data
                return lesson, {r["event"]: r for r in payload.get("coding", [])}, ""
        value, found = _literal_assignment([nbfiles.source(c) for c in cells[:i]], m.group(2))
        if found and value is not None:
            return lesson, value, ""
        return lesson, None, (f"the coding '{m.group(2)}' is not written as a literal dict and the notebook holds no "
                              "output of its check: run the notebook and save it, then collect again")
    return lesson, None, "no coding task in this notebook"


def _csv_rows(path: Path, course) -> tuple[pd.DataFrame, str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return pd.DataFrame(), "the file has no rows"
    cols = {c.strip().lower() for c in rows[0]}
    if not ({"event", "id"} & cols) or not set(FIELDS) <= cols:
        return pd.DataFrame(), "expected the columns coder, event, goldstein, stage, motives"
    df = pd.DataFrame(rows).rename(columns=lambda c: c.strip().lower()).rename(columns={"id": "event"})
    if "coder" not in df.columns:
        df["coder"] = path.stem
    frames = [coding_rows(g.set_index("event")[list(FIELDS)], coder, course) for coder, g in df.groupby("coder")]
    return pd.concat(frames, ignore_index=True), ""


def collect_codings(folder, *, course=None, lesson: str | None = None) -> Collected:
    """Every coding in `folder`: saved practice notebooks (``<student>/<exercise>.ipynb`` or ``<student>.ipynb``)
    and CSV files with the columns coder, event, goldstein, stage, motives. Nothing in the folder is changed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}: give the folder that holds the students' notebooks or codings")
    frames, problems = [], []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".ipynb", ".csv") or any(p.startswith(".") for p in path.relative_to(folder).parts):
            continue
        rel = path.relative_to(folder).as_posix()
        coder = path.parent.name if path.parent != folder else path.stem
        if path.suffix == ".csv":
            rows, why = _csv_rows(path, course)
        else:
            try:
                nb = nbfiles.read(path)
            except Exception as exc:  # a broken submission must not stop the class's count
                problems.append(str(exc) if str(path) in str(exc) else f"{rel}: {exc}")
                continue
            nb_lesson, answer, why = codings_in_notebook(nb, course)
            if lesson and nb_lesson and nb_lesson != lesson:
                continue
            rows = coding_rows(answer, coder, course) if answer is not None else pd.DataFrame()
            if answer is not None and rows.empty:
                why = "its coding could not be read: " + read_coding(answer, course)[1]
        if why:
            if why != "no coding task in this notebook":
                problems.append(f"{rel}: {why}")
            continue
        frames.append(rows)
    codings = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["coder", "event", "goldstein", "stage", "motives"])
    return Collected(codings, problems)
