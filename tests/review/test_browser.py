"""The review dashboard in a real browser: Debian's Chromium driven by Playwright.

The dashboard runs for real (a werkzeug server on loopback, in a thread) on the
seeded database of tests/review/conftest.py, and each test does what a trainer
would do. When a test fails, a screenshot of the page is kept under
var/artifacts/<test-name>.png.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.review.conftest import HOSTILE, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """CHROMIUM_PATH, or Debian's chromium (scripts/chromium.sh installs it if missing)."""
    configured = os.environ.get("CHROMIUM_PATH", "")
    if configured:
        return configured
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "chromium.sh")],
        stdout=subprocess.PIPE,
        text=True,
        timeout=900,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The dashboard on a free port of 127.0.0.1, stopped after the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="dashboard", daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@dataclass
class Dialogs:
    """Every JavaScript dialog (alert, confirm, prompt) the page opened."""

    messages: list[str] = field(default_factory=list)

    def __call__(self, dialog: Dialog) -> None:
        self.messages.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def page(browser: Browser, dialogs: Dialogs) -> Iterator[Page]:
    """A fresh page in its own context (no cookies from other tests)."""
    context = browser.new_context(locale="nl-NL", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.on("dialog", dialogs)
    yield tab
    context.close()


@contextmanager
def artifact_on_failure(page: Page, name: str) -> Iterator[None]:
    """Keep a screenshot of the page as var/artifacts/<name>.png when the block fails."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as exc:  # the page may be gone; the test's own error matters more
            print(f"geen screenshot gemaakt: {exc}")
        else:
            print(f"screenshot: {path}")
        raise


def log_in(page: Page, base: str, password: str = PASSWORD) -> None:
    page.goto(base + "/")
    page.get_by_label("Gebruikersnaam").fill("trainer")
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_login(page: Page, live_server: str, request: pytest.FixtureRequest) -> None:
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server, "fout-wachtwoord")
        expect(page.get_by_role("status")).to_contain_text("klopt niet")
        expect(page.get_by_role("heading", name="Inloggen voor trainers")).to_be_visible()

        page.get_by_label("Gebruikersnaam").fill("trainer")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("heading", name="Oefensessies")).to_be_visible()
        expect(page).to_have_url(re.compile(re.escape(live_server) + r"/\??$"))
        expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_session_list_and_filter(
    page: Page, live_server: str, request: pytest.FixtureRequest
) -> None:
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server)
        main = page.locator("main")
        expect(main).to_contain_text("3 sessies")
        expect(page.locator("tbody tr")).to_have_count(3)

        page.get_by_label("Casemanager").fill("Eva")
        page.get_by_role("button", name="Filteren").click()
        expect(main).to_contain_text("2 sessies")
        expect(page).to_have_url(re.compile(r"casemanager=Eva"))
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(2)
        for i in range(2):
            expect(rows.nth(i).locator("td").nth(1)).to_have_text("Eva")
        expect(page.locator("tbody")).not_to_contain_text("Bram")


def test_session_page_shows_hostile_text_as_text(
    page: Page, live_server: str, dialogs: Dialogs, request: pytest.FixtureRequest
) -> None:
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server)
        expect(page.get_by_role("heading", name="Oefensessies")).to_be_visible()
        page.goto(live_server + "/sessions/s0")

        body = page.text_content("body") or ""
        assert HOSTILE in body
        expect(page.locator(".turn .cm").first).to_have_text(HOSTILE)
        assert page.locator("main script").count() == 0, "the message became a script element"
        assert dialogs.messages == [], f"a JavaScript dialog fired: {dialogs.messages}"

        expect(page.locator(".turn .move").first).to_have_text("Open vraag")
        chart = page.get_by_role("img", name="Vertrouwen en spanning per bericht")
        expect(chart).to_be_visible()
        chart.evaluate("img => img.decode()")  # waits until the image has loaded
        assert chart.evaluate("img => img.complete && img.naturalWidth") > 0
        assert dialogs.messages == [], f"a JavaScript dialog fired: {dialogs.messages}"


def test_correcting_a_label(page: Page, live_server: str, request: pytest.FixtureRequest) -> None:
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server)
        expect(page.get_by_role("heading", name="Oefensessies")).to_be_visible()
        page.goto(live_server + "/sessions/s1")

        turn = page.locator(".turn").first
        expect(turn.locator(".move")).to_have_text("Open vraag")
        expect(turn).not_to_contain_text("gecorrigeerd naar")
        turn.get_by_label("Juiste zet").select_option("doorvragen")
        turn.get_by_role("button", name="Label corrigeren").click()

        expect(page).to_have_url(re.compile(r"/sessions/s1#beurt-\d+$"))
        expect(page.get_by_role("status")).to_contain_text("gelabeld als doorvragen")
        turn = page.locator(".turn").first
        expect(turn).to_contain_text("gecorrigeerd naar")
        expect(turn.locator(".corrected")).to_have_text("Doorvragen")
        expect(turn.get_by_label("Juiste zet")).to_have_value("doorvragen")
        expect(turn.locator(".move")).to_have_text("Open vraag")  # the recognised move stays
