"""What a student reads in the lessons: the article cited one way, every acronym and actor code explained
where it first appears, nothing meant for maintainers, titles that agree with the data, primary documents
and glossary terms wired to the data, contending readings where the synthesis and the motives need them.

Read from the notebooks' sources (no execution): cheap enough to run on every change."""

from __future__ import annotations

import ast
import csv
import json
import re

import pytest

from conftest import ROOT
from turn_east import policy

FOLDERS = ("notebooks", "solutions", "exercises")
LESSONS = [r["id"] for r in csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))]
TITLES = {r["id"]: r["title"] for r in csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))}
SECTIONS = [r["citation"] for r in csv.DictReader((ROOT / "data" / "article_sections.csv").open(encoding="utf-8"))]
STAGE_TITLES = {r["id"]: r["title"] for r in csv.DictReader((ROOT / "data" / "stages.csv").open(encoding="utf-8"))}
ACTORS = {r["id"]: r["short_name"] for r in csv.DictReader((ROOT / "data" / "actors.csv").open(encoding="utf-8"))}
GLOSSARY = {r["id"]: r for r in csv.DictReader((ROOT / "data" / "glossary.csv").open(encoding="utf-8"))}
DOCUMENTS = {r["id"]: r for r in csv.DictReader((ROOT / "data" / "documents.csv").open(encoding="utf-8"))}
ARTICLE_REFERENCE = ("\"North Korea's Importance for Putin's 'Turn to the East'\" (2024). Analytical article; its "
                     "author and place of publication could not be confirmed, so neither is given. Cited by "
                     "section, e.g. (article, \u00a7 Stage Two).")
# Abbreviations a second-year student of international relations reads without a gloss.
KNOWN = {"US", "UN", "UK", "EU", "USSR", "NATO",
         "COVID-19",          # the pandemic's own name
         "POSCO",             # a company's name, introduced as "the steelmaker POSCO"
         "GDP",               # gross domestic product, met in any first course in economics
         "NOT"}               # a quiz's emphasis ("Which did NOT ..."), not an acronym
MAINTAINER_MARKERS = ("NBVAL", "nbval", "papermill", "pytest", "nbconvert", "the course's tests",
                      "checked automatically", "Parameters (papermill)", "reference output")
MOTIVE_AND_SYNTHESIS = [r["id"] for r in csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))
                        if r["kind"] in policy.KINDS_WITH_CONTENDING_READINGS]


def _nb(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def lesson(lid):
    return _nb(ROOT / "notebooks" / f"{lid}.ipynb")


def student_markdown(nb) -> list[str]:
    return [_src(c) for c in nb["cells"] if c["cell_type"] == "markdown" and "leader" not in _tags(c)]


def prose_before_references(nb) -> str:
    """Student-visible Markdown up to the References heading (the reference list is citations, not prose)."""
    text = "\n\n".join(student_markdown(nb))
    return text.split("\n## References", 1)[0]


def visible(markdown: str) -> str:
    """What a reader sees: link targets, HTML tags and emphasis marks removed."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    text = re.sub(r"<[^>]+>", " ", text)
    return text.replace("**", "").replace("`", "")


def all_notebooks():
    return sorted(p for d in FOLDERS for p in (ROOT / d).glob("*.ipynb"))


# ---------------------------------------------------------------- the article, cited one way
def _section_citations(text: str):
    text = re.sub(r"\s+", " ", text)  # a citation may be wrapped across lines of the Markdown source
    for m in re.finditer(r"\u00a7\s*(.{0,40})", text):
        yield m.group(1)


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_section_citation_uses_one_of_the_fixed_names(path):
    nb = _nb(path)
    bad = []
    for i, cell in enumerate(nb["cells"]):
        for after in _section_citations(_src(cell)):
            if after.startswith(("...", "\u2026", "\u00a7")) or not after.strip():
                continue
            if not any(after.startswith(name[2:]) and not re.match(r"[A-Za-z]", after[len(name) - 2:][:1])
                       for name in SECTIONS):
                bad.append(f"cell {i}: \u00a7 {after[:30]!r}")
    assert not bad, f"{path.name}: cite the article as one of {SECTIONS}: {bad}"


def test_every_section_citation_in_the_data_uses_one_of_the_fixed_names():
    bad = []
    for path in sorted((ROOT / "data").glob("*.csv")):
        if path.name == "article_sections.csv":
            continue
        for n, row in enumerate(csv.reader(path.open(encoding="utf-8")), start=1):
            for cell in row:
                for after in _section_citations(cell):
                    if not any(after.startswith(name[2:]) and not re.match(r"[A-Za-z]", after[len(name) - 2:][:1])
                               for name in SECTIONS):
                        bad.append(f"{path.name} row {n}: \u00a7 {after[:30]!r}")
    assert not bad, bad


@pytest.mark.parametrize("lid", LESSONS)
def test_the_article_is_cited_the_same_way_in_every_lesson(lid):
    md = "\n".join(student_markdown(lesson(lid)))
    refs = md.split("## References", 1)[1]
    assert ARTICLE_REFERENCE in refs, f"{lid}: the References list cites the article as:\n{ARTICLE_REFERENCE}"
    assert "our copy" not in md and "globaldefensedispatch" not in md


# ---------------------------------------------------------------- words explained on first use
ACRONYM = re.compile(r"(?<![\w/#.])([A-Z][A-Z0-9]{1,}(?:-[0-9]+)?)(?!\w)")
CITATION_AFTER = re.compile(r"^(?:\s+[A-Z][\w.'&-]*)*(?:,\s+\d{1,2}\s+[A-Z][a-z]+)?\s+(?:19|20)\d\d[a-z]?(?:-[a-z])?\b")


def _defined_at(text: str, start: int, end: int, token: str) -> bool:
    after, before = text[end:end + 120], text[max(0, start - 120):start]
    if re.match(r"\s*\((?:[^()]*[a-z][^()]*)\)", after):          # APEC (Asia-Pacific Economic Cooperation)
        return True
    plain_before = re.sub(r"\]\([^)]*\)", "", before).replace("[", "")
    if after.startswith(")") and re.search(r"[a-z]{3,}\s*\(\s*$", plain_before):
        return True                                                  # North Korea (PRK)
    if re.match(r",? (?:short for|the abbreviation for|which stands for)", after):
        return True
    link = re.search(r"\[([^\]]*)$", before)
    if link and re.match(r"[^\]]*\]\(#glossary-([a-z0-9-]+)\)", after):
        gid = re.match(r"[^\]]*\]\(#glossary-([a-z0-9-]+)\)", after).group(1)
        entry = GLOSSARY.get(gid, {})
        return token in entry.get("term", "") + " " + entry.get("definition", "")
    return False


def undefined_acronyms(prose: str, seen=None) -> list[str]:
    prose = prose.replace("`", "").replace("**", "")
    seen, missing = set() if seen is None else seen, []
    for m in ACRONYM.finditer(prose):
        token = m.group(1)
        if token in seen or token in KNOWN or re.fullmatch(r"[IVX]+", token):
            continue
        if CITATION_AFTER.match(prose[m.end():m.end() + 60]) and "(" in prose[max(0, m.start() - 80):m.start()]:
            continue                                                 # a citation key such as (KCNA 2001)
        seen.add(token)
        if not _defined_at(prose, m.start(), m.end(), token):
            context = prose[max(0, m.start() - 60):m.end() + 40].replace("\n", " ")
            missing.append(f"{token}: ...{context}...")
    return missing


def undefined_actor_codes(nb) -> list[str]:
    """Actor codes a student meets in code cells or their output labels (``"PRK"``) before the prose explains them."""
    explained, missing = set(), []
    for i, cell in enumerate(nb["cells"]):
        text = _src(cell)
        if cell["cell_type"] == "markdown":
            if "leader" in _tags(cell):
                continue
            clean = text.replace("`", "").replace("**", "")
            for code, name in ACTORS.items():
                if re.search(rf"\b{code}\s*\(\s*{re.escape(name)}\s*\)|{re.escape(name)}\s*\(\s*{code}\s*\)", clean):
                    explained.add(code)
        elif "parameters" not in _tags(cell):
            for code in re.findall(r"[\"']([A-Z]{3,4})[\"']", text):
                if code in ACTORS and code not in explained and code not in missing:
                    missing.append(code)
    return missing


@pytest.mark.parametrize("lid", LESSONS)
def test_actor_codes_in_data_cells_are_explained_before_them(lid):
    missing = undefined_actor_codes(lesson(lid))
    assert not missing, (f"{lid}: data cells use {missing} before the prose says which country each code is, "
                         "as 'PRK (North Korea)'")


@pytest.mark.parametrize("lid", LESSONS)
def test_acronyms_and_actor_codes_are_explained_where_they_first_appear(lid):
    missing = undefined_acronyms(prose_before_references(lesson(lid)))
    assert not missing, (f"{lid}: explain each on first use, as 'Asia-Pacific Economic Cooperation (APEC)', "
                         "'PRK (North Korea)' or a glossary link [APEC](#glossary-apec):\n  " + "\n  ".join(missing))


QUESTIONS = list(csv.DictReader((ROOT / "data" / "questions.csv").open(encoding="utf-8")))
EVENT_TITLES = {r["id"]: r["title"] for r in csv.DictReader((ROOT / "data" / "events.csv").open(encoding="utf-8"))}
DOCUMENT_FIELDS = ("title", "issuer", "excerpt", "text_note", "ask_commits", "ask_leaves_out", "ask_claim")


def _quiz_text(lid) -> str:
    """What the lesson's quiz shows: prompts, options (events by their titles), feedback and explanations."""
    out = []
    for q in (q for q in QUESTIONS if q["lesson"] == lid):
        options = [EVENT_TITLES.get(c, c) for c in q["choices"].split("|") if c]
        feedback = [part.split("=>", 1)[-1] for part in q["feedback"].split("|")]
        out += [q["prompt"], "; ".join(options), " ".join(feedback), q["explanation"]]
    return "\n\n".join(out)


def student_text_in_order(lid) -> str:
    """Everything a student reads up to the References, in the order the lesson shows it: the Markdown, each
    primary document (title, issuer, excerpt, note, reading task) where its cell stands, and the quiz."""
    parts = []
    for cell in lesson(lid)["cells"]:
        src = _src(cell)
        if cell["cell_type"] == "markdown" and "leader" not in _tags(cell):
            if "## References" in src:
                break
            parts.append(src)
        elif cell["cell_type"] == "code":
            for node in ast.walk(ast.parse(src)):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                        "document", "compare_documents"):
                    for arg in node.args:
                        doc = DOCUMENTS.get(ast.literal_eval(arg), {})
                        parts += [doc.get(f, "") for f in DOCUMENT_FIELDS]
                    for kw in node.keywords:
                        value = ast.literal_eval(kw.value)
                        parts += value if isinstance(value, list) else [str(value)]
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "quiz":
                    parts.append(_quiz_text(lid))
    return "\n\n".join(parts)


@pytest.mark.parametrize("lid", [lid for lid in LESSONS if lid[:2] in ("00", "01", "02", "03", "04", "05", "11", "12", "13", "14", "20")])
def test_acronyms_in_documents_and_quizzes_are_explained_before_a_student_meets_them(lid):
    """The primary documents and the quiz are read too: an acronym in a document's title or reading task, or in a
    quiz option, is explained in the lesson before it (lessons 01-05, walked through as a student, issue 23)."""
    missing = undefined_acronyms(student_text_in_order(lid))
    assert not missing, f"{lid}: explain each before the document or question that uses it:\n  " + "\n  ".join(missing)


ANCHOR_ROW = re.compile(r"^\| ([+-]?\d+(?: to [+-]?\d+)?) \| ([a-z][^|]*?) \|$", re.M)


def test_goldstein_anchors_shown_to_students_are_the_codebooks():
    """Lessons and exercises that print the Goldstein anchors print the codebook's (data/README.md, Scales)."""
    codebook = dict(ANCHOR_ROW.findall((ROOT / "data" / "README.md").read_text(encoding="utf-8")))
    assert len(codebook) == 9, codebook
    shown = 0
    for path in all_notebooks():
        for cell in _nb(path)["cells"]:
            for score, typical in ANCHOR_ROW.findall(_src(cell)):
                shown += 1
                assert codebook.get(score, "").startswith(typical), (path.name, score, typical, codebook.get(score))
    assert shown >= 9 * 5


def test_the_acronym_check_finds_what_it_should():
    assert undefined_acronyms("Russia joined APEC in 1998.")[0].startswith("APEC")
    assert undefined_acronyms("Asia-Pacific Economic Cooperation (APEC) met. Later APEC met again.") == []
    assert undefined_acronyms("The pair RUS-PRK (Russia and North Korea) warmed.") != []
    assert undefined_acronyms("North Korea (PRK) and Russia (RUS) met; PRK tested.") == []
    assert undefined_acronyms("As reported (KCNA 2001), talks went on.") == []
    assert undefined_acronyms("The [APEC](#glossary-apec) summit.") == (
        [] if "apec" in GLOSSARY else undefined_acronyms("The [APEC](#glossary-apec) summit."))


# ---------------------------------------------------------------- nothing meant for maintainers
@pytest.mark.parametrize("path", [p for p in all_notebooks() if p.parent.name in ("notebooks", "exercises")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_maintainer_marker_in_what_students_read(path):
    nb = _nb(path)
    hits = [f"cell {i}: {m!r}" for i, c in enumerate(nb["cells"]) if "leader" not in _tags(c)
            for m in MAINTAINER_MARKERS if m in _src(c)]
    assert not hits, f"{path.name}: {hits}"


@pytest.mark.parametrize("lid", LESSONS)
def test_lessons_name_other_lessons_by_title_not_file_name(lid):
    shown = [m.group(0) for text in student_markdown(lesson(lid))
             for m in re.finditer(r"\b\d\d_[a-z0-9_]+\.ipynb\b", visible(text))]
    assert not shown, f"{lid}: write the lesson's title (a link to the notebook), not its file name: {shown}"


# ---------------------------------------------------------------- titles agree
def _h1(nb) -> str:
    return _src(nb["cells"][0]).strip().splitlines()[0].lstrip("# ").strip()


@pytest.mark.parametrize("lid", LESSONS)
def test_lesson_titles_agree_with_the_data(lid):
    assert _h1(lesson(lid)) == TITLES[lid], f"{lid}: the first heading must be lessons.csv's title"
    for folder in ("solutions", "exercises"):
        path = ROOT / folder / f"{lid}.ipynb"
        if path.exists():
            assert _h1(_nb(path)) == f"Practice: {TITLES[lid]}", f"{folder}/{lid}"


MINUTES = {r["id"]: (r["reading_min"], r["exercise_min"], r["discussion_min"])
           for r in csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8"))}


@pytest.mark.parametrize("lid", LESSONS)
def test_the_lessons_time_table_gives_the_minutes_of_lessons_csv(lid):
    """The minutes a student reads at the top of a lesson are the measured ones the session plans use."""
    cell = next(_src(c) for c in lesson(lid)["cells"] if c["cell_type"] == "markdown" and "## Time" in _src(c))
    found = {}
    for row, minutes in re.findall(r"^\|\s*(Reading|Exercises|Discussion)\b[^|]*\|\s*(\d+)\s*\|", cell, re.M):
        found.setdefault(row, minutes)
    assert (found.get("Reading"), found.get("Exercises"), found.get("Discussion")) == MINUTES[lid], (lid, found)


def test_stage_lessons_carry_their_stage_title():
    rows = list(csv.DictReader((ROOT / "data" / "lessons.csv").open(encoding="utf-8")))
    for r in rows:
        if r["kind"] in ("stage", "prelude"):
            assert r["title"].startswith(STAGE_TITLES[r["stage"]] + " ("), (r["id"], r["title"], STAGE_TITLES[r["stage"]])


def test_readme_course_map_uses_the_lesson_titles():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text, target in re.findall(r"\|\s*\[([^\]]+)\]\(notebooks/([0-9a-z_]+)\.ipynb\)", readme):
        assert TITLES[target].startswith(text), f"README links {target} as {text!r}; lessons.csv: {TITLES[target]!r}"
    rows = re.findall(r"\(notebooks/([0-9a-z_]+)\.ipynb\) \|[^|\n]*\| (\d+) / (\d+) / (\d+) \|", readme)
    assert len(rows) == len(LESSONS) and all(tuple(m) == MINUTES[lid] for lid, *m in rows), rows


STAGE_LABEL = re.compile(r"\b(Stage (?:One|Two|Three|Four)|Prelude): ([a-z][^.;:()\n\"|*\]]*)")


def test_stage_labels_quoted_anywhere_match_the_stage_titles():
    sources = [p for p in all_notebooks()] + [ROOT / "data" / "questions.csv", ROOT / "README.md"]
    by_label = {t.split(":")[0]: t.split(":", 1)[1].strip() for t in STAGE_TITLES.values()}
    bad = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for m in STAGE_LABEL.finditer(text):
            want, found = by_label[m.group(1)], m.group(2)
            if found.split()[:1] != want.split()[:1]:
                continue  # "Stage Four: do events ..." is a colon in a sentence, not the stage's title
            if not found.startswith(want):
                bad.append(f"{path.relative_to(ROOT)}: {m.group(0)!r} (stages.csv: {m.group(1)}: {want})")
    assert not bad, bad


@pytest.mark.parametrize("lid", LESSONS)
def test_whats_next_names_lessons_by_their_titles(lid):
    md = "\n".join(student_markdown(lesson(lid)))
    nxt = md.split("## What's next", 1)[1]
    for text, target in re.findall(r"\[([^\]]+)\]\(([0-9a-z_]+)\.ipynb\)", nxt):
        if target in TITLES:  # a lesson (the chart gallery and the guide are not)
            assert visible(text).strip() == TITLES[target], f"{lid}: link to {target} reads {text!r}"


# ---------------------------------------------------------------- documents, glossary, readings wired to the data
def _calls(nb, name):
    """Arguments of every ctx.<name>(...) call in the notebook's code cells."""
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse(_src(c))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "ctx"):
                out.append(([ast.literal_eval(a) for a in node.args],
                            {k.arg: ast.literal_eval(k.value) for k in node.keywords}))
    return out


@pytest.mark.parametrize("lid", LESSONS)
def test_each_lesson_shows_two_or_more_documents_listed_for_it_in_the_data(lid):
    nb = lesson(lid)
    shown = [a[0] for a, _ in _calls(nb, "document")] + [d for a, _ in _calls(nb, "compare_documents") for d in a]
    listed = {i for i, r in DOCUMENTS.items() if lid in r["lessons"].split(";")}
    assert len(set(shown)) >= policy.MIN_DOCUMENTS, \
        f"{lid} shows {len(set(shown))} primary documents; want at least {policy.MIN_DOCUMENTS}"
    assert set(shown) == listed, (f"{lid}: documents.csv lists {sorted(listed)} for it, the lesson shows "
                                  f"{sorted(set(shown))}")


def test_lesson_05_sets_the_mutual_assistance_clauses_side_by_side():
    compared = [a for a, _ in _calls(lesson("05_stage_4_war_and_alliance"), "compare_documents")]
    assert any({"1961-ussr-dprk-treaty-art1", "2024-dprk-russia-treaty-art4"} <= set(a) for a in compared)


@pytest.mark.parametrize("lid", LESSONS)
def test_glossary_terms_are_marked_on_first_use_and_defined_from_the_data(lid):
    nb = lesson(lid)
    calls = _calls(nb, "glossary")
    assert len(calls) == 1, f"{lid}: one ctx.glossary(...) cell lists the terms the lesson marks"
    listed = calls[0][0]
    prose = prose_before_references(nb)
    marked = re.findall(r"\[([^\]]+)\]\(#glossary-([a-z0-9-]+)\)", prose)
    assert len(marked) >= policy.MIN_GLOSSARY_TERMS, \
        f"{lid}: mark at least {policy.MIN_GLOSSARY_TERMS} glossary terms where they are first used"
    assert set(listed) == {gid for _, gid in marked}, (f"{lid}: the glossary cell lists {sorted(listed)}, "
                                                       f"the prose marks {sorted({g for _, g in marked})}")
    assert all(gid in GLOSSARY for gid in listed)
    prose = re.sub(r"\[[^\]]*\]\([^)#\s]*\.ipynb[^)]*\)", "", prose)  # a lesson's title in a link is no use of a term
    shown = visible(prose)
    for text, gid in marked:
        first = shown.find(visible(text))
        link = visible(prose[:prose.find(f"]({chr(35)}glossary-{gid})")]).rfind(visible(text))
        assert first == link, f"{lid}: {text!r} appears before the link that marks it; mark its first use"


@pytest.mark.parametrize("lid", LESSONS)
def test_references_hold_the_further_reading_list(lid):
    nb = lesson(lid)
    cells = nb["cells"]
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## References" in _src(c))
    end = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## What's next" in _src(c))
    assert any(c["cell_type"] == "code" and "ctx.further_reading()" in _src(c) for c in cells[start:end])


@pytest.mark.parametrize("lid", MOTIVE_AND_SYNTHESIS)
def test_motive_lessons_and_the_synthesis_set_out_contending_readings(lid):
    md = "\n\n".join(student_markdown(lesson(lid)))
    assert "## Contending readings" in md
    section = md.split("## Contending readings", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^> \*\*IR \(international relations\) concept", section, re.M), \
        "a short box names the concept of international relations (IR) at stake"
    readers = re.findall(r"^\*\*\d\. ([^*]+)\*\*", section, re.M)
    assert len(readers) >= policy.MIN_CONTENDING_READINGS, \
        f"{lid}: at least {policy.MIN_CONTENDING_READINGS} scholars or analysts, got {readers}"
    assert "*Pyongyang's agency.*" in section, "at least one reading centred on Pyongyang's own agency"
    assert re.search(r"Seoul|Busan|Tokyo|Nagoya|Beijing|Shanghai|Changchun|Korea Institute|Korea National", section), \
        "at least one scholar based in South Korea, Japan or China"
