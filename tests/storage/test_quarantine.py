"""A record the database refuses while it is up never jams the session log (issue 12)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import PracticeSession
from gesprekscoach.storage.repository import SessionStart, Who, pseudonym
from gesprekscoach.storage.spool_lines import to_line
from gesprekscoach.storage.writer import SessionLog, erase_from_spool, quarantine_path
from tests.conftest import migrated_sqlite


@pytest.fixture
def sqlite(tmp_path: Path) -> Engine:
    return migrated_sqlite(tmp_path)


def start(session_id: str, seed: int, person: str = "a") -> SessionStart:
    who = Who("telegram", pseudonym("telegram", person, "s"), "telegram-x")
    return SessionStart(session_id, who, "henk", "laaggeletterd", "oefenen", seed)


def sessions(engine: Engine) -> int:
    with session_factory(engine)() as db:
        return int(db.execute(select(func.count()).select_from(PracticeSession)).scalar_one())


def test_a_poison_write_is_quarantined_and_the_next_one_lands(
    sqlite: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = SessionLog(sqlite, tmp_path / "spool" / "log.jsonl", delays=(0.01,))
    with caplog.at_level(logging.ERROR):
        log.put(start("poison", 10**26))
        log.put(start("fine", 3))
        assert log.flush()
    assert sessions(sqlite) == 1
    assert "poison" in quarantine_path(log.spool).read_text(encoding="utf-8")
    assert not log.spool.exists(), "nothing waits behind the poison record"
    assert "quarantaine" in caplog.text


def test_a_poison_line_in_the_spool_does_not_stop_the_replay(
    sqlite: Engine, tmp_path: Path
) -> None:
    spool = tmp_path / "spool" / "log.jsonl"
    spool.parent.mkdir()
    poison = to_line(start("poison", 10**26))
    lines = [to_line(start("one", 1)), poison, "{not json", to_line(start("two", 2))]
    spool.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = SessionLog(sqlite, spool)
    assert log.replay_spool() == 4
    assert sessions(sqlite) == 2 and not spool.exists()
    assert len(quarantine_path(spool).read_text(encoding="utf-8").splitlines()) == 2


def test_a_turn_line_that_cannot_be_read_is_quarantined(sqlite: Engine, tmp_path: Path) -> None:
    spool = tmp_path / "spool" / "log.jsonl"
    spool.parent.mkdir()
    event = {"kind": "turn", "turn": 1, "move": "empathie", "trust": None, "stress": 40.0}
    unreadable = json.dumps({"type": "LoggedTurn", "data": {"session_id": "one", "event": event}})
    lines = [to_line(start("one", 1)), unreadable, to_line(start("two", 2))]
    spool.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert SessionLog(sqlite, spool).replay_spool() == 3
    assert sessions(sqlite) == 2 and not spool.exists()
    assert quarantine_path(spool).read_text(encoding="utf-8") == unreadable + "\n"


def test_an_outage_still_keeps_the_order(tmp_path: Path) -> None:
    """The database is away (not the record at fault): the spool keeps everything, in order."""
    spool = tmp_path / "spool" / "log.jsonl"
    missing = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}?mode=ro")
    log = SessionLog(missing, spool, delays=(0.01,))
    log.put(start("one", 1))
    log.put(start("two", 2))
    assert log.flush()
    lines = spool.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and '"one"' in lines[0] and '"two"' in lines[1]
    assert not quarantine_path(spool).exists()


def test_erasure_removes_a_persons_waiting_writes(tmp_path: Path) -> None:
    spool = tmp_path / "spool" / "log.jsonl"
    spool.parent.mkdir()
    eva, bram = start("eva-1", 1, "eva"), start("bram-1", 2, "bram")
    spool.write_text(to_line(eva) + "\n" + to_line(bram) + "\n", encoding="utf-8")
    assert erase_from_spool(spool, eva.who.channel_hash) == 1
    assert "eva-1" not in spool.read_text(encoding="utf-8")
    assert "bram-1" in spool.read_text(encoding="utf-8")
