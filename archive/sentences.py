"""Sentence spans for news text, including the glued sentences scraped text is full of.

Written here rather than taken from a library because it must (1) return exact [start, end)
offsets, (2) split "reports.The blasts" where no space follows the full stop, and (3) run at
thousands of articles a second; the common splitters do one or two of these. Paragraph breaks
always end a sentence.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof st sr jr gen sen rep gov lt col sgt capt cmdr adm maj pres supt insp rev hon fr inc ltd"
        " co corp bros no vs etc al jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave blvd rd approx est"
        " dept univ assn"
    ).split()
)
# A full stop, ! or ? (and closing quotes/brackets) then whitespace and a likely sentence start.
_SPACED = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])")
# Glued: a lower-case word of 2+ letters, the stop, then a capitalised word with no space. The letters before are
# checked by _GLUED_AFTER at each match: led by a lookbehind the pattern was tried at every character (0.2 ms an
# article); led by the stop it is looked for as fast as _SPACED.
_GLUED = re.compile(r"[.!?]+(?=[\"“]?[A-Z][a-z])")
_GLUED_AFTER = re.compile(r"[a-z]{2}")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_NON_SPACE = re.compile(r"\S")
_NEWLINE = re.compile("\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the [start, end) spans of the sentences of `text`, in order, without outer spaces."""
    cuts = {m.end() for m in _SPACED.finditer(text) if not _abbreviation(text, m.start())}
    cuts.update(_glued_cut(text, m.end()) for m in _GLUED.finditer(text) if _glued(text, m.start()))
    cuts.update(m.start() for m in _NEWLINE.finditer(text))
    cuts.add(len(text))
    spans = []
    begin = 0
    for cut in sorted(cuts):
        span = _trim(text, begin, cut)
        if span:
            spans.append(span)
        begin = cut
    return spans


def _glued(text: str, stop: int) -> bool:
    return stop >= 2 and _GLUED_AFTER.match(text, stop - 2) is not None


def _glued_cut(text: str, stop_end: int) -> int:
    """Where a glued sentence ends: after a straight quote that closes one opened before it."""
    line_start = text.rfind("\n", 0, stop_end) + 1
    if text.startswith('"', stop_end) and text.count('"', line_start, stop_end) % 2 == 1:
        return stop_end + 1
    return stop_end


def _abbreviation(text: str, stop: int) -> bool:
    """True when the full stop at `stop` ends an abbreviation or an initial, not a sentence."""
    if text[stop] != ".":
        return False
    m = _WORD_BEFORE.search(text, max(0, stop - 20), stop)
    if not m:
        return False
    word = m.group(1)
    if "." in word:  # U.S., a.m., e.g.
        return True
    return len(word) == 1 and word.isupper() or word.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    m = _NON_SPACE.search(text, start, end)
    if not m:
        return None
    start = m.start()
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)
