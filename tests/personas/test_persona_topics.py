"""Guards over the real persona files: every inwoner knows their own life and answers about it."""

from __future__ import annotations

import pytest

from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import PersonaState, Utterance
from gesprekscoach.language.topics import touched
from gesprekscoach.personas.model import Persona, band_for

MIN_TOPICS = 15


def personas(catalogues: Catalogues) -> list[Persona]:
    return list(catalogues.personas)


def test_every_persona_knows_at_least_15_topics_and_has_a_concern(catalogues: Catalogues) -> None:
    for persona in personas(catalogues):
        assert len(persona.topics) >= MIN_TOPICS, persona.id
        assert persona.concerns, f"{persona.id}: what presses on them?"


def test_every_trigger_finds_its_topic(catalogues: Catalogues) -> None:
    for persona in personas(catalogues):
        subjects = [(t.id, t.triggers) for t in persona.topics]
        for topic in persona.topics:
            for trigger in topic.triggers:
                found = touched(trigger.rstrip("*"), subjects)
                assert topic.id in found, f"{persona.id}: {trigger!r} does not find {topic.id}"


def _ask(catalogues: Catalogues, persona: Persona, trust: float, text: str):
    engine = catalogues.engine(persona.id)
    state, _ = engine.start(seed=5)
    # Calm, so a pressing concern does not take over the answer.
    state = state.with_changes(
        trust=trust, stress=10.0, resolved=tuple(c.id for c in persona.concerns)
    )
    return engine.respond(state, Utterance(text, "open_vraag", 0.9, ("open_vraag",)))


def _question(catalogues: Catalogues, persona: Persona, topic_id: str) -> str:
    topic = persona.topic(topic_id)
    assert topic is not None
    plain = [t for t in topic.triggers if not catalogues.language.lexicon.find(t)]
    word = (plain or list(topic.triggers))[0].rstrip("*")
    return f"Vertel eens, hoe zit het met {word}?"


@pytest.mark.parametrize("band_trust", [10.0, 50.0, 85.0])
def test_each_topic_is_answered_in_the_band_reached(
    catalogues: Catalogues, band_trust: float
) -> None:
    for persona in personas(catalogues):
        for topic in persona.topics:
            result = _ask(catalogues, persona, band_trust, _question(catalogues, persona, topic.id))
            if result.reaction is not None:
                continue  # a pitfall (say, a jargon word as trigger) is reacted to as such
            assert result.topics and result.topics[0] == topic.id, (persona.id, topic.id)
            trust = result.state.trust
            if topic.min_trust is not None and trust < topic.min_trust:
                assert result.reply in topic.guarded, (persona.id, topic.id)
            else:
                assert result.reply in topic.answers.for_band(band_for(trust)), (
                    persona.id,
                    topic.id,
                )


def test_most_topics_are_answered_directly(catalogues: Catalogues) -> None:
    for persona in personas(catalogues):
        direct = [
            _ask(catalogues, persona, 60.0, _question(catalogues, persona, t.id)).topics[:1]
            == (t.id,)
            for t in persona.topics
        ]
        assert sum(direct) / len(direct) >= 0.9, persona.id


def test_a_sensitive_topic_is_guarded_at_low_trust(catalogues: Catalogues) -> None:
    gated = [(p, t) for p in personas(catalogues) for t in p.topics if t.min_trust is not None]
    assert gated, "at least one persona tells something only when trusted"
    for persona, topic in gated:
        low = _ask(
            catalogues,
            persona,
            max(0.0, topic.min_trust - 20),
            _question(catalogues, persona, topic.id),
        )
        if low.reaction is None:
            assert low.reply in topic.guarded, (persona.id, topic.id)


def test_the_same_question_twice_gets_the_same_facts(catalogues: Catalogues) -> None:
    for persona in personas(catalogues):
        topic = next(t for t in persona.topics if t.min_trust is None)
        question = _question(catalogues, persona, topic.id)
        engine = catalogues.engine(persona.id)
        state: PersonaState = engine.start(seed=9)[0].with_changes(
            trust=60.0, stress=10.0, resolved=tuple(c.id for c in persona.concerns)
        )
        first = engine.respond(state, Utterance(question, "open_vraag", 0.9))
        again = engine.respond(first.state, Utterance(question, "open_vraag", 0.9))
        assert again.reply in topic.again and again.reply != first.reply, persona.id


def test_samira_stops_about_the_power_once_it_is_arranged(catalogues: Catalogues) -> None:
    engine = catalogues.engine("samira")
    state, _ = engine.start(seed=1)
    asked = engine.respond(state, Utterance("Hoe gaat het met de kinderen?", "open_vraag", 0.9))
    assert asked.reaction == "eerst_de_stroom", "with the cut-off open she returns to it"
    arrange = "Ik bel vandaag zelf het energiebedrijf en regel dat de stroom aanblijft."
    arranged = engine.respond(asked.state, Utterance(arrange, "regie_nemen", 0.9))
    assert arranged.concern_resolved == "stroom"
    state = arranged.state
    questions = (
        "Hoe gaat het met de kinderen?",
        "Hoe gaat het op je werk?",
        "Wat doe je in het weekend?",
        "Hoe gaat het thuis?",
        "Slaap je wat?",
    )
    for text in questions:
        result = engine.respond(state, Utterance(text, "open_vraag", 0.9))
        assert result.reaction != "eerst_de_stroom", text
        state = result.state
    good_moves = (
        ("Wat heb je nodig van mij?", "vraag_wat_nodig"),
        ("Ik maak een plan met drie stappen.", "stappenplan"),
        ("Je doet het echt goed.", "geruststellen"),
    )
    for text, move in good_moves:
        result = engine.respond(state, Utterance(text, move, 0.9))
        assert result.move == move
        assert not any(w in result.reply.lower() for w in ("afsluit", "stroom")), result.reply
        state = result.state
    bye = engine.respond(state, Utterance("Fijne dag, tot snel.", "afsluiten", 0.9))
    assert bye.reaction == "recall", "what was arranged comes back at the close"
