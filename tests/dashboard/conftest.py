"""A dashboard on a fresh database with a trainer and a few logged sessions, and the
same dashboard served on loopback for a real browser (Debian's Chromium, Playwright)."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Dialog, Page, sync_playwright
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.stream import stop_streams
from gesprekscoach.accounts.trainers import add_trainer
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.repository import (
    LoggedTurn,
    SessionEnd,
    SessionStart,
    Who,
    pseudonym,
    record_end,
    record_start,
    record_turn,
)
from gesprekscoach.turn import Standing, TurnEvent
from tests.conftest import migrated_sqlite

PASSWORD = "een-lang-wachtwoord"
HOSTILE = "<script>alert(1)</script> Wat heeft u nodig?"


def seed_report(first_text: str) -> dict[str, Any]:
    """A session report as the feedback makes it: one tip credited for the first message."""
    evidence = {"turn": 1, "text": first_text, "note": "goed"}
    tip = {"id": "CK-B3", "heading": "Vraag", "status": "credited", "evidence": [evidence]}
    return {"tips": [{**tip, "advice": "Goed gedaan."}]}


def seed_turn(persona: str, number: int, text: str, catalogues: Catalogues) -> TurnEvent:
    return TurnEvent(
        number=number,
        persona=persona,
        text=text,
        reply="Goed.",
        move="open_vraag",
        before=Standing(40 + number - 1, 50),
        after=Standing(40 + number, 50),
        confidence=0.8,
        language=catalogues.language.check(text),
        coaching=("Tip van de coach",),
    )


def seed_sessions(engine: Engine, catalogues: Catalogues) -> None:
    """Three ended sessions: Eva's with henk (a hostile first message) and marco, Bram's."""
    people = [("Eva", "henk"), ("Eva", "marco"), ("Bram", "samira")]
    with session_factory(engine)() as db, db.begin():
        add_trainer(db, "trainer", PASSWORD)
        for i, (name, persona) in enumerate(people):
            # A display name as an adapter could set it (the channels store pseudonyms).
            who = Who("terminal", pseudonym("terminal", name, "salt"), name)
            record_start(db, SessionStart(f"s{i}", who, persona, "t", "oefenen", i))
            texts = [HOSTILE if i == 0 else "Hoe gaat het?", "Conform de beschikking."]
            for n, text in enumerate(texts, 1):
                record_turn(db, LoggedTurn(f"s{i}", seed_turn(persona, n, text, catalogues)))
            need_turn = 1 if i == 0 else None
            end = SessionEnd(f"s{i}", i == 0, need_turn, 42.0, seed_report(texts[0]))
            record_end(db, end)


@pytest.fixture
def engine(tmp_path: Path, catalogues: Catalogues) -> Iterator[Engine]:
    eng = migrated_sqlite(tmp_path)
    seed_sessions(eng, catalogues)
    yield eng
    eng.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: Engine, catalogues: Catalogues, clock: Clock) -> Flask:
    themes = catalogues.tips.theme_of
    return create_app(
        str(engine.url),
        "test-secret",
        move_ids=catalogues.moves.ids,
        tip_themes=themes,
        move_labels={m.id: m.label for m in catalogues.moves.moves.values()},
        engine=engine,
        session_minutes=60,
        clock=clock,
        catalogues=catalogues,
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def login(client: FlaskClient, password: str = PASSWORD) -> Any:
    return client.post(
        "/login", data={"username": "trainer", "password": password, "csrf_token": csrf(client)}
    )


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


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One browser for the dashboard's tests, closed when they are done.

    Package scope, not session: Playwright's sync API keeps an asyncio loop running
    in this thread while it is open, and later tests run loops of their own.
    """
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
    stop_streams(app)  # an open event stream would keep server_close() waiting
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
