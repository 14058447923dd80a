"""The app in a real browser on the 37,554-article archive: cold start, and Enter to the first result drawn.

    .venv/bin/python -m benchmarks.app_latency [--home DIR] [--queries 30]

Cold start: from launching `archive ui` to the search box drawn in Chromium (the first session opens the
archive and warms the model in the background), and on to the first result of a first query typed as soon
as the box is there (one span from the launch). Then per query, from a fresh search page: type the query, press
Enter, and stop the clock when the first result's title is drawn; without a filter and with a one-year
date range. Queries: headlines of a fixed sample of the corpus (as in `benchmarks.archive_scale`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.archive_scale import DEFAULT_HOME, sample_queries
from benchmarks.common import percentile
from tests.test_browser import CHROMIUM, FLAGS, _free_port

FIRST_QUERY = "Kerman blasts death toll"  # the cold-start benchmark's query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    archive = str(Path(sys.executable).parent / "archive")
    start = time.perf_counter()
    server = subprocess.Popen(
        [archive, "--home", str(args.home), "ui", "--port", str(port), "--no-browser"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(url + "/_stcore/health")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(url + "/")
            box = page.get_by_role("textbox", name="Search")
            box.wait_for()
            drawn = time.perf_counter() - start
            page.get_by_text("Ask a question in your own words").wait_for()  # the first run has drawn its hint
            box.fill(FIRST_QUERY)  # typed at once: the model may still be warming in the background
            _submit(page, box)
            first = time.perf_counter() - start
            print(json.dumps({"cold_start_s": round(drawn, 2), "first_result_s": round(first, 2)}), flush=True)
            queries = sample_queries(args.queries)
            for name, path in (("no filter", "/"), ("one year (2016)", "/?from=2016-01-01&to=2016-12-31")):
                times = [_enter_to_first_result(page, url + path, q) for q in queries]
                print(
                    json.dumps(
                        {
                            "case": name,
                            "queries": len(times),
                            "p50_ms": round(percentile(times, 50) * 1000),
                            "p95_ms": round(percentile(times, 95) * 1000),
                            "max_ms": round(max(times) * 1000),
                        }
                    ),
                    flush=True,
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _enter_to_first_result(page: object, url: str, query: str) -> float:
    page.goto(url)  # type: ignore[attr-defined]
    page.get_by_text("Ask a question in your own words").wait_for()  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]  # the page has settled, as when a person types
    box = page.get_by_role("textbox", name="Search")  # type: ignore[attr-defined]
    box.fill(query)
    start = time.perf_counter()
    _submit(page, box)
    return time.perf_counter() - start


def _submit(page: object, box: object) -> None:
    """Enter in the search box, then wait until the first result's title is drawn."""
    box.press("Enter")  # type: ignore[attr-defined]
    page.locator(".sa-title").first.wait_for(state="visible")  # type: ignore[attr-defined]


def _wait(url: str) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the app did not start within 300 s")


if __name__ == "__main__":
    main()
