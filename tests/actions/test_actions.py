"""The Rasa actions on their own: a tracker in, messages, slots and log rows out.

In the style of RasaHQ/rasa-demo: each test builds a rasa_sdk Tracker and a
CollectingDispatcher, awaits `action.run` and checks what was said (in Dutch, with
the "coach" payload), which slots were set, and what reached the session log, which
the test injects on its own SQLite database.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from actions.actions import (
    ActionEndPractice,
    ActionPersonaReply,
    ActionSetHints,
    ActionStartPractice,
    CoachAction,
    LogSink,
)
from gesprekscoach.domain import default_catalogues
from gesprekscoach.practice import HINTS_OFF, HINTS_ON, NOT_STARTED
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Casemanager, PracticeSession, TurnRecord
from gesprekscoach.turn import TurnEvent
from tests.actions.conftest import Conversation

pytestmark = pytest.mark.anyio

JUDGING = "Dat is toch gewoon uw eigen schuld."


def payload_of(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """The one "coach" payload the action sent (beside its last text)."""
    payloads = [m["custom"][PAYLOAD_KEY] for m in dispatcher.messages if m.get("custom")]
    assert len(payloads) == 1, dispatcher.messages
    return dict(payloads[0])


def texts_of(dispatcher: CollectingDispatcher) -> list[str]:
    return [str(m["text"]) for m in dispatcher.messages]


def rows(db: Engine, model: type) -> list[Any]:
    with session_factory(db)() as session:
        return list(session.execute(select(model)).scalars())


def count(db: Engine, model: type) -> int:
    with session_factory(db)() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


async def start(
    conversation: Conversation, sink: LogSink, domain: dict[str, Any], **entities: Any
) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = conversation.message("/start_oefening", "start_oefening", entities=entities)
    events = await ActionStartPractice(sink).run(dispatcher, tracker, domain)
    conversation.record(dispatcher, events)
    return dispatcher


async def say(
    conversation: Conversation, sink: LogSink, domain: dict[str, Any], text: str, move: str
) -> CollectingDispatcher:
    """A casemanager's message as NLU parsed it: one act, the move with its confidence."""
    dispatcher = CollectingDispatcher()
    acts = [{"text": text, "move": move, "confidence": 0.93}]
    tracker = conversation.message(text, move, 0.93, acts=acts)
    events = await ActionPersonaReply(sink).run(dispatcher, tracker, domain)
    conversation.record(dispatcher, events)
    return dispatcher


async def test_start_with_a_persona_and_a_seed(
    sink: LogSink, db: Engine, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    conversation = Conversation("tg-start")
    entities = {"persona": "henk", "seed": 7}
    tracker = conversation.message("/start_oefening", "start_oefening", entities=entities)
    events = await ActionStartPractice(sink).run(dispatcher, tracker, domain)

    henk = default_catalogues().personas.get("henk")
    [opening] = texts_of(dispatcher)
    assert opening in henk.opening
    payload = payload_of(dispatcher)
    assert (payload["kind"], payload["persona"], payload["seed"]) == ("start", "henk", 7)
    assert payload["persona_name"] == "Henk Visser" and payload["hints"] is True
    assert payload["briefing"] == henk.briefing
    assert SlotSet("persona_id", "henk") in events
    assert SlotSet("practice_status", "bezig") in events
    assert SlotSet("trust", henk.start_trust) in events
    assert not any(e["name"] == "hints_on" for e in events), "only slots that change are set"

    [session] = rows(db, PracticeSession)
    assert (session.id, session.persona_id, session.seed) == ("tg-start", "henk", 7)
    assert (session.mode, session.channel, session.ended_at) == ("oefenen", "telegram", None)
    [person] = rows(db, Casemanager)
    assert person.channel_hash == "e" * 64, "the pseudonym the client sent"


async def test_a_turn_answers_and_is_logged(
    sink: LogSink, db: Engine, domain: dict[str, Any]
) -> None:
    conversation = Conversation("tg-turn")
    await start(conversation, sink, domain, persona="samira", seed=3)
    text = "Dat klinkt echt heel zwaar voor je."
    dispatcher = await say(conversation, sink, domain, text, "empathie")

    [reply] = texts_of(dispatcher)
    event = TurnEvent.from_payload(payload_of(dispatcher), reply)
    assert (event.number, event.text, event.move, event.persona) == (1, text, "empathie", "samira")
    assert event.moves == ("empathie",) and event.confidence == 0.93
    assert event.acts[0].move == "empathie" and event.language is not None
    assert conversation.slots["trust"] == event.trust > event.trust_before
    assert conversation.slots["persona_state"]["turn"] == 1

    [row] = rows(db, TurnRecord)
    assert (row.session_id, row.number, row.text, row.move) == ("tg-turn", 1, text, "empathie")
    assert (row.reply, row.trust, row.stress) == (reply, event.trust, event.stress)
    assert row.language == event.language.to_dict() and row.author_id is None


async def test_a_turn_before_any_start_is_refused_in_dutch(
    sink: LogSink, db: Engine, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = Conversation("tg-early").message("Hallo, hoe gaat het?", "open_vraag")
    events = await ActionPersonaReply(sink).run(dispatcher, tracker, domain)
    assert texts_of(dispatcher) == [NOT_STARTED]
    assert NOT_STARTED.startswith("Er loopt nog geen oefengesprek")
    assert payload_of(dispatcher) == {"kind": "error", "error": "not_started"}
    assert events == []
    assert count(db, PracticeSession) == count(db, TurnRecord) == 0


async def test_ending_gives_the_report_and_logs_it(
    sink: LogSink, db: Engine, domain: dict[str, Any]
) -> None:
    conversation = Conversation("tg-end")
    await start(conversation, sink, domain, persona="henk", seed=1)
    await say(conversation, sink, domain, "Goedemiddag meneer Visser, ik ben Sanne.", "begroeten")
    await say(
        conversation, sink, domain, "Wat heeft u nodig om dit op te lossen?", "vraag_wat_nodig"
    )
    dispatcher = CollectingDispatcher()
    tracker = conversation.message("/stop_oefening", "stop_oefening")
    events = await ActionEndPractice(sink).run(dispatcher, tracker, domain)

    summary, *feedback = texts_of(dispatcher)
    assert summary.startswith("Het oefengesprek met Henk Visser is klaar. Je stuurde 2 berichten.")
    # Before the tips: the reflection beside the need, and what Henk thought per message.
    assert feedback[0].startswith("Wat had Henk nodig?") and "Wat Henk dacht" in feedback[0]
    assert any(text.startswith("Feedback op je gesprek met Henk Visser") for text in feedback)
    payload = payload_of(dispatcher)
    assert payload["kind"] == "end" and payload["turn"] == 2
    report = payload["report"]
    assert report["measures"]["turns"] == 2, "the report reads the turns from the tracker"
    statuses = {t["id"]: t["status"] for t in report["tips"]}
    assert statuses["CK-B3"] == "credited", "the needs question counts"
    assert SlotSet("practice_status", "klaar") in events

    [session] = rows(db, PracticeSession)
    assert session.ended_at is not None and session.report == report
    assert session.final_trust == payload["trust"]
    assert [t.number for t in rows(db, TurnRecord)] == [1, 2]


async def test_hints_switch_off_and_on(sink: LogSink, domain: dict[str, Any]) -> None:
    conversation = Conversation("tg-hints")
    await start(conversation, sink, domain, persona="henk", seed=1)
    judged = await say(conversation, sink, domain, JUDGING, "oordelen")
    [hint] = payload_of(judged)["coaching"]
    assert "CK-H1" in hint

    off = CollectingDispatcher()
    tracker = conversation.message("/hints_instellen", "hints_instellen", entities={"hints": "uit"})
    events = await ActionSetHints(sink).run(off, tracker, domain)
    conversation.record(off, events)
    assert texts_of(off) == [HINTS_OFF] and payload_of(off) == {"kind": "hints", "hints": False}
    assert events == [SlotSet("hints_on", False)]
    quiet = await say(conversation, sink, domain, JUDGING, "oordelen")
    assert payload_of(quiet)["coaching"] == [], "no hints in exam mode"

    on = CollectingDispatcher()
    tracker = conversation.message("/hints_instellen", "hints_instellen")
    events = await ActionSetHints(sink).run(on, tracker, domain)
    assert texts_of(on) == [HINTS_ON], "without a value the switch flips"
    assert events == [SlotSet("hints_on", True)]


async def test_a_practice_in_exam_mode_is_logged_as_exam(
    sink: LogSink, db: Engine, domain: dict[str, Any]
) -> None:
    conversation = Conversation("tg-exam")
    dispatcher = await start(conversation, sink, domain, persona="marco", hints="false")
    assert payload_of(dispatcher)["hints"] is False
    assert conversation.slots["hints_on"] is False
    [session] = rows(db, PracticeSession)
    assert session.mode == "examen"


@pytest.mark.parametrize(
    ("entities", "error", "said"),
    [
        ({"seed": "zeven"}, "invalid_seed", "De seed moet een heel getal zijn."),
        ({"seed": 2**40}, "invalid_seed", "De seed moet tussen 0 en"),
        ({"persona": "Henk!"}, "invalid_persona", "Een inwoner kies je met een naam"),
        ({"persona": "piet"}, "unknown_persona", "Die inwoner ken ik niet: 'piet'."),
    ],
    ids=["seed-text", "seed-too-big", "persona-malformed", "persona-unknown"],
)
async def test_a_bad_seed_or_persona_is_refused_and_nothing_starts(
    sink: LogSink,
    db: Engine,
    domain: dict[str, Any],
    entities: dict[str, Any],
    error: str,
    said: str,
) -> None:
    conversation = Conversation("tg-refused")
    dispatcher = await start(conversation, sink, domain, **entities)
    [text] = texts_of(dispatcher)
    assert text.startswith(said)
    payload = payload_of(dispatcher)
    assert (payload["kind"], payload["error"]) == ("error", error)
    assert conversation.slots["persona_id"] is None, "no slots set"
    assert count(db, PracticeSession) == count(db, Casemanager) == 0


async def test_a_restart_in_one_conversation_logs_a_second_session(
    sink: LogSink, db: Engine, domain: dict[str, Any]
) -> None:
    conversation = Conversation("tg-again")
    await start(conversation, sink, domain, persona="henk", seed=1)
    await say(conversation, sink, domain, "Goedemiddag meneer Visser.", "begroeten")
    await start(conversation, sink, domain, persona="samira", seed=2)
    await say(conversation, sink, domain, "Goedemiddag Samira.", "begroeten")
    sessions = {s.id: s.persona_id for s in rows(db, PracticeSession)}
    assert sessions == {"tg-again": "henk", "tg-again~2": "samira"}
    turns = sorted((t.session_id, t.number) for t in rows(db, TurnRecord))
    assert turns == [("tg-again", 1), ("tg-again~2", 1)]


def test_rasa_builds_every_action_without_arguments() -> None:
    """The action server instantiates each action class with no arguments."""
    for action in CoachAction.__subclasses__():
        assert action().name().startswith("action_")
