"""The persona's state during one practice session, and what goes in and out.

The state is a frozen value that round-trips through plain dicts, so the Rasa
action adapter can keep it in slots and the engine stays a pure function of
(state, message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from typing import Any

from gesprekscoach.moves import CLOSED_MOVES


def closed_streak(moves: Sequence[str]) -> int:
    """How many closed questions or data requests in a row end these main moves.

    The one count of an interrogation: the persona reacts to it (engine) and the
    feedback flags it (feedback.report), so both must count the same way.
    """
    streak = 0
    for move in reversed(moves):
        if move not in CLOSED_MOVES:
            break
        streak += 1
    return streak


class NeedStage(str, Enum):
    HIDDEN = "verborgen"
    HINTED = "hint"
    FOUND = "gevonden"


@dataclass(frozen=True)
class Utterance:
    """One message of the casemanager, as NLU classified it."""

    text: str
    move: str | None
    confidence: float = 0.0
    moves: tuple[str, ...] = ()
    """The moves of all the message's acts, main act first (empty: just `move`)."""

    @property
    def all_moves(self) -> tuple[str, ...]:
        if self.moves:
            return self.moves
        return (self.move,) if self.move else ()


@dataclass(frozen=True)
class PersonaState:
    persona_id: str
    seed: int
    trust: float
    stress: float
    turn: int = 0
    need_stage: NeedStage = NeedStage.HIDDEN
    hidden_need_turn: int | None = None
    moves: tuple[str, ...] = ()
    """The move (or input kind) of every casemanager turn so far."""
    said: tuple[str, ...] = ()
    """Short ids of every reply the persona gave, so it does not repeat itself."""
    curve: tuple[tuple[float, float], ...] = field(default=())
    """Trust and stress after the opening and after every turn."""
    also: tuple[str, ...] = ()
    """The moves of the other acts of every turn so far (besides the main act in `moves`)."""
    told: tuple[str, ...] = ()
    """Topics the persona has talked about, so asked again it refers back."""
    subject: str | None = None
    """The topic or concern of the persona's last answer, for follow-up questions."""
    resolved: tuple[str, ...] = ()
    """Concerns the casemanager has dealt with."""
    promised: tuple[str, ...] = ()
    """Concerns the casemanager promised or arranged something for."""
    recalled: tuple[str, ...] = ()
    """Promises the persona has already brought up again."""
    variant: str | None = None
    """The persona's variant this session (another mood or one fact), None: as described."""

    @property
    def earlier_moves(self) -> frozenset[str]:
        return frozenset((*self.moves, *self.also))

    @property
    def hidden_need_found(self) -> bool:
        return self.need_stage is NeedStage.FOUND

    def with_changes(self, **changes: Any) -> PersonaState:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["need_stage"] = self.need_stage.value
        for key in _LISTS:
            data[key] = list(getattr(self, key))
        data["curve"] = [list(point) for point in self.curve]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonaState:
        return cls(
            persona_id=str(data["persona_id"]),
            seed=int(data.get("seed") or 0),
            trust=float(data["trust"]),
            stress=float(data.get("stress") or 0.0),
            turn=int(data.get("turn") or 0),
            need_stage=NeedStage(data.get("need_stage") or NeedStage.HIDDEN.value),
            hidden_need_turn=(
                None if data.get("hidden_need_turn") is None else int(data["hidden_need_turn"])
            ),
            curve=tuple((float(t), float(s)) for t, s in data.get("curve") or ()),
            subject=None if data.get("subject") is None else str(data["subject"]),
            variant=None if data.get("variant") is None else str(data["variant"]),
            **{key: tuple(str(v) for v in data.get(key) or ()) for key in _LISTS},
        )


# The fields that are tuples of strings (lists in the slot).
_LISTS = ("moves", "said", "also", "told", "resolved", "promised", "recalled")
