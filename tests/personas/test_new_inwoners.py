"""The three inwoners of issue 15 react to their own pitfalls, and to what opens them.

Written against behaviour, not reaction ids: the pitfall gets a special reaction with a
thought and costs trust, while the better message in the same spot does not.
"""

from __future__ import annotations

from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import PersonaEngine, PersonaState, TurnResult, Utterance


def opened(catalogues: Catalogues, persona: str, *lines: tuple[str, str]) -> PersonaState:
    engine = catalogues.engine(persona)
    state, _ = engine.start(seed=2)
    for text, move in lines:
        state = engine.respond(state, Utterance(text, move, 0.9)).state
    return state


def say(
    catalogues: Catalogues, persona: str, state: PersonaState, text: str, move: str
) -> TurnResult:
    engine: PersonaEngine = catalogues.engine(persona)
    return engine.respond(state, Utterance(text, move, 0.9))


def pitfall(result: TurnResult) -> None:
    assert result.reaction is not None, result.reply
    assert result.trust_delta < 0, (result.reaction, result.trust_delta)
    assert result.thought, "every reaction has an inner thought"


def test_jargon_makes_the_statushouder_nod_without_understanding(catalogues: Catalogues) -> None:
    state = opened(catalogues, "yonas", ("Goedemiddag meneer Tesfay, ik ben Anouk.", "begroeten"))
    over_his_head = say(
        catalogues,
        "yonas",
        state,
        "De terugvordering wordt conform de beschikking met uw uitkering verrekend.",
        "uitleg_eenvoudig",
    )
    assert over_his_head.jargon, "the lexicon found the jargon"
    pitfall(over_his_head)
    plain = say(
        catalogues,
        "yonas",
        state,
        "Ik leg het simpel uit. U kreeg te veel geld. Nu betaalt u elke maand een stuk terug.",
        "uitleg_eenvoudig",
    )
    assert plain.reaction is None and plain.trust_delta > 0


def test_going_on_as_if_he_understood_is_a_pitfall_until_someone_checks(
    catalogues: Catalogues,
) -> None:
    state = opened(
        catalogues,
        "yonas",
        ("Goedemiddag meneer Tesfay, ik ben Anouk.", "begroeten"),
        ("Hoe gaat het met u en uw gezin?", "open_vraag"),
    )
    plan = "Dan maken we nu een afspraak voor volgende week dinsdag om tien uur."
    pitfall(say(catalogues, "yonas", state, plan, "afspraak_maken"))
    checked = opened(
        catalogues,
        "yonas",
        ("Goedemiddag meneer Tesfay, ik ben Anouk.", "begroeten"),
        ("Wilt u in uw eigen woorden zeggen wat u van de brief begrijpt?", "check_begrip"),
    )
    after_check = say(catalogues, "yonas", checked, plan, "afspraak_maken")
    assert after_check.reaction is None and after_check.trust_delta >= 0


def test_pity_stings_the_zzper_and_respect_for_her_business_does_not(
    catalogues: Catalogues,
) -> None:
    state = opened(catalogues, "ingrid", ("Goedemorgen mevrouw Bos, ik ben Sanne.", "begroeten"))
    pity = say(catalogues, "ingrid", state, "Ach, wat zielig voor u allemaal.", "empathie")
    pitfall(pity)
    pitfall(
        say(catalogues, "ingrid", state, "Arme vrouw, dat u dit moet meemaken.", "geruststellen")
    )
    respect = say(
        catalogues,
        "ingrid",
        state,
        "Veertien jaar een eigen zaak, dat is echt iets om trots op te zijn.",
        "empathie",
    )
    # Respect may settle what she waits for (a concern): no pitfall, trust up.
    assert respect.reaction in (None, "concern") and respect.trust_delta > 0
    assert respect.state.trust > pity.state.trust + 10


def test_a_judgement_makes_the_jongere_close_off(catalogues: Catalogues) -> None:
    state = opened(
        catalogues, "demi", ("Hoi Demi, ik ben Joris. Fijn dat je er bent.", "begroeten")
    )
    judged = say(
        catalogues,
        "demi",
        state,
        "Tja, als je je post gewoon had opengemaakt, was het nooit zo ver gekomen.",
        "oordelen",
    )
    pitfall(judged)
    light = say(catalogues, "demi", state, "Was het een beetje te vinden hier?", "luchtig_contact")
    assert light.reaction is None and light.trust_delta > 0
    assert judged.state.trust < light.state.trust - 10
