"""The course's own rules, which a Frictionless schema cannot state: stages that follow each other day by
day in the order their ``order`` column gives, events inside their stage and inside the span the stages
cover (the data end where the last period in stages.csv ends: a new period is a new row there, nothing
else), dates stored as their precision says, outside sources for events, the main pair inside the actors
list, and a complete grid of relations (each pair of the relation actors once per period, written in the
course's actor order)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from turn_east.data.read import split_ids as _split
from turn_east import policy
from turn_east.errors import Problem

def _stage_ranges(stage_rows):
    good = [r for r in stage_rows if r.get("start_date") and r.get("end_date")]
    return sorted(((r["start_date"], r["end_date"], r["id"]) for r in good))


def _stage_for(date, ranges):
    for start, end, sid in ranges:
        if start <= date <= end:
            return sid
    return None


def check_course_rules(rows: dict[str, list[dict]]) -> list[Problem]:
    problems: list[Problem] = []
    ranges = _stage_ranges(rows.get("stages", []))
    for prev, nxt in zip(ranges, ranges[1:]):
        if nxt[0] != prev[1] + dt.timedelta(days=1):
            problems.append(Problem("stages.csv", None, "start_date", str(nxt[0]),
                                    f"stage {nxt[2]} should start the day after {prev[2]} ends ({prev[1]})"))
    by_date = [r for r in sorted(rows.get("stages", []), key=lambda r: (r.get("start_date") or dt.date.max))
               if r.get("start_date")]
    for want, r in enumerate(by_date):
        if r.get("order") is not None and r["order"] != want:
            problems.append(Problem("stages.csv", r["__row__"], "order", r["order"],
                                    f"should be {want}: the order column numbers the periods by their start dates "
                                    f"from 0 ({' '.join(x['id'] for x in by_date)})", r.get("id")))
    first_day = ranges[0][0] if ranges else None
    last_day = ranges[-1][1] if ranges else None

    for r in rows.get("events", []):
        rid, n = r.get("id"), r["__row__"]
        date = r.get("date")
        if date is None:
            continue
        if last_day is not None and date > last_day:
            problems.append(Problem("events.csv", n, "date", str(date),
                                    "no period covers this date; add one to stages.csv or check the date "
                                    f"(the last period, {ranges[-1][2]}, ends on {last_day})", rid))
        elif ranges:
            want = _stage_for(date, ranges)
            if date < first_day:
                want = None
            got = r.get("stage")
            if got != want:
                problems.append(Problem("events.csv", n, "stage", got or "",
                                        f"does not match the date {date}; expected "
                                        f"{want or f'an empty stage (background before {first_day})'}", rid))
        end = r.get("end_date")
        if end is not None and end < date:
            problems.append(Problem("events.csv", n, "end_date", str(end),
                                    f"is before the start date {date}", rid))
        precision = r.get("date_precision")
        if precision == "month" and date.day != 1:
            problems.append(Problem("events.csv", n, "date", str(date),
                                    "has month precision, so store the 1st of the month", rid))
        if precision == "year" and (date.month, date.day) != (1, 1):
            problems.append(Problem("events.csv", n, "date", str(date),
                                    "has year precision, so store 1 January", rid))
        why = id_date_mismatch(rid, date, precision)
        if why:
            problems.append(Problem("events.csv", n, "id", rid, why, rid))
        if r.get("source_id") == "article":
            problems.append(Problem("events.csv", n, "source_id", "article",
                                    "an event needs an outside source, not the article alone; "
                                    "cite the article in article_section instead", rid))
        a, b = r.get("actor_a"), r.get("actor_b")
        if a and a == b and r.get("goldstein") not in (0, 0.0):
            problems.append(Problem("events.csv", n, "actor_b", b,
                                    "equals actor_a; a same-actor pair marks a domestic event, "
                                    "whose goldstein score must be 0", rid))
        listed = set(_split(r.get("actors")))
        for col, actor in (("actor_a", a), ("actor_b", b)):
            if actor and listed and actor not in listed:
                problems.append(Problem("events.csv", n, col, actor,
                                        f"should also appear in the actors list ({r.get('actors')})", rid))

    problems += _check_coding_exercises(rows, ranges, first_day)

    for r in rows.get("people", []):
        if r.get("from_year") and r.get("to_year") and r["to_year"] < r["from_year"]:
            problems.append(Problem("people.csv", r["__row__"], "to_year", r["to_year"],
                                    f"is before from_year {r['from_year']}", r.get("id")))

    rel_actors = [a["id"] for a in rows.get("actors", []) if a.get("in_relations")]
    periods = [sid for _, _, sid in ranges]
    seen = {}
    event_stage = {e.get("id"): e.get("stage") for e in rows.get("events", [])}
    for r in rows.get("relations", []):
        a, b, p = r.get("actor_a"), r.get("actor_b"), r.get("period")
        if not (a and b and p):
            continue
        if a in rel_actors and b in rel_actors and rel_actors.index(a) >= rel_actors.index(b):
            problems.append(Problem("relations.csv", r["__row__"], "actor_a", a,
                                    f"pairs are written in the order {' '.join(rel_actors)}; "
                                    f"write {b}-{a} as actor_a={b}, actor_b={a}", r.get("id")))
        want = f"{p}:{a}-{b}"
        if r.get("id") and r["id"] != want:
            problems.append(Problem("relations.csv", r["__row__"], "id", r["id"],
                                    f"should be {want} (period:actor_a-actor_b)", r.get("id")))
        for eid in _split(r.get("events")):
            got = event_stage.get(eid, p)
            if got != p:
                problems.append(Problem("relations.csv", r["__row__"], "events", eid,
                                        f"is an event of {got or 'the background before the first period'}, not of "
                                        f"{p}; a relation row cites only events of its own period (cite it in the "
                                        f"{got + ' row of this pair' if got else 'events table only'}, or choose an "
                                        f"event dated in {p})", r.get("id")))
        key = (p, frozenset((a, b)))
        if key in seen:
            problems.append(Problem("relations.csv", r["__row__"], "actor_b", b,
                                    f"pair {a}-{b} in {p} is coded twice (also row {seen[key]})", r.get("id")))
        seen[key] = r["__row__"]
    if rows.get("relations") is not None and rel_actors and periods:
        for p in periods:
            for a, b in itertools.combinations(rel_actors, 2):
                if (p, frozenset((a, b))) not in seen:
                    problems.append(Problem("relations.csv", None, "id", f"{p}:{a}-{b}",
                                            "is missing; every pair of the seven actors is coded "
                                            "in every period"))
    problems += check_documents(rows)
    problems += check_readings(rows)
    problems += check_source_ids(rows)
    return problems


def id_date_mismatch(rid, date: dt.date, precision) -> str | None:
    """Why an event id does not begin with its date, or None. An id is the date plus a slug; for a date known
    only to the month (stored as the 1st) or the year (stored as 1 January) the id may also begin with just
    the month (``2015-04-coal-pilot``) or the year."""
    if not rid or date is None:
        return None
    day = date.isoformat()
    if rid.startswith(day + "-"):
        return None
    shorter = {"month": f"{date:%Y-%m}", "year": f"{date:%Y}"}.get(precision or "")
    if shorter and rid.startswith(shorter + "-") and not re.match(r"\d\d-", rid[len(shorter) + 1:]):
        return None
    found = re.match(r"\d{4}(?:-\d\d){0,2}(?=-)", rid)
    allowed = f"{day}-<slug>" + (f" or {shorter}-<slug>" if shorter else "")
    if found:
        return (f"begins with the date {found.group(0)}, but the date field says {day}; one of the two is wrong "
                f"(an id is the date plus a slug: {allowed}). Correct the date, or the id and every reference "
                "to it (relations.csv, questions.csv)")
    return f"does not begin with its date; an id is the date plus a slug: {allowed}"


#: A year in a source id: 1900-2099, with a letter when one outlet has several items that year (``ap-2024a``).
_YEAR_SEGMENT = re.compile(r"(?:19|20)\d\d[a-z]?")
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def check_source_ids(rows: dict[str, list[dict]]) -> list[Problem]:
    """Source ids follow the codebook's pattern: ``<outlet or authors>-<year>-<slug>`` (``tass-2025-bridge``,
    ``lukin-alexander-2016-pivot-asia``). A news report's id must have exactly that shape; any source whose id
    names a year (a segment 1900-2099) must name the year of its ``year`` field."""
    problems: list[Problem] = []
    ends = [r["end_date"].year for r in rows.get("stages", []) if r.get("end_date")]
    last_year = max(ends, default=dt.date.today().year) + 1
    for r in rows.get("sources", []):
        rid, n, year, kind = r.get("id"), r["__row__"], r.get("year"), r.get("kind")
        if not rid:
            continue
        # A segment that could be a year of the data (a resolution number such as 2087 in unscr-2087 is not).
        years = [seg[:4] for seg in rid.split("-")[1:] if _YEAR_SEGMENT.fullmatch(seg) and int(seg[:4]) <= last_year]
        if year is not None and years and str(year) not in years:
            problems.append(Problem("sources.csv", n, "id", rid,
                                    f"names the year {years[0]} but the year field says {year}; a source id names "
                                    "its year of publication (<outlet>-<year>-<slug>): correct one of the two", rid))
        elif kind == "news":
            if year is None:
                problems.append(Problem("sources.csv", n, "year", None, "is empty; a news report needs the year "
                                        "it was published, which its id also names (<outlet>-<year>-<slug>)", rid))
            elif not re.fullmatch(rf"{_SLUG}-{year}[a-z]?-{_SLUG}", rid) or years[:1] != [str(year)]:
                problems.append(Problem("sources.csv", n, "id", rid,
                                        f"does not follow the pattern of news ids, <outlet>-<year>-<slug>, e.g. "
                                        f"tass-{year}-bridge: the outlet in lower case, the year of publication "
                                        f"({year}, with a letter if the outlet has several that year) and a short slug",
                                        rid))
    return problems


def _check_coding_exercises(rows, ranges, first_day) -> list[Problem]:
    """Held-out events follow the events' rules (stage from the date, dates stored as precise as known, the
    main pair in the actors list) and must stay held out: no id of events.csv."""
    problems: list[Problem] = []
    name = "coding_exercises.csv"
    event_ids = {r.get("id") for r in rows.get("events", [])}
    for r in rows.get("coding_exercises", []):
        rid, n, date = r.get("id"), r["__row__"], r.get("date")
        if rid in event_ids:
            problems.append(Problem(name, n, "id", rid, "is also in events.csv; a coding exercise must be an event "
                                    "held out of the dataset (remove it from one of the two files)", rid))
        if date is None:
            continue
        if ranges and date > ranges[-1][1]:
            problems.append(Problem(name, n, "date", str(date),
                                    "no period covers this date; add one to stages.csv or check the date "
                                    f"(the last period, {ranges[-1][2]}, ends on {ranges[-1][1]})", rid))
        elif ranges:
            want = None if date < first_day else _stage_for(date, ranges)
            if r.get("stage") != want:
                problems.append(Problem(name, n, "stage", r.get("stage") or "",
                                        f"does not match the date {date}; expected "
                                        f"{want or f'an empty stage (background before {first_day})'}", rid))
        precision = r.get("date_precision")
        why = id_date_mismatch(rid, date, precision)
        if why:
            problems.append(Problem(name, n, "id", rid, why, rid))
        if precision == "month" and date.day != 1:
            problems.append(Problem(name, n, "date", str(date), "has month precision, so store the 1st of the month", rid))
        if precision == "year" and (date.month, date.day) != (1, 1):
            problems.append(Problem(name, n, "date", str(date), "has year precision, so store 1 January", rid))
        listed = set(_split(r.get("actors")))
        for col in ("actor_a", "actor_b"):
            if r.get(col) and listed and r[col] not in listed:
                problems.append(Problem(name, n, col, r[col], f"should also appear in the actors list ({r.get('actors')})", rid))
        both = set(_split(r.get("motives"))) & set(_split(r.get("motives_also")))
        if both:
            problems.append(Problem(name, n, "motives_also", ";".join(sorted(both)),
                                    "repeats a motive of the motives column; list only further defensible motives", rid))
    return problems


# Excerpts stay short quotations; a longer passage belongs in the source, not in a lesson.
MAX_EXCERPT_WORDS = 150
ASKS = ("ask_commits", "ask_leaves_out", "ask_claim")


def check_documents(rows: dict[str, list[dict]]) -> list[Problem]:
    """documents.csv: short excerpts, reading tasks that are questions, omissions marked as ' ... '."""
    problems: list[Problem] = []
    for r in rows.get("documents", []):
        rid, n = r.get("id"), r["__row__"]
        excerpt = r.get("excerpt") or ""
        words = len(excerpt.split())
        if words > MAX_EXCERPT_WORDS:
            problems.append(Problem("documents.csv", n, "excerpt", f"{words} words",
                                    f"is too long for a quotation; keep it to {MAX_EXCERPT_WORDS} words and mark "
                                    "cuts with ' ... '", rid))
        if "[...]" in excerpt or "\u2026" in excerpt:
            problems.append(Problem("documents.csv", n, "excerpt", excerpt[:40],
                                    "marks an omission with '[...]' or '\u2026'; write ' ... ' (three dots, spaces around)",
                                    rid))
        for col in ASKS:
            ask = (r.get(col) or "").strip()
            if ask and not ask.endswith("?"):
                problems.append(Problem("documents.csv", n, col, ask[:60],
                                        "is a reading task a student answers; write it as a question ending in '?'", rid))
    return problems


MAX_READINGS = policy.MAX_READINGS


def check_readings(rows: dict[str, list[dict]]) -> list[Problem]:
    """readings.csv: each (lesson, order) once, the same work once per lesson, at most five per lesson."""
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    works: dict[tuple, int] = {}
    count: dict[str, int] = {}
    for r in rows.get("readings", []):
        lesson, order, n = r.get("lesson"), r.get("order"), r["__row__"]
        if lesson is None or order is None:
            continue
        if (lesson, order) in seen:
            problems.append(Problem("readings.csv", n, "order", order,
                                    f"is used twice for {lesson} (also row {seen[(lesson, order)]}); "
                                    "number each lesson's list 1, 2, 3, ...", lesson))
        seen.setdefault((lesson, order), n)
        if (lesson, r.get("source_id")) in works:
            problems.append(Problem("readings.csv", n, "source_id", r.get("source_id"),
                                    f"is listed twice for {lesson} (also row {works[(lesson, r.get('source_id'))]})",
                                    lesson))
        works.setdefault((lesson, r.get("source_id")), n)
        count[lesson] = count.get(lesson, 0) + 1
        if count[lesson] == MAX_READINGS + 1:
            problems.append(Problem("readings.csv", n, "lesson", lesson,
                                    f"has more than {MAX_READINGS} further readings; keep the best {MAX_READINGS}"))
    return problems
