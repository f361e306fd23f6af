"""The language check: B1 verdicts and jargon, measured against a hand-labelled set."""

from __future__ import annotations

from pathlib import Path

import pytest

from gesprekscoach.domain import Catalogues
from gesprekscoach.language.evaluate import evaluate, load_labelled

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests/language/labelled.yml"


def test_plain_message(catalogues: Catalogues) -> None:
    r = catalogues.language.check("Ik bel morgen de woningcorporatie voor je.")
    assert r.b1_ok and r.jargon == () and r.reasons == ()
    assert r.flesch_douma is not None and r.words == 7 and r.sentences == 1


def test_jargon_message(catalogues: Catalogues) -> None:
    r = catalogues.language.check(
        "Conform de beschikking dient u de inkomensafhankelijke bijdrage binnen de "
        "bezwaartermijn te voldoen."
    )
    assert not r.b1_ok
    assert {"beschikking", "inkomensafhankelijke bijdrage", "bezwaartermijn"} <= {
        h.term for h in r.jargon
    }
    assert r.flesch_douma is not None and r.flesch_douma < 60
    assert any("ambtelijke woorden" in reason for reason in r.reasons)


def test_long_sentence_is_named(catalogues: Catalogues) -> None:
    text = (
        "Als je morgen naar ons toe komt en je neemt de brieven mee die je van de "
        "woningcorporatie en van de bank hebt gekregen dan kunnen we samen kijken wat er moet"
    )
    r = catalogues.language.check(text)
    assert not r.b1_ok and r.long_sentences == (text,)


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "<b>hoi</b>", "x" * 5000])
def test_odd_input_does_not_crash(catalogues: Catalogues, text: str) -> None:
    r = catalogues.language.check(text)
    assert r.text == text and isinstance(r.b1_ok, bool)


def test_agrees_with_the_labelled_set(catalogues: Catalogues) -> None:
    labelled = load_labelled(LABELLED)
    assert len(labelled) >= 150
    scores = evaluate(catalogues.language, labelled)
    b1, jargon = scores["not_b1"], scores["jargon"]
    plain = [item for item in labelled if item.b1]
    flagged_plain = sum(not catalogues.language.check(item.text).b1_ok for item in plain)
    table = [
        "| measure | precision | recall | F1 |",
        "|---|---|---|---|",
        f"| message not B1 (n={len(labelled)}) | {b1.precision:.2f} | {b1.recall:.2f} "
        f"| {b1.f1:.2f} |",
        f"| jargon terms (n={jargon.true_positives + jargon.false_negatives}) "
        f"| {jargon.precision:.2f} | {jargon.recall:.2f} | {jargon.f1:.2f} |",
        f"\nPlain messages wrongly flagged: {flagged_plain} of {len(plain)}.",
    ]
    out = ROOT / "var/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "language.md").write_text("\n".join(table) + "\n", encoding="utf-8")
    print("\n".join(table))
    assert flagged_plain / len(plain) <= 0.05, "it must not flag ordinary plain Dutch"
    assert b1.precision >= 0.9 and b1.recall >= 0.85
    assert jargon.precision >= 0.85 and jargon.recall >= 0.5
