"""Models, migrations and the session log, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import logging
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
    LoggedTurn,
    SessionEnd,
    SessionStart,
    erase_casemanager,
    pseudonym,
    record_end,
    record_start,
    record_turn,
)
from gesprekscoach.storage.service import who_from, writes_for
from gesprekscoach.storage.spool_lines import from_line, to_line
from gesprekscoach.storage.writer import SessionLog
from gesprekscoach.turn import Standing, TurnEvent, language_from_dict

SALT = "test-salt"


def start(session_id: str = "s1", user: str = "123456789") -> SessionStart:
    person = pseudonym("telegram", user, SALT)  # made by the bot, which received the raw id
    who = who_from(session_id, {"channel": "telegram", "person": person}, SALT)
    return SessionStart(session_id, who, "henk", "laaggeletterd", "oefenen", 7)


def turn(number: int, session_id: str = "s1") -> LoggedTurn:
    event = TurnEvent(
        number=number,
        persona="henk",
        text=f"bericht {number}",
        reply="antwoord",
        move="open_vraag",
        before=Standing(39.0 + number, 50.0),
        after=Standing(40.0 + number, 50.0),
        confidence=0.9,
        language=language_from_dict({"b1_ok": True}),
    )
    return LoggedTurn(session_id, event)


def count(engine: Engine, model: type) -> int:
    with session_factory(engine)() as db:
        return int(db.execute(select(func.count()).select_from(model)).scalar_one())


def test_migrations_create_every_table_and_go_back(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    wanted = {"casemanagers", "sessions", "turns", "comments", "label_corrections", "trainers"}
    assert wanted | {"bot_consents", "bot_chats", "alembic_version"} <= tables
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
        first = row.turns[0]
        assert (first.text, first.move, first.moves, first.trust) == (
            "bericht 1",
            "open_vraag",
            ["open_vraag"],
            41.0,
        )
        assert first.language["b1_ok"] is True and first.coaching == []
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
        moved = {"old_move": "open_vraag", "new_move": "doorvragen"}
        db.add(LabelCorrection(turn_id=first.id, trainer_id=trainer.id, **moved))
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


# A turn as the spool held it before TurnEvent (TurnData), written by that version.
OLD_TURN_LINE = (
    '{"type": "TurnData", "data": {"session_id": "s1", "number": 1, "text": "Wat heeft u '
    'nodig? \\u00e9\\u2028", "move": "vraag_wat_nodig", "confidence": 0.9, "reply": "Rust, '
    'denk ik.", "trust": 45.0, "stress": 40.0, "language": {"text": "Wat heeft u nodig?", '
    '"b1_ok": true, "flesch_douma": 92.5, "words": 4, "sentences": 1, "long_sentences": [], '
    '"rare_words": [], "jargon": [], "reasons": []}, "coaching": ["Goed gevraagd."], '
    '"hidden_need_revealed": true, "moves": ["vraag_wat_nodig", "empathie"], "topics": '
    '["zoon"], "author": {"channel": "telegram", "channel_hash": "abc", "display_name": '
    '"telegram-abc"}}}'
)


def test_a_turn_spooled_before_the_typed_turn_still_replays(db_url: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool.jsonl"
    spool.write_text(to_line(start()) + "\n" + OLD_TURN_LINE + "\n", encoding="utf-8")
    upgrade(db_url)
    log = SessionLog(make_engine(db_url), spool)
    assert log.replay_spool() == 2 and not spool.exists()
    with session_factory(log.engine)() as db:
        row = db.execute(select(TurnRecord)).scalar_one()
        assert (row.session_id, row.number, row.text) == (
            "s1",
            1,
            "Wat heeft u nodig? \u00e9\u2028",
        )
        assert (row.move, row.moves, row.topics) == (
            "vraag_wat_nodig",
            ["vraag_wat_nodig", "empathie"],
            ["zoon"],
        )
        assert (row.confidence, row.reply, row.trust, row.stress) == (0.9, "Rust, denk ik.", 45, 40)
        assert row.language["flesch_douma"] == 92.5 and row.coaching == ["Goed gevraagd."]
        assert row.hidden_need_revealed is True
        assert row.author is not None and row.author.channel_hash == "abc"


def test_a_turn_spools_as_one_ascii_line_and_reads_back_the_same() -> None:
    logged = turn(2)
    line = to_line(logged)
    assert line.isascii() and "\n" not in line
    assert from_line(line) == logged


def test_payloads_become_writes() -> None:
    payload = {"kind": "turn", "turn": 3, "move": "empathie", "trust": 40, "stress": 50}
    payload |= {"text": "Zwaar.", "reply": "Ja."}
    [write] = writes_for("s9", payload, {"channel": "terminal"}, SALT)
    standing = Standing(40.0, 50.0)
    event = TurnEvent(3, "", "Zwaar.", "Ja.", "empathie", before=standing, after=standing)
    assert write == LoggedTurn("s9", event)
    assert writes_for("s9", {"kind": "error"}, None, SALT) == []


def test_a_turn_payload_that_cannot_be_read_is_reported_not_stored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = {"kind": "turn", "turn": 1, "move": "empathie", "trust": "veel", "stress": 50}
    payload["text"] = "Mijn BSN is 123456782"
    with caplog.at_level(logging.ERROR):
        assert writes_for("s9", payload, None, SALT) == []
    assert "'trust'" in caplog.text and "123456782" not in caplog.text


def test_a_group_round_logs_who_wrote_each_turn() -> None:
    payload = {"kind": "turn", "turn": 1, "move": "empathie", "trust": 40, "stress": 50}
    meta = {"channel": "telegram", "group": "g" * 64, "person": "p" * 64}
    [write] = writes_for("s9", payload, meta, SALT)
    assert isinstance(write, LoggedTurn) and write.author is not None
    assert write.author.channel_hash == "p" * 64
    [alone] = writes_for("s9", payload, {"channel": "telegram", "person": "p" * 64}, SALT)
    assert isinstance(alone, LoggedTurn) and alone.author is None


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
    kept = ChatState("chat-a", owner_hash=key, persona_id="henk", sender="s1", pending=("kept",))
    save_chat(engine, kept)
    save_chat(engine, ChatState("chat-b", owner_hash="someone-else"))
    with session_factory(engine)() as db, db.begin():
        erase_casemanager(db, person_id)
    assert not has_consent(engine, channel, key)
    with session_factory(engine)() as db:
        assert list(db.execute(select(BotChat.chat_key)).scalars()) == ["chat-b"]


def test_erasure_takes_a_member_out_of_a_rounds_tally_and_answers(engine: Engine) -> None:
    """In a group round the bot keeps who wrote which turn and, after /stop, who answered
    what: an erased member's pseudonym and answer leave both."""
    from gesprekscoach.storage.bot_state import ChatState, save_chat
    from gesprekscoach.storage.models import BotChat

    with session_factory(engine)() as db, db.begin():
        record_start(db, start())
    with session_factory(engine)() as db:
        person = db.execute(select(Casemanager)).scalar_one()
        key, person_id = str(person.channel_hash), int(person.id)
    other = "f" * 64
    members = [{"key": key, "name": "Bram"}, {"key": other, "name": "Eva"}]
    written = [{"turn": 1, "key": key, "found": False}, {"turn": 2, "key": other, "found": True}]
    save_chat(
        engine, ChatState("group", owner_hash=other, round={"members": members, "written": written})
    )
    with session_factory(engine)() as db, db.begin():
        row = db.get(BotChat, "group")
        assert row is not None
        row.closing = {
            "expected": [key, other],
            "answers": [{"person": key, "text": "Bram zegt: hij wil zijn dossier"}],
        }
    with session_factory(engine)() as db, db.begin():
        erase_casemanager(db, person_id)
    with session_factory(engine)() as db:
        row = db.get(BotChat, "group")
        assert row is not None and row.round is not None and row.closing is not None
        assert [m["key"] for m in row.round["members"]] == [other]
        assert [w["key"] for w in row.round["written"]] == [other]
        assert row.closing == {"expected": [other], "answers": []}
