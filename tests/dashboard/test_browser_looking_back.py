"""A session looked back on in a real browser (Chromium via Playwright, fixtures in
conftest.py): the thought and trust change beside each message, the reflection beside
the need, the turns taken back behind a click. Hostile thoughts and answers stay text."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from tests.dashboard.conftest import Dialogs, artifact_on_failure, log_in
from tests.dashboard.looking_back_data import (
    AGAIN,
    BETTER_TRY,
    HOSTILE_REFLECTION,
    HOSTILE_THOUGHT,
    NEED,
    SESSION,
    TAKEN_BACK,
    TAKEN_BACK_THOUGHT,
    log_session,
)


def test_a_session_with_thoughts_a_reflection_and_a_turn_taken_back(
    live_server: str,
    page: Page,
    engine: Engine,
    dialogs: Dialogs,
    request: pytest.FixtureRequest,
) -> None:
    log_session(engine)
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server)
        expect(page.get_by_role("heading", name="Oefensessies")).to_be_visible()
        page.goto(f"{live_server}/sessions/{SESSION}")

        turns = page.locator(".turn[id^=beurt-]")
        expect(turns).to_have_count(4)
        expect(turns.nth(0).locator(".inside .delta")).to_have_text("Vertrouwen +3")
        expect(turns.nth(1).locator(".thought-text")).to_have_text(HOSTILE_THOUGHT)
        expect(turns.nth(1).locator(".inside")).to_contain_text("Wat Marco dacht:")
        expect(turns.nth(2).locator(".cm")).to_have_text(AGAIN[0][0])
        expect(turns.nth(2).locator(".thought-text")).to_have_text(AGAIN[0][4])
        expect(turns.nth(3).locator(".inside .delta")).to_have_text("Vertrouwen −8")
        left, right = turns.nth(1).locator(".said"), turns.nth(1).locator(".inside")
        beside = left.bounding_box(), right.bounding_box()
        assert beside[0] and beside[1] and beside[1]["x"] > beside[0]["x"] + beside[0]["width"] - 1
        assert abs(beside[1]["y"] - beside[0]["y"]) < 5, "the thought stands beside the message"

        need = page.get_by_role("region", name="Wat Marco echt nodig had")
        expect(need).to_contain_text(NEED)
        mine = page.get_by_role("region", name="Wat de casemanager dacht")
        expect(mine.locator(".reflection-text")).to_have_text(f"“{HOSTILE_REFLECTION}”")
        expect(mine).to_contain_text("67%")
        target = turns.nth(1).get_attribute("id")
        need.get_by_role("link", name="bericht 2").click()
        expect(page).to_have_url(re.compile(f"#{target}$"))

        trace = page.locator("details#teruggenomen")
        expect(trace.locator("summary")).to_have_text("Teruggenomen berichten (1)")
        expect(trace.get_by_text(TAKEN_BACK)).to_be_hidden()
        trace.locator("summary").click()
        expect(trace.get_by_text(TAKEN_BACK)).to_be_visible()
        expect(trace).to_contain_text(TAKEN_BACK_THOUGHT)
        expect(trace).to_contain_text("met /terug")
        expect(page.locator("tr.better .try")).to_have_text(f"“{BETTER_TRY}”")
        expect(turns.filter(has_text=TAKEN_BACK)).to_have_count(0)

        assert page.locator("main script, main img[src=x]").count() == 0, "markup ran"
        assert dialogs.messages == [], f"a JavaScript dialog fired: {dialogs.messages}"
