from pathlib import Path

import pytest

from gesprekscoach.catalogue import CatalogueError
from gesprekscoach.language.jargon import JargonLexicon, load_jargon


def test_lexicon_is_large_enough(lexicon: JargonLexicon) -> None:
    assert len(lexicon.terms) >= 150
    assert all(term.alternative for term in lexicon.terms)


def test_finds_jargon_with_alternatives(lexicon: JargonLexicon) -> None:
    hits = lexicon.find(
        "Conform de beschikking dient u de inkomensafhankelijke bijdrage binnen de "
        "bezwaartermijn te voldoen."
    )
    terms = [h.term for h in hits]
    assert terms[:2] == ["conform", "beschikking"]
    assert {"dient u", "inkomensafhankelijke bijdrage", "bezwaartermijn"} <= set(terms)
    assert all(h.alternative for h in hits)


def test_matches_forms_across_line_breaks_and_case(lexicon: JargonLexicon) -> None:
    hits = lexicon.find("Wij VERREKENEN dat met de\nbeslagvrije   voet")
    assert {h.term for h in hits} >= {"beslagvrije voet"}
    assert any(h.found.startswith("beslagvrije") for h in hits)


@pytest.mark.parametrize(
    "plain",
    [
        "Ik bel morgen de woningcorporatie voor je.",
        "Wat heeft u nodig?",
        "Hoe gaat het thuis met de kinderen?",
        "Zullen we samen je post doorlopen?",
        "Dat klinkt echt zwaar.",
        "Wil je liever bellen of appen?",
        "Ik kom graag een keer bij u langs.",
    ],
)
def test_plain_dutch_is_not_flagged(lexicon: JargonLexicon, plain: str) -> None:
    assert lexicon.find(plain) == []


def test_duplicate_term_fails_with_field(tmp_path: Path) -> None:
    path = tmp_path / "jargon.yml"
    path.write_text(
        "terms:\n- {term: conform, alternative: volgens}\n"
        "- {term: volgens, alternative: x, forms: [conform]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as info:
        load_jargon(path)
    assert info.value.field == "terms[1]"
