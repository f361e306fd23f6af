"""Mapping between the persona engine's state and Rasa slots.

Kept in the domain core (plain dicts in, plain dicts out) so the adapter in
actions/ stays thin and the mapping is tested without Rasa. Trust, stress and
the hidden-need stage have slots of their own (trainers and clients read
them); the rest of the state travels in one `persona_state` slot.
"""

from __future__ import annotations

from typing import Any

from gesprekscoach.engine import PersonaState

STATUS_RUNNING = "bezig"
STATUS_DONE = "klaar"


# Trust, stress and the need stage have slots of their own; the rest of the
# state travels in persona_state.
_OWN_SLOTS = ("persona_id", "trust", "stress", "need_stage")


def state_to_slots(state: PersonaState, status: str = STATUS_RUNNING) -> dict[str, Any]:
    rest = {k: v for k, v in state.to_dict().items() if k not in _OWN_SLOTS}
    return {
        "persona_id": state.persona_id,
        "practice_status": status,
        "trust": state.trust,
        "stress": state.stress,
        "need_stage": state.need_stage.value,
        "persona_state": rest,
    }


def slot_count(slots: dict[str, Any], name: str) -> int:
    """A counter kept in a float slot (Rasa's number slots), as a whole number; 0 if unset."""
    value = slots.get(name)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def changed_slots(current: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Only the slots whose value changes: every event is read again on every message."""
    return {name: value for name, value in new.items() if current.get(name) != value}


def state_from_slots(slots: dict[str, Any]) -> PersonaState | None:
    """The state kept in the tracker, or None when no practice was started."""
    rest = slots.get("persona_state")
    if not slots.get("persona_id") or slots.get("trust") is None or not isinstance(rest, dict):
        return None
    own = {key: slots.get(key) for key in _OWN_SLOTS}
    return PersonaState.from_dict({**rest, **own})
