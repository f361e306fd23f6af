"""The werkatelier pages in a real browser (Chromium via Playwright, fixtures in conftest.py).

The test logs conversations in the database while the beamer and live pages are
open, as the bot would during a workshop, and expects the pages to follow by
themselves: server-sent events, no reload. `live_server` comes before `page` in each
signature, so the browser is closed before the server stops.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from tests.dashboard.conftest import ARTIFACTS, Dialogs, artifact_on_failure, log_in
from tests.dashboard.workshop_data import HOSTILE_LINE, end_session, workshop_id
from tests.workshops.conftest import new_workshop
from tests.workshops.practise import GOOD, RUSHED, label, meta, practise

UPDATE = 5_000  # ms: the stream polls twice a second


@pytest.fixture
def workshop(engine: Engine, catalogues: Catalogues) -> tuple[int, str]:
    """An open workshop without sessions yet: its id and join code."""
    code = new_workshop(engine, catalogues)
    return workshop_id(engine, code), code


def trainer_opens(page: Page, base: str, path: str) -> None:
    log_in(page, base)
    page.goto(base + path)


def test_the_beamer_follows_the_room_by_itself(
    live_server: str,
    page: Page,
    engine: Engine,
    catalogues: Catalogues,
    workshop: tuple[int, str],
    request: pytest.FixtureRequest,
) -> None:
    ident, code = workshop
    with artifact_on_failure(page, request.node.name):
        trainer_opens(page, live_server, f"/werkateliers/{ident}/beamer")
        expect(page.locator("#verbinding")).to_have_text("Live")
        expect(page.locator("#running")).to_have_text("0")
        expect(page.locator("#join")).to_have_text(f"Doe mee: /join {code}")
        expect(page.locator("#klok")).to_have_text(re.compile(r"^Nog (19|20) min$"))
        expect(page.locator("#geen-tips")).to_be_visible()
        page.evaluate("window.notReloaded = true")

        practise(engine, catalogues, "b-eva", "henk", GOOD[:3], meta("Eva", code), end=False)
        expect(page.locator("#running")).to_have_text("1", timeout=UPDATE)
        expect(page.locator("#done")).to_have_text("0")
        b3 = page.locator('.tip[data-tip="CK-B3"]')
        expect(b3.locator(".shown")).to_have_text("1", timeout=UPDATE)
        expect(page.locator("#geen-tips")).to_be_hidden()

        practise(engine, catalogues, "b-bram", "henk", RUSHED, meta("Bram", code))
        expect(page.locator("#done")).to_have_text("1", timeout=UPDATE)
        expect(page.locator('.tip[data-tip="CK-B1"] .missed')).to_have_text("1")
        end_session(engine, catalogues, "b-eva")
        expect(page.locator("#done")).to_have_text("2", timeout=UPDATE)
        expect(page.locator("#running")).to_have_text("0")

        assert page.evaluate("window.notReloaded") is True, "the page was reloaded"
        body = page.locator("body").inner_text()
        assert label("Eva") not in body and label("Bram") not in body, "names on the beamer"
        assert "Uitloggen" not in body


def test_the_facilitator_puts_a_tip_on_the_beamer(
    live_server: str,
    page: Page,
    engine: Engine,
    catalogues: Catalogues,
    dialogs: Dialogs,
    workshop: tuple[int, str],
    request: pytest.FixtureRequest,
) -> None:
    ident, code = workshop
    practise(engine, catalogues, "t-eva", "henk", GOOD, meta("Eva", code))
    practise(engine, catalogues, "t-bram", "henk", [*RUSHED, HOSTILE_LINE], meta("Bram", code))
    with artifact_on_failure(page, request.node.name):
        trainer_opens(page, live_server, f"/werkateliers/{ident}/beamer")
        expect(page.locator("#done")).to_have_text("2")
        expect(page.locator("#voorbeelden")).to_be_hidden()
        control = page.context.new_page()
        control.on("dialog", dialogs)
        control.goto(f"{live_server}/werkateliers/{ident}")

        control.get_by_role("button", name="Tip CK-H1 op de beamer").click()
        expect(control.get_by_role("status")).to_contain_text("tip CK-H1")
        expect(page.locator("#voorbeelden")).to_be_visible(timeout=UPDATE)
        expect(page.locator("#overzicht")).to_be_hidden()
        expect(page.locator("#voorbeeld-kop")).to_contain_text("CK-H1")
        expect(page.locator("#goed li").first).to_have_text(re.compile(r"ik ben \[naam\]"))
        hostile = page.locator("#minder li").filter(has_text="onerror")
        expect(hostile).to_have_text(HOSTILE_LINE[0])
        assert page.locator("#voorbeelden img").count() == 0, "a sentence became an element"

        control.get_by_role("button", name="Namen tonen").click()
        expect(page.locator("#deelnemers")).to_contain_text(
            f"{label('Eva')} – klaar", timeout=UPDATE
        )
        control.get_by_role("button", name="Namen verbergen").click()
        expect(page.locator("#namen")).to_be_hidden(timeout=UPDATE)
        expect(page.locator("#deelnemers li")).to_have_count(0)

        control.get_by_role("button", name="Voorbeelden verbergen").click()
        expect(page.locator("#overzicht")).to_be_visible(timeout=UPDATE)
        expect(page.locator("#voorbeelden")).to_be_hidden()
        control.get_by_role("button", name="Sluiten").click()
        expect(page.locator("#join")).to_be_hidden(timeout=UPDATE)
        assert dialogs.messages == [], f"a JavaScript dialog fired: {dialogs.messages}"


def test_the_live_page_follows_each_participant(
    live_server: str,
    page: Page,
    engine: Engine,
    catalogues: Catalogues,
    workshop: tuple[int, str],
    request: pytest.FixtureRequest,
) -> None:
    ident, code = workshop
    with artifact_on_failure(page, request.node.name):
        trainer_opens(page, live_server, f"/werkateliers/{ident}/live")
        expect(page.locator("#deelnemers")).to_have_text("Nog niemand doet mee.")
        practise(engine, catalogues, "l-noor", "henk", GOOD[:2], meta("Noor", code), end=False)
        row = page.locator("#deelnemers tr", has_text=label("Noor"))
        expect(row.locator("td")).to_have_text(
            [label("Noor"), "Henk Visser", "bezig", "2", re.compile(r"^\d+$"), "nee"],
            timeout=UPDATE,
        )
        end_session(engine, catalogues, "l-noor")
        expect(row.locator("td").nth(2)).to_have_text("klaar", timeout=UPDATE)
        expect(page.locator("#done")).to_have_text("1")


def test_create_open_and_print_the_report(
    live_server: str,
    page: Page,
    engine: Engine,
    catalogues: Catalogues,
    request: pytest.FixtureRequest,
) -> None:
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server)
        page.get_by_role("link", name="Werkateliers").click()
        page.get_by_role("link", name="Nieuw werkatelier maken").click()
        page.get_by_label("Naam van het werkatelier").fill("Schulden en vertrouwen")
        page.get_by_label("Henk Visser", exact=False).check()
        page.get_by_role("button", name="Werkatelier maken").click()
        code = page.locator("#code").inner_text()
        assert re.fullmatch(r"[A-Z2-9]{6}", code), code
        expect(page.get_by_text(f"Typ in Telegram: /join {code}")).to_be_visible()
        page.get_by_role("button", name="Openen").click()
        expect(page.locator("#stand")).to_have_text("Open")

        practise(engine, catalogues, "r-eva-1", "henk", RUSHED, meta("Eva", code))
        practise(engine, catalogues, "r-eva-2", "henk", GOOD, meta("Eva", code))
        practise(engine, catalogues, "r-bram", "henk", [*RUSHED, HOSTILE_LINE], meta("Bram", code))
        page.get_by_role("link", name="Verslag").click()
        expect(page.locator("#deelnemers")).to_have_text("2")
        expect(page.locator("#gesprekken")).to_have_text("3")
        expect(page.locator("#vergelijking")).to_contain_text("Deelnemer 1")
        expect(page.locator(".pitfall").first).to_be_visible()
        expect(page.get_by_text(HOSTILE_LINE[0], exact=False).first).to_be_visible()

        page.emulate_media(media="print")
        expect(page.locator("header")).to_be_hidden()
        expect(page.get_by_role("button", name="Afdrukken / PDF")).to_be_hidden()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / "werkatelier-verslag.pdf"
        pdf = page.pdf(path=str(path), format="A4", print_background=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
        assert path.stat().st_size == len(pdf)
