"""What a slide shows of a lesson's Markdown: one idea, in at most :data:`SLIDE_WORDS` words.

A lesson's prose is written to be read; a slide is looked at. :func:`condense` keeps the heading and the
first idea of a Markdown cell: the sentences of its first paragraph that fit the budget (always the first
one), a list whose items are cut to their first clause, a small table; the cell's full text goes to the
speaker notes whenever anything was left out (the caller's job: :class:`Condensed.cut` says so).

Pure: text in, text out. Links keep their text on the slide and lose their target (a projector cannot
click; the notes keep the full Markdown with its links).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: words of prose a slide shows at most (headings not counted): the rest is in the speaker notes
SLIDE_WORDS = 70
#: words of a paragraph a slide shows (its first sentence always, cut at SLIDE_WORDS)
PARA_WORDS = 50
#: items of a list a slide shows
LIST_ITEMS = 6
#: words a list item keeps on a slide (cut at its first clause when that is shorter)
ITEM_WORDS = 12
#: rows (besides the header) of a Markdown table that still fits on a slide
TABLE_ROWS = 6

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"[0-9A-Za-z\u00C0-\u024F\u0400-\u04FF][\w'\u2019.\u2013-]*")
_SENTENCE_END = re.compile(r"[.!?][\"\u201d)*]*(?=\s+[\"\u201c(*\[]*[A-Z0-9])")
_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|cf|vs|etc|No|St|Dr|Mr|Mrs|Ms|U\.S|U\.N)|\b[A-Z])\.$")


def plain(markdown: str) -> str:
    """Markdown as the words a reader sees (no link targets, emphasis marks or code ticks)."""
    text = _LINK.sub(r"\1", markdown)
    text = re.sub(r"[*_`|#>]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def count_words(markdown: str) -> int:
    return len(_WORD.findall(plain(markdown)))


def unlink(markdown: str) -> str:
    """Links replaced by their text (images dropped)."""
    return re.sub(r"!\[[^\]]*\]\([^)]*\)", "", _LINK.sub(lambda m: m.group(1), markdown))


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences (a full stop after a common abbreviation or an initial does not end one)."""
    text = re.sub(r"\s+", " ", paragraph).strip()
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREV.search(text[start:m.start() + 1]):
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def _balance(text: str) -> str:
    """Close an emphasis or code span that a cut left open."""
    for mark in ("**", "`"):
        if text.count(mark) % 2:
            text += mark
    if (text.count("*") - 2 * text.count("**")) % 2:
        text += "*"
    return text


def shorten(item: str, words: int = ITEM_WORDS) -> str:
    """A list item cut to its first sentence, then to its first clause or ``words`` words ("..." marks a cut)."""
    text = unlink(re.sub(r"\s+", " ", item).strip())
    first = sentences(text)[0] if text else ""
    if count_words(first) <= words:
        return first
    clause = re.split(r"(?<=[,;:])\s|\s[\u2013\u2014]\s|\s\(", first)[0].rstrip(",;:")
    if 4 <= count_words(clause) <= words:
        return _balance(clause) + "\u2026"
    kept, n = [], 0
    for token in first.split(" "):
        n += bool(_WORD.search(plain(token)))
        if n > words:
            break
        kept.append(token)
    return _balance(" ".join(kept).rstrip(",;:")) + "\u2026"


def blocks(markdown: str) -> list[tuple[str, list[str]]]:
    """``[(kind, lines)]``: Markdown split at blank lines into ``heading``, ``list``, ``table``, ``quote``
    and ``para`` blocks."""
    out = []
    for chunk in re.split(r"\n\s*\n", markdown.strip()):
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        while lines and lines[0].lstrip().startswith("#"):
            out.append(("heading", [lines.pop(0)]))
        if not lines:
            continue
        if _ITEM.match(lines[0]):
            out.append(("list", lines))
        elif lines[0].lstrip().startswith("|"):
            out.append(("table", lines))
        elif lines[0].lstrip().startswith(">"):
            out.append(("quote", lines))
        else:
            out.append(("para", lines))
    return out


def list_items(lines: list[str]) -> list[tuple[str, str]]:
    """``[(marker, text)]`` of a list block's top-level items (continuation lines joined)."""
    items: list[list[str]] = []
    indent = len(lines[0]) - len(lines[0].lstrip())
    for ln in lines:
        m = _ITEM.match(ln)
        if m and len(m.group(1)) <= indent:
            items.append([m.group(2), m.group(3)])
        elif items:
            items[-1][1] += " " + ln.strip()
    return [(marker, text) for marker, text in items]


@dataclass
class Condensed:
    heading: str          # the cell's heading line ("" when it has none)
    body: str             # what the slide shows under it (Markdown)
    cut: bool             # True when the slide leaves something out (the notes then hold the full text)

    @property
    def markdown(self) -> str:
        return "\n\n".join(p for p in (self.heading, self.body) if p)

    @property
    def words(self) -> int:
        return count_words(self.body)


def condense(markdown: str, budget: int = SLIDE_WORDS, para_words: int = PARA_WORDS) -> Condensed:
    """The first idea of a Markdown cell, in at most ``budget`` words: the sentences of its first paragraph
    that fit ``para_words`` (the first always, cut at ``budget``), or a lead-in and the list or table it
    introduces."""
    parts = blocks(markdown)
    heading = parts.pop(0)[1][0].strip() if parts and parts[0][0] == "heading" else ""
    shown: list[str] = []
    used, cut = 0, False
    for i, (kind, lines) in enumerate(parts):
        if used >= budget:
            cut = True
            break
        if kind == "para":
            text = unlink(" ".join(ln.strip() for ln in lines))
            taken, used_before = [], used
            for s in sentences(text):
                if taken and used + count_words(s) > min(budget, used_before + para_words):
                    cut = True
                    break
                if used + count_words(s) > budget:
                    s, cut = shorten(s, budget - used), True
                taken.append(s)
                used += count_words(s)
            shown.append(_balance(" ".join(taken)))
            intro = text.rstrip().endswith(":") or count_words(text) <= 12
            if not intro:  # one idea: the first paragraph, or a short lead-in and what it introduces
                cut = cut or i + 1 < len(parts)
                break
        elif kind == "list":
            items = list_items(lines)
            kept = []
            numbered = items[0][0][0].isdigit()
            for marker, text in items:
                line = f"{marker} {shorten(text)}"  # a number marker counts as a word, as a reader sees it
                if used + count_words(line) > budget - 7 or len(kept) == LIST_ITEMS:
                    break
                kept.append(line)
                used += count_words(line)
            if len(kept) < len(items):
                more = f"{str(len(kept) + 1) + '.' if numbered else '-'} \u2026 and {len(items) - len(kept)} more (in the notes)"
                kept.append(more)
                used += count_words(more)
            cut = cut or len(kept) != len(items) or any(shorten(t) != unlink(re.sub(r"\s+", " ", t).strip())
                                                       for _, t in items)
            shown.append("\n".join(kept))
            if i + 1 < len(parts):
                cut = True
            break
        elif kind == "table":
            rows = [ln for ln in lines[2:]]
            words = count_words("\n".join(lines))
            if len(rows) <= TABLE_ROWS and used + words <= budget:
                shown.append("\n".join(lines))
                used += words
            else:
                cut = True
        else:  # a quotation or anything else: in the notes only
            cut = True
    return Condensed(heading, "\n\n".join(s for s in shown if s), cut)
