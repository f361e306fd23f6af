"""The JSON export says what the end of the practice said: a conversation through the real
domain core and the real session-log writes, ended with a reflection, then exported."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from gesprekscoach import practice
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.transcript import turns_from_payloads
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.storage.service import writes_for
from gesprekscoach.storage.writer import apply
from tests.dashboard.conftest import login
from tests.workshops.practise import GOOD, meta

SALT = "export-salt"
ANSWER = "Hij wil een vast aanspreekpunt en dat zijn oude dossier eerlijk bekeken wordt."


def practise_and_end(engine: Engine, catalogues: Catalogues, session_id: str) -> dict[str, Any]:
    """Marco, five good messages, ended with an answer to "what did he need?"."""
    who = meta("Eva")
    out = practice.start(catalogues, "marco", seed=3)
    slots = dict(out.slots)
    for write in writes_for(session_id, out.payload[PAYLOAD_KEY], who, SALT):
        apply(engine, write)
    pairs = []
    for text, move in GOOD:
        out = practice.turn(catalogues, slots, text, move, 0.95)
        slots.update(out.slots)
        payload = out.payload[PAYLOAD_KEY]
        pairs.append((payload, out.texts[0]))
        for write in writes_for(session_id, payload, who, SALT):
            apply(engine, write)
    out = practice.end(catalogues, slots, turns_from_payloads(pairs), [(ANSWER, None)])
    end = dict(out.payload[PAYLOAD_KEY])
    for write in writes_for(session_id, end, who, SALT):
        apply(engine, write)
    return end


def test_the_json_export_has_the_end_payloads_fields(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    end = practise_and_end(engine, catalogues, "x-marco")
    assert end["reflection"] is not None and end["thoughts"], "the core gave what is compared"
    login(client)
    (data,) = json.loads(client.get("/sessions/x-marco/export.json").get_data(as_text=True))
    for key in ("reflection", "reflections", "need_moments", "reverts", "tips_asked"):
        assert data[key] == end[key], key
    assert data["hidden_need"] == end["hidden_need"]
    assert len(data["thoughts"]) == len(end["thoughts"]) == len(GOOD)
    for ours, theirs in zip(data["thoughts"], end["thoughts"], strict=True):
        assert {k: v for k, v in ours.items() if k != "trust_delta"} == {
            k: v for k, v in theirs.items() if k != "trust_delta"
        }
        assert ours["trust_delta"] == pytest.approx(theirs["trust_delta"], abs=0.05)
    assert [t["thought"] for t in data["turns"]] == [t["thought"] for t in end["thoughts"]]
    page = client.get("/sessions/x-marco").get_data(as_text=True)
    assert "Wat had Marco nodig?" in page and ANSWER in page
