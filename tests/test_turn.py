"""TurnEvent: one typed object per turn, one converter to and from the payload, one row.

The guard tests at the end keep the event and the `turns` table in step: a new field
of TurnEvent fails here until it has a column (models.py, TurnRecord.from_event and a
migration) or is listed in NOT_LOGGED with the reason.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gesprekscoach import practice
from gesprekscoach.domain import Catalogues, default_catalogues
from gesprekscoach.language.acts import LabelledAct
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import TurnRecord
from gesprekscoach.storage.repository import (
    LoggedTurn,
    SessionStart,
    Who,
    record_start,
    record_turn,
)
from gesprekscoach.turn import HIDDEN_NEED, PayloadError, Standing, TurnEvent
from tests.conftest import migrated_sqlite

# What a casemanager says to Henk, with the moves of its acts (main act first).
CONVERSATION = [
    ("Goedemiddag meneer Visser, ik ben Sanne van de gemeente.", ("begroeten",)),
    ("Dat klinkt zwaar. Hoe gaat het met uw vrouw?", ("open_vraag", "empathie")),
    ("Conform de beschikking dient u het formulier te retourneren.", ("regels_benadrukken",)),
    ("Heeft u de brief?", ("gesloten_vraag",)),
    ("Wat heeft u nodig?", ("vraag_wat_nodig",)),
]
JARGON_TURN = 3

NOT_LOGGED = {
    "persona": "the session row has it (sessions.persona_id)",
    "before": "it is the standing after the turn before, or the persona's start",
    "acts": "their moves are logged in `moves`, their words are part of `text`",
    "concern_resolved": "only the live chat shows it",
    "nlu_move": "only the live chat and `coach play` show it",
    "input_kind": "`move` says it (stilte, te_lang)",
    "mood": "it follows from `stress`",
    "need_stage": "the session's end logs whether the need was found",
    "hidden_need_found": "the session's end logs it (sessions.hidden_need_found)",
    "hidden_need_turn": "the session's end logs it (sessions.hidden_need_turn)",
}
"""TurnEvent fields that are deliberately not in the `turns` table, and why."""
STORED_AS = {"after": ("trust", "stress"), "reaction": ("hidden_need_revealed",)}
"""Logged fields whose column has another name (by default a field's column is its name)."""
BOOKKEEPING = {"id", "session_id", "author_id", "created_at"}
"""Columns that do not come from the event."""


@pytest.fixture(scope="module")
def payloads() -> list[tuple[dict[str, Any], str]]:
    """(turn payload, persona reply) of a conversation, as the action server sends them."""
    catalogues: Catalogues = default_catalogues()
    out = practice.start(catalogues, "henk", seed=1)
    slots = dict(out.slots)
    pairs = []
    for text, moves in CONVERSATION:
        acts = tuple(LabelledAct(text, move, 0.87) for move in moves)
        out = practice.turn(catalogues, slots, text, moves[0], 0.8734, acts)
        slots.update(out.slots)
        pairs.append((out.payload[PAYLOAD_KEY], out.texts[-1]))
    return pairs


@pytest.fixture(scope="module")
def events(payloads: list[tuple[dict[str, Any], str]]) -> list[TurnEvent]:
    return [TurnEvent.from_payload(payload, reply) for payload, reply in payloads]


@pytest.fixture
def jargon_turn(events: list[TurnEvent]) -> TurnEvent:
    """A turn with most fields set: jargon, a reaction, a coaching hint."""
    event = events[JARGON_TURN - 1]
    assert event.jargon and event.reaction and event.coaching, "the example turn changed"
    return event


# -- the payload --------------------------------------------------------------------


def test_a_turn_round_trips_through_its_payload(
    payloads: list[tuple[dict[str, Any], str]], events: list[TurnEvent]
) -> None:
    for (payload, reply), event in zip(payloads, events, strict=True):
        assert event.to_payload() == payload, "practice.turn sends the event's own payload"
        assert TurnEvent.from_payload(event.to_payload()) == event
        assert event.reply == reply


def test_the_event_carries_what_the_turn_produced(events: list[TurnEvent]) -> None:
    assert [e.number for e in events] == [1, 2, 3, 4, 5]
    two_acts = events[1]
    assert two_acts.moves == ("open_vraag", "empathie") and len(two_acts.acts) == 2
    assert two_acts.topics and two_acts.confidence == 0.873
    # Each turn starts where the one before ended.
    assert all(a.after == b.before for a, b in zip(events, events[1:], strict=False))
    assert all(e.language is not None and e.persona == "henk" for e in events)


def test_the_payload_rounds_changes_as_the_engine_does(jargon_turn: TurnEvent) -> None:
    event = replace(jargon_turn, before=Standing(47.5, 38.5), after=Standing(37.4, 50.6))
    payload = event.to_payload()
    assert (payload["trust_delta"], payload["stress_delta"]) == (-10.1, 12.1)
    assert TurnEvent.from_payload(payload).before == Standing(47.5, 38.5)


def test_an_old_payload_without_acts_or_language_still_reads() -> None:
    """A turn as a tracker from before acts and the language check holds it."""
    old = {"kind": "turn", "turn": 2, "text": "Hoe gaat het met u?", "move": "open_vraag"}
    old |= {"confidence": 0.8, "trust": 45.0, "stress": 40.0, "trust_delta": 5.0}
    old |= {"reaction": HIDDEN_NEED, "coaching": []}
    event = TurnEvent.from_payload(old, "Goed hoor.")
    assert (event.number, event.move, event.reply) == (2, "open_vraag", "Goed hoor.")
    assert event.acts == () and event.moves == () and event.all_moves == ("open_vraag",)
    assert event.language is None and event.b1_ok and event.jargon == ()
    assert event.before == Standing(40.0, 40.0) and event.hidden_need_revealed
    assert event.input_kind == "normal" and event.need_stage == "verborgen"


GOOD = {"kind": "turn", "turn": 1, "move": "open_vraag", "trust": 40.0, "stress": 45.0}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"kind": "start"}, "kind"),
        ({"kind": None}, "kind"),
        ({"turn": None}, "turn"),
        ({"turn": "1"}, "turn"),
        ({"turn": 1.5}, "turn"),
        ({"turn": True}, "turn"),
        ({"move": None}, "move"),
        ({"move": ["open_vraag"]}, "move"),
        ({"trust": None}, "trust"),
        ({"trust": "veertig"}, "trust"),
        ({"trust": math.nan}, "trust"),
        ({"stress": math.inf}, "stress"),
        ({"stress": False}, "stress"),
        ({"trust_delta": 10**400}, "trust_delta"),
    ],
)
def test_a_bad_payload_raises_payload_error(changes: dict[str, Any], key: str) -> None:
    TurnEvent.from_payload(GOOD)  # the payload without the change reads
    with pytest.raises(PayloadError) as info:
        TurnEvent.from_payload({**GOOD, **changes})
    assert info.value.key == key


def test_a_turn_number_stays_exact() -> None:
    assert TurnEvent.from_payload({**GOOD, "turn": 2**53 + 1}).number == 2**53 + 1


# -- the row ------------------------------------------------------------------------


def _logged_fields() -> list[str]:
    return [f.name for f in fields(TurnEvent) if f.name not in NOT_LOGGED]


COLUMNS = [column.name for column in TurnRecord.__table__.columns]


def _columns(record: TurnRecord) -> dict[str, Any]:
    return {c: getattr(record, c) for c in COLUMNS}


def test_every_logged_field_has_a_column() -> None:
    columns = set(COLUMNS)
    assert set(NOT_LOGGED) <= {f.name for f in fields(TurnEvent)}, "NOT_LOGGED names a field"
    for name in _logged_fields():
        missing = [c for c in STORED_AS.get(name, (name,)) if c not in columns]
        assert not missing, (
            f"TurnEvent.{name} has no column {missing} in the turns table: add it to "
            "storage/models.py (TurnRecord and its line in TurnRecord.from_event) with a "
            f"migration, or list it in NOT_LOGGED in {Path(__file__).name} with the reason"
        )


def _other(name: str, value: Any) -> Any:
    """A different value of a field, of its own type."""
    if name == "reaction":
        return None if value == HIDDEN_NEED else HIDDEN_NEED
    if isinstance(value, Standing):
        return Standing(value.trust + 1, value.stress + 1)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return (*value, "x")
    if name == "language" and value is not None:
        return replace(value, b1_ok=not value.b1_ok)
    raise AssertionError(f"no other value for TurnEvent.{name}: add one to _other")


def test_every_logged_field_reaches_its_row(jargon_turn: TurnEvent) -> None:
    row = _columns(TurnRecord.from_event("s1", jargon_turn, None))
    for name in _logged_fields():
        changed = replace(jargon_turn, **{name: _other(name, getattr(jargon_turn, name))})
        assert _columns(TurnRecord.from_event("s1", changed, None)) != row, (
            f"TurnRecord.from_event does not store TurnEvent.{name}"
        )


def test_every_column_is_filled_from_the_event(jargon_turn: TurnEvent) -> None:
    row = _columns(TurnRecord.from_event("s1", jargon_turn, None))
    empty = [c for c, value in row.items() if value is None and c not in BOOKKEEPING]
    assert empty == [], f"columns TurnRecord.from_event leaves empty: {empty}"


def test_a_logged_turn_reads_back_as_it_was_logged(tmp_path: Path, events: list[TurnEvent]) -> None:
    engine = migrated_sqlite(tmp_path)
    who = Who("terminal", "a" * 64, "terminal-aaaaaa")
    with session_factory(engine)() as db, db.begin():
        record_start(db, SessionStart("s1", who, "henk", "laaggeletterd", "oefenen", 1))
        for event in events:
            assert record_turn(db, LoggedTurn("s1", event))
    with session_factory(engine)() as db:
        rows = db.execute(select(TurnRecord).order_by(TurnRecord.number)).scalars().all()
        read = [row.to_event("henk", event.before) for row, event in zip(rows, events, strict=True)]
    for before, after in zip(events, read, strict=True):
        for name in _logged_fields():
            if name != "reaction":
                assert getattr(after, name) == getattr(before, name), name
        assert after.hidden_need_revealed == before.hidden_need_revealed
    engine.dispose()
