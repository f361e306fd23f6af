from gesprekscoach.engine import NeedStage, PersonaState
from gesprekscoach.slots import state_from_slots, state_to_slots


def test_state_round_trips_through_slots() -> None:
    state = PersonaState("henk", 3, 51.5, 40.0, 4, NeedStage.FOUND, 4,
                         ("begroeten", "stilte"), ("ab", "cd"), ((40, 45), (51.5, 40)))  # fmt: skip
    slots = state_to_slots(state)
    assert slots["practice_status"] == "bezig"
    assert state_from_slots(slots) == state


def test_no_practice_means_no_state() -> None:
    assert state_from_slots({}) is None
    assert state_from_slots({"persona_id": "henk", "trust": None}) is None
