"""Splitting a chat message into acts, labelling each, and choosing the main act."""

from __future__ import annotations

import pytest

from gesprekscoach.language.acts import label_acts, split_acts
from gesprekscoach.moves import order_acts


@pytest.mark.parametrize(
    ("text", "acts"),
    [
        ("Goedemiddag mevrouw. Wat is uw BSN?", ["Goedemiddag mevrouw.", "Wat is uw BSN?"]),
        (
            "Dat klinkt zwaar, hoe gaat het nu met de kinderen?",
            ["Dat klinkt zwaar", "hoe gaat het nu met de kinderen?"],
        ),
        ("Hoi! hoe gaat het met je?", ["Hoi!", "hoe gaat het met je?"]),
        ("hoi. wat is je bsn", ["hoi.", "wat is je bsn"]),
        ("Oké, wat is uw BSN?", ["Oké, wat is uw BSN?"]),
        ("Als u wilt, kunnen we samen bellen?", ["Als u wilt, kunnen we samen bellen?"]),
        ("Leuk shirt trouwens, staat je goed!", ["Leuk shirt trouwens, staat je goed!"]),
        (
            "Het kost bijv. 1.500 euro per maand. Klopt dat?",
            ["Het kost bijv. 1.500 euro per maand. Klopt dat?"],
        ),
        ("Dus de stroom en de huur. klopt dat zo?", ["Dus de stroom en de huur. klopt dat zo?"]),
        ("Dank je wel voor je tijd!\nTot dinsdag.", ["Dank je wel voor je tijd!", "Tot dinsdag."]),
        ("Hoe gaat het met Daan, uw zoon?", ["Hoe gaat het met Daan, uw zoon?"]),
        (
            "Ik bel morgen de woningbouw, is dat goed?",
            ["Ik bel morgen de woningbouw, is dat goed?"],
        ),
        ("Zal ik de brief voorlezen, wil je dat?", ["Zal ik de brief voorlezen, wil je dat?"]),
    ],
)
def test_a_message_splits_into_its_acts(text: str, acts: list[str]) -> None:
    assert [a.text for a in split_acts(text)] == acts


def test_empty_input_has_no_acts() -> None:
    assert split_acts("") == [] and split_acts("   \n ") == []


def test_questions_are_recognised_with_or_without_a_question_mark() -> None:
    assert [a.is_question for a in split_acts("Goedemiddag. Heeft u de brief bij u")] == [
        False,
        True,
    ]
    assert split_acts("Wat is je adres")[0].is_question


def test_the_main_act_outranks_greetings_and_reflections() -> None:
    assert order_acts(["begroeten", "info_opvragen"]) == ("info_opvragen", "begroeten")
    assert order_acts(["empathie", "open_vraag"]) == ("open_vraag", "empathie")
    assert order_acts(["open_vraag", "oordelen"]) == ("oordelen", "open_vraag")
    # The later of two acts of the same rank is the main one.
    assert order_acts(["open_vraag", "gesloten_vraag"]) == ("gesloten_vraag", "open_vraag")
    assert order_acts(["empathie", "empathie"]) == ("empathie",)


def _fake(labels: dict[str, dict[str, float]]):
    def classify(texts: list[str]) -> list[dict[str, float]]:
        return [labels[t] for t in texts]

    return classify


def test_every_act_is_labelled_main_first() -> None:
    classify = _fake(
        {
            "Goedemiddag mevrouw.": {"begroeten": 0.9, "info_opvragen": 0.1},
            "Wat is uw BSN?": {"begroeten": 0.05, "info_opvragen": 0.95},
        }
    )
    acts = label_acts("Goedemiddag mevrouw. Wat is uw BSN?", classify, 0.2, "nlu_fallback")
    assert [a.move for a in acts] == ["info_opvragen", "begroeten"]
    assert acts[0].text == "Wat is uw BSN?"


def test_an_unsure_question_is_still_a_question_never_a_fallback() -> None:
    unsure = {"afsluiten": 0.15, "gesloten_vraag": 0.12, "open_vraag": 0.1, "empathie": 0.14}
    classify = _fake({"Doet u nog iets naast de uitkering?": unsure})
    (act,) = label_acts("Doet u nog iets naast de uitkering?", classify, 0.2, "nlu_fallback")
    assert (act.move, act.confidence) == ("gesloten_vraag", 0.12)


def test_an_unsure_statement_is_a_fallback_unless_another_act_is_clear() -> None:
    alone = _fake({"Blabla bla.": {"empathie": 0.1, "afsluiten": 0.1}})
    moves = [a.move for a in label_acts("Blabla bla.", alone, 0.2, "nlu_fallback")]
    assert moves == ["nlu_fallback"]
    mixed = _fake(
        {
            "Blabla bla.": {"empathie": 0.1, "open_vraag": 0.1},
            "Hoe gaat het met u?": {"empathie": 0.1, "open_vraag": 0.9},
        }
    )
    acts = label_acts("Blabla bla. Hoe gaat het met u?", mixed, 0.2, "nlu_fallback")
    assert [a.move for a in acts] == ["open_vraag"]


def test_without_a_question_the_whole_message_decides_the_main_act() -> None:
    text = "Dat had nooit zo mogen gaan. Ik snap dat u op uw hoede bent."
    classify = _fake(
        {
            text: {"empathie": 0.8, "oordelen": 0.2},
            "Dat had nooit zo mogen gaan.": {"oordelen": 0.8, "empathie": 0.2},
            "Ik snap dat u op uw hoede bent.": {"empathie": 0.9, "oordelen": 0.1},
        }
    )
    acts = label_acts(text, classify, 0.2, "nlu_fallback")
    assert [a.move for a in acts][0] == "empathie", (
        "one sentence alone must not make it a judgement"
    )


def test_a_question_leads_even_when_the_whole_reads_otherwise() -> None:
    text = "Goedemiddag mevrouw. Wat is uw BSN?"
    classify = _fake(
        {
            text: {"begroeten": 0.7, "info_opvragen": 0.3},
            "Goedemiddag mevrouw.": {"begroeten": 0.9, "info_opvragen": 0.1},
            "Wat is uw BSN?": {"begroeten": 0.05, "info_opvragen": 0.95},
        }
    )
    moves = [a.move for a in label_acts(text, classify, 0.2, "nlu_fallback")]
    assert moves == ["info_opvragen", "begroeten"]
