"""A failing action tells the casemanager in Dutch and logs no words, tracker or ids."""

from __future__ import annotations

import logging

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import FAILED, CoachAction

SECRET = "Mijn BSN is 123456782 en ik heet Wilhelmientje"


class Exploding(CoachAction):
    def name(self) -> str:
        return "action_exploding"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        raise ValueError(tracker.latest_message["text"])


@pytest.mark.anyio
async def test_a_fault_is_said_and_logged_without_the_conversation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    latest = {"text": SECRET, "metadata": {"person": "f" * 64}}
    tracker = Tracker("tg-abc", {}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.ERROR):
        events = await Exploding().run(dispatcher, tracker, {})
    assert events == [] and dispatcher.messages[0]["text"] == FAILED
    assert "ValueError" in caplog.text and "action_exploding" in caplog.text
    assert SECRET not in caplog.text and "123456782" not in caplog.text
    assert "f" * 64 not in caplog.text
