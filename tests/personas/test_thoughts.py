"""Every reaction of every persona has an inner thought, and the engine finds it.

A guard over the files: the loader refuses a file without them, and these tests walk
what the engine can choose (every move's reply, every reaction, the hidden need, its
hint, every concern) to check a thought comes out, in the inwoner's voice.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import PersonaEngine
from gesprekscoach.engine.state import PersonaState, Utterance
from gesprekscoach.personas.model import BANDS, SPECIAL_REPLIES, Persona, ReplySet

WORDS_A_PERSONA_NEVER_THINKS = ("casemanager", "tip ", "CK-", "AO-", "move", "intent")


def thought_sets(persona: Persona) -> Iterator[tuple[str, ReplySet]]:
    thoughts = persona.thoughts
    assert thoughts is not None, f"{persona.id}: no thoughts"
    yield from ((f"moves.{k}", v) for k, v in thoughts.moves.items())
    yield from ((f"reactions.{k}", v) for k, v in thoughts.reactions.items())
    yield "hidden_need", thoughts.hidden_need
    if thoughts.hint is not None:
        yield "hint", thoughts.hint
    for concern, own in thoughts.concerns.items():
        yield f"concerns.{concern}.acknowledge", own.acknowledge
        yield f"concerns.{concern}.recall", own.recall


def test_every_reaction_of_every_persona_has_a_thought(catalogues: Catalogues) -> None:
    for persona in catalogues.personas:
        thoughts = persona.thoughts
        assert thoughts is not None
        assert set(thoughts.moves) == {*catalogues.moves.ids, *SPECIAL_REPLIES}
        assert set(thoughts.reactions) == {r.id for r in persona.reactions}
        assert set(thoughts.concerns) == {c.id for c in persona.concerns}
        assert (thoughts.hint is None) == (persona.hidden_need.hint is None)
        for where, lines in thought_sets(persona):
            for band in BANDS:
                assert lines.for_band(band), f"{persona.id} {where} {band}"
                for line in lines.for_band(band):
                    assert not any(w in line for w in WORDS_A_PERSONA_NEVER_THINKS), line


def test_thoughts_are_the_personas_own(catalogues: Catalogues) -> None:
    """No persona thinks another's thoughts: they are written per person, not copied."""
    seen: dict[str, str] = {}
    for persona in catalogues.personas:
        for _, lines in thought_sets(persona):
            for line in {*lines.low, *lines.mid, *lines.high}:
                assert seen.setdefault(line, persona.id) == persona.id, line


@pytest.mark.parametrize("trust", [10.0, 50.0, 90.0])
def test_the_engine_gives_a_thought_for_every_move(catalogues: Catalogues, trust: float) -> None:
    for persona in catalogues.personas:
        engine = PersonaEngine(persona, catalogues.jargon)
        state, _ = engine.start(seed=1)
        state = state.with_changes(trust=trust)
        for move in catalogues.moves.ids:
            result = engine.respond(state, Utterance("Hoe gaat het?", move, 0.9))
            assert result.thought, f"{persona.id} {move} at trust {trust}"


def test_the_engine_gives_the_thought_of_the_reaction_that_fired(
    catalogues: Catalogues,
) -> None:
    for persona in catalogues.personas:
        engine = PersonaEngine(persona, catalogues.jargon)
        assert persona.thoughts is not None
        state: PersonaState = engine.start(seed=2)[0]
        fired: set[str] = set()
        for turn in range(12):
            for move in catalogues.moves.ids:
                for trust in (10.0, 40.0, 70.0):
                    tried = state.with_changes(trust=trust, turn=turn)
                    result = engine.respond(tried, Utterance("Conform artikel 17", move, 0.9))
                    lines = persona.thoughts.lines_for(result.reaction, result.move, None)
                    if result.reaction in persona.thoughts.reactions and lines is not None:
                        fired.add(result.reaction or "")
                        assert result.thought in {*lines.low, *lines.mid, *lines.high}
        assert fired, f"{persona.id}: no reaction fired at all"
