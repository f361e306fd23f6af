"""Rasa's SQL tracker store, but a failure is not hidden, and reading a tracker is cheaper.

Rasa wraps every tracker store in a fail-safe one: when the database cannot be
read or written it carries on in memory, so the next message reads an old
state and a turn is counted twice or lost. This store notes each failure per
conversation; the practice channel then answers 503 instead of a reply built on
the wrong state, and the client keeps the message and sends it again.

Every turn reads the whole conversation back. Rasa's own read loads each row as
an ORM object and finds each event's class by walking all Event subclasses
(`Event.resolve_by_type` calls `all_subclasses(Event)` once per event): a third
of the Rasa process's time in a long conversation. `_retrieve` here reads only
the `data` column with Rasa's own query (built once, as is the count `save`
makes), decodes it with ujson and resolves the event classes through a table
built once; the events, their order and the tracker are the same.

One cost could not be taken away by a subclass: every answer of the action
server is checked with `jsonschema.validate`, which first checks Rasa's own
(constant) response schema against the JSON Schema meta-schema: 5% of the Rasa
process. `install_response_check` replaces that one method of Rasa's
RemoteAction with the same check on a validator built once; the store installs
it when Rasa creates it (in the Rasa server), never on import.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

try:
    from ujson import loads as _fast_loads
except ImportError:  # pragma: no cover - Sanic installs it; without it, json as before
    _fast_loads = json.loads

log = logging.getLogger(__name__)
_failures: dict[str, int] = {}
_lock = threading.Lock()
_event_types: dict[str, type[Event]] = {}


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


def _decoded(raw: str) -> Any:
    """`json.loads(raw)`, by ujson where it can: the parser Sanic already uses in this stack.

    Decoding is the largest single cost of reading a long conversation; ujson
    takes a third less time and gives the same objects (floats included). Text
    it will not take goes to json.loads, with json's own answer or error.
    """
    try:
        return _fast_loads(raw)
    except (ValueError, TypeError, OverflowError):
        return json.loads(raw)


def event_class(type_name: str) -> type[Event] | None:
    """The Event class of a stored type name, as `Event.resolve_by_type` finds it.

    The table holds the first class of `all_subclasses(Event)` per type name,
    the one Rasa's scan returns. A name not in it (an event class imported
    since, an old "topic" event, an unknown name) goes to Rasa's own scan,
    with its answers: a class, None for "topic", ValueError otherwise.
    """
    global _event_types
    found = _event_types.get(type_name)
    if found is not None:
        return found
    table: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    _event_types = table  # replaced whole: a reader in another thread sees one or the other
    return table.get(type_name) or Event.resolve_by_type(type_name)


def deserialise_events(serialised: list[dict[str, Any]]) -> list[Event]:
    """`rasa.shared.core.events.deserialise_events`, with the class looked up in a table."""
    events: list[Event] = []
    for parameters in serialised:
        if "event" not in parameters:
            continue
        name = parameters.get("event")
        cls = event_class(name) if name is not None else None
        event = cls._from_parameters(parameters) if cls is not None else None
        if event is not None:
            events.append(event)
        else:
            log.warning("Event %r kon niet worden gelezen; overgeslagen.", name)
    return events


_RASA_RESPONSE_CHECK = RemoteAction._validate_action_result
_response_validators: dict[Any, Any] = {}


def _checked_response(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the schema checked once instead of per call.

    Rasa calls `jsonschema.validate(result, schema)`: pick the validator class
    for the schema, check the schema against its meta-schema, validate, raise
    the best error. Here the first two steps are done once per schema method;
    the error and Rasa's addition to its message are the same.
    """
    spec = type(self).action_response_format_spec
    validator = _response_validators.get(spec)
    if validator is None:
        schema = spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _response_validators.setdefault(spec, cls(schema))
    error: ValidationError | None = best_match(validator.iter_errors(result))
    if error is None:
        return True
    error.message += (  # Rasa's own addition to the message
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        "For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install_response_check() -> None:
    """Put `_checked_response` in place of Rasa's check of action server answers (idempotent)."""
    RemoteAction._validate_action_result = _checked_response


def response_check_installed() -> bool:
    return RemoteAction.__dict__.get("_validate_action_result") is _checked_response


# Rasa's `SQLTrackerStore._event_query`, built once instead of twice per turn (its
# construction cost as much as running it): the events of a conversation from
# its latest SessionStarted on (or all, if it has none), in the order stored.
_E = SQLTrackerStore.SQLEvent
_SESSION_START = (
    select(func.max(_E.timestamp).label("session_start"))
    .where(_E.sender_id == bindparam("sender_id"), _E.type_name == SessionStarted.type_name)
    .subquery()
)
_IN_LATEST_SESSION = (
    _E.sender_id == bindparam("sender_id"),
    or_(
        _E.timestamp >= _SESSION_START.c.session_start,
        _SESSION_START.c.session_start.is_(None),
    ),
)
LATEST_SESSION = select(_E.data).where(*_IN_LATEST_SESSION).order_by(_E.id)
LATEST_SESSION_COUNT = select(func.count(_E.id)).select_from(_E).where(*_IN_LATEST_SESSION)
ALL_SESSIONS = select(_E.data).where(_E.sender_id == bindparam("sender_id")).order_by(_E.id)


class CoachTrackerStore(SQLTrackerStore):
    engine: Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        install_response_check()
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

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's `SQLTrackerStore._retrieve`: the same rows in the same order, read cheaper."""
        query = ALL_SESSIONS if fetch_events_from_all_sessions else LATEST_SESSION
        with self.session_scope() as session:
            rows = session.execute(query, {"sender_id": sender_id}).all()
        if not self.domain or not rows:
            return None
        events = deserialise_events([_decoded(data) for (data,) in rows])
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _additional_events(
        self, session: Session, tracker: DialogueStateTracker
    ) -> Iterator[Event]:
        """Rasa's: the tracker's events after those of its latest session already stored."""
        stored = session.execute(LATEST_SESSION_COUNT, {"sender_id": tracker.sender_id}).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except Exception as exc:
            _failed(tracker.sender_id, "opgeslagen", exc)
            raise


__all__ = [
    "CoachTrackerStore",
    "deserialise_events",
    "event_class",
    "failures",
    "install_response_check",
    "response_check_installed",
]
