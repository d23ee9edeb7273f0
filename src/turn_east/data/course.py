"""The :class:`Course`: every table as a typed DataFrame, plus cached lookups that every builder shares.

Charts, quizzes and the guide read stage titles, actor names and colours, the relation actors, events
by id and source citations from here, computed once per course, instead of each rebuilding them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from turn_east import paths
from turn_east.data.bank import Question, check_questions, rows_of_frame
from turn_east.data.read import LIST_FIELDS, TABLES, split_ids
from turn_east.errors import DataError
from turn_east.nbfiles import Heading, headings

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def format_date(ts, precision: str | None = "day") -> str:
    """'19 July 2000', 'July 2000' or '2000', as precisely as the date is known."""
    ts = pd.Timestamp(ts)
    if precision == "year":
        return f"{ts.year}"
    if precision == "month":
        return f"{MONTHS[ts.month - 1]} {ts.year}"
    return f"{ts.day} {MONTHS[ts.month - 1]} {ts.year}"


def _text(value) -> str | None:
    """A text cell as a string, or None when it is empty (None, NaN, "")."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    text = str(value)
    return text if text.strip() else None


@dataclass(frozen=True)
class Event:
    """One row of events.csv as plain Python values (empty cells are None, lists are lists)."""

    id: str
    date: pd.Timestamp
    end: pd.Timestamp | None
    precision: str          # day | month | year
    title: str
    summary: str
    stage: str | None       # None: background before 2000
    event_type: str
    actors: list
    people: list
    motives: list
    place: str | None
    actor_a: str
    actor_b: str
    goldstein: float | None
    source_id: str | None
    article_section: str | None

    @property
    def when(self) -> str:
        return format_date(self.date, self.precision)


@dataclass(frozen=True)
class Place:
    """One row of places.csv."""

    id: str
    name: str
    kind: str
    actor: str | None       # None: no single country (a sea route, a venue abroad)
    lat: float
    lon: float
    note: str


@dataclass(frozen=True)
class Relation:
    """One coded pair of relations.csv."""

    id: str
    period: str
    a: str
    b: str
    score: int
    justification: str
    events: list


@dataclass(frozen=True)
class Document:
    """One excerpt of documents.csv: a primary document, its text status and its reading task."""

    id: str
    title: str
    date: pd.Timestamp
    issuer: str
    kind: str               # treaty | declaration | resolution | statement | speech | article | concept | record
    text: str               # official | reprint | translation | summary
    text_note: str
    excerpt: str
    source_id: str
    citation: str           # the source's citation (sources.csv)
    url: str | None
    purpose: str
    asks: tuple             # (what it commits to, what it leaves out, how it bears on the article's claim)
    lessons: list

    @property
    def when(self) -> str:
        return format_date(self.date, "day")


@dataclass(frozen=True)
class Course:
    """Every table of the course as a typed DataFrame, and lookups computed once from them."""

    stages: pd.DataFrame
    motives: pd.DataFrame
    article_sections: pd.DataFrame
    actors: pd.DataFrame
    people: pd.DataFrame
    places: pd.DataFrame
    events: pd.DataFrame
    relations: pd.DataFrame
    glossary: pd.DataFrame
    sources: pd.DataFrame
    article_sections: pd.DataFrame
    documents: pd.DataFrame
    readings: pd.DataFrame
    lessons: pd.DataFrame
    questions: pd.DataFrame
    data_dir: Path | None
    version: str
    periods: list[str] = field(default_factory=list)
    #: Where the lesson notebooks are (their headings are what the quiz's reread pointers name): the
    #: ``notebooks/`` folder beside the data folder when there is one, else None: :func:`turn_east.paths.notebooks_dir`
    #: decides.
    notebooks_dir: Path | None = None
    #: The seal's scheme when the quiz bank is sealed (a student release: the data package's questions
    #: resource says ``"sealed": {"scheme": ...}``); None for the course's own, plain bank.
    sealed: str | None = None
    # Held-out events for the practice notebooks' coding tasks (coding_exercises.csv); last, with a
    # default, so that a Course made without it (older callers, test fixtures) still builds.
    coding_exercises: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self):
        if not self.periods:
            object.__setattr__(self, "periods", [str(s) for s in self.stages.sort_values("order")["id"]])

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; the course has {', '.join(TABLES)}")
        return getattr(self, name)

    # ---------------------------------------------------------------- stages and motives
    @cached_property
    def stage_titles(self) -> dict[str, str]:
        """{stage id: title}, in course order."""
        titles = dict(zip(self.stages["id"].astype(str), self.stages["title"].astype(str)))
        return {s: titles[s] for s in self.periods}

    @cached_property
    def stage_spans(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """{stage id: (first day, last day)}, in course order."""
        rows = {str(r.id): (pd.Timestamp(r.start_date), pd.Timestamp(r.end_date))
                for r in self.stages.itertuples(index=False)}
        return {s: rows[s] for s in self.periods}

    @cached_property
    def motive_titles(self) -> dict[str, str]:
        """{motive id: title}, in course order."""
        mo = self.motives.sort_values(["order", "id"])
        return {str(i): str(t) for i, t in zip(mo["id"], mo["title"])}

    @cached_property
    def section_citations(self) -> dict[str, str]:
        """{article section id: its citation ("\u00a7 Stage Two")}, in the article's order: the one list of
        names that lessons, quiz, charts and data cite the article's sections by."""
        secs = self.article_sections.sort_values(["order", "id"])
        return {str(i): str(c) for i, c in zip(secs["id"], secs["citation"])}

    # ---------------------------------------------------------------- actors
    @cached_property
    def actor_ids(self) -> list[str]:
        return [str(a) for a in self.actors["id"]]

    @cached_property
    def relation_actor_ids(self) -> list[str]:
        """The actors coded in relations.csv (in_relations=true), in the course's actor order."""
        return [str(a) for a, flag in zip(self.actors["id"], self.actors["in_relations"]) if flag]

    @cached_property
    def actor_names(self) -> dict[str, str]:
        """{actor id: short name} ("North Korea")."""
        return {str(i): str(n) for i, n in zip(self.actors["id"], self.actors["short_name"])}

    @cached_property
    def actor_full_names(self) -> dict[str, str]:
        """{actor id: full name} ("Democratic People's Republic of Korea")."""
        return {str(i): str(n) for i, n in zip(self.actors["id"], self.actors["name"])}

    @cached_property
    def actor_colors(self) -> dict[str, str]:
        """{actor id: fixed colour as upper-case #RRGGBB}."""
        return {str(i): str(c).upper() for i, c in zip(self.actors["id"], self.actors["color"]) if _text(c)}

    # ---------------------------------------------------------------- events and relations
    @cached_property
    def event_list(self) -> list[Event]:
        """Every event as an :class:`Event`, sorted by (date, id)."""
        out = []
        for r in self.events.itertuples(index=False):
            out.append(Event(
                id=str(r.id), date=pd.Timestamp(r.date),
                end=None if pd.isna(r.end_date) else pd.Timestamp(r.end_date),
                precision=_text(r.date_precision) or "day", title=str(r.title), summary=_text(r.summary) or "",
                stage=_text(r.stage), event_type=str(r.event_type), actors=list(r.actors), people=list(r.people),
                motives=list(r.motives),
                place=_text(r.place), actor_a=str(r.actor_a), actor_b=str(r.actor_b),
                goldstein=None if pd.isna(r.goldstein) else float(r.goldstein), source_id=_text(r.source_id),
                article_section=_text(r.article_section),
            ))
        out.sort(key=lambda e: (e.date, e.id))
        return out

    @cached_property
    def events_by_id(self) -> dict[str, Event]:
        return {e.id: e for e in self.event_list}

    @cached_property
    def relation_list(self) -> list[Relation]:
        return [Relation(id=str(r.id), period=str(r.period), a=str(r.actor_a), b=str(r.actor_b), score=int(r.score),
                         justification=_text(r.justification) or "", events=list(r.events))
                for r in self.relations.itertuples(index=False)]

    @cached_property
    def relations_by_pair(self) -> dict[tuple[str, str, str], Relation]:
        """{(period, a, b): relation}, under both (a, b) and (b, a)."""
        out = {}
        for rel in self.relation_list:
            out[(rel.period, rel.a, rel.b)] = rel
            out[(rel.period, rel.b, rel.a)] = rel
        return out

    @cached_property
    def place_list(self) -> list[Place]:
        """Every place, sorted by id."""
        return sorted((Place(id=str(r.id), name=str(r.name), kind=str(r.kind), actor=_text(r.actor),
                             lat=float(r.lat), lon=float(r.lon), note=_text(r.note) or "")
                       for r in self.places.itertuples(index=False)), key=lambda p: p.id)

    # ---------------------------------------------------------------- sources, lessons, quiz bank
    @cached_property
    def citations(self) -> dict[str, str]:
        """{source id: citation}."""
        return {str(i): str(c) for i, c in zip(self.sources["id"], self.sources["citation"])}

    @cached_property
    def documents_by_id(self) -> dict[str, Document]:
        """{document id: :class:`Document`}, in table order."""
        urls = {str(i): _text(u) for i, u in zip(self.sources["id"], self.sources["url"])}
        out = {}
        for r in self.documents.itertuples(index=False):
            out[str(r.id)] = Document(
                id=str(r.id), title=str(r.title), date=pd.Timestamp(r.date), issuer=str(r.issuer), kind=str(r.kind),
                text=str(r.text), text_note=str(r.text_note), excerpt=str(r.excerpt), source_id=str(r.source_id),
                citation=self.citations.get(str(r.source_id), str(r.source_id)), url=urls.get(str(r.source_id)),
                purpose=str(r.purpose), asks=(str(r.ask_commits), str(r.ask_leaves_out), str(r.ask_claim)),
                lessons=list(r.lessons))
        return out

    def documents_for(self, lesson_id: str) -> list[Document]:
        """The documents a lesson shows (documents.csv ``lessons``), in date order."""
        return sorted((d for d in self.documents_by_id.values() if lesson_id in d.lessons), key=lambda d: (d.date, d.id))

    def cite_article(self, section: str | None) -> str:
        """How prose cites an article section (``"§ Stage Two"``); "" for an empty section."""
        if not section:
            return ""
        try:
            return self.section_citations[section]
        except KeyError:
            raise KeyError(f"no article section {section!r}; article_sections.csv has "
                           f"{', '.join(self.section_citations)}") from None

    @cached_property
    def lesson_titles(self) -> dict[str, str]:
        """{lesson id: title}, in course order."""
        return {str(i): str(t) for i, t in zip(self.lessons["id"], self.lessons["title"])}

    def lesson(self, lesson_id: str) -> dict | None:
        """A lesson's row of lessons.csv as a dict, or None when ``lesson_id`` is not a lesson."""
        rows = self.lessons[self.lessons["id"] == lesson_id]
        return None if rows.empty else rows.iloc[0].to_dict()

    @cached_property
    def lesson_headings(self) -> dict[str, list[Heading]] | None:
        """{lesson id: its notebook's headings} for every lesson whose notebook is found; None when there
        is no notebooks folder at all (the package installed without its lessons)."""
        folder = paths.notebooks_dir(self.notebooks_dir)
        if folder is None:
            return None
        out = {}
        for lesson_id in self.lesson_titles:
            path = folder / f"{lesson_id}.ipynb"
            try:
                out[lesson_id] = headings(path)
            except (OSError, ValueError):
                continue  # no such notebook (a test course), or not one: the lesson tests say so
        return out

    @cached_property
    def bank(self) -> list[Question]:
        """The quiz bank (questions.csv) as checked :class:`turn_east.data.bank.Question` objects, in file
        order. Raises DataError when a question contradicts the rest of the course."""
        questions, problems = check_questions(rows_of_frame(self.questions, bool(self.sealed)), self)
        if problems:
            raise DataError(problems)
        return questions


def build_course(rows: dict[str, list[dict]], folder: Path | None, version: str, sealed: str | None = None) -> Course:
    """The typed Course from rows that passed every check (read.read_tables and rules)."""
    periods = [r["id"] for r in sorted(rows["stages"], key=lambda r: r["order"])]
    frames = {}
    for name, table in rows.items():
        records = [{k: v for k, v in r.items() if k != "__row__"} for r in table]
        frames[name] = pd.DataFrame.from_records(records)
    for name, df in frames.items():
        for (table, col), _ in LIST_FIELDS.items():
            if table == name and col in df:
                df[col] = df[col].map(split_ids)
        for col in ("date", "end_date", "start_date"):
            if col in df:
                df[col] = pd.to_datetime(df[col])
        for col in ("stage", "period"):
            if col in df and name != "stages":
                df[col] = pd.Categorical(df[col], categories=periods, ordered=True)
    ev = frames["events"]
    ev["event_type"] = ev["event_type"].astype("category")
    ev["date_precision"] = pd.Categorical(ev["date_precision"], categories=["day", "month", "year"])
    ev["goldstein"] = ev["goldstein"].astype(float)
    frames["events"] = ev.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    rel = frames["relations"]
    rel["score"] = rel["score"].astype(int)
    frames["stages"] = frames["stages"].sort_values("order").reset_index(drop=True)
    frames["motives"] = frames["motives"].sort_values("order").reset_index(drop=True)
    frames["article_sections"] = frames["article_sections"].sort_values("order").reset_index(drop=True)
    frames["lessons"] = frames["lessons"].sort_values("order").reset_index(drop=True)
    if not frames["readings"].empty:
        frames["readings"] = frames["readings"].sort_values(["lesson", "order"], kind="stable").reset_index(drop=True)
    frames["people"]["to_year"] = frames["people"]["to_year"].astype("Int64")
    if "coding_exercises" in frames:
        ce = frames["coding_exercises"]
        if "goldstein" in ce:
            ce["goldstein"] = ce["goldstein"].astype(float)
    # A course folder keeps its lessons beside its data (data/ and notebooks/): a copy of the course checks its
    # quiz's reread pointers against its own lessons; data without that sibling use turn_east.paths' choice.
    beside = Path(folder).parent / "notebooks" if folder is not None else None
    return Course(**frames, data_dir=folder, version=version, periods=periods, sealed=sealed,
                  notebooks_dir=beside if beside is not None and beside.is_dir() else None)
