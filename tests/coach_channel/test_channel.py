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
