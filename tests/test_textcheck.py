"""No garbled phrase from the spun seed and no 12-word run of the article in learner-facing text.

The word lists live in tests/textcheck_data/ (the article only as hashes of its 12-word runs),
so the suite passes on a clone with nothing beside it.
"""

import hashlib
import json
import re

import pytest

from conftest import ROOT

DATA = ROOT / "tests" / "textcheck_data"
N = 12


def _phrases():
    return [l.strip().lower() for l in (DATA / "garbled-phrases.txt").read_text().splitlines() if l.strip()]


def _hashes():
    return {l.strip() for l in (DATA / "article_12gram_sha1.txt").read_text().splitlines()
            if l.strip() and not l.startswith("#")}


def _words(text):
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def _learner_files():
    for d in ("notebooks", "exercises", "solutions"):
        yield from sorted((ROOT / d).glob("*.ipynb"))
    for p in sorted((ROOT / "data").rglob("*")):
        if p.suffix in (".csv", ".json", ".md", ".yml", ".yaml", ".tsv"):
            yield p
    yield ROOT / "README.md"


def _text(path):
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n".join("".join(c["source"]) for c in nb["cells"])
    return path.read_text(encoding="utf-8", errors="replace")


FILES = [p for p in _learner_files() if p.exists()]
PHRASES = _phrases()
HASHES = _hashes()


def copied_runs(text):
    w = _words(text)
    runs = []
    for i in range(len(w) - N + 1):
        gram = " ".join(w[i:i + N])
        if hashlib.sha1(gram.encode()).hexdigest()[:16] in HASHES:
            runs.append(gram)
    return runs


def test_word_lists_are_there():
    assert len(PHRASES) >= 30 and len(HASHES) > 5000


def test_the_check_catches_a_copied_sentence_and_a_garbled_phrase():
    # A run of the article as spun and as de-spun, and one garbled phrase: the check must see them.
    assert copied_runs("they mirror the safety and id goals of the flip additionally they are testimony to the")
    assert copied_runs("After China, North Korea is one of two states along with India of greatest significance for")
    assert "chilly battle" in PHRASES
    assert not copied_runs("Russia turned to North Korea for artillery shells after its invasion of Ukraine in 2022.")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_garbled_phrase(path):
    low = _text(path).lower().replace("\u2019", "'")
    found = [ph for ph in PHRASES if ph in low]
    assert not found, f"{path.name}: garbled phrases {found}; see despin.tsv for the real terms"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sentence_copied_from_the_article(path):
    runs = copied_runs(_text(path))
    assert not runs, f"{path.name}: copied from the article: {runs[:3]}; paraphrase and cite instead"
