"""Models, migrations and the session log, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine

from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.migrate import downgrade, upgrade
from gesprekscoach.storage.models import (
    Casemanager,
    Comment,
    LabelCorrection,
    PracticeSession,
    Trainer,
    TurnRecord,
)
from gesprekscoach.storage.repository import (
    SessionEnd,
    SessionStart,
    TurnData,
    erase_casemanager,
    pseudonym,
    record_end,
    record_start,
    record_turn,
)
from gesprekscoach.storage.service import who_from, writes_for
from gesprekscoach.storage.writer import SessionLog

SALT = "test-salt"


def start(session_id: str = "s1", user: str = "123456789") -> SessionStart:
    person = pseudonym("telegram", user, SALT)  # made by the bot, which received the raw id
    who = who_from(session_id, {"channel": "telegram", "person": person}, SALT)
    return SessionStart(session_id, who, "henk", "laaggeletterd", "oefenen", 7)


def turn(number: int, session_id: str = "s1") -> TurnData:
    return TurnData(session_id, number, f"bericht {number}", "open_vraag", 0.9,
                    "antwoord", 40.0 + number, 50.0, {"b1_ok": True}, [])  # fmt: skip


def count(engine: Engine, model: type) -> int:
    with session_factory(engine)() as db:
        return int(db.execute(select(func.count()).select_from(model)).scalar_one())


def test_migrations_create_every_table_and_go_back(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    assert {"casemanagers", "sessions", "turns", "comments", "label_corrections", "trainers",
            "bot_consents", "bot_chats", "alembic_version"} <= tables  # fmt: skip
    downgrade(db_url, "base")
    assert "turns" not in set(inspect(engine).get_table_names())
    upgrade(db_url)
    engine.dispose()


def test_a_session_is_stored_with_its_turns(engine: Engine) -> None:
    with session_factory(engine)() as db, db.begin():
        record_start(db, start())
        for n in (1, 2, 3):
            assert record_turn(db, turn(n))
        record_end(db, SessionEnd("s1", True, 2, 61.0, {"tips": []}))
    with session_factory(engine)() as db:
        row = db.get(PracticeSession, "s1")
        assert row is not None and row.persona_id == "henk" and row.hidden_need_turn == 2
        assert [t.number for t in row.turns] == [1, 2, 3]
        assert row.turns[0].language == {"b1_ok": True}
        assert row.report == {"tips": []} and row.ended_at is not None
        assert row.casemanager.display_name.startswith("telegram-")
        assert "123456789" not in row.casemanager.display_name


def test_the_raw_channel_id_is_never_stored(engine: Engine) -> None:
    with session_factory(engine)() as db, db.begin():
        record_start(db, start(user="31612345678"))
    with engine.connect() as conn:
        for table in ("casemanagers", "sessions"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                assert "31612345678" not in " ".join(map(str, row))


def test_a_turn_is_stored_once_however_often_it_is_written(engine: Engine) -> None:
    with session_factory(engine)() as db, db.begin():
        record_start(db, start())
    for _ in range(3):
        with session_factory(engine)() as db, db.begin():
            record_turn(db, turn(1))
    assert count(engine, TurnRecord) == 1


def test_the_same_person_is_one_casemanager(engine: Engine) -> None:
    with session_factory(engine)() as db, db.begin():
        record_start(db, start("a"))
        record_start(db, start("b"))
        record_start(db, start("c", user="someone else"))
    assert count(engine, Casemanager) == 2 and count(engine, PracticeSession) == 3


def test_erasure_removes_every_row_of_that_casemanager(engine: Engine) -> None:
    with session_factory(engine)() as db, db.begin():
        record_start(db, start("a"))
        record_start(db, start("b"))
        record_start(db, start("other", user="someone else"))
        for sid in ("a", "b", "other"):
            record_turn(db, turn(1, sid))
        trainer = Trainer(username="trainer", password_hash="x")
        db.add(trainer)
        db.flush()
        first = db.execute(select(TurnRecord).where(TurnRecord.session_id == "a")).scalar_one()
        db.add(Comment(session_id="a", turn_id=first.id, trainer_id=trainer.id, text="Mooi"))
        db.add(LabelCorrection(turn_id=first.id, trainer_id=trainer.id, old_move="open_vraag",
                               new_move="doorvragen"))  # fmt: skip
    with session_factory(engine)() as db, db.begin():
        person = db.get(PracticeSession, "a")
        assert person is not None
        assert erase_casemanager(db, person.casemanager_id) == 2
    assert count(engine, Casemanager) == 1
    assert count(engine, PracticeSession) == 1 and count(engine, TurnRecord) == 1
    assert count(engine, Comment) == 0 and count(engine, LabelCorrection) == 0
    assert count(engine, Trainer) == 1


def test_session_log_writes_in_the_background(engine: Engine, tmp_path: Path) -> None:
    log = SessionLog(engine, tmp_path / "spool.jsonl", delays=(0.01,)).start()
    log.put(start())
    for n in (1, 2):
        log.put(turn(n))
    assert log.flush()
    assert count(engine, TurnRecord) == 2
    assert not (tmp_path / "spool.jsonl").exists()


def test_failed_writes_are_spooled_and_replayed(db_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool.jsonl"
    broken = make_engine("sqlite:////nonexistent-dir/never.db")
    log = SessionLog(broken, spool, delays=(0.01,)).start()
    log.put(start())
    log.put(turn(1))
    assert log.flush()
    assert len(spool.read_text().splitlines()) == 2, "nothing is lost while the database is down"
    upgrade(db_url)
    healthy = SessionLog(make_engine(db_url), spool, delays=(0.01,))
    assert healthy.replay_spool() == 2
    assert not spool.exists()
    assert count(healthy.engine, TurnRecord) == 1


def test_payloads_become_writes() -> None:
    writes = writes_for("s9", {"kind": "turn", "turn": 3, "move": "empathie", "trust": 40,
                               "stress": 50, "text": "Zwaar.", "reply": "Ja."},
                        {"channel": "terminal"}, SALT)  # fmt: skip
    assert writes == [TurnData("s9", 3, "Zwaar.", "empathie", 0.0, "Ja.", 40.0, 50.0, None, [],
                               moves=["empathie"], topics=[])]  # fmt: skip
    assert writes_for("s9", {"kind": "error"}, None, SALT) == []


@pytest.mark.parametrize("user", ["123", "+31612345678"])
def test_pseudonym_is_stable_and_salted(user: str) -> None:
    a, b = pseudonym("telegram", user, SALT), pseudonym("telegram", user, "other-salt")
    assert a != b and user not in a
    who = who_from("x", {"channel": "telegram", "person": a}, SALT)
    assert who.channel_hash == a and who_from("y", {"person": a}, SALT).channel_hash == a
    assert user not in who.display_name


def test_without_a_pseudonym_the_conversation_id_is_hashed() -> None:
    """A terminal or test client sends no person: the conversation id, salted, stands in."""
    a, b = who_from("x", None, SALT), who_from("x", None, "other-salt")
    assert a.channel_hash != b.channel_hash and a.channel_hash != "x"


def test_erasure_also_removes_consent_and_running_chats(engine: Engine) -> None:
    """The dashboard's erasure and the bot's /verwijder remove the same rows."""
    from gesprekscoach.storage.bot_state import ChatState, give_consent, has_consent, save_chat
    from gesprekscoach.storage.models import BotChat

    with session_factory(engine)() as db, db.begin():
        record_start(db, start())
    with session_factory(engine)() as db:
        person = db.execute(select(Casemanager)).scalar_one()
        channel, key, person_id = str(person.channel), str(person.channel_hash), int(person.id)
    give_consent(engine, channel, key)
    save_chat(engine, ChatState("chat-a", owner_hash=key, persona_id="henk", sender="s1",
                                pending=("kept",)))  # fmt: skip
    save_chat(engine, ChatState("chat-b", owner_hash="someone-else"))
    with session_factory(engine)() as db, db.begin():
        erase_casemanager(db, person_id)
    assert not has_consent(engine, channel, key)
    with session_factory(engine)() as db:
        assert list(db.execute(select(BotChat.chat_key)).scalars()) == ["chat-b"]
