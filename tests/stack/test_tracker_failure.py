"""A database that cannot take Rasa's tracker: the message is refused and kept by the client,
never answered on a stale state and silently renumbered (issue 12)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from coach.stack import Stack
from gesprekscoach.rasa_client import RasaClient, RasaUnavailable
from gesprekscoach.settings import load_settings
from tests.conftest import free_port
from tests.stack.logged import logged_turns

pytestmark = pytest.mark.stack


@pytest.fixture
def sqlite_stack(model: Path, tmp_path: Path) -> Iterator[Stack]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "COACH_VAR_DIR": str(tmp_path / "var"),
        }
    )
    with Stack(load_settings(env), model) as stack:
        yield stack


def test_a_locked_database_refuses_the_message_quickly_and_loses_nothing(
    sqlite_stack: Stack,
) -> None:
    client = RasaClient.for_settings(sqlite_stack.settings, retries=0, timeout=60)
    sid = "locked-1"
    client.start_practice(sid, "henk", 2)
    assert client.send(sid, "Goedemiddag meneer Visser.").payload["turn"] == 1
    path = make_url(sqlite_stack.settings.database_url).database
    assert path
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        started = time.monotonic()
        with pytest.raises(RasaUnavailable, match="opgeslagen"):
            client.send(sid, "Hoe gaat het met u?")
        assert time.monotonic() - started < 15, "refused within seconds, not after 20"
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    again = client.send(sid, "Hoe gaat het met u?")  # what the client does: send it again
    assert again.payload["turn"] == 2, "numbered as the next turn, not the one before"
    assert client.send(sid, "Wat heeft u nodig?").payload["turn"] == 3
    assert client.stop_practice(sid).payload["kind"] == "end"
    assert logged_turns(sqlite_stack, sid, 3) == [1, 2, 3], "every answered turn logged once"
