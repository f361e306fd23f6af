"""Messages that do two things: feedback, hints and measures count every act."""

from __future__ import annotations

from typing import Any

from gesprekscoach import practice
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.transcript import turns_from_payloads
from gesprekscoach.language.acts import LabelledAct
from gesprekscoach.protocol import PAYLOAD_KEY
from tests.feedback.scripts import statuses


def play_acts(
    catalogues: Catalogues, persona: str, lines: list[tuple[str, tuple[str, ...]]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Lines of (text, moves of its acts, main first), through the practice functions."""
    out = practice.start(catalogues, persona, seed=2)
    slots = dict(out.slots)
    pairs = []
    for text, moves in lines:
        acts = tuple(LabelledAct(text, m, 0.9) for m in moves)
        out = practice.turn(catalogues, slots, text, moves[0], 0.9, acts)
        slots.update(out.slots)
        pairs.append((out.payload[PAYLOAD_KEY], out.texts[0]))
    end = practice.end(catalogues, slots, turns_from_payloads(pairs))
    return end.payload[PAYLOAD_KEY], [p for p, _ in pairs]


def test_a_bsn_question_after_a_greeting_is_data_asked_early(catalogues: Catalogues) -> None:
    lines = [
        ("Goedemiddag mevrouw. Wat is uw BSN?", ("info_opvragen", "begroeten")),
        ("Hoe gaat het met de kinderen?", ("open_vraag",)),
        ("Dank u wel, tot ziens.", ("afsluiten",)),
    ]
    end, turns = play_acts(catalogues, "samira", lines)
    assert turns[0]["moves"] == ["info_opvragen", "begroeten"]
    measures = end["report"]["measures"]
    assert measures["data_before_trust"] and measures["data_before_trust_turns"] == [1]
    assert statuses(end)["CK-B1"] == "flagged"
    b1 = next(t for t in end["report"]["tips"] if t["id"] == "CK-B1")
    assert any(e["text"] == "Goedemiddag mevrouw. Wat is uw BSN?" for e in b1["evidence"])


def test_empathy_before_a_question_is_credited_and_counted(catalogues: Catalogues) -> None:
    lines = [
        ("Goedemiddag meneer Visser, fijn dat u er bent.", ("begroeten",)),
        ("Dat klinkt echt zwaar met Ria. Hoe gaat het nu thuis?", ("open_vraag", "empathie")),
    ]
    end, turns = play_acts(catalogues, "henk", lines)
    assert turns[1]["move"] == "open_vraag"
    measures = end["report"]["measures"]
    assert measures["reflections"] == 1 and measures["questions"] == 1
    evidence = next(t for t in end["report"]["tips"] if t["id"] == "II-1")["evidence"]
    assert any("zwaar met Ria" in e["text"] for e in evidence), "empathy credits II-1"


def test_a_data_request_hidden_behind_empathy_still_gets_a_hint(catalogues: Catalogues) -> None:
    text = "Vervelend dat u weer moest komen. Mag ik uw bankafschriften en BSN?"
    _, turns = play_acts(catalogues, "marco", [(text, ("info_opvragen", "empathie"))])
    assert turns[0]["coaching"], "data asked in the first message gets a coaching hint"
