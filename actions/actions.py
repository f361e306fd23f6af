"""Custom actions: read the tracker, call gesprekscoach.practice, return events.

A thin adapter. What happened goes to the session log through a `LogSink` given at
construction; Rasa SDK builds the actions without arguments, and then they share the
process's sink, built from the settings on first use.
"""

from __future__ import annotations

import abc
import functools
import logging
import traceback
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from gesprekscoach import aids, practice
from gesprekscoach.control import (
    ControlError,
    persona_value,
    reflections_value,
    seed_value,
    turn_value,
    variant_value,
)
from gesprekscoach.domain import default_catalogues
from gesprekscoach.feedback.transcript import practices_started, turns_from_events
from gesprekscoach.protocol import ACTS, ERROR, PAYLOAD_KEY, REFLECTIONS, REWIND, kind_of
from gesprekscoach.rewind import OPNIEUW, TERUG, plan_rewind
from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.slots import changed_slots
from gesprekscoach.storage.service import (
    log_session_id,
    open_session_log,
    pseudonym_salt,
    writes_for,
)
from gesprekscoach.storage.writer import SessionLog

log = logging.getLogger(__name__)
FAILED = "Er ging iets mis bij het antwoord van de inwoner. Stuur je bericht nog een keer."


@dataclass(frozen=True)
class LogSink:
    """Where the actions log a practice: the session log, and the salt of the pseudonyms."""

    session_log: SessionLog
    salt: str

    @classmethod
    def from_settings(cls, settings: Settings) -> LogSink:
        return cls(open_session_log(settings), pseudonym_salt(settings))

    def log(self, tracker: Tracker, output: practice.Output) -> None:
        """Hand what happened to the background session log (never blocks the answer)."""
        metadata = (tracker.latest_message or {}).get("metadata")
        payload = output.payload.get(PAYLOAD_KEY) or {}
        started = practices_started(tracker.events)
        session_id = log_session_id(tracker.sender_id, kind_of(payload) or "", started)
        for write in writes_for(session_id, payload, metadata, self.salt):
            self.session_log.put(write)


@functools.cache
def process_sink() -> LogSink:
    """The sink of this process: one session log, so one writer thread keeps the order."""
    return LogSink.from_settings(load_settings())


class CoachAction(Action, abc.ABC):
    """An action that never raises: a fault is logged without the conversation (no text, no
    tracker, no ids) and the casemanager hears in Dutch to send the message again."""

    def __init__(self, sink: LogSink | None = None) -> None:
        self._sink = sink

    @property
    def sink(self) -> LogSink:
        return self._sink or process_sink()

    @abc.abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """What the action does; `run` keeps a fault from reaching Rasa's log."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            return self.respond(dispatcher, tracker)
        except Exception as exc:  # noqa: BLE001 - the reason is logged, the person is told
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("Actie %s mislukt (%s)\n%s", self.name(), type(exc).__name__, frames)
            dispatcher.utter_message(
                text=FAILED, json_message={PAYLOAD_KEY: {"kind": ERROR, "error": "action"}}
            )
            return []

    @staticmethod
    def say(dispatcher: CollectingDispatcher, output: practice.Output) -> None:
        *first, last = output.texts
        for text in first:
            dispatcher.utter_message(text=text)
        # The turn details ride along with the last text: one bot event, two messages.
        dispatcher.utter_message(text=last, json_message=output.payload)

    def emit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, output: practice.Output
    ) -> list[EventType]:
        """Say the texts, log what happened and set the slots that changed."""
        self.say(dispatcher, output)
        self.sink.log(tracker, output)
        changed = changed_slots(tracker.current_slot_values(), output.slots)
        return [SlotSet(name, value) for name, value in changed.items()]


def _entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def _flag(value: Any, default: bool = True) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("false", "uit", "nee", "0", "off"):
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "aan", "ja", "1", "on"):
        return True
    return default


class ActionStartPractice(CoachAction):
    def name(self) -> str:
        return "action_start_practice"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        # The channel checked these already; a tracker from anywhere else is checked again.
        try:
            seed = seed_value(_entity(tracker, "seed") or 0)
            persona = persona_value(_entity(tracker, "persona"))
            variant = variant_value(_entity(tracker, "variant"))
        except ControlError as exc:
            output = practice.refused(str(exc), exc.field)
        else:
            hints = _flag(_entity(tracker, "hints"))
            undo = _entity(tracker, "undo")
            allowed = None if undo is None else _flag(undo, default=False)
            catalogues = default_catalogues()
            output = practice.start(catalogues, persona, seed, hints, allowed, variant)
        return self.emit(dispatcher, tracker, output)


class ActionPersonaReply(CoachAction):
    def name(self) -> str:
        return "action_persona_reply"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        move, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        output = practice.turn(
            default_catalogues(),
            tracker.current_slot_values(),
            text=message.get("text") or "",
            move=move,
            confidence=confidence,
            acts=practice.acts_from(message.get(ACTS), move, confidence),
        )
        return self.emit(dispatcher, tracker, output)


class ActionEndPractice(CoachAction):
    def name(self) -> str:
        return "action_end_practice"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        # Applied events: the conversation as finally held, without what was taken back.
        turns = turns_from_events(tracker.applied_events())
        raw = (tracker.latest_message or {}).get(REFLECTIONS)
        try:
            answers = reflections_value(raw)
        except ControlError:
            answers = ()  # the channel checked them; a tracker from elsewhere may not have
        output = practice.end(default_catalogues(), tracker.current_slot_values(), turns, answers)
        return self.emit(dispatcher, tracker, output)


class ActionSetHints(CoachAction):
    def name(self) -> str:
        return "action_set_hints"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        on = _flag(_entity(tracker, "hints"), default=not tracker.get_slot("hints_on"))
        output = practice.set_hints(tracker.current_slot_values(), on)
        return self.emit(dispatcher, tracker, output)


class ActionGoBack(CoachAction):
    """/terug and "opnieuw vanaf bericht N": Rasa's rewind events take the messages back."""

    def name(self) -> str:
        return "action_go_back"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        how = OPNIEUW if intent == "opnieuw_vanaf" else TERUG
        asked: int | None = None
        if how == OPNIEUW:
            try:
                asked = turn_value(_entity(tracker, "turn"))
            except ControlError as exc:
                return self.emit(dispatcher, tracker, practice.refused(str(exc), exc.field))
        applied = tracker.applied_events()
        plan = plan_rewind(applied, asked)
        output = aids.go_back(
            default_catalogues(),
            tracker.current_slot_values(),
            plan,
            how,
            turns_from_events(applied),
            asked,
        )
        self.say(dispatcher, output)
        if plan is None or kind_of(output.payload.get(PAYLOAD_KEY) or {}) != REWIND:
            return []
        self.sink.log(tracker, output)
        # The slots to keep are set after the rewind, so going back cannot undo them.
        rewind: list[EventType] = [UserUtteranceReverted() for _ in range(plan.messages)]
        return rewind + [SlotSet(name, value) for name, value in output.slots.items()]


class ActionGiveTip(CoachAction):
    def name(self) -> str:
        return "action_give_tip"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        output = aids.tip(default_catalogues(), tracker.current_slot_values())
        return self.emit(dispatcher, tracker, output)
