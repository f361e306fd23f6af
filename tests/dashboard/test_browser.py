"""The review dashboard in a real browser: Debian's Chromium driven by Playwright.

The dashboard runs for real (a werkzeug server on loopback, in a thread) on the
seeded database of tests/review/conftest.py, and each test does what a trainer
would do. When a test fails, a screenshot of the page is kept under
var/artifacts/<test-name>.png. The browser fixtures are in conftest.py.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.dashboard.conftest import HOSTILE, PASSWORD, Dialogs, artifact_on_failure, log_in


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
