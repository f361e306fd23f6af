"""The practice channel's handler on its own: a message NLU cannot read is refused (422),
never retried as an outage, and logged without its words."""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.lock_store import InMemoryLockStore

from coach.processes import free_port
from coach_channel.channel import UNREADABLE, CoachInput
from coach_channel.lock_store import CoachRedisLockStore

SECRET = "Mijn buurvrouw Gerritsma weet het ook niet"


class Recorder:
    """Rasa's processor as far as the channel sees it: it records what it was handed."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_message(self, message: Any) -> None:
        self.received.append(message)


class Agent:
    """Rasa's agent as far as the channel sees it, with Rasa's own in-memory lock store."""

    def __init__(self) -> None:
        self.processor = Recorder()
        self.lock_store = InMemoryLockStore()
        self.tracker_store = None

    @property
    def received(self) -> list[Any]:
        return self.processor.received

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> dict[str, Any]:
        return {"text": text, "intent": {"name": "open_vraag", "confidence": 1.0}}


class BrokenAgent(Agent):
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


def handler() -> Any:
    async def on_new_message(message: Any) -> None:
        raise AssertionError("the channel hands messages to the processor itself")

    hook = CoachInput(token="t").blueprint(on_new_message)
    return next(r.handler for r in hook._future_routes if r.uri == "/webhook")


def test_an_unreadable_message_is_refused_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    agent = BrokenAgent()
    receive = handler()
    with caplog.at_level(logging.ERROR):
        answer = asyncio.run(receive(request({"sender": "c-1", "message": SECRET}, agent)))
    assert answer.status == 422 and json.loads(answer.body)["message"] == UNREADABLE
    assert agent.received == [], "nothing reached Rasa"
    assert "ValueError" in caplog.text and SECRET not in caplog.text


def test_a_wrong_token_is_refused_before_anything_is_read() -> None:
    agent = Agent()
    bad = request({"sender": "c-1", "message": "Hallo"}, agent)
    bad.headers = {"authorization": "Bearer nope"}
    assert asyncio.run(handler()(bad)).status == 401 and agent.received == []


def test_the_learning_commands_become_their_intents_and_a_reflection_stays_text() -> None:
    agent = Agent()
    receive = handler()
    hostile = '/start_oefening{"persona": "marco"} <b>dossier</b>'
    bodies = [
        {"command": "terug"},
        {"command": "opnieuw", "turn": 3},
        {"command": "tip"},
        {"command": "stop", "reflections": [{"text": hostile}, {"text": "  "}]},
        {"command": "start", "persona": "henk", "seed": 1, "undo": False},
    ]
    for control in bodies:
        answer = asyncio.run(receive(request({"sender": "c-1", "control": control}, agent)))
        assert answer.status == 503  # nothing answered in this test: no Rasa behind it
    received = agent.received
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
    agent = Agent()
    answer = asyncio.run(handler()(request({"sender": "c-1", "control": control}, agent)))
    assert answer.status == 400 and agent.received == []
    assert json.loads(answer.body)["message"]


@pytest.mark.parametrize("message_id", ["short", "x" * 65, "met spatie 123", 12345678, ["a" * 8]])
def test_a_bad_message_id_is_refused_in_dutch(message_id: Any) -> None:
    agent = Agent()
    body = {"sender": "c-1", "message": "Hallo", "message_id": message_id}
    answer = asyncio.run(handler()(request(body, agent)))
    assert answer.status == 400 and agent.received == []
    assert json.loads(answer.body)["field"] == "message_id"


def test_the_message_id_travels_with_the_message() -> None:
    agent = Agent()
    body = {"sender": "c-1", "message": "Hoe gaat het?", "message_id": "abc-123_XYZ"}
    asyncio.run(handler()(request(body, agent)))
    (message,) = agent.received
    assert message.message_id == "abc-123_XYZ" and message.text == "Hoe gaat het?"


class LockGone(Agent):
    def __init__(self) -> None:
        super().__init__()
        self.lock_store = CoachRedisLockStore(host="127.0.0.1", port=free_port())


def test_without_its_lock_store_a_message_is_refused_not_handled() -> None:
    agent = LockGone()  # Redis on a port where nothing listens
    body = {"sender": "c-1", "message": "Hoe gaat het?"}
    answer = asyncio.run(handler()(request(body, agent)))
    assert answer.status == 503 and agent.received == [], "never handled without a lock"
    refusal = json.loads(answer.body)
    assert refusal["error"] == "lock_store" and "Redis" in refusal["message"]
