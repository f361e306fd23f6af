"""One practice session, as the channels see it: start, a turn, the end.

Pure functions from (catalogues, slots, message) to what the inwoner says, the
machine-readable turn details for clients, and the new slot values. The Rasa
action adapter and the tests both call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import PersonaState, Utterance
from gesprekscoach.engine.engine import mood
from gesprekscoach.slots import STATUS_DONE, STATUS_RUNNING, state_from_slots, state_to_slots

PAYLOAD_KEY = "coach"
NOT_STARTED = (
    "Er loopt nog geen oefengesprek. Kies eerst een inwoner om mee te oefenen "
    "(in de terminal: coach chat)."
)
ALREADY_DONE = "Dit oefengesprek is al afgelopen. Begin een nieuw gesprek om verder te oefenen."


@dataclass(frozen=True)
class Output:
    texts: list[str]
    payload: dict[str, Any]
    slots: dict[str, Any] = field(default_factory=dict)


def _state_payload(state: PersonaState) -> dict[str, Any]:
    return {
        "persona": state.persona_id,
        "turn": state.turn,
        "trust": state.trust,
        "stress": state.stress,
        "mood": mood(state.stress),
        "need_stage": state.need_stage.value,
        "hidden_need_found": state.hidden_need_found,
        "hidden_need_turn": state.hidden_need_turn,
    }


def start(catalogues: Catalogues, persona_key: str | None, seed: int) -> Output:
    personas = catalogues.personas
    key = persona_key or next(iter(personas.personas))
    try:
        engine = catalogues.engine(key)
    except KeyError:
        names = ", ".join(f"{p.id} ({p.type})" for p in personas)
        return Output(
            [f"Die inwoner ken ik niet: {key!r}. Kies uit: {names}."],
            {PAYLOAD_KEY: {"kind": "error", "error": "unknown_persona", "persona": key}},
        )
    persona = engine.persona
    state, opening = engine.start(seed)
    payload = {
        "kind": "start",
        "persona_name": persona.name,
        "persona_type": persona.type,
        "briefing": persona.briefing,
        **_state_payload(state),
    }
    return Output([opening], {PAYLOAD_KEY: payload}, state_to_slots(state))


def turn(
    catalogues: Catalogues,
    slots: dict[str, Any],
    text: str,
    move: str | None,
    confidence: float,
) -> Output:
    state = state_from_slots(slots)
    if state is None:
        return Output([NOT_STARTED], {PAYLOAD_KEY: {"kind": "error", "error": "not_started"}})
    if slots.get("practice_status") == STATUS_DONE:
        return Output([ALREADY_DONE], {PAYLOAD_KEY: {"kind": "error", "error": "finished"}})
    engine = catalogues.engine(state.persona_id)
    result = engine.respond(state, Utterance(text, move, confidence))
    payload = {
        "kind": "turn",
        "move": result.move,
        "nlu_move": move,
        "confidence": round(confidence, 3),
        "input_kind": result.input_kind.value,
        "reaction": result.reaction,
        "trust_delta": result.trust_delta,
        "stress_delta": result.stress_delta,
        "jargon": [
            {"term": hit.term, "alternative": hit.alternative, "found": hit.found}
            for hit in result.jargon
        ],
        **_state_payload(result.state),
    }
    return Output([result.reply], {PAYLOAD_KEY: payload}, state_to_slots(result.state))


def end(catalogues: Catalogues, slots: dict[str, Any]) -> Output:
    state = state_from_slots(slots)
    if state is None:
        return Output([NOT_STARTED], {PAYLOAD_KEY: {"kind": "error", "error": "not_started"}})
    persona = catalogues.personas.get(state.persona_id)
    need = persona.hidden_need
    if state.hidden_need_found:
        found = (
            f"Je hebt de verborgen behoefte gevonden, in bericht {state.hidden_need_turn}: "
            f"{need.summary}"
        )
    else:
        found = f"De verborgen behoefte kwam niet boven. Die was: {need.summary}"
    start_trust = state.curve[0][0] if state.curve else persona.start_trust
    summary = (
        f"Het oefengesprek met {persona.name} is klaar. Je stuurde {state.turn} "
        f"bericht{'en' if state.turn != 1 else ''}. Vertrouwen: van {start_trust:.0f} "
        f"naar {state.trust:.0f}. Spanning: {state.stress:.0f} ({mood(state.stress)}).\n{found}"
    )
    payload = {
        "kind": "end",
        "persona_name": persona.name,
        "persona_type": persona.type,
        "hidden_need": need.summary,
        "curve": [list(point) for point in state.curve],
        "moves": list(state.moves),
        **_state_payload(state),
    }
    return Output([summary], {PAYLOAD_KEY: payload}, state_to_slots(state, STATUS_DONE))


__all__ = ["Output", "PAYLOAD_KEY", "STATUS_RUNNING", "end", "start", "turn"]
