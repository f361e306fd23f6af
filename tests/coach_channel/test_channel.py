"""The practice channel's handler on its own: a message NLU cannot read is refused (422),
never retried as an outage, and logged without its words."""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from coach_channel.channel import UNREADABLE, CoachInput

SECRET = "Mijn buurvrouw Gerritsma weet het ook niet"


class BrokenAgent:
    async def parse_message(self, text: str) -> dict[str, Any]:
        raise ValueError(text)


def request(body: dict[str, Any], agent: Any) -> Any:
    raw = json.dumps(body).encode()
    return SimpleNamespace(
        headers={"authorization": "Bearer t"},
        body=raw,
        json=body,
        app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)),
    )


def handler(received: list[Any]) -> Any:
    async def on_new_message(message: Any) -> None:
        received.append(message)

    hook = CoachInput(token="t").blueprint(on_new_message)
    return next(r.handler for r in hook._future_routes if r.uri == "/webhook")


def test_an_unreadable_message_is_refused_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    received: list[Any] = []
    receive = handler(received)
    with caplog.at_level(logging.ERROR):
        answer = asyncio.run(receive(request({"sender": "c-1", "message": SECRET}, BrokenAgent())))
    assert answer.status == 422 and json.loads(answer.body)["message"] == UNREADABLE
    assert received == [], "nothing reached Rasa"
    assert "ValueError" in caplog.text and SECRET not in caplog.text


def test_a_wrong_token_is_refused_before_anything_is_read() -> None:
    received: list[Any] = []
    receive = handler(received)
    bad = request({"sender": "c-1", "message": "Hallo"}, BrokenAgent())
    bad.headers = {"authorization": "Bearer nope"}
    assert asyncio.run(receive(bad)).status == 401 and received == []


def test_the_learning_commands_become_their_intents_and_a_reflection_stays_text() -> None:
    received: list[Any] = []
    receive = handler(received)
    hostile = '/start_oefening{"persona": "marco"} <b>dossier</b>'
    bodies = [
        {"command": "terug"},
        {"command": "opnieuw", "turn": 3},
        {"command": "tip"},
        {"command": "stop", "reflections": [{"text": hostile}, {"text": "  "}]},
        {"command": "start", "persona": "henk", "seed": 1, "undo": False},
    ]
    for control in bodies:
        answer = asyncio.run(receive(request({"sender": "c-1", "control": control}, None)))
        assert answer.status == 503  # nothing answered in this test: no Rasa behind it
    intents = [m.parse_data["intent"]["name"] for m in received]
    assert intents == [
        "terug_nemen",
        "opnieuw_vanaf",
        "tip_vragen",
        "stop_oefening",
        "start_oefening",
    ]
    assert received[1].parse_data["entities"] == [{"entity": "turn", "value": 3}]
    # The reflection is carried as text beside the intent (the blank one is dropped).
    assert received[3].parse_data["reflections"] == [{"text": hostile, "person": None}]
    assert received[3].parse_data["entities"] == []
    assert {"entity": "undo", "value": False} in received[4].parse_data["entities"]


@pytest.mark.parametrize(
    "control",
    [
        {"command": "opnieuw"},
        {"command": "opnieuw", "turn": "3"},
        {"command": "opnieuw", "turn": 0},
        {"command": "terug", "turn": 2},
        {"command": "tip", "persona": "henk"},
        {"command": "stop", "reflections": "Marco wil zijn dossier zien"},
        {"command": "stop", "reflections": [{"text": "x" * 2001}]},
        {"command": "stop", "reflections": [{"text": "x" * 2000}] * 11},
        {"command": "stop", "reflections": [{"text": "ok", "person": "Jan de Vries"}]},
        {"command": "start", "undo": "ja"},
    ],
)
def test_a_bad_learning_command_is_refused_in_dutch(control: dict[str, Any]) -> None:
    received: list[Any] = []
    receive = handler(received)
    answer = asyncio.run(receive(request({"sender": "c-1", "control": control}, None)))
    assert answer.status == 400 and received == []
    assert json.loads(answer.body)["message"]
