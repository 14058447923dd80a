"""Real web pages against third-party ground truth: publication days (htmldate's 994 checked pages).

    .venv/bin/python -m benchmarks.web_pages [--limit N]

Each page goes through the archive's own path for an HTML file (`extract_page`, then `finalize`, which
checks the date and picks the outlet), once with htmldate's quick search and once with its extensive
search, side by side in one run. A day is right when the stored date equals the checked day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from benchmarks.common import SHARED

PAGES = SHARED / "web-pages" / "htmldate"


def run(limit: int | None) -> dict[str, object]:
    from archive.finalize import finalize
    from archive.readers import html
    from archive.readers.base import ReadOptions

    truth = {k: v for k, v in json.loads((PAGES / "truth.json").read_text()).items() if v.get("date")}
    names = sorted(truth)[:limit]
    today = dt.date(2026, 12, 1)
    rows: dict[str, object] = {"pages": len(names)}
    for label, extensive in (("quick", False), ("extensive", True)):
        html.DATE_PARAMS["extensive_search"] = extensive
        right = failed = 0
        started = time.perf_counter()
        for name in names:
            path = PAGES / "pages" / name
            try:
                raw = html.extract_page(path.read_bytes(), str(path), ReadOptions())
            except Exception:  # noqa: BLE001 - a page with no article text counts as not right
                failed += 1
                continue
            doc = finalize(raw, str(path), raw.fingerprint or "", None, today)
            right += doc.published == truth[name]["date"]
        rows[label] = {"days_right": right, "no_article": failed, "seconds": round(time.perf_counter() - started, 1)}
    html.DATE_PARAMS["extensive_search"] = True
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if not PAGES.exists():
        raise SystemExit(f"no pages at {PAGES}")
    print(json.dumps(run(args.limit), indent=2))


if __name__ == "__main__":
    main()
