"""The end-of-session report: the right tips credited and flagged, with evidence and timing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.render import CHAT_LIMIT
from tests.feedback.scripts import play_file, play_labelled, statuses, tip

# Every persona file: a new inwoner's scripts are held to the same report.
PERSONAS = sorted(p.stem for p in (Path(__file__).parents[2] / "data/personas").glob("*.yml"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_good_conversation_is_credited(catalogues: Catalogues, persona: str) -> None:
    end = play_file(catalogues, f"{persona}_goed")
    s = statuses(end)
    assert s["CK-B3"] == "credited"
    assert s["CK-H1"] == "credited"
    assert s["AO-5"] != "flagged" and s["II-1"] != "flagged"
    assert end["report"]["measures"]["hidden_need_found"]
    assert end["report"]["went_well"], "a good conversation says what went well"
    first = end["report"]["went_well"][0]
    assert first["evidence"]["text"], "what went well quotes the casemanager"


@pytest.mark.parametrize("persona", PERSONAS)
def test_rushed_conversation_without_needs_question(catalogues: Catalogues, persona: str) -> None:
    end = play_file(catalogues, f"{persona}_gehaast")
    s = statuses(end)
    assert s["CK-B3"] == "flagged"
    assert "nodig heeft" in tip(end, "CK-B3")["advice"]
    assert s["CK-H1"] == "flagged", "judging goes against CK-H1"
    assert s["AO-5"] == "flagged", "sending elsewhere goes against AO-5"
    work_on = end["report"]["work_on"]
    assert len(work_on) == 3
    assert work_on[0]["tip"] == "CK-B3", "the missing needs question matters most"
    assert all(p["try_"] for p in work_on), "each point has a sentence to try"


@pytest.mark.parametrize("persona", PERSONAS)
def test_jargon_flags_ck_b2_with_the_words(catalogues: Catalogues, persona: str) -> None:
    end = play_file(catalogues, f"{persona}_gehaast")
    b2 = tip(end, "CK-B2")
    assert b2["status"] == "flagged"
    named = [e for e in b2["evidence"] if "zeg liever" in e["note"]]
    assert named, "the evidence names the jargon"
    for evidence in named:
        # Each word the note names is quoted from the casemanager's own message.
        words = re.findall(r"'([^']+)' \(zeg liever", evidence["note"])
        assert words and all(w in evidence["text"] for w in words), evidence


def test_judging_evidence_quotes_the_message(catalogues: Catalogues) -> None:
    end = play_file(catalogues, "marco_gehaast")
    h1 = tip(end, "CK-H1")
    judged = [e for e in h1["evidence"] if e["turn"] == 4]
    assert judged and judged[0]["text"].startswith("Tja, als u vorige keer")
    assert "vertrouwen" in judged[0]["note"], "evidence says what it did to the inwoner"


def test_data_early_is_flagged_but_later_is_fine(catalogues: Catalogues) -> None:
    asked_at_once = [
        ("Goedemorgen, ik ben Eva.", "begroeten"),
        ("Mag ik uw BSN?", "info_opvragen"),
    ]
    early, _ = play_labelled(catalogues, asked_at_once, "samira")
    assert tip(early, "CK-B1")["status"] == "flagged"
    assert "begin" in tip(early, "CK-B1")["advice"]
    assert early["report"]["measures"]["data_before_trust_turns"] == [2]
    asked_later = [
        ("Goedemorgen, ik ben Eva van schuldhulp.", "begroeten"),
        ("Dat klinkt echt heel zwaar.", "empathie"),
        ("Ik bel vandaag zelf met de energieleverancier.", "regie_nemen"),
        ("Eerst de stroom, daarna de rest.", "stappenplan"),
        ("Het is goed dat je er bent.", "geruststellen"),
        ("Mag ik je loonstrook zien? Dan kan ik de deurwaarder bellen.", "info_opvragen"),
    ]
    late, turns = play_labelled(catalogues, asked_later, "samira")
    assert tip(late, "CK-B1")["status"] == "credited"
    # Trust was past 50 (TRUST_BUILT) before the data request: not too early.
    assert turns[-1]["trust"] - turns[-1]["trust_delta"] >= 50
    assert late["report"]["measures"]["data_before_trust"] is False
    assert late["report"]["measures"]["data_before_trust_turns"] == []


def test_needs_question_after_the_need_came_out_still_counts(catalogues: Catalogues) -> None:
    lines = [
        ("Goedemiddag meneer Visser, ik ben Sanne.", "begroeten"),
        ("Dat is echt niet niks.", "empathie"),
        ("Ik leg het in stukjes uit.", "uitleg_eenvoudig"),
        ("Hoe gaat het thuis?", "open_vraag"),
        ("Kunt u daar meer over vertellen?", "doorvragen"),
        ("Wat vindt u fijn in zo'n gesprek?", "vraag_benadering"),
        ("Wat zou u nu het meeste helpen?", "vraag_wat_nodig"),
    ]
    end, turns = play_labelled(catalogues, lines, "henk")
    revealed = [t["turn"] for t in turns if t["reaction"] == "hidden_need"]
    assert revealed and revealed[0] < 7
    assert tip(end, "CK-B3")["status"] == "credited"
    assert any(e["turn"] == 7 for e in tip(end, "CK-B3")["evidence"])


def test_closed_question_burst_is_flagged_once(catalogues: Catalogues) -> None:
    burst = [
        ("Heeft u de brief?", "gesloten_vraag"),
        ("Hoeveel kinderen heeft u?", "gesloten_vraag"),
        ("Werkt u?", "gesloten_vraag"),
        ("Huurt u?", "gesloten_vraag"),
    ]
    end, turns = play_labelled(catalogues, burst, "henk")
    ao3 = tip(end, "AO-3")
    assert ao3["status"] == "flagged" and [e["turn"] for e in ao3["evidence"]] == [3]
    assert [bool(t["coaching"]) for t in turns] == [False, False, True, False]


@pytest.mark.parametrize("move", ["oordelen", "regels_benadrukken", "doorverwijzen"])
def test_every_pitfall_move_flags_its_tips(catalogues: Catalogues, move: str) -> None:
    end, _ = play_labelled(catalogues, [("Dit is een bericht.", move)], "marco")
    for tip_id in catalogues.moves.moves[move].tips:
        assert statuses(end)[tip_id] == "flagged", (move, tip_id)


def test_every_good_move_credits_its_tips(catalogues: Catalogues) -> None:
    for move in catalogues.moves.moves.values():
        if move.polarity != "+":
            continue
        end, _ = play_labelled(catalogues, [("Een gewoon bericht.", move.id)], "henk")
        for tip_id in move.tips:
            assert statuses(end)[tip_id] in ("credited", "flagged"), (move.id, tip_id)
            assert any(e["turn"] == 1 for e in tip(end, tip_id)["evidence"]), (move.id, tip_id)


def test_untouched_tips_are_not_applicable(catalogues: Catalogues) -> None:
    end, _ = play_labelled(catalogues, [("Goedemorgen, ik ben Eva.", "begroeten")], "marco")
    s = statuses(end)
    assert s["CK-K1"] == "not_applicable" and s["OCO-1"] == "not_applicable"
    assert set(s) == set(catalogues.tips.ids)


def test_report_text_fits_chat_limits(catalogues: Catalogues) -> None:
    long_line = "Conform de beschikking dient u " + "heel erg lang verhaal " * 40
    lines = [(long_line, "regels_benadrukken")] * 30 + [("Wat heb je nodig?", "vraag_wat_nodig")]
    end, _ = play_labelled(catalogues, lines, "samira")
    texts = end["texts"]
    assert len(texts) >= 2
    assert all(0 < len(t) <= CHAT_LIMIT < 4096 for t in texts)
    joined = "\n".join(texts)
    assert "aan te werken" in joined and "Probeer de volgende keer" in joined


def test_long_sections_are_cut_at_lines_within_the_limit() -> None:
    from gesprekscoach.feedback.render import split_for_chat

    sections = ["kop\n" + "\n".join(f"regel {i} " + "x" * 50 for i in range(40)), "slot"]
    messages = split_for_chat(sections, limit=300)
    assert len(messages) > 5 and all(len(m) <= 300 for m in messages)
    assert "".join(messages).replace("\n", "") == "".join(sections).replace("\n", "")


def test_measures(catalogues: Catalogues) -> None:
    lines = [
        ("Hoe gaat het?", "open_vraag"),
        ("Heeft u de brief?", "gesloten_vraag"),
        ("Dat klinkt zwaar.", "empathie"),
        ("Mag ik uw BSN?", "info_opvragen"),
        ("Wat heeft u nodig?", "vraag_wat_nodig"),
    ]
    end, _ = play_labelled(catalogues, lines, "marco")
    m = end["report"]["measures"]
    assert m["questions"] == 4 and m["open_question_share"] == 0.5
    assert m["reflections"] == 1 and m["reflections_per_question"] == 0.25
    assert m["first_needs_question_turn"] == 5
    assert m["data_before_trust"] and m["data_before_trust_turns"] == [4]
    assert len(m["trust_curve"]) == 6 and 0 < m["casemanager_word_share"] < 1


def test_hints_only_when_switched_on(catalogues: Catalogues) -> None:
    lines = [("Dat is uw eigen schuld.", "oordelen")]
    _, on = play_labelled(catalogues, lines, "henk", hints=True)
    _, off = play_labelled(catalogues, lines, "henk", hints=False)
    assert on[0]["coaching"] and "CK-H1" in on[0]["coaching"][0]
    assert off[0]["coaching"] == []


def test_one_needs_question_in_a_poor_conversation_is_its_good_moment(
    catalogues: Catalogues,
) -> None:
    end = play_file(catalogues, "marco_slecht")
    b3 = tip(end, "CK-B3")
    # "Wat wilt u nou eigenlijk van ons?" (6) came after data (2) and rules (3).
    assert b3["status"] == "flagged" and b3["good_moment"]["turn"] == 6
    assert b3["shown"] < b3["against"] and b3["slip"] is None
    better = end["report"]["better"]
    assert [b["turn"] for b in better] == sorted({b["turn"] for b in better})
    assert all(b["try_"] and b["why"] and b["pitfall"] for b in better)
    assert {2, 3, 5, 7} <= {b["turn"] for b in better}
