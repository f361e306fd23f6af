"""Weighing the whole conversation: one good message does not credit a tip, one slip does not
flag it (data/catalogues/feedback.yml, `weighing:`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gesprekscoach.catalogue import CatalogueError
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.report import CREDITED, FLAGGED, Report, TipResult, build_report
from gesprekscoach.feedback.rules import Weighing, load_rules
from gesprekscoach.feedback.weighing import decide
from gesprekscoach.turn import Standing, TurnEvent

GREET = ("Goedemiddag, ik ben Eva van de gemeente.", "begroeten")
BSN = ("Mag ik uw BSN?", "info_opvragen")
BANK = ("Mag ik uw bankafschriften zien?", "info_opvragen")
LETTER = ("Heeft u de brief bij u?", "gesloten_vraag")
RULES = ("U moet zich aan de regels houden, zo staat het in de wet.", "regels_benadrukken")
NEED = ("Wat heeft u nu nodig?", "vraag_wat_nodig")
ADDRESS = ("Woont er nog iemand op uw adres?", "gesloten_vraag")
BYE = ("Dan ronden we af. Tot ziens.", "afsluiten")
OWN_FAULT = ("Dat is uw eigen schuld.", "oordelen")
SHOULD_HAVE = ("Dat had u zelf moeten regelen.", "oordelen")
PAY_ATTENTION = ("Dan moet u maar beter opletten.", "oordelen")
HEAVY = ("Dat klinkt echt zwaar voor u.", "empathie")
HOW = ("Hoe gaat het met u?", "open_vraag")
MORE = ("Kunt u daar meer over vertellen?", "doorvragen")
THEN = ("Wat gebeurde er toen?", "doorvragen")
FEEL = ("Hoe was dat voor u?", "open_vraag")
WORK = ("Werkt u?", "gesloten_vraag")
RENT = ("Huurt u?", "gesloten_vraag")
KIDS = ("Heeft u kinderen?", "gesloten_vraag")
PIECES = ("Ik leg het in stukjes uit.", "uitleg_eenvoudig")
OWN_WORDS = ("Snapt u wat ik bedoel? Zeg het maar in uw eigen woorden.", "check_begrip")
AGAIN = ("Ik leg het nog een keer uit.", "uitleg_eenvoudig")
JARGON = ("De beschikking komt volgende week.", "uitleg_eenvoudig")
WELCOME = ("Wat fijn dat u er bent.", "geruststellen")


def conversation(
    catalogues: Catalogues, lines: list[tuple[str, str]], trust: float = 50.0
) -> list[TurnEvent]:
    """TurnEvents as the action server makes them, with the real language check.

    A move may name several acts, main act first: "empathie+open_vraag".
    """
    turns = []
    for number, (text, moves) in enumerate(lines, 1):
        acts = tuple(moves.split("+"))
        turns.append(
            TurnEvent(
                number=number,
                persona="marco",
                text=text,
                reply="Hm.",
                move=acts[0],
                before=Standing(trust, 40.0),
                after=Standing(trust, 40.0),
                moves=acts,
                language=catalogues.language.check(text),
            )
        )
    return turns


def report_of(
    catalogues: Catalogues,
    lines: list[tuple[str, str]],
    persona: str = "marco",
    trust: float = 50.0,
    **extra: int,
) -> Report:
    p = catalogues.personas.get(persona)
    return build_report(
        moves=catalogues.moves,
        tips=catalogues.tips,
        rules=catalogues.rules,
        persona_id=p.id,
        persona_name=p.name,
        turns=conversation(catalogues, lines, trust),
        start_trust=trust,
        start_stress=40.0,
        hidden_need_turn=None,
        persona=p,
        **extra,
    )


def result(report: Report, tip: str) -> TipResult:
    return next(t for t in report.tips if t.id == tip)


# Poor conversations with one good message: the tip is flagged, the good moment is named.


def test_rushed_data_first_with_one_needs_question_flags_ck_b3(catalogues: Catalogues) -> None:
    report = report_of(catalogues, [GREET, BSN, BANK, LETTER, RULES, NEED, ADDRESS, BYE])
    b3 = result(report, "CK-B3")
    assert b3.status == FLAGGED
    assert b3.good_moment is not None and b3.good_moment.turn == 6
    assert b3.shown == 1.0 and b3.against > b3.shown
    # Data at 2 and 3 and rules at 5 came before the needs question; the address at 7 after.
    assert sorted(e.turn for e in b3.evidence) == [2, 3, 5]
    assert "nodig heeft" in b3.text
    assert b3.slip is None


def test_judging_conversation_with_one_empathic_sentence_flags_ck_h1(
    catalogues: Catalogues,
) -> None:
    report = report_of(catalogues, [HOW, OWN_FAULT, HEAVY, SHOULD_HAVE, PAY_ATTENTION, BYE])
    h1 = result(report, "CK-H1")
    assert h1.status == FLAGGED
    assert h1.good_moment is not None and h1.good_moment.turn == 3
    assert h1.good_moment.text == HEAVY[0]
    assert [e.turn for e in h1.evidence] == [2, 4, 5]


def test_heavy_start_with_one_reassurance_flags_ao_1(catalogues: Catalogues) -> None:
    report = report_of(catalogues, [BSN, OWN_FAULT, WELCOME, SHOULD_HAVE, BYE])
    ao1 = result(report, "AO-1")
    assert ao1.status == FLAGGED and ao1.good_moment is not None
    assert ao1.good_moment.turn == 3


def test_interrogation_with_one_open_question_flags_ck_h4(catalogues: Catalogues) -> None:
    report = report_of(catalogues, [GREET, HOW, LETTER, WORK, RENT, KIDS, ADDRESS, BYE])
    h4 = result(report, "CK-H4")
    assert h4.status == FLAGGED, "every closed question from the third on counts"
    assert [e.turn for e in h4.evidence] == [5, 6, 7]
    assert h4.good_moment is not None and h4.good_moment.turn == 2


# Good conversations with one slip: the tip is still credited, the slip is named.


def test_one_closed_question_run_in_a_good_conversation_is_a_slip(catalogues: Catalogues) -> None:
    # The second worked example in feedback.yml's header.
    report = report_of(catalogues, [GREET, HOW, MORE, FEEL, THEN, WORK, RENT, KIDS])
    h4 = result(report, "CK-H4")
    assert h4.status == CREDITED
    assert (h4.shown, h4.against) == (4.0, 0.57)
    assert h4.slip is not None and h4.slip.turn == 8
    assert h4.good_moment is None
    assert "gesloten vragen" in h4.slip.note


def test_one_jargon_word_in_plain_explanations_is_a_slip(catalogues: Catalogues) -> None:
    report = report_of(catalogues, [GREET, HEAVY, PIECES, OWN_WORDS, JARGON, AGAIN, BYE])
    b2 = result(report, "CK-B2")
    assert b2.status == CREDITED
    assert b2.slip is not None and b2.slip.turn == 5
    assert "'beschikking' (zeg liever" in b2.slip.note
    went_well = next(p for p in report.work_on + report.went_well if p.tip == "CK-B2")
    assert went_well in report.went_well and went_well.slip == b2.slip


def test_one_judgement_in_a_warm_conversation_is_weighed_per_tip(catalogues: Catalogues) -> None:
    lines = [GREET, HOW, HEAVY, MORE, THEN, SHOULD_HAVE, FEEL, WELCOME, BYE]
    report = report_of(catalogues, lines)
    ao3 = result(report, "AO-3")
    assert ao3.status == CREDITED and ao3.slip is not None and ao3.slip.turn == 6
    # The same slip is heavier against being open and without judgement (weight 9).
    h1 = result(report, "CK-H1")
    assert h1.against > ao3.against


def test_one_data_request_before_the_needs_question_is_a_slip(catalogues: Catalogues) -> None:
    lines = [GREET, HOW, HEAVY, MORE, BANK, NEED, ("Wat kunt u zelf doen?", "vraag_zelf_doen")]
    lines += [("Hoe wilt u dat ik u benader?", "vraag_benadering"), BYE]
    b3 = result(report_of(catalogues, lines), "CK-B3")
    assert b3.status == CREDITED and b3.slip is not None and b3.slip.turn == 5


# Pure cases and the parts of the rule.


def test_pure_good_and_pure_poor(catalogues: Catalogues) -> None:
    good = report_of(catalogues, [GREET, HEAVY, HOW, MORE, NEED, BYE])
    for tip in ("CK-H1", "CK-H4", "CK-B3", "AO-3"):
        r = result(good, tip)
        assert r.status == CREDITED and r.against == 0 and r.slip is None, tip
    poor = report_of(catalogues, [BSN, OWN_FAULT, RULES, SHOULD_HAVE, BYE])
    for tip in ("CK-H1", "CK-B3", "AO-1", "II-1", "CK-H4"):
        r = result(poor, tip)
        assert r.status == FLAGGED and r.shown == 0 and r.good_moment is None, tip
    whole = result(poor, "CK-H4").evidence
    assert [e.turn for e in whole] == [None], "no open question at all: the whole conversation"


def test_a_pitfall_in_the_opening_weighs_more(catalogues: Catalogues) -> None:
    later = report_of(catalogues, [HOW, HEAVY, MORE, ("Dat klinkt heftig.", "empathie"), RULES])
    early = report_of(catalogues, [HOW, RULES, MORE, HEAVY, ("Dat klinkt heftig.", "empathie")])
    assert result(later, "II-1").against == 1.0 and result(early, "II-1").against == 1.5
    assert result(later, "II-1").status == CREDITED, "shown twice, once against: 2 >= 2 x 1"
    assert result(early, "II-1").status == FLAGGED, "the same rules at message 2: 2 < 2 x 1.5"


def test_a_good_move_only_in_the_last_message_weighs_less(catalogues: Catalogues) -> None:
    late = report_of(catalogues, [GREET, HOW, HEAVY, BANK, NEED])
    b3 = result(late, "CK-B3")
    assert b3.shown == 0.5 and b3.status == FLAGGED
    assert b3.good_moment is not None and b3.good_moment.turn == 5
    in_time = report_of(catalogues, [GREET, HOW, HEAVY, NEED, BANK])
    assert result(in_time, "CK-B3").shown == 1.0
    assert result(in_time, "CK-B3").status == CREDITED, "data after the needs question is fine"


def test_the_worked_example_in_the_catalogue(catalogues: Catalogues) -> None:
    lines = [
        GREET,
        BANK,
        RULES,
        ADDRESS,
        OWN_FAULT,
        NEED,
        ("Daar ga ik niet over.", "doorverwijzen"),
    ]
    lines += [BYE, BYE]
    b3 = result(report_of(catalogues, lines), "CK-B3")
    assert (b3.shown, b3.against, b3.status) == (1.0, 2.57, FLAGGED)
    assert b3.good_moment is not None and b3.good_moment.turn == 6


def test_the_decision_at_its_edges() -> None:
    w = Weighing()
    assert decide(2.0, 1.0, True, w) == CREDITED, "exactly twice as often is clearly"
    assert decide(1.99, 1.0, True, w) == FLAGGED
    assert decide(1.0, 0.0, False, w) == CREDITED
    assert decide(0.0, 0.0, False, w) == "not_applicable"
    assert decide(0.0, 0.0, True, w) == FLAGGED, "a flag of weight 0 still flags"


def test_tip_dicts_carry_the_weighing(catalogues: Catalogues) -> None:
    data = report_of(catalogues, [GREET, BSN, BANK, LETTER, RULES, NEED, ADDRESS, BYE]).to_dict()
    b3 = next(t for t in data["tips"] if t["id"] == "CK-B3")
    assert b3["good_moment"]["turn"] == 6 and b3["slip"] is None
    assert b3["shown"] == 1.0 and b3["against"] > 1
    assert {"id", "status", "evidence", "advice"} <= set(b3)
    work_on = next(p for p in data["work_on"] if p["tip"] == "CK-B3")
    assert work_on["good_moment"]["turn"] == 6


def _rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feedback.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "hints:\n- {id: x, tip: CK-B3, when: {before_any: [vraag_wat_nodig]}, text: t}\n",
            "hints[0].when.before_any",
        ),
        (
            "flags:\n- {id: x, tip: CK-B3, when: {moves: [oordelen]}, why: w,"
            " alternative: zingen}\n",
            "flags[0].alternative",
        ),
        (
            "flags:\n- {id: x, tip: CK-B3, when: {moves: [oordelen]}, why: w}\n",
            "flags[0].alternative",
        ),
        ("weighing: {clearly: 0.5}\n", "weighing.clearly"),
        ("weighing: {opening: 2}\n", "weighing"),
        (
            "flags:\n- {id: x, tip: CK-B3, when: {no_moves: [begroeten], before_any: [begroeten]},"
            " why: w, alternative: behoefte}\n",
            "flags[0].when.no_moves",
        ),
    ],
)
def test_rule_file_mistakes_are_named(
    tmp_path: Path, catalogues: Catalogues, text: str, field: str
) -> None:
    with pytest.raises(CatalogueError) as info:
        load_rules(_rules_file(tmp_path, text), catalogues.moves, catalogues.tips)
    assert info.value.field == field


def test_the_shipped_weighing_is_read(catalogues: Catalogues) -> None:
    assert catalogues.rules.weighing == Weighing()
    assert any(f.when.before_any for f in catalogues.rules.flags if f.tip == "CK-B3")
