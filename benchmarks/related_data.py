"""Same-event sets for related coverage: AllSides (NeuS) stories and BASIL events, as records and labels.

Each loader returns records (dicts the records reader ingests) and `event_of`: external id -> event id.
The texts are read in place from ../shared/data and written only to a scratch folder outside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.common import SHARED

ALLSIDES = SHARED / "allsides-neus" / "naacl2022_lrc_roundup_random_order_probe"
BASIL = SHARED / "basil" / "articles"
SCRATCH = Path("/tmp/semantic-archive-bench")


def allsides(split: str) -> tuple[list[dict[str, object]], dict[str, str]]:
    """One record per excerpt; the event is the story (its line in the split's .source file)."""
    records: list[dict[str, object]] = []
    event_of: dict[str, str] = {}
    lines = (ALLSIDES / f"{split}.source").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        for k, part in enumerate(line.split(" [SEP] ")):
            title, _, text = part.partition(" ARTICLE=> ")
            title = title.removeprefix("TITLE=> ").strip().rstrip(".")
            external = f"{split}-{number}-{k}"
            records.append({"id": external, "title": title, "text": text.strip() or title})
            event_of[external] = f"{split}-{number}"
    return records, event_of


def basil() -> tuple[list[dict[str, object]], dict[str, str]]:
    """One record per article, as BASIL stores it (paragraphs of sentences); the event is its triplet."""
    records: list[dict[str, object]] = []
    event_of: dict[str, str] = {}
    for path in sorted(BASIL.glob("*/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = raw["body-paragraphs"]
        if isinstance(paragraphs, str):
            import ast

            paragraphs = ast.literal_eval(paragraphs)
        text = "\n\n".join(" ".join(sentences) for sentences in paragraphs)
        external = f"basil-{path.stem}"  # the file name: three BASIL files repeat another file's uuid
        records.append(
            {
                "id": external,
                "title": raw["title"],
                "date": raw["date"],
                "source": str(raw["source"]).lower(),
                "url": raw.get("url"),
                "text": text,
            }
        )
        event_of[external] = str(raw["triplet-uuid"])
    return records, event_of


def write_jsonl(records: list[dict[str, object]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path
