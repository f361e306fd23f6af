from gesprekscoach.engine import NeedStage, PersonaState
from gesprekscoach.slots import changed_slots, state_from_slots, state_to_slots


def test_state_round_trips_through_slots() -> None:
    state = PersonaState(
        persona_id="henk",
        seed=3,
        trust=51.5,
        stress=40.0,
        turn=4,
        need_stage=NeedStage.FOUND,
        hidden_need_turn=4,
        moves=("begroeten", "stilte"),
        said=("ab", "cd"),
        curve=((40, 45), (51.5, 40)),
    )
    slots = state_to_slots(state)
    assert slots["practice_status"] == "bezig"
    assert state_from_slots(slots) == state


def test_only_changed_slots_are_set() -> None:
    state = PersonaState("henk", 3, 40.0, 45.0)
    before = state_to_slots(state)
    after = state_to_slots(state.with_changes(turn=1, stress=41.0))
    assert set(changed_slots(before, after)) == {"stress", "persona_state"}


def test_no_practice_means_no_state() -> None:
    assert state_from_slots({}) is None
    assert state_from_slots({"persona_id": "henk", "trust": None}) is None
