"""The reflection at /stop: what the casemanager thinks the inwoner needs, scored against the
parts of the hidden need; and the moments where the need could have been found."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.reflection import (
    MAX_CHARS,
    Reflection,
    best_score,
    need_moments,
    score_reflection,
)
from gesprekscoach.personas.model import HiddenNeed, NeedElement, Persona
from gesprekscoach.turn import Standing, TurnEvent

E = NeedElement
# Parts written the way the persona files write them (docs/personas.md), for tests
# that must not move when the files' wording does.
PARTS = {
    "marco": (
        E(
            "dossier",
            "zien wat er in zijn dossier staat over het onderzoek van toen",
            ("dossier*", "inzage", "inzien", "wat er over hem staat"),
            (
                "hij wil zijn dossier inzien",
                "weten wat er over hem is opgeschreven",
                "zien of die oude verdenking er nog in staat",
            ),
        ),
        E(
            "geen_fraudezaak",
            "horen dat dit geen nieuwe fraudezaak is",
            ("fraude*", "verdacht*", "verdenking", "beschuldig*"),
            (
                "hij is bang dat hij weer als fraudeur wordt gezien",
                "hij denkt dat het heronderzoek een nieuwe fraudezaak is",
                "hij wil niet weer verdacht worden",
            ),
        ),
        E(
            "contactpersoon",
            "één vaste contactpersoon die vooraf zegt wat er gecontroleerd wordt",
            ("vaste contactpersoon", "contactpersoon", "aanspreekpunt", "vast iemand"),
            (
                "hij wil één vast iemand die hij kan bellen",
                "iemand die van tevoren uitlegt wat er gecontroleerd wordt",
                "niet steeds een ander aan de lijn",
            ),
        ),
    ),
    "henk": (
        E(
            "lezen",
            "hulp bij het lezen van de brieven, waar hij zich voor schaamt",
            ("lezen", "laaggeletterd*", "schaam*", "brieven"),
            (
                "hij kan de brieven niet goed lezen",
                "hij schaamt zich dat hij niet goed kan lezen",
                "hij begrijpt de post niet",
            ),
        ),
        E(
            "samen_de_post",
            "iemand die samen met hem de post doorneemt",
            ("post doornemen", "dochter", "sandra", "vrijwilliger", "maatje"),
            (
                "iemand die met hem de post doorneemt",
                "zijn dochter of een vrijwilliger die helpt met de brieven",
                "hulp van iemand die hij vertrouwt bij de papieren",
            ),
        ),
        E(
            "uitleg_mondeling",
            "uitleg aan de telefoon of persoonlijk in plaats van een brief",
            ("bel*", "telefoon*", "persoonlijk", "mondeling"),
            (
                "hij wil het liever uitgelegd krijgen aan de telefoon",
                "liever bellen dan een brief",
                "iemand die het hem persoonlijk uitlegt",
            ),
        ),
    ),
    "samira": (
        E(
            "kinderen",
            "de kinderen er buiten houden, uit angst voor jeugdzorg",
            ("kinderen", "jeugdzorg", "moeder", "kids"),
            (
                "ze is bang dat jeugdzorg zich ermee gaat bemoeien",
                "de kinderen mogen er niks van merken",
                "ze wil gewoon weer moeder kunnen zijn",
            ),
        ),
        E(
            "schuldeisers",
            "iemand die het contact met de schuldeisers overneemt",
            ("schuldeiser*", "incasso*", "deurwaarder*", "overnemen", "overneemt"),
            (
                "iemand die het contact met de schuldeisers overneemt",
                "dat een ander de deurwaarders en incassobureaus belt",
                "dat zij niet meer zelf alle schuldeisers te woord hoeft te staan",
            ),
        ),
        E(
            "zelf_aankan",
            "duidelijkheid over wat ze zelf wel aankan",
            ("zelf", "aankan", "duidelijkheid"),
            (
                "iemand die haar zegt wat ze zelf nog kan doen",
                "duidelijk weten wat zij moet doen en wat niet",
                "overzicht over wat ze zelf aankan",
            ),
        ),
    ),
}
DUMP = "geld schulden dossier contact rust hulp stroom brieven kinderen telefoon"
# Per persona: (answer, the parts it names). In a casemanager's own words, not the summary.
ANSWERS = {
    "marco": [
        (
            "Hij wil weten wat er toen allemaal over hem is opgeschreven. Hij is bang dat hij "
            "nog steeds als fraudeur gezien wordt, en hij wil één vast iemand die vooraf zegt "
            "wat er gecontroleerd wordt.",
            {"dossier", "geen_fraudezaak", "contactpersoon"},
        ),
        ("Hij wil zijn dosier zien, denk ik.", {"dossier"}),  # typo
        ("Hij is bang dat ze hem weer verdenken van fraude", {"geen_fraudezaak"}),
        ("Hij heeft vooral geld nodig voor de huur.", set()),
        ("Marco wil met rust gelaten worden en een uitkering houden", set()),
    ],
    "henk": [
        (
            "Henk kan volgens mij niet goed lezen en durft dat niet te zeggen. Hij heeft "
            "iemand nodig die samen met hem de post doorneemt, misschien zijn dochter, en "
            "hij wil het liever aan de telefoon horen.",
            {"lezen", "samen_de_post", "uitleg_mondeling"},
        ),
        ("ik denk dat hij de breiven niet kan leezen", {"lezen"}),  # typos
        ("Hij wil liever gebeld worden dan een brief", {"uitleg_mondeling"}),
        ("Hij wil gewoon snel zijn bijstand geregeld hebben", set()),
        ("Een nieuwe baan en een cursus solliciteren", set()),
    ],
    "samira": [
        (
            "Ze is doodsbang dat jeugdzorg komt als de kinderen merken hoe slecht het gaat. "
            "Ze wil dat iemand anders de schuldeisers belt, en duidelijkheid over wat ze zelf "
            "nog kan.",
            {"kinderen", "schuldeisers", "zelf_aankan"},
        ),
        ("Dat iemand de deurwaarders van haar overneemt", {"schuldeisers"}),
        ("Ze wil weten wat ze zelf nog kan doen.", {"zelf_aankan"}),
        ("Ze moet beter leren budgetteren en minder uitgeven", set()),
        ("Dat de stroom niet wordt afgesloten", set()),
    ],
}


@pytest.fixture(scope="module")
def needs(catalogues: Catalogues) -> dict[str, HiddenNeed]:
    return {
        pid: replace(catalogues.personas.get(pid).hidden_need, elements=parts)
        for pid, parts in PARTS.items()
    }


def ids(need: HiddenNeed, labels: tuple[str, ...]) -> set[str]:
    return {e.id for e in need.elements if e.label in labels}


@pytest.mark.parametrize("persona", sorted(ANSWERS))
def test_answers_name_the_parts_they_name(persona: str, needs: dict[str, HiddenNeed]) -> None:
    need = needs[persona]
    for answer, expected in ANSWERS[persona]:
        got = score_reflection(need, answer)
        assert ids(need, got.named) == expected, (answer, got)
        assert set(got.named) | set(got.missed) == {e.label for e in need.elements}
        assert got.score == pytest.approx(len(expected) / len(need.elements), abs=0.01), answer


@pytest.mark.parametrize("persona", sorted(ANSWERS))
def test_good_beats_partial_beats_wrong(persona: str, needs: dict[str, HiddenNeed]) -> None:
    scores = [score_reflection(needs[persona], a).score or 0.0 for a, _ in ANSWERS[persona]]
    good, partial, wrong = scores[0], scores[1], scores[-1]
    assert good >= 0.99 and 0 < partial < good and wrong == 0.0


@pytest.mark.parametrize("persona", sorted(ANSWERS))
def test_a_keyword_dump_does_not_score_high(persona: str, needs: dict[str, HiddenNeed]) -> None:
    need = needs[persona]
    for dump in (DUMP, DUMP.replace(" ", ", "), f"{DUMP} {DUMP}"):
        got = score_reflection(need, dump)
        assert got.score is not None and got.score <= 0.25, (dump, got)


@pytest.mark.parametrize("persona", sorted(ANSWERS))
def test_copying_the_summary_scores_high(persona: str, needs: dict[str, HiddenNeed]) -> None:
    need = needs[persona]
    assert (score_reflection(need, need.summary).score or 0) >= 0.99


def test_a_skip_has_no_score(needs: dict[str, HiddenNeed]) -> None:
    for text in ("", "   ", "\n", "?!"):
        got = score_reflection(needs["henk"], text)
        assert got.skipped and got.score is None and got.text == "" and not got.named
        assert len(got.missed) == 3


def test_only_the_start_of_a_very_long_answer_counts(needs: dict[str, HiddenNeed]) -> None:
    filler = "Hij is een vriendelijke man die hard gewerkt heeft. " * 60
    late = filler + "Hij wil zijn dossier inzien."
    got = score_reflection(needs["marco"], late)
    assert len(got.text) == MAX_CHARS and not got.named
    early = score_reflection(needs["marco"], "Hij wil zijn dossier inzien. " + filler)
    assert ids(needs["marco"], early.named) == {"dossier"}


def test_a_reflection_round_trips_and_reads_leniently(needs: dict[str, HiddenNeed]) -> None:
    got = score_reflection(needs["samira"], "De kinderen en jeugdzorg", person="abc123")
    data = got.to_dict()
    assert set(data) == {"text", "score", "named", "missed", "person", "skipped"}
    assert Reflection.from_dict(data) == got
    skipped = score_reflection(needs["samira"], "")
    assert Reflection.from_dict(skipped.to_dict()) == skipped and skipped.to_dict()["skipped"]
    odd = Reflection.from_dict({"text": 5, "score": "hoog", "named": "x", "person": None})
    assert odd == Reflection("5", None, (), ())
    assert Reflection.from_dict({"score": float("nan")}) == Reflection("", None, (), ())
    assert Reflection.from_dict({"score": 3}) == Reflection("", 1.0, (), ())
    assert Reflection.from_dict(["geen", "dict"]) is None
    assert best_score([skipped, got]) == got.score and best_score([skipped]) is None


def turn(number: int, move: str, trust: float, reaction: str | None = None) -> TurnEvent:
    found = reaction == "hidden_need"
    return TurnEvent(
        number,
        "marco",
        f"bericht {number}",
        "antwoord",
        move,
        Standing(trust - 5, 50),
        Standing(trust, 50),
        (move,),
        reaction=reaction,
        hidden_need_found=found,
    )


def test_moments_the_need_could_have_been_found(catalogues: Catalogues) -> None:
    marco: Persona = catalogues.personas.get("marco")
    level = marco.hidden_need.unlock.trust_at_least
    assert level is not None
    turns = [
        turn(1, "begroeten", level - 30),
        turn(2, "vraag_wat_nodig", level - 20, reaction="hint"),  # a signal
        turn(3, "empathie", level - 10),
        turn(4, "empathie", level + 1),  # trust was there, no question that brings it out
        turn(5, "gesloten_vraag", level + 3),  # again
        turn(6, "doorvragen", level + 5, reaction="hidden_need"),
        turn(7, "empathie", level + 8),  # found already: no longer a moment
    ]
    assert need_moments(marco, turns) == (2, 4, 5)
    without_level = replace(
        marco,
        hidden_need=replace(
            marco.hidden_need, unlock=replace(marco.hidden_need.unlock, trust_at_least=None)
        ),
    )
    assert need_moments(without_level, turns) == (2,)
    assert need_moments(marco, []) == ()


def test_a_need_without_parts_is_scored_as_one(catalogues: Catalogues) -> None:
    need = replace(catalogues.personas.get("marco").hidden_need, elements=())
    right = score_reflection(need, "Hij wil weten wat er in zijn dossier staat over toen.")
    wrong = score_reflection(need, "Hij heeft geld nodig voor de huur.")
    assert (right.score, wrong.score) == (1.0, 0.0)
    assert right.named == wrong.missed and len(right.named) == 1


# --- Over the persona files as shipped ---------------------------------------------------
# Hand-labelled clauses and answers (reflection_answers.yml): the set NAMED_SIMILARITY was
# set on. No clause may name another part than its own, and most name their own (the
# rest use words no file can foresee: "mama" for "moeder").
SHIPPED = yaml.safe_load(Path(__file__).with_name("reflection_answers.yml").read_text("utf-8"))
NONE = "geen"
EVERY_PERSONA_DUMP = (
    "dossier fraude contactpersoon lezen brieven dochter telefoon kinderen jeugdzorg "
    "schuldeisers zelf geld schulden rust hulp stroom"
)


@pytest.mark.parametrize("persona", sorted(SHIPPED["clauses"]))
def test_clauses_name_their_own_part_only(persona: str, catalogues: Catalogues) -> None:
    need = catalogues.personas.get(persona).hidden_need
    labelled: dict[str, list[str]] = SHIPPED["clauses"][persona]
    assert {e.id for e in need.elements} == set(labelled) - {NONE}
    own = 0
    for part, clauses in labelled.items():
        for clause in clauses:
            named = ids(need, score_reflection(need, clause).named)
            assert named <= ({part} - {NONE}), (clause, named)
            own += part in named
    total = sum(len(c) for k, c in labelled.items() if k != NONE)
    assert own / total >= 0.55, f"{persona}: {own} of {total} clauses name their part"


@pytest.mark.parametrize("persona", sorted(SHIPPED["answers"]))
def test_answers_against_the_shipped_parts(persona: str, catalogues: Catalogues) -> None:
    need = catalogues.personas.get(persona).hidden_need
    for labelled in SHIPPED["answers"][persona]:
        answer, expected = labelled["answer"], set(labelled["names"])
        got = score_reflection(need, answer)
        assert ids(need, got.named) == expected, (answer, got.named)
        assert got.score == pytest.approx(len(expected) / len(need.elements), abs=0.01)
    assert (score_reflection(need, need.summary).score or 0) >= 0.99
    for dump in (DUMP, EVERY_PERSONA_DUMP, EVERY_PERSONA_DUMP.replace(" ", ", ")):
        assert (score_reflection(need, dump).score or 0) <= 0.25, dump


@pytest.mark.parametrize(
    "persona", sorted(p.stem for p in (Path(__file__).parents[2] / "data/personas").glob("*.yml"))
)
def test_every_persona_scores_its_summary_high_and_a_dump_low(
    persona: str, catalogues: Catalogues
) -> None:
    need = catalogues.personas.get(persona).hidden_need
    assert 2 <= len(need.elements) <= 5
    assert (score_reflection(need, need.summary).score or 0) >= 0.99
    for dump in (DUMP, EVERY_PERSONA_DUMP, EVERY_PERSONA_DUMP.replace(" ", ", ")):
        assert (score_reflection(need, dump).score or 0) <= 0.25, dump
    assert score_reflection(need, "Hij wil graag een nieuwe fiets.").score == 0.0
