"""Rasa's SQL tracker store, but a failure is not hidden.

Rasa wraps every tracker store in a fail-safe one: when the database cannot be
read or written it carries on in memory, so the next message reads an old
state and a turn is counted twice or lost. This store notes each failure per
conversation; the practice channel then answers 503 instead of a reply built on
the wrong state, and the client keeps the message and sends it again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)
_failures: dict[str, int] = {}
_lock = threading.Lock()


def failures(sender_id: str) -> int:
    """How many reads and writes of this conversation have failed so far (in this process)."""
    with _lock:
        return _failures.get(sender_id, 0)


def _failed(sender_id: str, what: str, exc: BaseException) -> None:
    with _lock:
        _failures[sender_id] = _failures.get(sender_id, 0) + 1
        if len(_failures) > 10_000:  # a counter per conversation, not a leak
            _failures.pop(next(iter(_failures)))
    log.error("Gesprek kon niet worden %s (database): %s", what, type(exc).__name__)


class CoachTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa logs a failed write with the error: without this, with the conversation's words.
        self.engine.hide_parameters = True

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        try:
            return await super().retrieve(sender_id)
        except Exception as exc:
            _failed(sender_id, "gelezen", exc)
            raise

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except Exception as exc:
            _failed(conversation_id, "gelezen", exc)
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except Exception as exc:
            _failed(tracker.sender_id, "opgeslagen", exc)
            raise


__all__ = ["CoachTrackerStore", "failures"]
