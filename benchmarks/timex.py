"""Dates mentioned in the text against TempEval-3's normalised TIMEX3 expressions of type DATE.

    .venv/bin/python -m benchmarks.timex [--split train|test|both] [--direct] [--errors N]

Train is TBAQ-cleaned (TimeBank + AQUAINT, 256 documents: the rules were written and tuned on it); test is
te3-platinum (20 documents), reported once. Each document's creation time is its publication date.

Span F1 counts a found mention right when it overlaps a gold DATE; value F1 when it also has the gold
value. Scored three ways side by side on the same documents:
- `archive show --json` (the default): each document ingested into a fresh archive as a JSON record with
  its creation date, and its `date_mentions` read back through the CLI, offsets into the stored text;
- `index.timex.find` on the raw text (`--direct`; what the archive should reproduce);
- `dateparser.search.search_dates` called directly with the creation date as its relative base (when
  the dateparser package is installed): the parser one would otherwise build on.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import SHARED

TEMPEVAL = SHARED / "tempeval3"
SPLITS = {"train": [TEMPEVAL / "TBAQ-cleaned" / "TimeBank", TEMPEVAL / "TBAQ-cleaned" / "AQUAINT"],
          "test": [TEMPEVAL / "te3-platinum"]}  # fmt: skip
TAG = re.compile(r"<(/?)(\w+)([^>]*)>")


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    text: str
    kind: str
    value: str


@dataclass(frozen=True)
class Doc:
    name: str
    created: str
    text: str
    gold: tuple[Gold, ...]


def load(split: str) -> list[Doc]:
    docs = []
    for folder in SPLITS[split]:
        for path in sorted(folder.glob("*.tml")):
            docs.append(_parse(path))
    return docs


def _parse(path: Path) -> Doc:
    raw = path.read_text(encoding="utf-8")
    dct = re.search(r"<DCT>.*?value=\"([^\"]+)\"", raw, re.S)
    created = (dct.group(1) if dct else "")[:10]
    body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S)
    text, gold, open_timex = [], [], None
    position, offset = 0, 0
    source = body.group(1) if body else ""
    for tag in TAG.finditer(source):
        chunk = html.unescape(source[position : tag.start()])
        text.append(chunk)
        offset += len(chunk)
        position = tag.end()
        if tag.group(2) != "TIMEX3":
            continue
        if tag.group(1) == "":
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag.group(3)))
            open_timex = (offset, attrs.get("type", ""), attrs.get("value", ""))
        elif open_timex is not None:
            start, kind, value = open_timex
            gold.append(Gold(start, offset, "".join(text)[start:offset], kind, value))
            open_timex = None
    text.append(html.unescape(source[position:]))
    return Doc(path.stem, created, "".join(text), tuple(gold))


Found = tuple[int, int, str]  # start, end, value


@dataclass(frozen=True)
class Score:
    found: int
    gold: int
    span_hits: int
    value_hits: int
    span_found_right: int
    value_found_right: int

    def f1(self, span: bool) -> float:
        right_found = self.span_found_right if span else self.value_found_right
        right_gold = self.span_hits if span else self.value_hits
        p = right_found / self.found if self.found else 0.0
        r = right_gold / self.gold if self.gold else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(*(a + b for a, b in zip(self.__dict__.values(), other.__dict__.values())))


def score(found: Sequence[Found], gold: Sequence[Gold]) -> Score:
    dates = [g for g in gold if g.kind == "DATE"]

    def overlaps(f: Found, g: Gold) -> bool:
        return f[0] < g.end and g.start < f[1]

    span_found = sum(any(overlaps(f, g) for g in dates) for f in found)
    value_found = sum(any(overlaps(f, g) and f[2] == g.value for g in dates) for f in found)
    span_gold = sum(any(overlaps(f, g) for f in found) for g in dates)
    value_gold = sum(any(overlaps(f, g) and f[2] == g.value for f in found) for g in dates)
    return Score(len(found), len(dates), span_gold, value_gold, span_found, value_found)


def direct(doc: Doc) -> list[Found]:
    from index import timex

    return [(m.start, m.end, m.value) for m in timex.find(doc.text, doc.created)]


def dateparser_direct(doc: Doc) -> list[Found] | None:
    try:
        import datetime as dt

        from dateparser.search import search_dates
    except ImportError:
        return None
    base = dt.datetime.fromisoformat(doc.created)
    hits = search_dates(doc.text, languages=["en"], settings={"RELATIVE_BASE": base}) or []
    out, cursor = [], 0
    for piece, when in hits:
        at = doc.text.find(piece, cursor)
        if at < 0:
            continue
        out.append((at, at + len(piece), when.date().isoformat()))
        cursor = at + len(piece)
    return out


def through_show(docs: Sequence[Doc]) -> dict[str, tuple[str, list[Found]]]:
    """Each document ingested into a fresh archive and read back with `archive show --json`."""
    from click.testing import CliRunner

    from ui.cli import cli

    out: dict[str, tuple[str, list[Found]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "tempeval.jsonl"
        with records.open("w", encoding="utf-8") as f:
            for doc in docs:
                f.write(json.dumps({"id": doc.name, "date": doc.created, "text": doc.text, "title": doc.name}) + "\n")
        runner = CliRunner()
        home = str(Path(tmp) / "home")
        done = runner.invoke(cli, ["--home", home, "ingest", str(records), "--no-embed", "--progress", "none"])
        assert done.exit_code == 0, done.output
        for doc in docs:
            shown = json.loads(runner.invoke(cli, ["--home", home, "show", doc.name, "--json"]).stdout)
            mentions = [(m["start"], m["end"], m["value"]) for m in shown["date_mentions"]]
            out[doc.name] = (shown["text"], mentions)
    return out


def realign(doc: Doc, stored: str) -> Doc:
    """The gold spans moved onto the stored text (ingest normalises whitespace): found in order, by their text."""
    moved, cursor = [], 0
    for g in doc.gold:
        wanted = " ".join(g.text.split())
        at = stored.find(wanted, cursor)
        if at < 0:
            continue
        moved.append(Gold(at, at + len(wanted), wanted, g.kind, g.value))
        cursor = at + len(wanted)
    return Doc(doc.name, doc.created, stored, tuple(moved))


def evaluate(docs: Sequence[Doc], finder: Callable[[Doc], list[Found] | None]) -> Score | None:
    total = Score(0, 0, 0, 0, 0, 0)
    for doc in docs:
        found = finder(doc)
        if found is None:
            return None
        total = total + score(found, doc.gold)
    return total


def errors(docs: Sequence[Doc], limit: int) -> None:
    shown = 0
    for doc in docs:
        found = direct(doc)
        for g in (g for g in doc.gold if g.kind == "DATE"):
            hit = [f for f in found if f[0] < g.end and g.start < f[1]]
            if not hit or all(f[2] != g.value for f in hit):
                got = ", ".join(f"{doc.text[f[0] : f[1]]!r}={f[2]}" for f in hit) or "missed"
                print(f"  gold {g.text!r}={g.value} ({doc.created}) -> {got}")
                shown += 1
        for f in found:
            if not any(f[0] < g.end and g.start < f[1] for g in doc.gold if g.kind == "DATE"):
                kinds = [g.kind for g in doc.gold if f[0] < g.end and g.start < f[1]]
                print(f"  extra {doc.text[f[0] : f[1]]!r}={f[2]} {kinds or ''}")
                shown += 1
        if shown >= limit:
            return


def line(name: str, s: Score | None) -> str:
    if s is None:
        return f"| {name} | (not installed) | | | |"
    return f"| {name} | {s.f1(True):.3f} | {s.f1(False):.3f} | {s.found} | {s.gold} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["train", "test", "both"], default="both")
    parser.add_argument("--direct", action="store_true", help="Only the rules on the raw text (fast, for tuning).")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="Print up to N misses and extras (train).")
    args = parser.parse_args()
    splits = ["train", "test"] if args.split == "both" else [args.split]
    for split in splits:
        docs = load(split)
        dates = sum(g.kind == "DATE" for d in docs for g in d.gold)
        print(f"\n{split}: {len(docs)} documents, {dates} DATE expressions")
        print("| method | span F1 | value F1 | found | gold |\n|---|---|---|---|---|")
        print(line("index.timex.find (rules, raw text)", evaluate(docs, direct)))
        if not args.direct:
            shown = through_show(docs)
            moved = {d.name: realign(d, shown[d.name][0]) for d in docs}
            kept = sum(g.kind == "DATE" for d in moved.values() for g in d.gold)
            print(line(f"archive show --json ({kept}/{dates} gold spans realigned)",
                       evaluate(list(moved.values()), lambda d, got=shown: got[d.name][1])))  # fmt: skip
            print(line("dateparser.search.search_dates, direct", evaluate(docs, dateparser_direct)))
        if args.errors and split == "train":
            errors(docs, args.errors)


if __name__ == "__main__":
    main()
