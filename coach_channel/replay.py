"""A message sent twice is handled once: the second time gets the first answer again.

A client that lost the answer (a replica died after saving the turn but
before replying, a balancer gave up) sends the message again with the same
`message_id`. Under the conversation's lock, the channel asks the tracker
store whether the last user message of this conversation had that id; if so
the turn is already in the tracker and the session log, and the inwoner's
answer is read back from the stored bot events instead of being made again.
Rasa saves a turn's events in one transaction, so a turn is either stored
whole (and found here) or not at all (and handled now).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore

log = logging.getLogger(__name__)
LOOK_BACK = 80
"""Events to look back for the last user message (a turn stores about ten)."""


def sql_store(store: Any) -> SQLTrackerStore | None:
    """Our SQL tracker store inside Rasa's wrappers (fail-safe, awaitable), if it is one."""
    for _ in range(4):
        if isinstance(store, SQLTrackerStore):
            return store
        store = getattr(store, "_tracker_store", None) or getattr(store, "tracker_store", None)
    return None


def bot_messages(data: dict[str, Any], recipient: str) -> list[dict[str, Any]]:
    """A stored BotUttered event as the collecting output channel had sent it: the text
    (with its buttons), then the custom payload, image and attachment, each on its own."""
    extra = data.get("data") or {}
    messages: list[dict[str, Any]] = []
    if extra.get("buttons"):
        messages.append(
            {"recipient_id": recipient, "text": data.get("text") or "", "buttons": extra["buttons"]}
        )
    elif data.get("text"):
        messages.append({"recipient_id": recipient, "text": data["text"]})
    for key in ("custom", "image", "attachment"):
        if extra.get(key):
            messages.append({"recipient_id": recipient, key: extra[key]})
    return messages


def answered_before(store: Any, sender_id: str, message_id: str) -> list[dict[str, Any]] | None:
    """The stored answer when the conversation's last user message had `message_id`."""
    sql = sql_store(store)
    if sql is None:
        return None
    event = sql.SQLEvent
    with sql.session_scope() as session:
        rows = (
            session.query(event.type_name, event.data)
            .filter(event.sender_id == sender_id)
            .order_by(event.id.desc())
            .limit(LOOK_BACK)
            .all()
        )
    replies: list[list[dict[str, Any]]] = []
    for type_name, raw in rows:
        if type_name == "user":
            data = json.loads(raw or "{}")
            if data.get("message_id") != message_id:
                return None
            log.info("Bericht al verwerkt; het antwoord wordt opnieuw gestuurd.")
            return [message for bot in reversed(replies) for message in bot]
        if type_name == "bot":
            replies.append(bot_messages(json.loads(raw or "{}"), sender_id))
    return None
