"""Mapping between the persona engine's state and Rasa slots.

Kept in the domain core (plain dicts in, plain dicts out) so the adapter in
actions/ stays thin and the mapping is tested without Rasa.
"""

from __future__ import annotations

from typing import Any

from gesprekscoach.engine import NeedStage, PersonaState

STATUS_RUNNING = "bezig"
STATUS_DONE = "klaar"


def state_to_slots(state: PersonaState, status: str = STATUS_RUNNING) -> dict[str, Any]:
    return {
        "persona_id": state.persona_id,
        "practice_status": status,
        "seed": float(state.seed),
        "trust": state.trust,
        "stress": state.stress,
        "turn": float(state.turn),
        "need_stage": state.need_stage.value,
        "hidden_need_turn": (
            None if state.hidden_need_turn is None else float(state.hidden_need_turn)
        ),
        "moves_made": list(state.moves),
        "replies_said": list(state.said),
        "curve": [list(point) for point in state.curve],
    }


def state_from_slots(slots: dict[str, Any]) -> PersonaState | None:
    """The state kept in the tracker, or None when no practice was started."""
    if not slots.get("persona_id") or slots.get("trust") is None:
        return None
    return PersonaState(
        persona_id=str(slots["persona_id"]),
        seed=int(slots.get("seed") or 0),
        trust=float(slots["trust"]),
        stress=float(slots.get("stress") or 0.0),
        turn=int(slots.get("turn") or 0),
        need_stage=NeedStage(slots.get("need_stage") or NeedStage.HIDDEN.value),
        hidden_need_turn=(
            None if slots.get("hidden_need_turn") is None else int(slots["hidden_need_turn"])
        ),
        moves=tuple(slots.get("moves_made") or ()),
        said=tuple(slots.get("replies_said") or ()),
        curve=tuple((float(t), float(s)) for t, s in slots.get("curve") or ()),
    )
