"""What a casemanager may use while practising: going back, and a tip for the next message.

Both are for learning, not for the exam: in exam mode (hints off) they are refused,
and in a werkatelier going back is off unless the facilitator allowed it. Pure
functions from the slots (and, for going back, the plan made from the tracker by
gesprekscoach.rewind) to an Output; the action adapter turns the plan into Rasa's
rewind events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gesprekscoach.domain import Catalogues
from gesprekscoach.engine.engine import mood
from gesprekscoach.feedback.next_step import suggest
from gesprekscoach.practice import Output, refusal, running
from gesprekscoach.protocol import PAYLOAD_KEY, REWIND, TIP
from gesprekscoach.rewind import OPNIEUW, Rewind
from gesprekscoach.slots import slot_count
from gesprekscoach.turn import Standing, TurnEvent

EXAM_NO_GOING_BACK = (
    "In de examenstand kun je niet terug. Schrijf gewoon je volgende bericht; "
    "aan het eind krijg je de feedback."
)
UNDO_OFF = "Terug en opnieuw beginnen staan in dit werkatelier uit. De begeleider kan ze aanzetten."
NOTHING_TO_UNDO = "Er is nog geen bericht om terug te nemen."
EXAM_NO_TIPS = "In de examenstand zijn er geen tips. Aan het eind krijg je de feedback."


def go_back(
    catalogues: Catalogues,
    slots: dict[str, Any],
    plan: Rewind | None,
    how: str,
    turns: Sequence[TurnEvent],
    asked_turn: int | None = None,
) -> Output:
    """Take back the last message (terug) or everything from message N on (opnieuw).

    The output's slots are the ones to set AFTER the rewind events: the count of going
    back and of tips, and the hints switch, survive it.
    """
    state = running(slots)
    if isinstance(state, Output):
        return state
    if slots.get("hints_on") is False:
        return refusal(EXAM_NO_GOING_BACK, "exam_mode")
    if not slots.get("undo_allowed"):
        return refusal(UNDO_OFF, "undo_off")
    if plan is None:
        if asked_turn is not None and turns:
            return refusal(
                f"Bericht {asked_turn} bestaat niet in dit gesprek. "
                f"Kies een nummer van 1 tot {turns[-1].number}.",
                "no_such_turn",
                last=turns[-1].number,
            )
        return refusal(NOTHING_TO_UNDO, "nothing_to_undo")
    persona = catalogues.persona(state.persona_id, state.variant)
    first = persona.name.split()[0]
    taken = next((t for t in turns if t.number == plan.from_turn), None)
    standing = taken.before if taken else Standing(state.trust, state.stress)
    reverts = slot_count(slots, "reverts") + 1
    if how == OPNIEUW:
        count = f"{plan.turns} bericht{'en' if plan.turns != 1 else ''}"
        text = (
            f"Je begint opnieuw bij bericht {plan.from_turn}: {count} teruggenomen. "
            f"{first} weet er niets meer van (vertrouwen {standing.trust:.0f}). "
            "Schrijf je bericht."
        )
    else:
        text = (
            f"Bericht {plan.from_turn} is teruggenomen. {first} weet er niets meer van "
            f"(vertrouwen {standing.trust:.0f}). Probeer het eens anders."
        )
    payload = {
        "kind": REWIND,
        "how": how,
        "from_turn": plan.from_turn,
        "turns": plan.turns,
        "turn": plan.from_turn - 1,
        "trust": standing.trust,
        "stress": standing.stress,
        "mood": mood(standing.stress),
        "reverts": reverts,
    }
    keep = {
        "reverts": float(reverts),
        "tips_asked": float(slot_count(slots, "tips_asked")),
        "hints_on": slots.get("hints_on", True) is not False,
    }
    return Output([text], {PAYLOAD_KEY: payload}, keep)


def tip(catalogues: Catalogues, slots: dict[str, Any]) -> Output:
    """One suggestion for the next message, for the inwoner's state and what was not tried."""
    state = running(slots)
    if isinstance(state, Output):
        return state
    if slots.get("hints_on") is False:
        return refusal(EXAM_NO_TIPS, "exam_mode")
    persona = catalogues.persona(state.persona_id, state.variant)
    suggestion = suggest(catalogues.next_steps, persona, state)
    asked = slot_count(slots, "tips_asked") + 1
    payload = {
        "kind": TIP,
        "tip": suggestion.tip,
        "heading": catalogues.tips.tips[suggestion.tip].heading,
        "text": suggestion.text,
        "try": suggestion.try_,
        "tips_asked": asked,
    }
    return Output([suggestion.message()], {PAYLOAD_KEY: payload}, {"tips_asked": float(asked)})
