"""Going back and tips in the actions: rewind events, slots replayed as Rasa does, the log.

tests/actions/conftest.py's Conversation replays the slots from the applied events
(as Rasa's tracker does after a rewind), so these tests see the state the next
message would see.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.actions import ActionEndPractice, ActionGiveTip, ActionGoBack, LogSink
from gesprekscoach.slots import state_from_slots
from gesprekscoach.storage.models import PracticeSession, RevertedTurn, TurnRecord
from tests.actions.conftest import Conversation
from tests.actions.test_actions import payload_of, rows, say, start

pytestmark = pytest.mark.anyio


async def command(
    conversation: Conversation,
    sink: LogSink,
    action: Any,
    intent: str,
    entities: dict[str, Any] | None = None,
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    tracker = conversation.message(f"/{intent}", intent, entities=entities)
    events = await action(sink).run(dispatcher, tracker, {})
    conversation.record(dispatcher, events)
    return dispatcher, events


async def test_terug_rewinds_the_last_message_and_its_state(sink: LogSink, db: Engine) -> None:
    conversation = Conversation("tg-terug")
    await start(conversation, sink, {}, persona="marco", seed=3)
    await say(conversation, sink, {}, "Goedemiddag, ik ben Sanne.", "begroeten")
    before = state_from_slots(conversation.slots)
    await say(conversation, sink, {}, "Dat is uw eigen schuld.", "oordelen")
    assert state_from_slots(conversation.slots) != before

    dispatcher, events = await command(conversation, sink, ActionGoBack, "terug_nemen")
    payload = payload_of(dispatcher)
    assert payload["kind"] == "rewind" and payload["from_turn"] == 2
    # One rewind per user message taken back: the judgement and the command itself.
    assert [e["event"] for e in events].count("rewind") == 2
    assert state_from_slots(conversation.slots) == before, "the inwoner is as before it"
    assert conversation.slots["reverts"] == 1

    await say(conversation, sink, {}, "Hoe gaat het met u?", "open_vraag")
    assert state_from_slots(conversation.slots).turn == 2  # type: ignore[union-attr]
    assert sink.session_log.flush()
    assert [t.text for t in sorted(rows(db, TurnRecord), key=lambda t: t.number)] == [
        "Goedemiddag, ik ben Sanne.",
        "Hoe gaat het met u?",
    ]
    [trace] = rows(db, RevertedTurn)
    assert (trace.number, trace.text, trace.how) == (2, "Dat is uw eigen schuld.", "terug")
    [session] = rows(db, PracticeSession)
    assert session.reverts == 1


async def test_going_back_keeps_the_counts_and_the_hints_switch(sink: LogSink) -> None:
    conversation = Conversation("tg-counts")
    await start(conversation, sink, {}, persona="henk", seed=1)
    await say(conversation, sink, {}, "Hallo meneer Visser.", "begroeten")
    dispatcher, _ = await command(conversation, sink, ActionGiveTip, "tip_vragen")
    assert payload_of(dispatcher)["kind"] == "tip"
    await command(conversation, sink, ActionGoBack, "terug_nemen")
    assert conversation.slots["tips_asked"] == 1, "the tip was asked, going back or not"
    assert conversation.slots["reverts"] == 1
    assert conversation.slots["hints_on"] is True


async def test_opnieuw_checks_the_message_number(sink: LogSink) -> None:
    conversation = Conversation("tg-opnieuw")
    await start(conversation, sink, {}, persona="samira", seed=2)
    await say(conversation, sink, {}, "Hoi Samira.", "begroeten")
    for entities, error in (({"turn": "twee"}, "invalid_turn"), ({"turn": 5}, "no_such_turn")):
        dispatcher, events = await command(
            conversation, sink, ActionGoBack, "opnieuw_vanaf", entities
        )
        assert payload_of(dispatcher)["error"] == error
        assert not [e for e in events if e["event"] == "rewind"]


async def test_nothing_to_take_back_before_the_first_message(sink: LogSink) -> None:
    conversation = Conversation("tg-leeg")
    await start(conversation, sink, {}, persona="marco", seed=1)
    dispatcher, events = await command(conversation, sink, ActionGoBack, "terug_nemen")
    assert payload_of(dispatcher)["error"] == "nothing_to_undo" and events == []


async def test_the_end_covers_the_conversation_as_finally_held(sink: LogSink, db: Engine) -> None:
    conversation = Conversation("tg-einde")
    await start(conversation, sink, {}, persona="marco", seed=2)
    await say(conversation, sink, {}, "Goedemiddag meneer Jansen.", "begroeten")
    await say(conversation, sink, {}, "Dat had u zelf moeten regelen.", "oordelen")
    await command(conversation, sink, ActionGoBack, "terug_nemen")
    await say(conversation, sink, {}, "Wat heeft u nodig?", "vraag_wat_nodig")
    dispatcher = CollectingDispatcher()
    tracker = conversation.message("/stop_oefening", "stop_oefening")
    tracker.latest_message["reflections"] = [
        {"text": "Hij wil zijn dossier zien en een vaste contactpersoon.", "person": None}
    ]
    await ActionEndPractice(sink).run(dispatcher, tracker, {})
    payload = payload_of(dispatcher)
    assert [t["text"] for t in payload["thoughts"]] == [
        "Goedemiddag meneer Jansen.",
        "Wat heeft u nodig?",
    ]
    moves = {m for t in payload["report"]["tips"] for e in t["evidence"] for m in [e["text"]]}
    assert "Dat had u zelf moeten regelen." not in moves, "what was taken back is not judged"
    assert payload["reverts"] == 1 and payload["reflection"]["score"] > 0
    assert sink.session_log.flush()
    [session] = rows(db, PracticeSession)
    assert session.reflection_score == payload["reflection_score"]
    assert session.reflection["reflections"][0]["text"].startswith("Hij wil")
