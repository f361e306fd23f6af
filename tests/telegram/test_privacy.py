"""The privacy statement, checked: a recognisable raw Telegram id and name appear in no table
and no file under var/ (logs included), before or after erasure; after erasure, neither do
the person's words (issue 12)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot import texts
from coach.stack import Stack
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.service import spool_path
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot
from tests.telegram.test_bot_e2e import bot_for, said

pytestmark = pytest.mark.stack
RAW_ID = 987650123
NAME = "Wilhelmientje"
WORDS = "Hoe gaat het met de moestuin van uw buurvrouw Gerritsma?"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def traces(stack: Stack, needles: list[str]) -> list[str]:
    """Where any needle occurs: table.column rows of the database, and files under var/."""
    found: list[str] = []
    engine = make_engine(stack.settings.database_url)
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                cell = " ".join(str(value) for value in row)
                found += [f"{table}: {n}" for n in needles if n in cell]
    engine.dispose()
    for path in Path(stack.settings.var_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {n}" for n in needles if n.encode() in data]
    return found


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
        assert said(fake, "Feedback op je gesprek met")
        time.sleep(1.0)  # the session log writes in the background
        assert traces(stack, [str(RAW_ID), NAME]) == []
        assert traces(stack, [WORDS]), "the words are kept until erasure (for the trainer)"
        fake.push_command(chat, "/verwijder", **who)
        assert said(fake, "Weet je het zeker?")
        fake.push_callback(chat, "erase:ja", **who)
        assert said(fake, "Alles is verwijderd")
    assert traces(stack, [str(RAW_ID), NAME, WORDS]) == []
