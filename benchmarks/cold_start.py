"""Cold start: how long a fresh `archive` process takes, page cache warm, median of N runs.

    .venv/bin/python -m benchmarks.cold_start [--home DIR] [--scifact DIR] [--runs 5] [--query TEXT]

Each command runs N times in a new process (the first run of each is thrown away, so the page cache
is warm), alternating, and its wall time is the median. Side by side in the same run:
- a bare `python -c "import numpy, faiss, tantivy, openvino"`, the floor a one-shot search stands on;
- the same hybrid search through the Python API in a warm process (median of N after one warm-up), so
  the cold overhead is a ratio;
- `archive search --batch` of the 300 SciFact test queries at `--limit 10 --json` (with `--scifact`).
Before timing, one search runs so the model's OpenVINO graph is traced and checked once
(index/light_engine.py); a search after it imports no torch, which `python -X importtime` confirms here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import SHARED, read_jsonl

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = [sys.executable, str(ROOT / ".venv" / "bin" / "archive")]
HEAVY = ("torch", "transformers", "sentence_transformers")


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def heavy_imports(command: list[str]) -> list[str]:
    """Which of torch, transformers, sentence_transformers the command imports (`-X importtime`)."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, cwd=ROOT)
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")}
    return [name for name in HEAVY if name in names]


def warm_api(home: str, query: str, runs: int) -> float:
    """The one-shot's work in a warm process: `Archive.search`, which marks sentences by meaning itself."""
    script = (
        "import statistics, sys, time\nfrom index import Archive\n"
        f"a = Archive.open({home!r})\nq = {query!r}\n"
        "a.search(q, limit=10)\nt = []\n"
        f"for i in range({runs}):\n"
        "    s = time.perf_counter(); a.search(q + ' ' * (i + 1), limit=10)\n"
        "    t.append(time.perf_counter() - s)\nprint(statistics.median(t))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", default="/tmp/semantic-archive-bench/abp")
    parser.add_argument("--scifact", default=None, help="A built SciFact archive, for the --batch figure.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default="Kerman blasts death toll")
    args = parser.parse_args()
    home = ["--home", args.home]
    commands = {
        "archive --help": [*ARCHIVE, "--help"],
        "archive stats": [*ARCHIVE, *home, "stats"],
        "search, hybrid (10 results, highlights)": [*ARCHIVE, *home, "search", args.query, "--limit", "10"],
        "search, lexical": [*ARCHIVE, *home, "search", args.query, "--limit", "10", "--mode", "lexical"],
        "bare python -c 'import numpy, faiss, tantivy, openvino'": [
            sys.executable, "-c", "import numpy, faiss, tantivy, openvino",
        ],
    }  # fmt: skip
    wall(commands["search, hybrid (10 results, highlights)"])  # traces and checks the graph once, if not yet
    times: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(args.runs + 1):
        for name, command in commands.items():
            seconds = wall(command)
            if run:  # the first round only warms the page cache
                times[name].append(seconds)
    out = {name: round(statistics.median(t), 3) for name, t in times.items()}
    out["warm API search (same query, highlights)"] = round(warm_api(args.home, args.query, args.runs), 3)
    hybrid, bare = out["search, hybrid (10 results, highlights)"], out[next(n for n in out if n.startswith("bare"))]
    out["hybrid / bare import"] = round(hybrid / bare, 2)
    out["heavy imports in a one-shot hybrid search"] = heavy_imports(
        commands["search, hybrid (10 results, highlights)"]
    )
    if args.scifact:
        out["search --batch, 300 SciFact test queries, --limit 10 --json"] = round(batch(args.scifact), 1)
    print(json.dumps(out, indent=1))


def batch(home: str) -> float:
    judged = {
        line.split("\t")[0] for line in (SHARED / "scifact-beir" / "qrels" / "test.tsv").read_text().splitlines()[1:]
    }
    texts = [str(q["text"]) for q in read_jsonl(SHARED / "scifact-beir" / "queries.jsonl") if str(q["_id"]) in judged]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(json.dumps({"query": t}) for t in texts) + "\n")
    return wall([*ARCHIVE, "--home", home, "search", "--batch", f.name, "--limit", "10", "--json"])


if __name__ == "__main__":
    main()
