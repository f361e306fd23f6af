"""The turns of a practice conversation, as feedback needs them.

Built from the turn details the action attaches to every persona reply (see
gesprekscoach.practice), so the report can be made from the Rasa tracker's
events, from `coach play` output, or from the database later, alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gesprekscoach.moves import CLOSED_MOVES
from gesprekscoach.protocol import PAYLOAD_KEY


@dataclass(frozen=True)
class Turn:
    number: int
    text: str
    move: str
    confidence: float
    reply: str
    trust_before: float
    trust: float
    stress: float
    language: dict[str, Any] = field(default_factory=dict)
    coaching: tuple[str, ...] = ()
    hidden_need_revealed: bool = False
    moves: tuple[str, ...] = ()
    """Every act's move, main act first (empty in turns logged before acts existed)."""

    @property
    def all_moves(self) -> tuple[str, ...]:
        return self.moves or (self.move,)

    @property
    def jargon(self) -> list[dict[str, str]]:
        return list(self.language.get("jargon") or [])

    @property
    def b1_ok(self) -> bool:
        return bool(self.language.get("b1_ok", True))

    @property
    def words(self) -> int:
        return len(self.text.split())


def turns_from_payloads(payloads: Iterable[tuple[dict[str, Any], str]]) -> list[Turn]:
    """Turns from (turn payload, persona reply text) pairs, in order."""
    turns: list[Turn] = []
    for payload, reply in payloads:
        if payload.get("kind") == "start":  # a new practice in the same conversation
            turns = []
        if payload.get("kind") != "turn":
            continue
        turns.append(
            Turn(
                number=int(payload["turn"]),
                text=str(payload.get("text") or ""),
                move=str(payload.get("move")),
                confidence=float(payload.get("confidence") or 0.0),
                reply=reply,
                trust_before=float(payload["trust"]) - float(payload.get("trust_delta") or 0.0),
                trust=float(payload["trust"]),
                stress=float(payload["stress"]),
                language=dict(payload.get("language") or {}),
                coaching=tuple(payload.get("coaching") or ()),
                hidden_need_revealed=payload.get("reaction") == "hidden_need",
                moves=tuple(str(m) for m in payload.get("moves") or ()),
            )
        )
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


def turns_from_events(events: Iterable[dict[str, Any]]) -> list[Turn]:
    """Turns of the latest practice, from Rasa tracker events (the bot events carry them)."""
    return turns_from_payloads(_payloads(events))


def practices_started(events: Iterable[dict[str, Any]]) -> int:
    """How many practices this conversation has started so far (a restart makes another)."""
    return sum(payload.get("kind") == "start" for payload, _ in _payloads(events))


def closed_streak(turns: list[Turn], index: int) -> int:
    """How many closed questions or data requests in a row end at turns[index]."""
    streak = 0
    for turn in reversed(turns[: index + 1]):
        if turn.move not in CLOSED_MOVES:
            break
        streak += 1
    return streak
