"""Going back in a practice: which messages to take back, the Rasa way.

The action answers a "terug" or "opnieuw vanaf bericht N" command with one
UserUtteranceReverted event per user message to take back, the command's own
message included: Rasa then replays the tracker without them, so the slots (the
persona's state) are as they were before that turn. This module counts them from
the tracker's applied events; it knows nothing of Rasa's classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gesprekscoach.protocol import PAYLOAD_KEY, START, TURN, kind_of

TERUG = "terug"
OPNIEUW = "opnieuw"


@dataclass(frozen=True)
class Rewind:
    messages: int
    """User messages to take back (UserUtteranceReverted events), the command's own included."""
    from_turn: int
    """The first turn taken back: the casemanager goes on from there."""
    turns: int
    """How many turns of the conversation that takes back."""


def _payload(event: dict[str, Any]) -> dict[str, Any] | None:
    custom = (event.get("data") or {}).get("custom") or {}
    payload = custom.get(PAYLOAD_KEY) if isinstance(custom, dict) else None
    return payload if isinstance(payload, dict) else None


def plan_rewind(events: Iterable[dict[str, Any]], to_turn: int | None) -> Rewind | None:
    """What to take back to stand again before turn `to_turn` (None: the last turn).

    `events` are the tracker's applied events, the command's own user message last.
    None when there is no such turn in the current practice (nothing to go back to).
    """
    users: list[int | None] = []
    """Per user message since the practice started: the turn it made, or None."""
    for event in events:
        if event.get("event") == "user":
            users.append(None)
        elif event.get("event") == "bot" and users:
            payload = _payload(event)
            if payload is None:
                continue
            kind = kind_of(payload)
            if kind == START:
                users = []
            elif kind == TURN and isinstance(payload.get("turn"), int):
                users[-1] = payload["turn"]
    made = [(i, turn) for i, turn in enumerate(users) if turn is not None]
    if not made:
        return None
    target = made[-1][1] if to_turn is None else to_turn
    first = next((i for i, turn in made if turn == target), None)
    if first is None:
        return None
    last_turn = made[-1][1]
    return Rewind(messages=len(users) - first, from_turn=target, turns=last_turn - target + 1)
