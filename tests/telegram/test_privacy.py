"""The privacy statement, checked: a recognisable raw Telegram id and name appear in no table
and no file under var/ (logs included), before or after erasure; after erasure, neither do
the person's words (issue 12)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select, text

from bot import texts
from coach.stack import Stack
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.migrate import upgrade
from gesprekscoach.storage.service import spool_path
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot
from tests.telegram.test_bot_e2e import bot_for, said

RAW_ID = 987650123
NAME = "Wilhelmientje"
WORDS = "Hoe gaat het met de moestuin van uw buurvrouw Gerritsma?"
ANSWER = "Rust over de stroom, en hulp van Gerritsma bij het budget."


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def cell_text(value: Any) -> str:
    """A stored value as text to search: JSON as written, bytes decoded, numbers as digits."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def database_traces(url: str, needles: list[str]) -> list[str]:
    """Every "table.column: needle" in the database: all tables, all columns, all rows.

    The tables are read from the database itself (not from a list kept here), so a table
    added later is searched too. Every column counts: a raw id could sit in a number column.
    """
    engine = make_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    assert {"casemanagers", "sessions", "turns"} <= set(tables.tables), "not the practice database"
    found: list[str] = []
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    cell = cell_text(value)
                    found += [f"{table.name}.{column.name}: {n}" for n in needles if n in cell]
    engine.dispose()
    return found


def traces(stack: Stack, needles: list[str]) -> list[str]:
    """Where any needle occurs: in the database (table.column) and in files under var/."""
    found = database_traces(stack.settings.database_url, needles)
    for path in Path(stack.settings.var_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {n}" for n in needles if n.encode() in data]
    return found


def test_the_search_reaches_every_table_and_column(tmp_path: Path) -> None:
    """The search itself, on a database with a needle in a column no list would name."""
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE later_added (id INTEGER, note TEXT)"))
        connection.execute(text(f"INSERT INTO later_added VALUES ({RAW_ID}, 'x')"))
        connection.execute(text(f"INSERT INTO later_added VALUES (2, 'hoi {NAME}')"))
    engine.dispose()
    found = database_traces(url, [str(RAW_ID), NAME])
    assert found == [f"later_added.id: {RAW_ID}", f"later_added.note: {NAME}"]


@pytest.mark.stack
def test_no_raw_id_or_name_is_stored_and_erasure_leaves_no_words(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack
) -> None:
    chat, who = RAW_ID, {"user_id": RAW_ID, "first_name": NAME}
    bot = bot_for(fake, catalogues, stack, spool=spool_path(stack.settings))
    with RunningBot(bot):
        fake.push_command(chat, "/start", **who)
        assert said(fake, "Doe je mee?")
        fake.push_callback(chat, "consent:ja", **who)
        assert said(fake, texts.CHOOSE)
        fake.push_callback(chat, "persona:samira", **who)
        assert fake.wait_for(lambda _: len(fake.messages(chat)) >= 3, 30)
        fake.push_text(chat, WORDS, **who)
        fake.push_text(chat, '`/start_oefening{"persona": "henk"}`', **who)
        fake.push_command(chat, "/stop", **who)
        assert said(fake, "Wat denk je dat Samira nodig heeft?")
        fake.push_text(chat, ANSWER, **who)
        assert said(fake, "Feedback op je gesprek met")
        time.sleep(1.0)  # the session log writes in the background
        assert traces(stack, [str(RAW_ID), NAME]) == []
        assert traces(stack, [WORDS]), "the words are kept until erasure (for the trainer)"
        assert traces(stack, [ANSWER]), "and so is the answer to the question"
        fake.push_command(chat, "/verwijder", **who)
        assert said(fake, "Weet je het zeker?")
        fake.push_callback(chat, "erase:ja", **who)
        assert said(fake, "Alles is verwijderd")
    assert traces(stack, [str(RAW_ID), NAME, WORDS, ANSWER]) == []
