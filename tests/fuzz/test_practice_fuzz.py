"""The persona engine through gesprekscoach.practice, fed hostile messages.

Whatever the casemanager types and whatever NLU made of it, the inwoner
answers, trust and stress stay in 0-100, the turn counts up by one, the state
survives the trip through the slots (and through JSON, as the tracker keeps
it), the end gives a report, and the same persona, seed and messages always
give the same replies.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gesprekscoach import practice
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.transcript import turns_from_payloads
from gesprekscoach.language.acts import LabelledAct
from gesprekscoach.moves import FALLBACK
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.slots import STATUS_DONE, state_from_slots, state_to_slots
from gesprekscoach.turn import TurnEvent
from tests.fuzz.strategies import (
    INPUT_KINDS,
    MOVE_IDS,
    PERSONA_IDS,
    confidences,
    examples,
    hostile_parse_acts,
    hostile_text,
    int_seeds,
    moves_or_junk,
    persona_keys,
    well_formed_act,
)
from tests.fuzz.strategies import (
    catalogues as fuzz_catalogues,
)

# Trust and stress live on 0-100 (gesprekscoach.engine.engine.clamp; the slots in domain.yml).
LOW, HIGH = 0.0, 100.0
MOODS = {"rustig", "gespannen", "gestrest"}
KNOWN_MOVES = {*MOVE_IDS, FALLBACK, *INPUT_KINDS}
# Long enough for te_lang (1,200 characters) and past the clients' cut (5,000).
PRACTICE_MAX_TEXT = 6000

messages = st.tuples(
    hostile_text(PRACTICE_MAX_TEXT),
    moves_or_junk,
    confidences,
    st.one_of(st.none(), st.lists(well_formed_act, max_size=4)),
)
scripts = st.lists(messages, min_size=1, max_size=8)


def _acts(parse_acts: Any, move: str | None, confidence: float) -> tuple[LabelledAct, ...]:
    return () if parse_acts is None else practice.acts_from(parse_acts, move, confidence)


def _json_round_trip(slots: dict[str, Any]) -> dict[str, Any]:
    """The slots as the tracker keeps them: through JSON."""
    return dict(json.loads(json.dumps(slots)))


def play(
    catalogues: Catalogues, persona: str, seed: int, hints: bool, script: list[Any]
) -> tuple[list[list[str]], list[dict[str, Any]], dict[str, Any]]:
    """Start, then each message of the script, checking every turn: texts, payloads, slots."""
    out = practice.start(catalogues, persona, seed, hints)
    assert out.payload[PAYLOAD_KEY]["kind"] == "start"
    slots = dict(out.slots)
    texts, payloads = [out.texts], [out.payload[PAYLOAD_KEY]]
    for number, (text, move, confidence, parse_acts) in enumerate(script, 1):
        acts = _acts(parse_acts, move, confidence)
        before = state_from_slots(slots)
        assert before is not None
        out = practice.turn(catalogues, slots, text, move, confidence, acts)
        payload = out.payload[PAYLOAD_KEY]

        assert out.texts and all(isinstance(t, str) and t.strip() for t in out.texts)
        assert payload["kind"] == "turn", payload
        assert payload["turn"] == number
        assert payload["text"] == text
        assert payload["move"] in KNOWN_MOVES
        assert payload["moves"][0] == payload["move"]
        assert set(payload["moves"]) <= KNOWN_MOVES
        for key in ("trust", "stress"):
            assert LOW <= payload[key] <= HIGH and LOW <= out.slots[key] <= HIGH
        assert payload["trust_delta"] == round(payload["trust"] - before.trust, 1)
        assert payload["mood"] in MOODS
        assert isinstance(payload["coaching"], list) and len(payload["coaching"]) <= 1
        if not hints:
            assert payload["coaching"] == []
        event = TurnEvent.from_payload(payload, out.texts[-1])
        assert event.number == number and event.before.trust == before.trust
        if all(math.isfinite(c) for c in (confidence, *(a.confidence for a in acts))):
            json.dumps(payload, allow_nan=False)  # strict JSON for every client
            assert event.to_payload() == payload, "the payload is the event's, read back whole"
        else:
            json.dumps(payload)

        # The state survives the slots, and the slots survive JSON (the tracker).
        state = state_from_slots(out.slots)
        assert state is not None and state.turn == number and state.seed == seed
        assert state_to_slots(state) == out.slots
        assert state_from_slots(_json_round_trip(out.slots)) == state
        assert len(state.curve) == number + 1 and len(state.moves) == number

        slots = {**slots, **out.slots}
        texts.append(out.texts)
        payloads.append(payload)
    return texts, payloads, slots


# Messages (text, move, confidence, parse acts) that broke something somewhere before.
INJECTED = ('/vraag_wat_nodig{"seed": 1e999}', "vraag_wat_nodig", 1.0, None)
NULS_WITHOUT_CONFIDENCE = ("\x00" * 5000, None, math.nan, [])
WALL_OF_TEXT = ("Wat heeft u nodig? " * 300, "vraag_wat_nodig", 0.9, None)
HUGE_ACT = (
    "<b>Hoi</b> \u202e!",
    "begroeten",
    0.7,
    [{"move": "begroeten", "text": "x" * 9000, "confidence": 0.7}],
)


@settings(max_examples=examples(30))
@given(
    persona=st.sampled_from(PERSONA_IDS),
    seed=int_seeds,
    hints=st.booleans(),
    script=scripts,
)
@example(persona="henk", seed=10**30, hints=True, script=[INJECTED])
@example(persona="samira", seed=-1, hints=False, script=[NULS_WITHOUT_CONFIDENCE] * 3)
@example(persona="marco", seed=2**31 - 1, hints=True, script=[WALL_OF_TEXT, HUGE_ACT])
def test_practice_survives_hostile_messages_and_ends_with_a_report(
    persona: str, seed: int, hints: bool, script: list[Any]
) -> None:
    catalogues = fuzz_catalogues()
    texts, payloads, slots = play(catalogues, persona, seed, hints, script)

    turns = turns_from_payloads(list(zip(payloads, (t[-1] for t in texts), strict=True)))
    assert [t.number for t in turns] == list(range(1, len(script) + 1))
    end = practice.end(catalogues, slots, turns)
    payload = end.payload[PAYLOAD_KEY]
    assert payload["kind"] == "end"
    assert end.texts and all(isinstance(t, str) and t.strip() for t in end.texts)
    assert isinstance(payload["report"], dict) and payload["report"]
    assert len(payload["curve"]) == len(script) + 1
    json.dumps(payload, allow_nan=False)
    assert end.slots["practice_status"] == STATUS_DONE

    # After the end, a message is refused, not answered.
    after = practice.turn(catalogues, {**slots, **end.slots}, "Hallo?", "begroeten", 0.9)
    assert after.payload[PAYLOAD_KEY] == {"kind": "error", "error": "finished"}


@settings(max_examples=examples(10))
@given(
    persona=st.sampled_from(PERSONA_IDS),
    seed=int_seeds,
    hints=st.booleans(),
    script=scripts,
)
def test_same_persona_seed_and_messages_give_the_same_replies(
    persona: str, seed: int, hints: bool, script: list[Any]
) -> None:
    catalogues = fuzz_catalogues()
    first = play(catalogues, persona, seed, hints, script)
    second = play(catalogues, persona, seed, hints, script)
    assert first[0] == second[0]
    dumped = [json.dumps(p, sort_keys=True) for p in first[1]]
    assert dumped == [json.dumps(p, sort_keys=True) for p in second[1]]
    assert json.dumps(first[2], sort_keys=True) == json.dumps(second[2], sort_keys=True)


def _known(catalogues: Catalogues, key: str) -> bool:
    """A persona id or type, in any case, with spaces around (PersonaCatalogue.get)."""
    try:
        catalogues.personas.get(key)
    except KeyError:
        return False
    return True


@settings(max_examples=examples(60))
@given(persona=persona_keys, seed=int_seeds, hints=st.booleans())
def test_start_with_any_persona_key_and_seed(persona: str, seed: int, hints: bool) -> None:
    catalogues = fuzz_catalogues()
    out = practice.start(catalogues, persona, seed, hints)
    payload = out.payload[PAYLOAD_KEY]
    assert out.texts and all(t.strip() for t in out.texts)
    json.dumps(payload, allow_nan=False)
    if not persona or _known(catalogues, persona):
        assert payload["kind"] == "start" and payload["seed"] == seed
        state = state_from_slots(out.slots)
        assert state is not None and state.turn == 0
    else:
        assert payload == {"kind": "error", "error": "unknown_persona", "persona": persona}
        assert out.slots == {}


@settings(max_examples=examples(40))
@given(
    text=hostile_text(2000),
    move=moves_or_junk,
    confidence=confidences,
    slots=st.one_of(
        st.just({}),
        st.dictionaries(
            st.sampled_from(["persona_id", "trust", "stress", "persona_state", "practice_status"]),
            st.one_of(st.none(), st.just(""), st.just(0), st.just({}), st.just([])),
        ),
    ),
)
def test_a_message_without_a_practice_is_refused(
    text: str, move: str | None, confidence: float, slots: dict[str, Any]
) -> None:
    out = practice.turn(fuzz_catalogues(), slots, text, move, confidence)
    assert out.payload[PAYLOAD_KEY] == {"kind": "error", "error": "not_started"}


def _check_acts(acts: tuple[LabelledAct, ...], parse_acts: Any, move: str | None) -> None:
    assert acts, "there is always a main act"
    # The main act is NLU's intent; without one, the fallback.
    assert acts[0].move == move or (not move and acts[0].move == FALLBACK and len(acts) == 1)
    for act in acts:
        assert isinstance(act.text, str) and len(act.text) <= practice.MAX_ACT_CHARS
        assert isinstance(act.move, str) and isinstance(act.confidence, float)
    if not isinstance(parse_acts, list):
        assert len(acts) == 1


@settings(max_examples=examples(60))
@given(
    parse_acts=st.one_of(
        st.lists(well_formed_act, max_size=6),
        st.integers(min_value=0, max_value=600).map(
            lambda n: [{"move": "empathie", "text": "x" * 900, "confidence": 0.5}] * n
        ),
        st.sampled_from([None, "", "acts", 7, {"move": "empathie"}, [None, [], "x"]]),
    ),
    move=moves_or_junk,
    confidence=confidences,
)
def test_acts_from_caps_the_text_and_keeps_the_main_act_first(
    parse_acts: Any, move: str | None, confidence: float
) -> None:
    _check_acts(practice.acts_from(parse_acts, move, confidence), parse_acts, move)


@settings(max_examples=examples(150))
@given(parse_acts=hostile_parse_acts, move=moves_or_junk, confidence=confidences)
@example(
    parse_acts=[{"move": "empathie", "text": "x", "confidence": "hoog"}],
    move="empathie",
    confidence=0.5,
)
def test_acts_from_takes_any_parse_data(
    parse_acts: Any, move: str | None, confidence: float
) -> None:
    _check_acts(practice.acts_from(parse_acts, move, confidence), parse_acts, move)
