"""A round's bookkeeping: who joined, whose turn it is, what each member did."""

from __future__ import annotations

from gesprekscoach.domain import Catalogues
from gesprekscoach.workshops.rounds import Round, contributions


def three(ordered: bool) -> Round:
    return Round("henk", ordered).join("a", "Eva").join("b", "Bram").join("c", "Noor")


def test_a_fixed_order_goes_round_in_join_order() -> None:
    r = three(ordered=True).join("a", "Eva")  # joining twice changes nothing
    assert [m.name for m in r.members] == ["Eva", "Bram", "Noor"]
    assert r.may_write("a") and not r.may_write("b") and not r.may_write("x")
    r = r.record("a", "empathie", False)
    assert r.whose_turn is not None and r.whose_turn.name == "Bram"
    assert r.order_text() == "Het is de beurt van Bram. Daarna: Noor, Eva."
    r = r.record("b", "oordelen", False).record("c", "vraag_wat_nodig", True)
    assert r.whose_turn is not None and r.whose_turn.name == "Eva"


def test_without_order_every_member_may_write() -> None:
    r = three(ordered=False)
    assert all(r.may_write(k) for k in "abc") and not r.may_write("x")
    assert r.record("b", "empathie", False).whose_turn is None
    assert "in elke volgorde" in r.order_text()


def test_a_round_survives_a_round_trip_through_json() -> None:
    r = three(ordered=True).record("a", "empathie", True)
    assert Round.from_dict(r.to_dict()) == r


def test_contributions_name_strengths_pitfalls_and_the_need(catalogues: Catalogues) -> None:
    r = three(ordered=False).record("a", "empathie", False).record("a", "vraag_wat_nodig", True)
    r = r.record("b", "oordelen", False)
    text = contributions(r, catalogues.moves)
    assert "- Eva: 2 berichten; sterk: empathie tonen, vragen wat de inwoner nodig heeft." in text
    assert "Eva: 2 berichten" in text and "Bracht de verborgen behoefte boven!" in text
    assert "- Bram: 1 bericht; valkuil: oordelen." in text
    assert "- Noor: schreef niets." in text
