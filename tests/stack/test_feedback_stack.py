"""Feedback through the real Rasa server and action server."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.play import load_script, play_script
from gesprekscoach.feedback.render import CHAT_LIMIT
from gesprekscoach.rasa_client import RasaClient

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]


def test_play_json_carries_the_feedback(client: RasaClient) -> None:
    script = load_script(ROOT / "tests/conversations/marco_gehaast.yml")
    result = play_script(client, script, None, seed=1)
    feedback = result["feedback"]
    status = {t["id"]: t["status"] for t in feedback["tips"]}
    assert status["CK-B3"] == status["CK-H1"] == status["AO-5"] == status["CK-B2"] == "flagged"
    for tip in feedback["tips"]:
        assert {"id", "status", "evidence", "advice"} <= set(tip)
    assert feedback["measures"]["first_needs_question_turn"] is None
    assert len(feedback["language"]) == len(result["turns"])
    assert any(lang["jargon"] for lang in feedback["language"])
    assert any(t["coaching"] for t in result["turns"]), "pitfalls get coaching during practice"


def test_stop_sends_the_report_in_chat_sized_messages(client: RasaClient) -> None:
    sender = "feedback-stop"
    client.start_practice(sender, "samira", seed=2)
    for line in load_script(ROOT / "tests/conversations/samira_goed.yml").lines:
        client.send(sender, line)
    end = client.stop_practice(sender)
    assert len(end.texts) >= 2
    assert all(len(text) <= CHAT_LIMIT for text in end.texts)
    assert "Wat ging goed" in end.text and "Verborgen behoefte: gevonden" in end.text
    assert end.payload["report"]["measures"]["hidden_need_found"]


def test_hints_can_be_switched_off_and_on(client: RasaClient) -> None:
    sender = "feedback-hints"
    start = client.start_practice(sender, "henk", seed=3, hints=False)
    assert start.payload["hints"] is False
    judged = client.send(sender, "Had u die brieven niet gewoon zelf kunnen lezen?")
    assert judged.payload["move"] == "oordelen" and judged.payload["coaching"] == []
    switched = client.set_hints(sender, True)
    assert "staan aan" in switched.text
    again = client.send(sender, "Dat is toch uw eigen schuld, meneer Visser.")
    assert again.payload["coaching"] and "CK-H1" in again.payload["coaching"][0]
    assert again.payload["turn"] == 2, "switching hints is not a turn"
