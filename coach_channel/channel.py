"""The practice channel: how every client (terminal, Telegram bot, benchmark) talks to Rasa.

Rasa's REST channel reads a message that starts with "/" as an intent with
entities, so a typed `/start_oefening{"persona":"henk"}` switched the inwoner.
Here the casemanager's words are always text: the channel has the NLU pipeline
parse them and hands Rasa the result, so Rasa's "/intent" shortcut never sees
them. Starting, stopping and hints travel in a separate `control` field, checked
by gesprekscoach.control, and only a client holding the channel token may send
anything at all (metadata included: it says who writes).
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.lock_store import LockError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from coach_channel.replay import answered_before
from coach_channel.tracker_store import failures
from gesprekscoach.control import (
    Control,
    ControlError,
    clean_metadata,
    delivery_value,
    parse_control,
    sender_value,
    text_value,
)
from gesprekscoach.protocol import CONTROL_INTENTS, REFLECTIONS

log = logging.getLogger(__name__)
MAX_BODY = 512 * 1024
# Put before a text that starts with "/" while NLU reads it: not whitespace, so Rasa's
# "/intent" reader (which strips whitespace first) leaves the text alone.
GUARD = "\u2063"
UNREADABLE = "Dit bericht kon de oefenserver niet lezen. Zeg het eens op een andere manier."
LOCK_POLL = 0.02
"""Seconds between looks of a waiting message (Rasa's default, 1 s, delays a quick second one)."""
LOCK_GONE = (
    "De oefenserver kan je bericht nu niet veilig verwerken (de lock store, Redis, is niet "
    "bereikbaar). Er is niets opgeslagen. Stuur je bericht zo nog een keer."
)


def _refuse(status: int, error: str, message: str, field: str | None = None) -> HTTPResponse:
    body = {"error": error, "message": message}
    if field:
        body["field"] = field
    return response.json(body, status=status)


def control_parse_data(control: Control) -> dict[str, Any]:
    """What NLU would have said, for a command that never went through NLU."""
    values: dict[str, Any] = {}
    if control.command == "start":
        values = {"seed": control.seed, "hints": control.hints}
        if control.persona:
            values["persona"] = control.persona
        if control.undo is not None:
            values["undo"] = control.undo
        if control.variant is not None:
            values["variant"] = control.variant
    elif control.command == "hints":
        values = {"hints": control.hints}
    elif control.command == "opnieuw":
        values = {"turn": control.turn}
    intent = CONTROL_INTENTS[control.command]
    data: dict[str, Any] = {
        "text": f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "entities": [{"entity": k, "value": v} for k, v in values.items()],
    }
    if control.command == "stop":
        # What the casemanager typed stays text: beside the intent, never parsed.
        data[REFLECTIONS] = [{"text": t, "person": p} for t, p in control.reflections]
    return data


async def parse_text(agent: Any, text: str) -> dict[str, Any]:
    """The NLU reading of typed text, never Rasa's "/intent{...}" shortcut."""
    guarded = GUARD + text if text.lstrip().startswith("/") else text
    data: dict[str, Any] = await agent.parse_message(guarded)
    data["text"] = text
    return data


class CoachInput(InputChannel):
    def __init__(self, token: str | None = None) -> None:
        self._token = token

    @classmethod
    def name(cls) -> str:
        return "coach"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def token(self) -> str:
        if self._token is None:
            from gesprekscoach.local_secrets import channel_token
            from gesprekscoach.settings import load_settings

            self._token = channel_token(load_settings())
        return self._token

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else ""
        return bool(given) and hmac.compare_digest(given.encode(), self.token().encode())

    async def _handle(
        self,
        agent: Any,
        sender: str,
        text: str,
        control: Control | None,
        metadata: dict[str, str],
        message_id: str | None,
    ) -> HTTPResponse:
        """One message, under its conversation's lock: read it, let Rasa handle it, answer."""
        if message_id is not None:
            try:
                earlier = answered_before(agent.tracker_store, sender, message_id)
            except Exception as exc:  # noqa: BLE001 - the database is down: handling reports it
                log.error("Kon niet nagaan of dit bericht al verwerkt was (%s)", type(exc).__name__)
                earlier = None
            if earlier:
                return response.json(earlier)
        try:
            if control is not None:
                parse_data = control_parse_data(control)
                text = str(parse_data["text"])
            else:
                parse_data = await parse_text(agent, text)
        except Exception as exc:  # noqa: BLE001 - a fault in reading one message
            # Not an outage: sending it again gives the same fault, and a client that
            # kept retrying would hold up the chat's later messages. Logged without text.
            log.error("Bericht niet te lezen voor NLU (%s)", type(exc).__name__)
            return _refuse(422, "unreadable", UNREADABLE)
        collector = CollectingOutputChannel()
        before = failures(sender)
        # What Agent.handle_message does, minus its lock: this channel holds it already.
        await agent.processor.handle_message(
            UserMessage(
                text,
                collector,
                sender,
                parse_data=parse_data,
                input_channel=self.name(),
                message_id=message_id,
                metadata=metadata,
            )
        )
        if failures(sender) != before:
            return _refuse(
                503,
                "storage",
                "Je bericht kon niet worden opgeslagen. Het wordt zo opnieuw verstuurd.",
            )
        if not collector.messages:
            return _refuse(503, "no_reply", "De oefenserver gaf geen antwoord.")
        return response.json(collector.messages)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("coach_channel", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent and agent.is_ready())
            # The worker's process id: `coach serve --workers N` waits until N said ready.
            return response.json({"status": "ok", "ready": ready, "worker": os.getpid()})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return _refuse(401, "unauthorised", "Geen toegang: het kanaaltoken ontbreekt.")
            if len(request.body or b"") > MAX_BODY:
                return _refuse(413, "too_large", "Dit verzoek is te groot.")
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own error for bad JSON
                body = None
            if not isinstance(body, dict):
                return _refuse(400, "invalid", "Stuur een JSON-object.")
            agent = request.app.ctx.agent
            if not agent.is_ready():
                return _refuse(503, "not_ready", "De oefenserver is nog aan het opstarten.")
            try:
                sender = sender_value(body.get("sender"))
                metadata = clean_metadata(body.get("metadata"))
                message_id = delivery_value(body.get("message_id"))
                if body.get("control") is not None and body.get("message"):
                    raise ControlError("message", "Stuur tekst of een opdracht, niet allebei.")
                control = (
                    parse_control(body["control"]) if body.get("control") is not None else None
                )
                # Empty or a wall of text: the inwoner answers that in character.
                text = "" if control else text_value(body.get("message")).strip()
            except ControlError as exc:
                return _refuse(400, "invalid", str(exc), exc.field)
            try:
                # The ticket is taken on arrival, before NLU reads the message: the messages
                # of one conversation are handled one at a time, in the order they came in,
                # by whichever worker or replica got them (Redis when there are several).
                async with agent.lock_store.lock(sender, wait_time_in_seconds=LOCK_POLL):
                    return await self._handle(agent, sender, text, control, metadata, message_id)
            except LockError as exc:
                log.error("Lock store niet bruikbaar, bericht geweigerd: %s", type(exc).__name__)
                return _refuse(503, "lock_store", LOCK_GONE)

        return hook
