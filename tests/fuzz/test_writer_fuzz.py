"""The session log (gesprekscoach.storage.writer) under hostile records.

What the action server hands it (gesprekscoach.storage.service.writes_for) is
stored as it came, or, when the database cannot take a value, reported and set
aside: a `put` never raises, the background writer never dies, and one bad
record never jams the log (a later valid write for another session is still
stored, whether it was queued behind the bad one or came after it).

Runs on a fresh SQLite database (migrated with Alembic, as the storage tests
do), and on PostgreSQL too when TEST_POSTGRES_URL is set (`make test` sets it).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import math
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from gesprekscoach.control import MAX_TEXT, SENDER, storable
from gesprekscoach.language.acts import LabelledAct
from gesprekscoach.language.check import LanguageResult
from gesprekscoach.language.jargon import JargonHit
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.migrate import upgrade
from gesprekscoach.storage.models import Casemanager, PracticeSession, TurnRecord
from gesprekscoach.storage.repository import LoggedTurn, SessionEnd, SessionStart, Who
from gesprekscoach.storage.service import log_session_id, writes_for
from gesprekscoach.storage.spool_lines import Write, from_line, to_line
from gesprekscoach.storage.writer import SessionLog
from gesprekscoach.turn import Standing, TurnEvent
from tests.fuzz.strategies import (
    MOVE_IDS,
    PERSONA_IDS,
    examples,
    hostile_text,
    huge_ints,
    json_values,
    surrogate_text,
    unicode_text,
    valid_seeds,
)

SALT = "fuzz-salt"
FLUSH_TIMEOUT = 2.0
# The session log's loggers: the writer, and writes_for (a turn it cannot read).
STORAGE_LOGGER = "gesprekscoach.storage"
_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


# -- databases ----------------------------------------------------------------


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not os.environ.get("TEST_POSTGRES_URL"), reason="TEST_POSTGRES_URL is not set"
            ),
        ),
    ],
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'coach.db'}"
    else:
        from tests.conftest import fresh_postgres

        url = fresh_postgres(os.environ["TEST_POSTGRES_URL"])
    upgrade(url)
    eng = make_engine(url)
    if request.param == "sqlite":
        # A test database need not survive a power cut: no fsync on every commit.
        @event.listens_for(eng, "connect")
        def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


# -- one session log per example, watched ---------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Watched:
    log: SessionLog
    records: list[logging.LogRecord]
    thread_errors: list[BaseException] = field(default_factory=list)

    @property
    def reported(self) -> bool:
        return any(r.levelno >= logging.ERROR for r in self.records)

    def stop(self, timeout: float = 1.0) -> None:
        """Stop the background writer (its own signal, None) and wait for its end, so that a
        death of the thread has been recorded by the time this returns."""
        thread = self.log._thread
        if thread.is_alive():
            self.log._queue.put(None)
            thread.join(timeout)

    def assert_alive(self) -> None:
        self.stop()
        assert not self.thread_errors, f"the background writer died: {self.thread_errors!r}"


@contextlib.contextmanager
def watched_log(
    engine: Engine, folder: Path, delays: tuple[float, ...] = (0.0,)
) -> Iterator[Watched]:
    """A SessionLog with its own spool folder; its log lines and thread deaths are recorded."""
    handler = _Collect()
    logger = logging.getLogger(STORAGE_LOGGER)
    logger.addHandler(handler)
    hook = threading.excepthook
    spool = Path(tempfile.mkdtemp(dir=folder)) / "spool.jsonl"
    watched = Watched(SessionLog(engine, spool, delays=delays), handler.records)

    def record_death(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            watched.thread_errors.append(args.exc_value)

    threading.excepthook = record_death
    try:
        yield watched
    finally:
        watched.log.flush(1.0)
        watched.stop()
        threading.excepthook = hook
        logger.removeHandler(handler)


# -- payloads as gesprekscoach.practice makes them ----------------------------------


def start_payload(persona: str = "henk", seed: Any = 7, hints: bool = True) -> dict[str, Any]:
    return {
        "kind": "start",
        "persona": persona,
        "persona_type": "laaggeletterd",
        "persona_name": "Henk Visser",
        "hints": hints,
        "seed": seed,
        "turn": 0,
        "trust": 40.0,
        "stress": 45.0,
    }


def turn_payload(
    number: int = 1, text: str = "Wat heeft u nodig?", **changes: Any
) -> dict[str, Any]:
    return {
        "kind": "turn",
        "turn": number,
        "text": text,
        "move": "vraag_wat_nodig",
        "moves": ["vraag_wat_nodig"],
        "confidence": 0.9,
        "reply": "Rust, denk ik.",
        "trust": 45.0,
        "stress": 40.0,
        "language": {"b1_ok": True, "words": 4},
        "coaching": [],
        "topics": [],
        "reaction": None,
        **changes,
    }


def end_payload(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "end",
        "trust": 50.0,
        "hidden_need_found": False,
        "hidden_need_turn": None,
        "report": {"tips": []},
        **changes,
    }


def practice_writes(session_id: str, *payloads: dict[str, Any], meta: Any = None) -> list[Write]:
    """The writes for a start and then these payloads, as the action server makes them."""
    writes = writes_for(session_id, start_payload(), meta, SALT)
    for payload in payloads:
        writes += writes_for(session_id, payload, meta, SALT)
    return writes


def put_all(watched: Watched, writes: list[Write]) -> None:
    for write in writes:
        watched.log.put(write)  # never raises: that is the point


def stored_turn(engine: Engine, session_id: str, number: int) -> TurnRecord | None:
    # Matched here, not in SQL: a number past 64 bits cannot even be a query parameter.
    with session_factory(engine)() as db:
        rows = db.execute(select(TurnRecord).where(TurnRecord.session_id == session_id)).scalars()
        return next((row for row in rows if row.number == number), None)


def stored_session(engine: Engine, session_id: str) -> tuple[PracticeSession, Casemanager] | None:
    with session_factory(engine)() as db:
        row = db.get(PracticeSession, session_id)
        if row is None:
            return None
        person = db.get(Casemanager, row.casemanager_id)
        assert person is not None
        return row, person


def valid_writes(session_id: str) -> list[Write]:
    return practice_writes(session_id, turn_payload(), meta={"channel": "telegram"})


def run_with_bystanders(engine: Engine, watched: Watched, hostile: list[Write]) -> None:
    """Put the hostile writes, a valid session queued right behind them, and one after a flush;
    the writer must survive and both valid sessions must be stored."""
    behind, after = next_id("behind"), next_id("after")
    put_all(watched, hostile)
    put_all(watched, valid_writes(behind))
    assert watched.log.flush(FLUSH_TIMEOUT), "the log is stuck: writes wait in the queue"
    put_all(watched, valid_writes(after))
    assert watched.log.flush(FLUSH_TIMEOUT), "the log is stuck: writes wait in the queue"
    for session_id in (behind, after):
        assert stored_turn(engine, session_id, 1) is not None, (
            f"a valid write ({session_id}) is not stored: one bad record jams the log"
        )
    watched.assert_alive()


# -- hostile records ------------------------------------------------------------

strict_json = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**53), max_value=2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        hostile_text(300),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(hostile_text(40), children, max_size=4)
    ),
    max_leaves=12,
)
"""What a JSON column holds: any JSON (the language check's result is strict JSON)."""

metadata = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "channel": hostile_text(60),
            "person": hostile_text(100),
            "group": hostile_text(100),
            "group_name": hostile_text(200),
            "name": hostile_text(200),
            "workshop": hostile_text(30),
        },
    ),
)
"""Metadata with hostile text in every field writes_for reads (the client's, unchecked)."""


@settings(max_examples=examples(15))
@given(
    meta=metadata,
    text=hostile_text(),
    reply=hostile_text(3000),
    coaching=st.lists(hostile_text(500), max_size=3),
    language=st.dictionaries(hostile_text(40), strict_json, max_size=6),
    persona=st.sampled_from(PERSONA_IDS),
    move=st.sampled_from(MOVE_IDS),
    seed=valid_seeds,
)
@example(
    meta={"channel": "telegram", "name": "Eva \x00 \u202eavE"},
    text="\x00" * 10,
    reply="\u0000",
    coaching=["\x00"],
    language={"text": "\x00"},
    persona="henk",
    move="empathie",
    seed=7,
)
def test_hostile_text_is_stored_byte_identical_or_set_aside(
    engine: Engine,
    folder: Path,
    meta: dict[str, Any] | None,
    text: str,
    reply: str,
    coaching: list[str],
    language: dict[str, Any],
    persona: str,
    move: str,
    seed: int,
) -> None:
    session_id = next_id("text")
    start = writes_for(session_id, start_payload(persona, seed), meta, SALT)
    payload = turn_payload(1, text, reply=reply, coaching=coaching, language=language, move=move)
    turn = writes_for(session_id, payload, meta, SALT)
    assert len(start) == len(turn) == 1
    [start_write], [turn_write] = start, turn
    assert isinstance(start_write, SessionStart) and isinstance(turn_write, LoggedTurn)
    event = turn_write.event
    assert event.text == text and event.reply == reply
    # The language check is logged as the turn read it (its known keys, typed).
    logged_language = event.language.to_dict() if event.language else None

    with watched_log(engine, folder) as watched:
        run_with_bystanders(engine, watched, [start_write, turn_write])
        row = stored_turn(engine, session_id, 1)
        if row is None:
            assert watched.reported, "a write that is not stored is reported"
            return
        assert row.text.encode("utf-8") == text.encode("utf-8")
        assert row.reply.encode("utf-8") == reply.encode("utf-8")
        assert row.coaching == coaching and row.language == logged_language
        assert row.move == move
        found = stored_session(engine, session_id)
        assert found is not None
        session, person = found
        assert (session.persona_id, session.seed) == (persona, seed)
        assert person.display_name == start_write.who.display_name
        who = start_write.who
        assert (person.channel, person.channel_hash) == (who.channel, who.channel_hash)


senders = st.from_regex(SENDER, fullmatch=True)


@settings(max_examples=examples(15))
@given(sender=senders, restarts=st.integers(min_value=0, max_value=12))
@example(sender="s" * 56, restarts=0)
@example(sender="s" * 56, restarts=12)
def test_every_sender_the_channel_takes_is_logged(
    engine: Engine, folder: Path, sender: str, restarts: int
) -> None:
    session_id = log_session_id(sender, "start", restarts)
    with watched_log(engine, folder) as watched:
        put_all(watched, valid_writes(session_id))
        assert watched.log.flush(FLUSH_TIMEOUT)
        assert stored_turn(engine, session_id, 1) is not None, "the practice is not logged"
        watched.assert_alive()


@settings(max_examples=examples(15))
@given(text=hostile_text(MAX_TEXT).filter(lambda t: t.strip()), reply=hostile_text(2000))
@example(text="Hallo\x00daar", reply="Ja.")
def test_every_message_the_channel_takes_is_stored_byte_identical(
    engine: Engine, folder: Path, text: str, reply: str
) -> None:
    session_id = next_id("message")
    text, reply = storable(text), storable(reply)  # what the channel passes on (NUL: U+FFFD)
    payload = turn_payload(1, text, reply=reply)
    writes = practice_writes(session_id, payload, meta={"channel": "telegram"})
    with watched_log(engine, folder) as watched:
        put_all(watched, writes)
        assert watched.log.flush(FLUSH_TIMEOUT)
        row = stored_turn(engine, session_id, 1)
        assert row is not None, "the turn is not stored"
        assert row.text.encode("utf-8") == text.encode("utf-8")
        assert row.reply.encode("utf-8") == reply.encode("utf-8")
        watched.assert_alive()


@settings(max_examples=examples(15))
@given(seed=st.one_of(st.integers(), huge_ints))
@example(seed=10**30)
@example(seed=99999999999999999999999999)
def test_a_huge_seed_never_jams_the_log(engine: Engine, folder: Path, seed: int) -> None:
    """The issue's case: `seed` 99999999999999999999999999 made the session-start write fail,
    and every later write queued behind it."""
    session_id = next_id("seed")
    start = writes_for(session_id, start_payload(seed=seed), None, SALT)
    writes = start + writes_for(session_id, turn_payload(), None, SALT)
    with watched_log(engine, folder) as watched:
        run_with_bystanders(engine, watched, writes)
        found = stored_session(engine, session_id)
        if found is None:
            assert watched.reported, "a start that is not stored is reported"
        else:
            assert found[0].seed == seed


odd_numbers = st.one_of(
    huge_ints,
    st.floats(allow_nan=False),
    st.sampled_from([math.inf, -math.inf, -0.0, 1e308, 5e-324]),
)
"""Numbers no practice makes, but that writes_for passes through (NaN: see the next test)."""


@settings(max_examples=examples(15))
@given(
    number=st.one_of(st.integers(min_value=1, max_value=1000), huge_ints),
    confidence=st.one_of(st.floats(min_value=0, max_value=1), odd_numbers),
    trust=st.one_of(st.floats(min_value=0, max_value=100), odd_numbers),
    final_trust=st.one_of(st.floats(min_value=0, max_value=100), odd_numbers, st.just(math.nan)),
    need_turn=st.one_of(st.none(), st.integers(min_value=1, max_value=50), huge_ints),
)
@example(number=2**63, confidence=0.5, trust=45.0, final_trust=50.0, need_turn=None)
@example(number=1, confidence=math.inf, trust=-math.inf, final_trust=math.nan, need_turn=10**30)
def test_odd_numbers_in_a_turn_or_an_end_never_jam_the_log(
    engine: Engine,
    folder: Path,
    number: int,
    confidence: float,
    trust: float,
    final_trust: float,
    need_turn: int | None,
) -> None:
    session_id = next_id("numbers")
    turn = turn_payload(number, confidence=confidence, trust=trust)
    found = need_turn is not None
    end = end_payload(trust=final_trust, hidden_need_turn=need_turn, hidden_need_found=found)
    with watched_log(engine, folder) as watched:
        # A turn writes_for cannot read (trust not finite) is reported there, not stored.
        run_with_bystanders(engine, watched, practice_writes(session_id, turn, end))
        row = stored_turn(engine, session_id, number)
        if row is None:
            assert watched.reported, "a turn that is not stored is reported"


@settings(max_examples=examples(5))
@given(field=st.sampled_from(["confidence", "trust", "stress"]))
@example(field="confidence")
def test_a_nan_in_a_turn_is_reported_not_dropped_silently(
    engine: Engine, folder: Path, field: str
) -> None:
    session_id = next_id("nan")
    payload = turn_payload(1, "Wat heeft u nodig?", **{field: math.nan})
    with watched_log(engine, folder) as watched:
        run_with_bystanders(engine, watched, practice_writes(session_id, payload))
        if stored_turn(engine, session_id, 1) is None:
            assert watched.reported, "a turn that is not stored is reported"


META_KEYS = ["channel", "person", "group", "workshop"]


@settings(max_examples=examples(15))
@given(meta=st.dictionaries(st.sampled_from(META_KEYS), json_values, max_size=4))
@example(meta={"workshop": {"code": "ABC"}})
@example(meta={"workshop": ["ABC"]})
def test_odd_metadata_values_never_jam_the_log(
    engine: Engine, folder: Path, meta: dict[str, Any]
) -> None:
    session_id = next_id("meta")
    writes = practice_writes(session_id, turn_payload(), meta=meta)
    with watched_log(engine, folder) as watched:
        run_with_bystanders(engine, watched, writes)
        if stored_turn(engine, session_id, 1) is None:
            assert watched.reported, "a write that is not stored is reported"


@settings(max_examples=examples(10))
@given(text=surrogate_text)
@example(text="Kijk \ud83d")
def test_a_lone_surrogate_never_kills_the_writer(engine: Engine, folder: Path, text: str) -> None:
    """json.loads makes "\\ud83d" (half an emoji, as a client cutting text in UTF-16 sends it)
    into a lone surrogate, which no UTF-8 database or file can take."""
    session_id = next_id("surrogate")
    writes = practice_writes(session_id, turn_payload(1, text))
    with watched_log(engine, folder) as watched:
        run_with_bystanders(engine, watched, writes)
        if stored_turn(engine, session_id, 1) is None:
            assert watched.reported, "a write that is not stored is reported"


# -- the spool ------------------------------------------------------------------


def _survives_json(text: str) -> bool:
    """JSON reads a high surrogate right before a low one back as the one character the
    pair encodes ("\\ud800\\udc00" is U+10000): the same text to any reader, not a lost one."""
    return bool(json.loads(json.dumps(text)) == text)


text_or_surrogates = st.one_of(hostile_text(300), surrogate_text).filter(_survives_json)
optional_text = st.none() | text_or_surrogates
texts = st.lists(text_or_surrogates, max_size=3).map(tuple)
whos = st.builds(Who, unicode_text, unicode_text, hostile_text(200))
moments = st.datetimes(timezones=st.just(timezone.utc)) | st.datetimes()
finite = st.floats(allow_nan=False)
tenths = st.integers(0, 1000).map(lambda n: n / 10)
standings = st.builds(Standing, tenths, tenths)
"""Trust and stress as the engine keeps them: 0-100, one decimal (engine.clamp)."""
hits = st.builds(JargonHit, text_or_surrogates, text_or_surrogates, text_or_surrogates)
languages = st.builds(
    LanguageResult,
    text=text_or_surrogates,
    b1_ok=st.booleans(),
    flesch_douma=st.none() | finite,
    words=st.integers(),
    sentences=st.integers(),
    long_sentences=texts,
    rare_words=texts,
    jargon=st.lists(hits, max_size=2).map(tuple),
    reasons=texts,
)
acts = st.builds(LabelledAct, text_or_surrogates, text_or_surrogates, finite)
events = st.builds(
    TurnEvent,
    number=st.integers(),
    persona=text_or_surrogates,
    text=text_or_surrogates,
    reply=text_or_surrogates,
    move=text_or_surrogates,
    before=standings,
    after=standings,
    moves=texts,
    acts=st.lists(acts, max_size=3).map(tuple),
    topics=texts,
    concern_resolved=optional_text,
    nlu_move=optional_text,
    confidence=st.floats(0, 1).map(lambda c: round(c, 3)),
    input_kind=st.sampled_from(["normal", "stilte", "te_lang"]),
    reaction=optional_text,
    mood=text_or_surrogates,
    need_stage=st.sampled_from(["verborgen", "hint", "gevonden"]),
    hidden_need_found=st.booleans(),
    hidden_need_turn=st.none() | st.integers(),
    language=st.none() | languages,
    coaching=texts,
)
"""Any turn as practice.turn makes them (confidence to three decimals, as clients get it)."""
starts = st.builds(
    SessionStart,
    *(text_or_surrogates, whos, text_or_surrogates, text_or_surrogates, text_or_surrogates),
    *(st.integers(), optional_text, optional_text, moments),
)
ends = st.builds(
    SessionEnd,
    *(text_or_surrogates, st.booleans(), st.none() | st.integers(), finite),
    *(st.dictionaries(text_or_surrogates, strict_json, max_size=4), moments),
)
spool_writes = st.one_of(
    starts, st.builds(LoggedTurn, text_or_surrogates, events, st.none() | whos), ends
)


@settings(max_examples=examples(25))
@given(write=spool_writes)
def test_a_spool_line_reads_back_as_the_same_write(write: Write) -> None:
    line = to_line(write)
    assert "\n" not in line, "one write, one line"
    assert from_line(line) == write


def spool_in_an_outage(engine: Engine, folder: Path, writes: list[Write]) -> Path:
    """Put the writes while the database is down (they go to the spool); return the spool."""
    down = make_engine("sqlite:////nonexistent-dir/never.db")
    with watched_log(down, folder) as watched:
        put_all(watched, writes)
        assert watched.log.flush(FLUSH_TIMEOUT), "the log is stuck: writes wait in the queue"
        watched.assert_alive()
        assert watched.log.spool.exists(), "nothing is lost while the database is down"
    down.dispose()
    return watched.log.spool


@settings(max_examples=examples(10))
@given(text=hostile_text(), reply=hostile_text(2000))
@example(text="Eerste regel\u2028tweede regel", reply="Ja.")
@example(text="Wat heeft u nodig?", reply="Ik\x85weet het niet\u2029echt.")
def test_a_write_spooled_in_an_outage_comes_back_byte_identical(
    engine: Engine, folder: Path, text: str, reply: str
) -> None:
    session_id = next_id("outage")
    writes = practice_writes(session_id, turn_payload(1, text, reply=reply))
    spool = spool_in_an_outage(engine, folder, writes)
    healthy = SessionLog(engine, spool, delays=(0.0,))
    assert healthy.replay_spool() == len(writes)
    assert not spool.exists()
    row = stored_turn(engine, session_id, 1)
    assert row is not None, "a write spooled in an outage is stored when the database is back"
    assert row.text.encode("utf-8") == text.encode("utf-8")
    assert row.reply.encode("utf-8") == reply.encode("utf-8")


@settings(max_examples=examples(5))
@given(text=surrogate_text)
@example(text="Kijk \ud83d")
def test_a_lone_surrogate_in_an_outage_never_kills_the_writer(
    engine: Engine, folder: Path, text: str
) -> None:
    session_id = next_id("surrogate-outage")
    writes = practice_writes(session_id, turn_payload(1, text))
    spool = spool_in_an_outage(engine, folder, writes)
    with watched_log(engine, folder) as watched:
        SessionLog(engine, spool, delays=(0.0,)).replay_spool()
        run_with_bystanders(engine, watched, [])
