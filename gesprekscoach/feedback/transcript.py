"""The turns of a practice conversation, as feedback needs them.

Read from the turn payload the action attaches to every persona reply (see
gesprekscoach.practice and gesprekscoach.turn), so the report can be made from
the Rasa tracker's events, from `coach play` output, or from the database alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gesprekscoach.protocol import PAYLOAD_KEY, START, TURN, kind_of
from gesprekscoach.turn import TurnEvent


def turns_from_payloads(payloads: Iterable[tuple[dict[str, Any], str]]) -> list[TurnEvent]:
    """The turns of the latest practice from (payload, persona reply text) pairs, in order.

    Raises gesprekscoach.turn.PayloadError for a turn payload that cannot be read.
    """
    turns: list[TurnEvent] = []
    for payload, reply in payloads:
        kind = kind_of(payload)
        if kind == START:  # a new practice in the same conversation
            turns = []
        elif kind == TURN:
            turns.append(TurnEvent.from_payload(payload, reply))
    return turns


def _payloads(events: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    pairs = []
    for event in events:
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom") or {}
        payload = custom.get(PAYLOAD_KEY) if isinstance(custom, dict) else None
        if isinstance(payload, dict):
            pairs.append((payload, str(event.get("text") or "")))
    return pairs


def turns_from_events(events: Iterable[dict[str, Any]]) -> list[TurnEvent]:
    """Turns of the latest practice, from Rasa tracker events (the bot events carry them)."""
    return turns_from_payloads(_payloads(events))


def practices_started(events: Iterable[dict[str, Any]]) -> int:
    """How many practices this conversation has started so far (a restart makes another)."""
    return sum(kind_of(payload) == START for payload, _ in _payloads(events))
