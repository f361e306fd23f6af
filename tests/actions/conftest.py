"""The actions run as the action server runs them, with their own session log on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.actions import LogSink
from gesprekscoach.storage.writer import SessionLog
from tests.conftest import migrated_sqlite

SALT = "actions-salt"
# The slots of domain.yml as a new conversation has them.
INITIAL_SLOTS: dict[str, Any] = {
    "persona_id": None,
    "practice_status": None,
    "trust": None,
    "stress": None,
    "need_stage": None,
    "hints_on": True,
    "persona_state": None,
    "undo_allowed": False,
    "reverts": 0,
    "tips_asked": 0,
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = migrated_sqlite(tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def sink(db: Engine, tmp_path: Path) -> LogSink:
    """The session log the actions write to: written at once, as on a healthy database."""
    return LogSink(SessionLog(db, tmp_path / "spool" / "log.jsonl", delays=(0.01,)), SALT)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def domain() -> dict[str, Any]:
    return {}


class Conversation:
    """One conversation as Rasa keeps it: the slots and events the actions read.

    `message` makes the tracker for the next action; `record` adds what an action said
    and set, as Rasa does before the next message.
    """

    def __init__(self, sender: str = "tg-conversation", metadata: dict[str, Any] | None = None):
        self.sender = sender
        self.metadata = metadata or {"channel": "telegram", "person": "e" * 64}
        self.slots = dict(INITIAL_SLOTS)
        self.events: list[dict[str, Any]] = []

    def message(
        self,
        text: str,
        intent: str,
        confidence: float = 1.0,
        entities: dict[str, Any] | None = None,
        acts: list[dict[str, Any]] | None = None,
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "metadata": self.metadata,
        }
        if acts is not None:
            latest["acts"] = acts
        self.events.append({"event": "action", "name": "action_listen"})
        self.events.append({"event": "user", "text": text, "parse_data": latest})
        return Tracker(
            self.sender, dict(self.slots), latest, list(self.events), False, None, {}, None
        )

    def record(self, dispatcher: CollectingDispatcher, events: list[EventType]) -> None:
        """Add what the action did, and replay the slots as Rasa does (rewinds included)."""
        self.events.append({"event": "action", "name": "action"})
        for sent in dispatcher.messages:
            data = {"custom": sent["custom"]} if sent.get("custom") else {}
            self.events.append({"event": "bot", "text": sent.get("text"), "data": data})
        self.events.extend(dict(event) for event in events)
        applied = Tracker(self.sender, {}, {}, self.events, False, None, {}, None)
        self.slots = dict(INITIAL_SLOTS)
        for event in applied.applied_events():
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
