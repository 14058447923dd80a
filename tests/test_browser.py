"""The app in a real headless Chromium (Debian's), driven by Playwright, against `archive ui` on a free port.

Ingest a small corpus from a folder, search, narrow by a year and an outlet, open an article (its first
highlight in view), follow related coverage; screenshots go to $ARCHIVE_SCREENSHOTS or the test's tmp dir.
With CI set, a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import html_page

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = [
    (
        "quake-daily.html",
        "Earthquake kills hundreds in Turkey",
        "2023-02-06",
        "The Daily",
        "A powerful earthquake struck southern Turkey on Monday, killing hundreds of people. Rescuers dug "
        "through the rubble of collapsed apartment blocks as aftershocks shook the region.",
    ),
    (
        "quake-wire.html",
        "Rescuers search rubble after Turkey earthquake",
        "2023-02-07",
        "Wire Service",
        "Rescue teams searched collapsed buildings in southern Turkey after the earthquake. The death toll "
        "rose into the thousands as aftershocks rattled survivors.",
    ),
    (
        "kerman.html",
        "Twin blasts kill dozens in Kerman",
        "2024-01-03",
        "The Daily",
        "Two explosions near a memorial ceremony in Kerman killed 84 people, officials said. The blasts "
        "struck a crowd marking the anniversary of a general's death.",
    ),
    (
        "budget.html",
        "Parliament passes the budget",
        "2022-06-30",
        "Evening Post",
        "Lawmakers approved the spending plan after a long night of debate over taxes and schools.",
    ),
]
pytestmark = pytest.mark.slow


def _have_browser() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not _have_browser():
        if os.environ.get("CI"):
            pytest.fail("CI: the browser test needs Debian's chromium and the playwright package")
        pytest.skip("needs Debian's chromium (/usr/bin/chromium) and the playwright package")
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # its 5 s default ran out under load before a first page was drawn
    root = tmp_path_factory.mktemp("browser")
    port = _free_port()
    archive = shutil.which("archive", path=str(Path(sys.executable).parent)) or "archive"
    log = (root / "server.log").open("w")
    process = subprocess.Popen(
        [archive, "--home", str(root / "home"), "ui", "--port", str(port), "--no-browser"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"archive ui exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("archive ui did not answer within 120 s")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, title, date, outlet, body in PAGES:
        page = html_page(title, body, date).replace("The Daily", outlet)
        (folder / name).write_text(page, encoding="utf-8")
    return folder


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ARCHIVE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_ingest_search_filter_read_related(server: str, corpus: Path, shots: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(90_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto(server + "/?view=ingest")
        page.get_by_label("…or a folder or file on this computer").fill(str(corpus))
        page.get_by_role("button", name="Ingest").click()
        expect(page.get_by_text("4 added")).to_be_visible(timeout=180_000)
        page.screenshot(path=str(shots / "1-ingest.png"), full_page=True)

        page.goto(server + "/")
        # As a person would: the page has drawn its hint before typing starts. A query submitted within
        # a few milliseconds of the page load, while the first run is still drawing, was sometimes dropped.
        expect(page.get_by_text("Ask a question in your own words")).to_be_visible()
        box = page.get_by_role("textbox", name="Search")
        box.fill("how many died in the turkey quake")
        box.press("Enter")
        expect(page.locator(".sa-title").first).to_be_visible()
        expect(page.locator("mark.hl-words").first).to_be_visible()
        assert "q=how" in page.url
        page.screenshot(path=str(shots / "2-search.png"), full_page=True)

        _choose(page, "Quick date range", "2023")
        _choose(page, "Outlets", "Wire Service")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator(".sa-title")).to_have_count(1)
        expect(page.locator(".sa-title").first).to_contain_text("Rescuers search rubble")
        assert "from=2023-01-01" in page.url and "outlet=Wire+Service" in page.url
        page.screenshot(path=str(shots / "3-filtered.png"), full_page=True)

        page.get_by_role("button", name="Open article").first.click()
        first = page.locator("#first-hit")
        expect(first).to_be_in_viewport()
        expect(page.get_by_text("Related coverage")).to_be_visible()
        page.screenshot(path=str(shots / "4-article.png"), full_page=True)

        # The related button by its own label ("... · Earthquake kills hundreds in Turkey · 82% alike"): the
        # story link above ("Story: Earthquake kills hundreds in Turkey · ...") names the same headline once
        # stories have caught up, and a bare substring took it instead (CI, once).
        related = page.get_by_role("button", name=re.compile(r"Earthquake kills hundreds in Turkey · \d+% alike"))
        related.first.click()
        expect(page.locator("h2", has_text="Earthquake kills hundreds in Turkey")).to_be_visible()
        expect(page.locator("#first-hit")).to_be_in_viewport()  # the second article of the session scrolls too
        assert "q=how" in page.url and "outlet=Wire+Service" in page.url, "a related article keeps the search"
        page.screenshot(path=str(shots / "5-related.png"), full_page=True)

        page.go_back()  # the browser's Back: the article before, then the search, never an empty article
        expect(page.locator("h2", has_text="Rescuers search rubble")).to_be_visible()
        page.go_back()
        expect(page.locator(".sa-title")).to_have_count(1)
        expect(page.get_by_role("textbox", name="Search")).to_have_value("how many died in the turkey quake")
        expect(page.get_by_text("no document with id")).to_have_count(0)
        page.get_by_role("button", name="Open article").first.click()
        page.get_by_role("button", name="← Back to search").click()
        expect(page.locator(".sa-title")).to_have_count(1)
        assert "outlet=Wire+Service" in page.url
        assert not [e for e in errors if "already been declared" in e], errors
        browser.close()


def _choose(page: object, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox or multiselect (a combobox with a listbox).

    Opened again if a rerun closed the list before the option could be clicked."""
    for attempt in range(3):
        page.get_by_label(label).click()  # type: ignore[attr-defined]
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=15_000)  # type: ignore[attr-defined]
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try once more, then fail
            if attempt == 2:
                raise
    page.keyboard.press("Escape")  # type: ignore[attr-defined]


def test_two_results_into_a_collection_with_a_note_then_exported_as_ris(server: str, corpus: Path, shots: Path) -> None:
    """The workbench as a user meets it: tick two results, name a collection and a note, export it as RIS
    (two records with their titles, dates and the note), and export every match of the search as CSV."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.set_default_timeout(90_000)
        page.goto(server + "/?view=ingest")  # the other test may have run first: then these files are unchanged
        page.get_by_label("…or a folder or file on this computer").fill(str(corpus))
        page.get_by_role("button", name="Ingest").click()
        expect(page.get_by_text("exact duplicates")).to_be_visible(timeout=180_000)

        page.goto(server + "/?q=earthquake")
        expect(page.locator(".sa-title").first).to_be_visible()
        # the run ends by drawing the meaning highlights; tick the boxes after it, on the page as it stays
        expect(page.locator("mark.hl-meaning").first).to_be_visible()
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
        for _attempt in range(4):
            # Under load a rerun of the page has left a box unticked, and once drew the results in another order
            # than the titles were read in (causes not found): each attempt reads the first two again.
            titles = [t.split(". ", 1)[1] for t in page.locator(".sa-title").all_inner_texts()[:2]]
            boxes = [page.get_by_test_id("stCheckbox").filter(has_text=f"{r}. {t}") for r, t in enumerate(titles, 1)]
            try:
                for box in boxes:
                    if not box.locator("input").is_checked(timeout=15_000):
                        box.click(timeout=15_000)  # its input is drawn hidden under Streamlit's box: the label takes it
                page.wait_for_timeout(1000)
                if all(box.locator("input").is_checked(timeout=15_000) for box in boxes):
                    break
            except PlaywrightTimeout:
                continue
        for box in boxes:
            expect(box.locator("input")).to_be_checked()
        page.get_by_label("New collection's name").fill("Quake coverage")
        page.get_by_label("Note (optional)").fill("first two reports")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text("2 articles in “Quake coverage”")).to_be_visible()
        page.screenshot(path=str(shots / "6-collected.png"), full_page=True)

        with page.expect_download() as download:
            page.get_by_role("button", name="CSV", exact=True).click()
        table = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        matched = int(page.get_by_text("Export all").inner_text().split()[2].replace(",", ""))
        assert len(table) == matched and {r["title"] for r in table} >= set(titles)
        assert {r["query"] for r in table} == {"earthquake"}

        page.goto(server + "/?view=collections")
        expect(page.get_by_role("button", name="Export RIS (Zotero, EndNote)")).to_be_visible(timeout=60_000)
        shown = page.get_by_role("combobox", name="Open an article").input_value()
        assert "2023-02-0" in shown and "\\" not in shown, "an option is text, not Markdown"
        page.screenshot(path=str(shots / "7-collections.png"), full_page=True)
        with page.expect_download() as download:
            page.get_by_role("button", name="Export RIS (Zotero, EndNote)").click()
        ris = Path(download.value.path()).read_text(encoding="utf-8")
        records = [r for r in ris.split("ER  - ") if "TY  - NEWS" in r]
        assert len(records) == 2
        assert {next(x[6:] for x in r.splitlines() if x.startswith("TI  - ")) for r in records} == set(titles)
        assert all("N1  - first two reports" in r and "DA  - 202" in r and "T2  - " in r for r in records)
        browser.close()


def test_stories_page_a_story_its_article_and_back(server: str, corpus: Path, shots: Path) -> None:
    """Stories as a user meets them: the list, one story's timeline and coverage, an article of it, the
    article's link back to its story, and the browser's Back through all of them."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(90_000)
        page.goto(server + "/?view=ingest")  # another test may have run first: then these files are unchanged
        page.get_by_label("…or a folder or file on this computer").fill(str(corpus))
        page.get_by_role("button", name="Ingest").click()
        expect(page.get_by_text("exact duplicates")).to_be_visible(timeout=180_000)

        page.goto(server + "/?view=stories")
        expect(page.get_by_role("heading", name="Stories")).to_be_visible()
        # the two outlets' quake reports are one story, the others stand alone (with exact copies when another
        # test ingested the same pages from its own folder first)
        quake = page.get_by_role("button", name=re.compile(r"articles, 2 outlets$"))
        expect(quake).to_have_count(1)
        expect(page.get_by_role("button", name=re.compile(r"articles?, 1 outlet$"))).to_have_count(2)
        page.screenshot(path=str(shots / "8-stories.png"), full_page=True)
        quake.click()
        expect(page.get_by_text("Coverage by outlet")).to_be_visible()
        expect(page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first).to_be_visible()
        expect(page.get_by_role("button", name="first report")).to_have_count(1)
        expect(page.get_by_role("button", name="RIS (Zotero, EndNote)")).to_be_visible()  # the story's export
        assert "view=story" in page.url
        page.screenshot(path=str(shots / "9-story.png"), full_page=True)

        page.get_by_role("button", name="Rescuers search rubble").first.click()  # the others: its exact copies
        expect(page.locator("h2", has_text="Rescuers search rubble")).to_be_visible()
        story = page.get_by_role("button", name="Story:")
        expect(story).to_be_visible()
        story.click()
        expect(page.get_by_text("Coverage by outlet")).to_be_visible()

        page.go_back()  # the article
        expect(page.locator("h2", has_text="Rescuers search rubble")).to_be_visible()
        page.go_back()  # the story
        expect(page.get_by_text("Coverage by outlet")).to_be_visible()
        page.go_back()  # the list
        expect(page.get_by_role("button", name=re.compile(r"articles, 2 outlets$"))).to_have_count(1)
        browser.close()
