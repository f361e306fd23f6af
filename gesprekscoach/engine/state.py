"""The persona's state during one practice session, and what goes in and out.

The state is a frozen value that round-trips through plain dicts, so the Rasa
action adapter can keep it in slots and the engine stays a pure function of
(state, message).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from typing import Any


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

    @property
    def hidden_need_found(self) -> bool:
        return self.need_stage is NeedStage.FOUND

    def with_changes(self, **changes: Any) -> PersonaState:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["need_stage"] = self.need_stage.value
        data["moves"] = list(self.moves)
        data["said"] = list(self.said)
        data["curve"] = [list(point) for point in self.curve]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonaState:
        return cls(
            persona_id=str(data["persona_id"]),
            seed=int(data["seed"]),
            trust=float(data["trust"]),
            stress=float(data["stress"]),
            turn=int(data.get("turn") or 0),
            need_stage=NeedStage(data.get("need_stage") or NeedStage.HIDDEN.value),
            hidden_need_turn=(
                None if data.get("hidden_need_turn") is None else int(data["hidden_need_turn"])
            ),
            moves=tuple(data.get("moves") or ()),
            said=tuple(data.get("said") or ()),
            curve=tuple((float(t), float(s)) for t, s in data.get("curve") or ()),
        )
