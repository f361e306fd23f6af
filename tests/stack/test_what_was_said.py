"""Through the real Rasa server and action server: the inwoner answers what was asked,
and a message that does two things is read as two acts."""

from __future__ import annotations

import uuid

import pytest

from gesprekscoach.rasa_client import RasaClient

pytestmark = pytest.mark.stack


def test_a_greeting_with_a_bsn_question_is_data_asked_too_early(client: RasaClient) -> None:
    sender = f"acts-{uuid.uuid4().hex[:8]}"
    client.start_practice(sender, "samira", seed=4)
    reply = client.send(sender, "Goedemiddag mevrouw. Wat is uw BSN?")
    assert reply.payload["move"] == "info_opvragen"
    assert reply.payload["moves"][:2] == ["info_opvragen", "begroeten"]
    assert [a["move"] for a in reply.payload["acts"]] == reply.payload["moves"]
    end = client.stop_practice(sender).payload
    measures = end["report"]["measures"]
    assert measures["data_before_trust"] and measures["data_before_trust_turns"] == [1]
    assert next(t for t in end["report"]["tips"] if t["id"] == "CK-B1")["status"] == "flagged"


def test_asked_about_the_son_marco_talks_about_daan(client: RasaClient) -> None:
    sender = f"zoon-{uuid.uuid4().hex[:8]}"
    client.start_practice(sender, "marco", seed=4)
    client.send(sender, "Goedemiddag meneer Jansen, ik ben Sanne van de gemeente.")
    reply = client.send(sender, "hoe gaat het eigenlijk met uw zoon?")
    assert reply.payload["topics"] == ["daan"]
    assert (
        "daan" in reply.text.lower() or "zoon" in reply.text.lower() or "hij" in reply.text.lower()
    )
    again = client.send(sender, "Hoe oud is Daan ook alweer?")
    assert again.payload["topics"] == ["daan"] and again.text != reply.text
