"""Variants: another mood or one fact per session, chosen by seed, checked at load."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from gesprekscoach import practice
from gesprekscoach.catalogue import CatalogueError
from gesprekscoach.engine import PersonaEngine, Utterance
from gesprekscoach.language.jargon import JargonLexicon
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.personas import load_persona, variants
from tests.factories import with_topics, write_persona

SON_AGE = {
    "id": "zoon",
    "fact": "Daan is twaalf en zit in groep acht.",
    "triggers": ["zoon", "daan", "jongen", "school"],
    "answers": {
        "low": ["Daan? Waarom wilt u dat weten?", "Mijn zoon laat u erbuiten."],
        "mid": ["Daan is twaalf. Groep acht.", "Hij gaat bijna naar de brugklas."],
        "high": ["Daan is twaalf, mijn kleine man.", "Groep acht, hij is zo trots."],
    },
    "again": ["Zoals ik zei, Daan is twaalf.", "Dat zei ik al: twaalf."],
}


def with_variants(**extra: Any) -> dict[str, Any]:
    data = with_topics()
    data["variants"] = [
        {
            "id": "moe",
            "label": "Deze keer heeft hij slecht geslapen.",
            "start": {"trust": 20, "stress": 70},
            "opening": ["Ik ben moe.", "Slecht geslapen, hoor."],
        },
        {"id": "jongere_zoon", "label": "Daan is hier twaalf.", "topics": [copy.deepcopy(SON_AGE)]},
        {"id": "rustig", "label": "Hij is vandaag wat rustiger.", "start": {"stress": 30}},
    ]
    data.update(extra)
    return data


def load(tmp_path: Path, moves: MoveCatalogue, data: dict[str, Any]) -> Any:
    return load_persona(write_persona(tmp_path, data), moves)


def refused(tmp_path: Path, moves: MoveCatalogue, data: dict[str, Any]) -> str:
    with pytest.raises(CatalogueError) as caught:
        load(tmp_path, moves, data)
    return str(caught.value)


def test_a_mood_variant_changes_the_start_and_the_opening(
    tmp_path: Path, moves: MoveCatalogue, lexicon: JargonLexicon
) -> None:
    persona = load(tmp_path, moves, with_variants())
    assert [v.id for v in persona.variants] == ["moe", "jongere_zoon", "rustig"]
    state, opening = PersonaEngine(persona.with_variant("moe"), lexicon).start(seed=3)
    assert (state.trust, state.stress, state.variant) == (20, 70, "moe")
    assert opening in ("Ik ben moe.", "Slecht geslapen, hoor.")
    calm = persona.with_variant("rustig")
    assert (calm.start_trust, calm.start_stress) == (persona.start_trust, 30)
    assert calm.opening == persona.opening


def test_a_fact_variant_answers_with_the_changed_fact(
    tmp_path: Path, moves: MoveCatalogue, lexicon: JargonLexicon
) -> None:
    persona = load(tmp_path, moves, with_variants(start={"trust": 55, "stress": 40}))
    for variant, age in ((None, "vijftien"), ("jongere_zoon", "twaalf")):
        engine = PersonaEngine(persona.with_variant(variant), lexicon)
        state, _ = engine.start(seed=1)
        reply = engine.respond(state, Utterance("Hoe oud is uw zoon?", "open_vraag", 0.9)).reply
        assert age in reply.lower(), (variant, reply)
    # The persona as described is untouched: the variant is a copy.
    assert persona.topic("zoon").fact.startswith("Daan is vijftien")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda v: v[1]["topics"][0].update(id="dochter"), "variants[1].topics[0].id", "no topic"),
        (lambda v: v[2].update(id="moe"), "variants[2].id", "duplicate"),
        (lambda v: v[2].update(id="willekeurig"), "variants[2].id", "slug other than"),
        (lambda v: v[2].pop("start"), "variants[2]", "changes nothing"),
        (lambda v: v[0].update(colour="rood"), "variants[0]", "unknown field"),
        (lambda v: v[0].update(opening=["Eén regel."]), "variants[0].opening", "at least 2"),
        (lambda v: v[0]["start"].update(trust=140), "variants[0].start.trust", "between 0"),
    ],
)
def test_a_bad_variant_names_the_field(
    tmp_path: Path, moves: MoveCatalogue, change: Any, field: str, problem: str
) -> None:
    data = with_variants()
    change(data["variants"])
    message = refused(tmp_path, moves, data)
    assert field in message and problem in message, message


def test_a_number_taken_out_of_a_fact_must_not_be_left_elsewhere(
    tmp_path: Path, moves: MoveCatalogue
) -> None:
    data = with_variants()
    data["replies"]["empathie"]["low"][0] = "Daan is pas vijftien, weet u."
    message = refused(tmp_path, moves, data)
    assert "variants[1].topics" in message and "'vijftien'" in message
    assert "replies.empathie.low[0]" in message, "it names where the old number is still said"
    # A mood variant with its own opening lines may say its own things.
    data = with_variants()
    data["variants"][0]["opening"] = ["Daan is twaalf geworden.", "Goedemorgen."]
    assert load(tmp_path, moves, data).variants[0].opening[0] == "Daan is twaalf geworden."


def test_the_seed_chooses_the_variant_the_same_way_every_time(
    tmp_path: Path, moves: MoveCatalogue
) -> None:
    persona = load(tmp_path, moves, with_variants())
    chosen = [variants.choose(persona, seed) for seed in range(60)]
    assert chosen == [variants.choose(persona, seed) for seed in range(60)]
    assert set(chosen) == {"moe", "jongere_zoon", "rustig"}, "every variant comes up"
    assert variants.resolve(persona, "geen", 5) is None
    assert variants.resolve(persona, None, 5) is None
    assert variants.resolve(persona, "willekeurig", 5) == chosen[5]
    assert variants.resolve(persona, "rustig", 5) == "rustig"
    with pytest.raises(KeyError):
        variants.resolve(persona, "boos", 5)


def test_a_new_seed_avoids_the_variants_met_last(tmp_path: Path, moves: MoveCatalogue) -> None:
    persona = load(tmp_path, moves, with_variants())
    rng = random.Random(7)
    for recent in (["moe", "rustig"], ["jongere_zoon"], [None, "moe"]):
        for _ in range(20):
            seed = variants.seed_for_another(persona, recent, rng)
            assert variants.choose(persona, seed) not in recent
    # All met already: any seed will do, but it is still a seed.
    seed = variants.seed_for_another(persona, ["moe", "jongere_zoon", "rustig"], rng)
    assert 0 <= seed <= variants.MAX_SEED


def test_without_variants_every_seed_plays_the_persona_as_described(
    tmp_path: Path, moves: MoveCatalogue
) -> None:
    persona = load(tmp_path, moves, with_topics())
    assert persona.variants == ()
    assert variants.choose(persona, 3) is None
    assert variants.seed_for_another(persona, [None], random.Random(1)) >= 0


def test_a_practice_carries_its_variant_from_start_to_report(catalogues: Any) -> None:
    henk = catalogues.personas.get("henk")
    assert henk.variants, "the shipped personas have variants"
    wanted = henk.variants[0]
    start = practice.start(catalogues, "henk", seed=4, variant=wanted.id)
    payload = start.payload[practice.PAYLOAD_KEY]
    assert (payload["variant"], payload["variant_label"]) == (wanted.id, wanted.label)
    slots = dict(start.slots)
    out = practice.turn(catalogues, slots, "Goedemorgen meneer Visser.", "begroeten", 0.9)
    slots.update(out.slots)
    assert slots["persona_state"]["variant"] == wanted.id, "the variant lives in the state"
    end = practice.end(catalogues, slots, [])
    end_payload = end.payload[practice.PAYLOAD_KEY]
    assert end_payload["variant"] == wanted.id
    assert end_payload["report"]["variant_label"] == wanted.label
    assert any(f"Deze keer: {wanted.label}" in text for text in end.texts)


def test_random_is_the_seed_choice_and_none_is_the_persona_as_described(catalogues: Any) -> None:
    henk = catalogues.personas.get("henk")
    for seed in (1, 2, 3, 99):
        out = practice.start(catalogues, "henk", seed=seed, variant="willekeurig")
        assert out.payload[practice.PAYLOAD_KEY]["variant"] == variants.choose(henk, seed)
        again = practice.start(catalogues, "henk", seed=seed, variant="willekeurig")
        assert again.texts == out.texts and again.slots == out.slots
    plain = practice.start(catalogues, "henk", seed=1, variant="geen")
    assert plain.payload[practice.PAYLOAD_KEY]["variant"] is None
    assert plain.slots["trust"] == henk.start_trust


def test_an_unknown_variant_is_refused_in_dutch(catalogues: Any) -> None:
    out = practice.start(catalogues, "henk", seed=1, variant="boos_en_dronken")
    payload = out.payload[practice.PAYLOAD_KEY]
    assert payload["error"] == "unknown_variant" and not out.slots
    assert "Die variant van Henk ken ik niet" in out.texts[0] and "willekeurig" in out.texts[0]


def test_a_variant_removed_from_the_file_leaves_a_running_session_going(catalogues: Any) -> None:
    start = practice.start(catalogues, "henk", seed=4, variant="willekeurig")
    slots = copy.deepcopy(dict(start.slots))
    slots["persona_state"]["variant"] = "bestaat_niet_meer"
    out = practice.turn(catalogues, slots, "Hoe gaat het met u?", "open_vraag", 0.9)
    assert out.texts and out.texts[0]
