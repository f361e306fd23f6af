"""Mapping between the persona engine's state and Rasa slots.

Kept in the domain core (plain dicts in, plain dicts out) so the adapter in
actions/ stays thin and the mapping is tested without Rasa. Trust, stress and
the hidden-need stage have slots of their own (trainers and clients read
them); the rest of the state travels in one `persona_state` slot.
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
        "trust": state.trust,
        "stress": state.stress,
        "need_stage": state.need_stage.value,
        "persona_state": {
            "seed": state.seed,
            "turn": state.turn,
            "hidden_need_turn": state.hidden_need_turn,
            "moves": list(state.moves),
            "said": list(state.said),
            "curve": [list(point) for point in state.curve],
        },
    }


def changed_slots(current: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Only the slots whose value changes: every event is read again on every message."""
    return {name: value for name, value in new.items() if current.get(name) != value}


def state_from_slots(slots: dict[str, Any]) -> PersonaState | None:
    """The state kept in the tracker, or None when no practice was started."""
    rest = slots.get("persona_state")
    if not slots.get("persona_id") or slots.get("trust") is None or not isinstance(rest, dict):
        return None
    return PersonaState(
        persona_id=str(slots["persona_id"]),
        seed=int(rest.get("seed") or 0),
        trust=float(slots["trust"]),
        stress=float(slots.get("stress") or 0.0),
        turn=int(rest.get("turn") or 0),
        need_stage=NeedStage(slots.get("need_stage") or NeedStage.HIDDEN.value),
        hidden_need_turn=(
            None if rest.get("hidden_need_turn") is None else int(rest["hidden_need_turn"])
        ),
        moves=tuple(rest.get("moves") or ()),
        said=tuple(rest.get("said") or ()),
        curve=tuple((float(t), float(s)) for t, s in rest.get("curve") or ()),
    )
