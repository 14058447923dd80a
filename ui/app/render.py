"""Article text as HTML with two kinds of highlight. Every piece of article text is escaped here.

Words of the query: <mark class="hl-words">; the sentence nearest its meaning: <mark class="hl-meaning">;
both at once: both classes; a mentioned date a filter asked for: <mark class="hl-date">. The first highlight of an article carries id="first-hit".
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Protocol

CLASSES = {"lexical": "hl-words", "semantic": "hl-meaning", "date": "hl-date"}
FIRST_HIT = "first-hit"
STYLE = """
<style>
mark.hl-words { background: #ffe08a; color: inherit; padding: 0 1px; border-radius: 2px; }
mark.hl-meaning { background: #cfe3ff; color: inherit; border-bottom: 2px solid #4a86e8; }
mark.hl-words.hl-meaning { background: #b9e4b0; }
mark.hl-date { background: transparent; color: inherit; border-bottom: 3px double #2e8b57; }
.sa-passage { line-height: 1.55; }
.sa-article { max-height: 62vh; overflow-y: auto; line-height: 1.6; padding-right: 0.5rem; }
.sa-article p { margin: 0 0 0.8em 0; }
.sa-legend mark { margin-right: 0.6em; }
.sa-seed { color: #d62728; font-weight: 600; margin: 0.3rem 0; }
.sa-warning { background: #fffce7; color: #926c05; padding: 0.8rem 1rem; border-radius: 0.5rem; margin-bottom: 0.5rem; }
</style>
"""
LEGEND = (
    '<div class="sa-legend">Highlights: <mark class="hl-words">your query\'s words</mark>'
    '<mark class="hl-meaning">the sentence that best answers it (by meaning, words and numbers)</mark></div>'
)
LEGEND_DATES = LEGEND.replace("</div>", '<mark class="hl-date">a date it mentions in your range</mark></div>')


def legend(dates: bool) -> str:
    """The highlight legend; with `dates`, the mark of a mentioned date in the asked range too."""
    return LEGEND_DATES if dates else LEGEND


class Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def kind(self) -> str: ...


def passage_html(text: str, start: int, end: int, highlights: Iterable[Span]) -> str:
    """text[start:end], escaped, with the highlights inside it marked; an ellipsis where it is cut."""
    body = _marked(text, start, end, highlights, first_id=False)
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    return f'<div class="sa-passage">{before}{body}{after}</div>'


def article_html(text: str, highlights: Iterable[Span]) -> str:
    """The whole text, escaped, one <p> per paragraph, every highlight marked."""
    body = _marked(text, 0, len(text), highlights, first_id=True)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    inner = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs) or "<p></p>"
    return f'<div class="sa-article">{inner}</div>'


def _marked(text: str, start: int, end: int, highlights: Iterable[Span], first_id: bool) -> str:
    spans = [(max(h.start, start), min(h.end, end), h.kind) for h in highlights]
    spans = [s for s in spans if s[0] < s[1] and s[2] in CLASSES]
    cuts = sorted({start, end, *(s[0] for s in spans), *(s[1] for s in spans)})
    out: list[str] = []
    first = first_id
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(text[a:b])
        kinds = sorted({CLASSES[k] for s0, s1, k in spans if s0 <= a and b <= s1})
        if not kinds:
            out.append(piece)
            continue
        anchor = f' id="{FIRST_HIT}"' if first else ""
        first = False
        out.append(f'<mark class="{" ".join(kinds)}"{anchor}>{piece}</mark>')
    return "".join(out)


_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$:"


def warning_html(text: str) -> str:
    """A warning box holding `text` as text: HTML-escaped, and no Markdown (which would link a bare URL)."""
    return f'<div class="sa-warning">{html.escape(text)}</div>'


def plain(text: str) -> str:
    """Text shown as itself where Streamlit reads Markdown (button labels): every special character escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)
