"""A dashboard on a fresh database with a trainer and a few logged sessions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.review.app import create_app
from gesprekscoach.review.auth import add_trainer
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.migrate import upgrade
from gesprekscoach.storage.repository import (
    SessionEnd,
    SessionStart,
    TurnData,
    record_end,
    record_start,
    record_turn,
)
from gesprekscoach.storage.service import who_from

PASSWORD = "een-lang-wachtwoord"
HOSTILE = "<script>alert(1)</script> Wat heeft u nodig?"


def seed_sessions(engine: Engine, catalogues: Catalogues) -> None:
    with session_factory(engine)() as db, db.begin():
        add_trainer(db, "trainer", PASSWORD)
        for i, (name, persona) in enumerate(
            [("Eva", "henk"), ("Eva", "marco"), ("Bram", "samira")]
        ):
            who = who_from(f"s{i}", {"channel": "terminal", "user": name, "name": name}, "salt")
            record_start(db, SessionStart(f"s{i}", who, persona, "t", "oefenen", i))
            texts = [HOSTILE if i == 0 else "Hoe gaat het?", "Conform de beschikking."]
            for n, text in enumerate(texts, 1):
                lang = catalogues.language.check(text).to_dict()
                record_turn(db, TurnData(f"s{i}", n, text, "open_vraag", 0.8, "Goed.",
                                         40 + n, 50, lang, ["Tip van de coach"]))  # fmt: skip
            record_end(db, SessionEnd(f"s{i}", i == 0, 1 if i == 0 else None, 42.0, {
                "tips": [{"id": "CK-B3", "heading": "Vraag", "status": "credited",
                          "evidence": [{"turn": 1, "text": texts[0], "note": "goed"}],
                          "advice": "Goed gedaan."}]}))  # fmt: skip


@pytest.fixture
def engine(tmp_path: Path, catalogues: Catalogues) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    upgrade(url)
    eng = make_engine(url)
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
        str(engine.url), "test-secret", move_ids=catalogues.moves.ids, tip_themes=themes,
        move_labels={m.id: m.label for m in catalogues.moves.moves.values()},
        engine=engine, session_minutes=60, clock=clock, catalogues=catalogues,
    )  # fmt: skip


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/login") -> str:
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def login(client: FlaskClient, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": "trainer", "password": password,
                                       "csrf_token": csrf(client)})  # fmt: skip
