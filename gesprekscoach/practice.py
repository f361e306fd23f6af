"""One practice session, as the channels see it: start, a turn, the end.

Pure functions from (catalogues, slots, message) to what the inwoner says, the
machine-readable turn details for clients, and the new slot values. The Rasa
action adapter and the tests both call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import PersonaState, TurnResult, Utterance
from gesprekscoach.engine.engine import mood
from gesprekscoach.feedback.hints import hint_for
from gesprekscoach.feedback.looking_back import (
    reflection_text,
    score_all,
    thoughts_payload,
    thoughts_text,
)
from gesprekscoach.feedback.reflection import best_score, need_moments
from gesprekscoach.feedback.render import render_text, split_for_chat
from gesprekscoach.feedback.report import Report, build_report
from gesprekscoach.language.acts import LabelledAct
from gesprekscoach.moves import FALLBACK
from gesprekscoach.personas import Persona, variants
from gesprekscoach.protocol import END, ERROR, HINTS, PAYLOAD_KEY, START
from gesprekscoach.slots import STATUS_DONE, slot_count, state_from_slots, state_to_slots
from gesprekscoach.turn import Standing, TurnEvent

NOT_STARTED = (
    "Er loopt nog geen oefengesprek. Kies eerst een inwoner om mee te oefenen "
    "(in de terminal: coach chat)."
)
ALREADY_DONE = "Dit oefengesprek is al afgelopen. Begin een nieuw gesprek om verder te oefenen."
# An act's text is logged with the turn; the whole message is already there.
MAX_ACT_CHARS = 500
HINTS_ON = "Tips tijdens het gesprek staan aan."
HINTS_OFF = "Tips tijdens het gesprek staan uit (examenstand). Je krijgt de feedback aan het eind."


@dataclass(frozen=True)
class Output:
    texts: list[str]
    payload: dict[str, Any]
    slots: dict[str, Any] = field(default_factory=dict)


def refusal(text: str, error: str, **extra: Any) -> Output:
    """What cannot be done, said in Dutch, with its error code for clients; nothing changes."""
    return Output([text], {PAYLOAD_KEY: {"kind": ERROR, "error": error, **extra}})


def running(slots: dict[str, Any]) -> PersonaState | Output:
    """The state of the practice that runs, or the refusal when none runs or it has ended."""
    state = state_from_slots(slots)
    if state is None:
        return refusal(NOT_STARTED, "not_started")
    if slots.get("practice_status") == STATUS_DONE:
        return refusal(ALREADY_DONE, "finished")
    return state


def refused(text: str, field: str) -> Output:
    """A control value that is not acceptable: said in Dutch, nothing started or logged."""
    return refusal(text, f"invalid_{field}")


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


def _variant_payload(persona: Persona) -> dict[str, Any]:
    variant = persona.variant
    return {"variant": variant.id if variant else None, "variant_label": variant and variant.label}


def start(
    catalogues: Catalogues,
    persona_key: str | None,
    seed: int,
    hints: bool = True,
    undo: bool | None = None,
    variant: str | None = None,
) -> Output:
    """The opening line; going back is allowed as `undo` says (None: yes), never in exam mode.

    `variant`: None or "geen" plays the persona as described, "willekeurig" the variant
    the seed gives, an id that variant (variants.resolve).
    """
    personas = catalogues.personas
    key = persona_key or next(iter(personas.personas))
    try:
        described = personas.get(key)
    except KeyError:
        names = ", ".join(f"{p.id} ({p.type})" for p in personas)
        return Output(
            [f"Die inwoner ken ik niet: {key!r}. Kies uit: {names}."],
            {PAYLOAD_KEY: {"kind": ERROR, "error": "unknown_persona", "persona": key}},
        )
    try:
        chosen = variants.resolve(described, variant, seed)
    except KeyError:
        names = ", ".join((variants.NONE, variants.RANDOM, *(v.id for v in described.variants)))
        first = described.name.split()[0]
        return refusal(
            f"Die variant van {first} ken ik niet: {variant!r}. Kies uit: {names}.",
            "unknown_variant",
            variant=variant,
        )
    engine = catalogues.engine(described.id, chosen)
    persona = engine.persona
    state, opening = engine.start(seed)
    undo_allowed = hints and undo is not False
    payload = {
        "kind": START,
        "persona_name": persona.name,
        "persona_type": persona.type,
        "briefing": persona.briefing,
        "hints": hints,
        "undo": undo_allowed,
        "seed": seed,
        **_variant_payload(persona),
        **_state_payload(state),
    }
    slots = {
        **state_to_slots(state),
        "hints_on": hints,
        "undo_allowed": undo_allowed,
        "reverts": 0.0,
        "tips_asked": 0.0,
    }
    return Output([opening], {PAYLOAD_KEY: payload}, slots)


def set_hints(slots: dict[str, Any], on: bool) -> Output:
    text = HINTS_ON if on else HINTS_OFF
    return Output([text], {PAYLOAD_KEY: {"kind": HINTS, "hints": on}}, {"hints_on": on})


def _confidence(value: Any) -> float:
    """A confidence from parse data: a number in 0-1, whatever was sent."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    number = float(value) if abs(value) < 1e300 else 0.0
    return min(max(number, 0.0), 1.0) if number == number else 0.0


def acts_from(parse_acts: Any, move: str | None, confidence: float) -> tuple[LabelledAct, ...]:
    """The message's acts as NLU sent them (main act first); one act when NLU sent none."""
    acts: list[LabelledAct] = []
    for item in parse_acts if isinstance(parse_acts, list) else []:
        if isinstance(item, dict) and isinstance(item.get("move"), str):
            text = str(item.get("text") or "")[:MAX_ACT_CHARS]
            acts.append(LabelledAct(text, item["move"], _confidence(item.get("confidence"))))
    if not acts or acts[0].move != move:
        return (LabelledAct("", move or FALLBACK, confidence),)
    return tuple(acts)


def turn(
    catalogues: Catalogues,
    slots: dict[str, Any],
    text: str,
    move: str | None,
    confidence: float,
    acts: tuple[LabelledAct, ...] = (),
) -> Output:
    state = running(slots)
    if isinstance(state, Output):
        return state
    engine = catalogues.engine(state.persona_id, state.variant)
    moves = tuple(a.move for a in acts) or ((move,) if move else ())
    result = engine.respond(state, Utterance(text, move, confidence, moves))
    event = _event(catalogues, state, result, text, move, confidence, acts)
    if slots.get("hints_on", True) is not False:
        persona = engine.persona.name
        hint = hint_for(catalogues.rules, catalogues.tips, event, state.moves, persona)
        event = replace(event, coaching=(hint,) if hint else ())
    return Output([result.reply], {PAYLOAD_KEY: event.to_payload()}, state_to_slots(result.state))


def _event(
    catalogues: Catalogues,
    before: PersonaState,
    result: TurnResult,
    text: str,
    move: str | None,
    confidence: float,
    acts: tuple[LabelledAct, ...],
) -> TurnEvent:
    """What this turn produced, before any coaching hint."""
    after = result.state
    return TurnEvent(
        number=after.turn,
        persona=after.persona_id,
        text=text,
        reply=result.reply,
        move=result.move,
        before=Standing(before.trust, before.stress),
        after=Standing(after.trust, after.stress),
        moves=result.moves,
        acts=acts,
        topics=result.topics,
        concern_resolved=result.concern_resolved,
        nlu_move=move,
        confidence=round(confidence, 3),
        input_kind=result.input_kind.value,
        reaction=result.reaction,
        mood=mood(after.stress),
        need_stage=after.need_stage.value,
        hidden_need_found=after.hidden_need_found,
        hidden_need_turn=after.hidden_need_turn,
        language=catalogues.language.check(text),
        thought=result.thought,
    )


def report_for(
    catalogues: Catalogues,
    persona_id: str,
    turns: list[TurnEvent],
    start: Standing,
    hidden_need_turn: int | None,
    reverts: int = 0,
    tips_asked: int = 0,
    variant: str | None = None,
) -> Report:
    """The report of a practice from its turns: at the end, or on the way (werkatelier)."""
    persona = catalogues.persona(persona_id, variant)
    return build_report(
        persona=persona,
        reverts=reverts,
        tips_asked=tips_asked,
        moves=catalogues.moves,
        tips=catalogues.tips,
        rules=catalogues.rules,
        persona_id=persona.id,
        persona_name=persona.name,
        turns=turns,
        start_trust=start.trust,
        start_stress=start.stress,
        hidden_need_turn=hidden_need_turn,
    )


def end(
    catalogues: Catalogues,
    slots: dict[str, Any],
    turns: list[TurnEvent],
    reflections: Sequence[tuple[str, str | None]] = (),
) -> Output:
    """The summary, the reflection beside the need, what the inwoner thought, the report.

    `turns` come from the tracker's applied events (feedback.transcript): the conversation
    as finally held, after any going back. `reflections` are the answers to "what did they
    need?" as (text, pseudonym in a group round); none: skipped.
    """
    state = state_from_slots(slots)
    if state is None:
        return refusal(NOT_STARTED, "not_started")
    persona = catalogues.persona(state.persona_id, state.variant)
    need = persona.hidden_need
    if state.hidden_need_found:
        first = persona.name.split()[0]
        found = f"{first} vertelde wat er echt speelde, in bericht {state.hidden_need_turn}."
    else:
        found = "De verborgen behoefte kwam niet boven."
    start_trust = state.curve[0][0] if state.curve else persona.start_trust
    reverts, tips_asked = slot_count(slots, "reverts"), slot_count(slots, "tips_asked")
    summary = (
        f"Het oefengesprek met {persona.name} is klaar. Je stuurde {state.turn} "
        f"bericht{'en' if state.turn != 1 else ''}. Vertrouwen: van {start_trust:.0f} "
        f"naar {state.trust:.0f}. Spanning: {state.stress:.0f} ({mood(state.stress)}).\n{found}"
    )
    opening = (
        Standing(*state.curve[0])
        if state.curve
        else Standing(persona.start_trust, persona.start_stress)
    )
    report = report_for(
        catalogues,
        persona.id,
        turns,
        opening,
        state.hidden_need_turn,
        reverts=reverts,
        tips_asked=tips_asked,
        variant=state.variant,
    )
    scored = score_all(persona, reflections)
    moments = need_moments(persona, turns)
    payload = {
        "kind": END,
        "persona_name": persona.name,
        "persona_type": persona.type,
        "hidden_need": need.summary,
        **_variant_payload(persona),
        "curve": [list(point) for point in state.curve],
        "moves": list(state.moves),
        "report": report.to_dict(),
        "reflection": scored[0].to_dict() if not scored[0].skipped else None,
        "reflections": [r.to_dict() for r in scored if not r.skipped],
        "reflection_score": best_score(scored),
        "need_moments": list(moments),
        "thoughts": thoughts_payload(turns),
        "reverts": reverts,
        "tips_asked": tips_asked,
        **_state_payload(state),
    }
    looking_back = [reflection_text(persona, scored, moments), thoughts_text(persona, turns)]
    texts = [summary, *split_for_chat(looking_back), *render_text(report)]
    return Output(texts, {PAYLOAD_KEY: payload}, state_to_slots(state, STATUS_DONE))


__all__ = ["Output", "PAYLOAD_KEY", "end", "set_hints", "start", "turn"]
