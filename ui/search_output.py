"""Search results for people (terminal colours) and machines (the documented JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from index import serialize
from ui.reasons import match_reason

if TYPE_CHECKING:
    from index import SearchResponse, SearchResult
    from index.story_view import StorySummary

PASSAGE_CHARS = 480
_STYLE = {
    "lexical": {"fg": "yellow", "bold": True},
    "semantic": {"fg": "cyan", "underline": True},
    "date": {"fg": "green", "underline": True},
}


def response_json(response: SearchResponse, query_id: str | None = None) -> dict[str, Any]:
    return serialize.search_response(response, query_id)


def response_text(response: SearchResponse) -> str:
    shown = len(response.results)
    counted = (
        f"{shown} of {response.matched:,} matching articles"
        if response.matched >= shown
        else f"{response.matched:,} matching articles; {shown} shown, the rest nearest by meaning"
    )
    head = [
        f"{counted} ({response.filtered_articles:,} passed the filters; "
        f"{response.vector_coverage:.0%} of chunks have vectors)"
    ]
    if response.notice:
        head.append(click.style(f"note: {response.notice}", fg="magenta"))
    blocks = [_result_text(i, r) for i, r in enumerate(response.results, start=1)]
    return "\n\n".join(["\n".join(head), *blocks]) if blocks else "\n".join(head + ["No articles matched."])


def by_story_json(response: SearchResponse, stories: dict[int, StorySummary]) -> list[dict[str, Any]]:
    """The results grouped by story, in the order of each story's best result (`search --by-story --json`)."""
    groups: dict[int | None, list[int]] = {}
    for r in response.results:
        story = stories.get(r.id)
        groups.setdefault(story.id if story else None, []).append(r.id)
    known = {s.id: s for s in stories.values()}
    out = []
    for story_id, ids in groups.items():
        s = known.get(story_id) if story_id is not None else None
        head = (
            {"id": None, "label": None, "size": None, "outlets": []}
            if s is None
            else {"id": s.id, "label": s.label, "size": s.size, "outlets": list(s.outlets)}
        )
        out.append({**head, "results": ids})
    return out


def by_story_text(response: SearchResponse, stories: dict[int, StorySummary]) -> str:
    """The results grouped by story: each story's line ("12 articles, 7 outlets"), then its results."""
    text = response_text(response)
    head, _, _ = text.partition("\n\n")
    numbered = {r.id: (i, r) for i, r in enumerate(response.results, start=1)}
    blocks = [head]
    for group in by_story_json(response, stories):
        if group["id"] is None:
            title = "not in a story yet (not embedded)"
        else:
            size, outlets = group["size"], len(group["outlets"])
            title = f"story {group['id']}: {group['label']} — {size} article{'s' * (size != 1)}, {outlets} outlet{'s' * (outlets != 1)}"
        blocks.append(click.style(title, bold=True, fg="blue"))
        blocks.extend(_result_text(*numbered[doc]) for doc in group["results"])
    return "\n\n".join(blocks)


def _result_text(number: int, r: SearchResult) -> str:
    why = match_reason(r)
    lines = [
        f"{number}. " + click.style(r.title or "(no title)", bold=True),
        f"   {r.outlet or 'unknown outlet'} · {r.date or 'undated'} · id {r.id} · {why}",
    ]
    if r.also_in:
        lines.append(f"   also in: {', '.join(r.also_in)}")
    if r.mentions:
        lines.append("   mentions: " + ", ".join(dict.fromkeys(f"{m.text} ({m.value})" for m in r.mentions)))
    lines.append("   " + highlighted_passage(r))
    return "\n".join(lines)


def highlighted_passage(r: SearchResult) -> str:
    """The passage around its first semantic (else lexical) highlight, with highlights styled."""
    start, end = r.passage.start, r.passage.end
    inside = [h for h in r.highlights if start <= h.start and h.end <= end]
    focus = next((h for h in inside if h.kind == "semantic"), inside[0] if inside else None)
    if end - start > PASSAGE_CHARS:
        start, end = _window(r.text, start, end, focus)
    parts = [
        _styled(r.text[a:b], {h.kind for h in inside if h.start <= a and b <= h.end})
        for a, b in _segments(start, end, inside)
    ]
    lead = "…" if start > r.passage.start else ""
    tail = "…" if end < r.passage.end else ""
    return lead + "".join(parts).replace("\n", " ") + tail


def _window(text: str, start: int, end: int, focus: Any) -> tuple[int, int]:
    """About PASSAGE_CHARS of [start, end) around `focus`, holding the focus whole, cut between words."""
    centre = focus.start if focus else start
    a = max(start, min(centre - PASSAGE_CHARS // 4, end - PASSAGE_CHARS))
    b = min(end, a + PASSAGE_CHARS)
    if focus is not None:
        a, b = min(a, focus.start), max(b, focus.end)
    while a > start and not text[a - 1].isspace():  # back to the start of the word
        a -= 1
    while b < end and not text[b].isspace():  # on to the end of the word
        b += 1
    return a, b


def _segments(start: int, end: int, highlights: list[Any]) -> list[tuple[int, int]]:
    cuts = sorted({start, end, *(max(start, min(end, p)) for h in highlights for p in (h.start, h.end))})
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _styled(text: str, kinds: set[str]) -> str:
    style: dict[str, Any] = {}
    for kind in sorted(kinds, reverse=True):  # lexical colour wins inside a semantic sentence
        style.update(_STYLE[kind])
    return click.style(text, **style) if style else text
