"""Every persona's own scripts, on their labelled moves: the good conversation brings out the
hidden need, the poor and the hurried ones do not, and that holds under every variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.play import load_script
from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import Utterance

ROOT = Path(__file__).resolve().parents[2]
PERSONAS = sorted(p.stem for p in (ROOT / "data/personas").glob("*.yml"))
STYLES = {"goed": True, "slecht": False, "gehaast": False}


def found(catalogues: Catalogues, persona: str, style: str, variant: str | None) -> bool:
    script = load_script(ROOT / "tests/conversations" / f"{persona}_{style}.yml")
    engine = catalogues.engine(persona, variant)
    state, _ = engine.start(seed=1)
    for text, move in zip(script.lines, script.expected_moves, strict=True):
        state = engine.respond(state, Utterance(text, move, 0.9)).state
    return state.hidden_need_found


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("style", sorted(STYLES))
def test_only_the_good_conversation_uncovers_the_need(
    catalogues: Catalogues, persona: str, style: str
) -> None:
    variants = [None, *(v.id for v in catalogues.personas.get(persona).variants)]
    for variant in variants:
        assert found(catalogues, persona, style, variant) is STYLES[style], (style, variant)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_has_variants_of_both_kinds(catalogues: Catalogues, persona: str) -> None:
    persona_variants = catalogues.personas.get(persona).variants
    assert 3 <= len(persona_variants) <= 5
    moods = [v for v in persona_variants if v.start_trust is not None or v.start_stress]
    facts = [v for v in persona_variants if v.topics]
    assert moods and len(facts) >= 2, "a mood and at least two changed facts"
    described = catalogues.personas.get(persona)
    for variant in moods:
        trust = variant.start_trust if variant.start_trust is not None else described.start_trust
        assert abs(trust - described.start_trust) <= 12, variant.id
