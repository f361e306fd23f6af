"""The inwoner answers what was asked: topics, memory, concerns and messages of several acts."""

from __future__ import annotations

from pathlib import Path

import pytest

from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import PersonaEngine, PersonaState, Utterance
from gesprekscoach.language.jargon import JargonLexicon
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.personas import load_persona
from tests.factories import persona_data, with_topics, write_persona


def _engine(tmp_path: Path, moves: MoveCatalogue, lexicon: JargonLexicon, data) -> PersonaEngine:
    return PersonaEngine(load_persona(write_persona(tmp_path, data), moves), lexicon)


@pytest.fixture
def engine(tmp_path: Path, moves: MoveCatalogue, lexicon: JargonLexicon) -> PersonaEngine:
    data = with_topics()
    data["reactions"] = [r for r in data["reactions"] if r["id"] != "eerst_de_stroom"]
    del data["thoughts"]["reactions"]["eerst_de_stroom"]
    return _engine(tmp_path, moves, lexicon, data)


@pytest.fixture
def worried(tmp_path: Path, moves: MoveCatalogue, lexicon: JargonLexicon) -> PersonaEngine:
    return _engine(tmp_path, moves, lexicon, with_topics())


def say(engine: PersonaEngine, state: PersonaState, text: str, *moves: str):
    return engine.respond(state, Utterance(text, moves[0], 0.9, tuple(moves)))


def at(engine: PersonaEngine, trust: float) -> PersonaState:
    state, _ = engine.start(seed=3)
    return state.with_changes(trust=trust)


def test_asked_about_the_son_the_inwoner_talks_about_the_son(engine: PersonaEngine) -> None:
    zoon = engine.persona.topic("zoon")
    assert zoon is not None
    low = say(engine, at(engine, 10), "Hoe gaat het met uw zoon?", "open_vraag")
    assert low.topics == ("zoon",) and low.reply in zoon.answers.low
    high = say(engine, at(engine, 80), "Hoe gaat het met uw zoon?", "open_vraag")
    assert high.reply in zoon.answers.high
    # A typo and another name for him find him too.
    typo = say(engine, at(engine, 50), "en hoe gaat t met de jongen op schooll?", "open_vraag")
    assert typo.topics == ("zoon",)


def test_the_move_still_sets_trust_and_stress(engine: PersonaEngine) -> None:
    state = at(engine, 30)
    empathic = say(engine, state, "Wat fijn dat Daan het zo goed doet.", "empathie")
    assert empathic.topics == ("zoon",) and empathic.trust_delta == 10


def test_asked_again_the_inwoner_refers_back_with_the_same_facts(engine: PersonaEngine) -> None:
    zoon = engine.persona.topic("zoon")
    assert zoon is not None
    first = say(engine, at(engine, 50), "Hoe oud is uw zoon?", "gesloten_vraag")
    again = say(engine, first.state, "Hoe oud is Daan ook alweer?", "gesloten_vraag")
    assert again.reply in zoon.again and again.reply != first.reply
    third = say(engine, again.state, "En Daan, hoe oud?", "gesloten_vraag")
    assert third.reply in zoon.again and third.reply != again.reply


def test_never_the_same_line_twice_while_others_are_left(engine: PersonaEngine) -> None:
    state = at(engine, 50)
    replies = []
    for _ in range(6):
        result = say(engine, state, "Vertel eens over Daan?", "open_vraag")
        replies.append(result.reply)
        state = result.state
    assert len(set(replies)) == 6


def test_a_sensitive_topic_is_told_only_at_its_trust(engine: PersonaEngine) -> None:
    schulden = engine.persona.topic("schulden")
    assert schulden is not None
    guarded = say(engine, at(engine, 30), "Heeft u schulden?", "gesloten_vraag")
    assert guarded.reply in schulden.guarded
    told = say(engine, at(engine, 60), "Heeft u schulden?", "gesloten_vraag")
    assert told.reply in schulden.answers.high


def test_a_follow_up_stays_on_the_topic(engine: PersonaEngine) -> None:
    first = say(engine, at(engine, 40), "Hoe gaat het met uw zoon?", "open_vraag")
    follow = say(engine, first.state, "En hoe is dat voor hem?", "doorvragen")
    assert follow.topics == ("zoon",)
    other = say(engine, first.state, "Hoe gaat het met u?", "open_vraag")
    assert other.topics == ()


def test_two_topics_asked_get_two_answers(engine: PersonaEngine) -> None:
    question = "Hoe gaat het met Daan en heeft u nog schulden?"
    both = say(engine, at(engine, 60), question, "open_vraag")
    assert set(both.topics) == {"zoon", "schulden"}


def test_a_concern_is_dealt_with_once_and_then_left_alone(worried: PersonaEngine) -> None:
    state = at(worried, 40)
    nagged = say(worried, state, "Hoe gaat het thuis?", "open_vraag")
    assert nagged.reaction == "eerst_de_stroom"
    # Asked about her son while the concern presses: she answers, then returns to it.
    son = say(worried, nagged.state, "Hoe gaat het met uw zoon?", "open_vraag")
    assert son.reaction == "eerst_de_stroom" and son.topics == ("zoon",)
    assert any(
        line in son.reply for line in ("Maar eerst die stroom.", "Mijn hoofd zit bij dinsdag.")
    )
    # "Ik regel het" right after she raised it is about the power.
    settled = say(worried, son.state, "Ik regel het vandaag, dat beloof ik.", "belofte")
    assert settled.concern_resolved == "stroom" and settled.reaction == "concern"
    after = say(worried, settled.state, "Hoe gaat het thuis?", "open_vraag")
    assert after.reaction != "eerst_de_stroom"
    assert "stroom" in after.state.resolved


def test_a_promise_comes_back_at_the_close(worried: PersonaEngine) -> None:
    promise = "Ik bel het energiebedrijf, ik regel het."
    state = say(worried, at(worried, 40), promise, "regie_nemen").state
    assert state.promised == ("stroom",)
    bye = say(worried, state, "Fijne dag, tot volgende week.", "afsluiten")
    assert bye.reaction == "recall" and bye.reply in worried.persona.concerns[0].recall
    again = say(worried, bye.state, "Doei!", "afsluiten")
    assert again.reaction != "recall"


def test_an_offer_about_something_else_does_not_settle_the_concern(worried: PersonaEngine) -> None:
    r = say(worried, at(worried, 40), "Ik beloof u dat ik uw brief uitzoek.", "belofte")
    assert r.concern_resolved is None and r.state.resolved == ()


def test_every_act_counts_and_the_main_act_is_answered(
    tmp_path: Path, moves: MoveCatalogue, lexicon: JargonLexicon
) -> None:
    engine = _engine(tmp_path, moves, lexicon, persona_data())
    state, _ = engine.start(seed=1)
    r = say(engine, state, "Goedemiddag. Wat is uw BSN?", "info_opvragen", "begroeten")
    assert r.move == "info_opvragen" and r.moves == ("info_opvragen", "begroeten")
    assert r.reaction == "bsn_te_vroeg"
    assert "begroeten" in r.state.earlier_moves


def test_empathy_before_a_hard_question_softens_it(
    tmp_path: Path, moves: MoveCatalogue, lexicon: JargonLexicon
) -> None:
    engine = _engine(tmp_path, moves, lexicon, persona_data())
    state, _ = engine.start(seed=1)
    bare = say(engine, state, "Wat is uw BSN?", "info_opvragen")
    soft = say(engine, state, "Dit is vast lastig. Wat is uw BSN?", "info_opvragen", "empathie")
    # The reaction's blow (-20 trust, +10 stress) is halved, and the empathy adds half its own.
    assert (bare.trust_delta, bare.stress_delta) == (-20, 10)
    assert (soft.trust_delta, soft.stress_delta) == (-5, 2.5)


def test_dat_after_a_clause_opener_does_not_point_back() -> None:
    from gesprekscoach.engine.subjects import _points_back
    from gesprekscoach.language.acts import words

    assert _points_back(words("Hoe was dat voor je?"))
    assert _points_back(words("En daarna, wat deed hij toen?"))
    assert not _points_back(words("Fijn dat je zoveel vertelt!"))
    assert not _points_back(words("Ik snap dat het zwaar is."))
    assert _points_back(words("Ik snap dat. Hoe is dat nu?"))


def test_a_question_for_a_number_gets_the_line_with_the_number(catalogues: Catalogues) -> None:
    from gesprekscoach.engine import Utterance

    for seed in range(8):
        engine = catalogues.engine("yonas")
        state, _ = engine.start(seed)
        reply = engine.respond(state, Utterance("Hoe oud zijn ze?", "gesloten_vraag", 0.9)).reply
        follow = engine.respond(state, Utterance("Hoe oud zijn de kinderen?", "open_vraag", 0.9))
        assert "acht" in follow.reply and "zes" in follow.reply, follow.reply
        assert reply
