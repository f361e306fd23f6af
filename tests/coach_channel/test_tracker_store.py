"""The tracker store reads a conversation back exactly as Rasa's own SQL store does.

`CoachTrackerStore._retrieve` replaces Rasa's read (fewer columns, event classes
from a table built once) and the store pools its SQLite connections: the
tracker that comes back must be the same, event for event, for every kind of
event Rasa stores, for the latest session and for all sessions, and a change
another connection makes (erasure rewrites and deletes rows) must be seen.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AgentUttered,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LoopInterrupted,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    StoryExported,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.utils.common import all_subclasses
from sqlalchemy import create_engine, text

from coach_channel.tracker_store import CoachTrackerStore, deserialise_events, event_class

ROOT = Path(__file__).resolve().parents[2]
SENDER = "cm-1~1"
META = {"model_id": "m1", "assistant_id": "gesprekscoach"}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa writes the file of a StoryExported event it replays: into tmp, not the repo."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def store(domain: Domain, tmp_path: Path) -> CoachTrackerStore:
    return CoachTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "coach.db"))


def _user(text: str, move: str, at: float) -> UserUttered:
    parse_data = {
        "intent": {"name": move, "confidence": 0.91},
        "entities": [],
        "text": text,
        "message_id": f"id-{at}",
        "metadata": {},
        "intent_ranking": [{"name": move, "confidence": 0.91}],
        "acts": [{"text": text, "move": move, "confidence": 0.91}],
    }
    return UserUttered(
        text, parse_data["intent"], [], parse_data, at, "coach", f"id-{at}", dict(META)
    )


def _turn(text: str, move: str, at: float, turn: int) -> list[Event]:
    state = {"turn": turn, "moves": [move] * turn, "curve": [[40.0, 45.0]] * turn}
    custom = {"coach": {"kind": "turn", "reply": f"Antwoord {turn}", "trust": 40.0 + turn}}
    return [
        _user(text, move, at),
        DefinePrevUserUtteredFeaturization(False, at + 0.1, dict(META)),
        ActionExecuted("action_persona_reply", "RulePolicy", 1.0, at + 0.2, dict(META)),
        BotUttered(f"Antwoord {turn}", {"custom": custom}, dict(META), at + 0.3),
        SlotSet("trust", 40.0 + turn, at + 0.4, dict(META)),
        SlotSet("persona_state", state, at + 0.5, dict(META)),
        ActionExecuted("action_listen", "RulePolicy", 1.0, at + 0.6, dict(META)),
    ]


def _conversation() -> list[Event]:
    """Two sessions with every kind of event, rewinds included."""
    first: list[Event] = [
        ActionExecuted("action_session_start", None, 1.0, 100.0, dict(META)),
        SessionStarted(100.1, dict(META)),
        ActionExecuted("action_listen", None, None, 100.2, dict(META)),
        *_turn("Goedemiddag, ik ben Sanne.", "begroeten", 101.0, 1),
        *_turn("Wat is uw BSN?", "info_opvragen", 102.0, 2),
        # /terug: the last message and its answer are taken back.
        _user("/terug_nemen", "terug_nemen", 103.0),
        ActionExecuted("action_go_back", "RulePolicy", 1.0, 103.1, dict(META)),
        UserUtteranceReverted(103.2, dict(META)),
        UserUtteranceReverted(103.3, dict(META)),
        ActionReverted(103.4, dict(META)),
        SlotSet("reverts", 1.0, 103.5, dict(META)),
        EntitiesAdded([{"entity": "turn", "value": 1}], 103.6, dict(META)),
        FollowupAction("action_listen", 103.7, dict(META)),
        ActiveLoop("een_formulier", 103.8, dict(META)),
        LoopInterrupted(True, 103.9, dict(META)),
        ActiveLoop(None, 104.0, dict(META)),
        ActionExecutionRejected("action_give_tip", "RulePolicy", 0.3, 104.1, dict(META)),
        ReminderScheduled("tip_vragen", datetime(2030, 1, 2, 3, 4, 5), name="r1", timestamp=104.2),
        ReminderCancelled("r1", timestamp=104.3),
        ConversationPaused(104.4, dict(META)),
        ConversationResumed(104.5, dict(META)),
        AgentUttered("van een collega", {"x": 1}, 104.6, dict(META)),
        StoryExported("verhaal.yml", 104.7, dict(META)),
        AllSlotsReset(104.8, dict(META)),
        Restarted(104.9, dict(META)),
        *_turn("Hoe gaat het nu met u?", "open_vraag", 105.0, 1),
    ]
    second: list[Event] = [
        ActionExecuted("action_session_start", None, 1.0, 200.0, dict(META)),
        SessionStarted(200.1, dict(META)),
        SlotSet("persona_id", "henk", 200.2, dict(META)),
        ActionExecuted("action_listen", None, None, 200.3, dict(META)),
        *_turn("Dat klinkt zwaar.", "empathie", 201.0, 2),
    ]
    return first + second


def _saved(store: CoachTrackerStore, domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events(SENDER, _conversation(), domain.slots)
    asyncio.run(store.save(tracker))


def _same(ours: DialogueStateTracker | None, rasas: DialogueStateTracker | None) -> None:
    assert ours is not None and rasas is not None
    assert list(ours.events) == list(rasas.events)
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in rasas.events]
    assert [type(e) for e in ours.events] == [type(e) for e in rasas.events]
    assert ours.current_state(EventVerbosity.ALL) == rasas.current_state(EventVerbosity.ALL)
    assert ours.applied_events() == rasas.applied_events()


def test_every_event_class_is_found_as_rasa_finds_it() -> None:
    for cls in all_subclasses(Event):
        assert event_class(cls.type_name) is Event.resolve_by_type(cls.type_name)
    assert event_class("topic") is None  # Rasa skips old TopicSet events
    with pytest.raises(ValueError, match="Unknown event name"):
        event_class("no_such_event")


def test_events_are_read_as_rasa_reads_them() -> None:
    stored = [e.as_dict() for e in _conversation()]
    stored += [{"no": "event key"}, {"event": "topic", "topic": "x"}]
    ours = deserialise_events(json.loads(json.dumps(stored)))
    from rasa.shared.core.events import deserialise_events as rasas

    assert ours == rasas(json.loads(json.dumps(stored)))
    assert len(ours) == len(_conversation())


def test_the_latest_session_comes_back_as_rasa_reads_it(
    store: CoachTrackerStore, domain: Domain
) -> None:
    _saved(store, domain)
    ours = asyncio.run(store.retrieve(SENDER))
    rasas = asyncio.run(SQLTrackerStore._retrieve(store, SENDER, False))
    _same(ours, rasas)
    assert ours is not None and isinstance(ours.events[0], SessionStarted)
    assert min(e.timestamp for e in ours.events) == 200.1, "only the latest session"
    assert ours.get_slot("persona_id") == "henk"
    assert ours.get_slot("persona_state") == {
        "turn": 2,
        "moves": ["empathie"] * 2,
        "curve": [[40.0, 45.0]] * 2,
    }


def test_all_sessions_come_back_as_rasa_reads_them(
    store: CoachTrackerStore, domain: Domain
) -> None:
    _saved(store, domain)
    ours = asyncio.run(store.retrieve_full_tracker(SENDER))
    rasas = asyncio.run(SQLTrackerStore._retrieve(store, SENDER, True))
    _same(ours, rasas)
    assert ours is not None and len(ours.events) == len(_conversation())
    # The rewind still takes the message back: the taken-back turn is not applied.
    texts = [e.text for e in ours.applied_events() if isinstance(e, UserUttered)]
    assert "Wat is uw BSN?" not in texts and "Dat klinkt zwaar." in texts


def test_an_unknown_conversation_is_none(store: CoachTrackerStore) -> None:
    assert asyncio.run(store.retrieve("nobody")) is None
    assert asyncio.run(SQLTrackerStore._retrieve(store, "nobody", False)) is None


def test_a_turn_saved_after_reading_is_added_once(store: CoachTrackerStore, domain: Domain) -> None:
    _saved(store, domain)
    tracker = asyncio.run(store.retrieve(SENDER))
    assert tracker is not None
    for event in _turn("Hoe is het met Ria?", "open_vraag", 300.0, 3):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve(SENDER))
    _same(again, tracker)


def test_a_change_by_another_connection_is_read(
    store: CoachTrackerStore, domain: Domain, tmp_path: Path
) -> None:
    """Erasure rewrites and deletes rows from another process: the store sees it."""
    _saved(store, domain)
    assert asyncio.run(store.retrieve(SENDER)) is not None
    other = create_engine(f"sqlite:///{tmp_path / 'coach.db'}")
    with other.begin() as connection:
        rows = connection.execute(
            text("SELECT id, data FROM events WHERE type_name = 'user'")
        ).all()
        for row_id, raw in rows:
            blanked = json.loads(raw)
            blanked.update(text="[verwijderd]", parse_data={})
            connection.execute(
                text("UPDATE events SET data = :d WHERE id = :i"),
                {"d": json.dumps(blanked), "i": row_id},
            )
    tracker = asyncio.run(store.retrieve(SENDER))
    assert tracker is not None
    assert {e.text for e in tracker.events if isinstance(e, UserUttered)} == {"[verwijderd]"}
    with other.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": SENDER})
    other.dispose()
    assert asyncio.run(store.retrieve(SENDER)) is None


def test_save_counts_the_stored_events_as_rasa_does(
    store: CoachTrackerStore, domain: Domain
) -> None:
    """`save` writes the events after those of the latest session already stored."""
    new = DialogueStateTracker.from_events(SENDER, _conversation(), domain.slots)
    read: DialogueStateTracker | None = None
    for tracker in (new, read):
        if tracker is None:
            asyncio.run(store.save(new))
            tracker = asyncio.run(store.retrieve(SENDER))
            assert tracker is not None
            for event in _turn("Hoe is het met Ria?", "open_vraag", 300.0, 3):
                tracker.update(event)
        with store.session_scope() as session:
            ours = list(store._additional_events(session, tracker))
            rasas = list(SQLTrackerStore._additional_events(store, session, tracker))
        assert ours == rasas
        assert len(ours) == (len(_conversation()) if tracker is new else 7)
