"""RasaBridge against the real Rasa stack: the bot's commands and its metadata (who writes)
reach the practice channel through RasaClient's calls, and the session log keeps them."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from bot.bridge import PracticeBridge, RasaBridge
from coach.stack import Stack
from gesprekscoach.rasa_client import RasaClient, Reply
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import Casemanager, PracticeSession
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.turn import TurnEvent
from tests.telegram.test_handlers import run

pytestmark = pytest.mark.stack
LINE = "Goedemiddag meneer Visser, ik ben Eva van de gemeente."


def logged(stack: Stack, person: str, timeout: float = 15) -> tuple[str, list[str]] | None:
    """The persona and the typed lines of this pseudonym's ended session, once logged."""
    engine = make_engine(stack.settings.database_url)
    mine = (Casemanager.channel == "telegram", Casemanager.channel_hash == person)
    query = select(PracticeSession).join(Casemanager).where(*mine)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with session_factory(engine)() as db:
                session = db.execute(query).scalar_one_or_none()
                if session is not None and session.ended_at is not None:
                    return str(session.persona_id), [str(t.text) for t in session.turns]
            time.sleep(0.2)
        return None
    finally:
        engine.dispose()


def test_commands_and_metadata_go_through_rasa_client(client: RasaClient, stack: Stack) -> None:
    bridge: PracticeBridge = RasaBridge(client)
    person = pseudonym("telegram", f"bridge-{uuid.uuid4().hex}", "zout")
    meta = {"channel": "telegram", "chat_type": "private", "person": person}
    sender = f"tg-bridge-{uuid.uuid4().hex[:8]}"
    replies: list[Reply] = []

    async def practice() -> None:
        replies.append(await bridge.start(sender, "henk", 3, False, meta))
        replies.append(await bridge.send(sender, LINE, meta))
        replies.append(await bridge.hints(sender, True, meta))
        replies.append(await bridge.stop(sender, meta))

    run(practice)
    start, turn, hints, end = replies
    assert start.payload["kind"] == "start" and start.payload["hints"] is False
    assert TurnEvent.from_payload(turn.payload).text == LINE
    assert hints.payload == {"kind": "hints", "hints": True}
    assert end.payload["kind"] == "end" and "Henk Visser" in end.text
    assert logged(stack, person) == ("henk", [LINE]), "logged under the pseudonym sent"


def test_going_back_tips_and_the_reflection_go_through_rasa_client(client: RasaClient) -> None:
    bridge: PracticeBridge = RasaBridge(client)
    person = pseudonym("telegram", f"bridge-{uuid.uuid4().hex}", "zout")
    meta = {"channel": "telegram", "chat_type": "private", "person": person}
    sender = f"tg-bridge-{uuid.uuid4().hex[:8]}"
    replies: list[Reply] = []
    answer = "Hij wil hulp bij het lezen van zijn brieven."

    async def practice() -> None:
        replies.append(await bridge.start(sender, "henk", 3, True, meta, undo=True))
        replies.append(await bridge.send(sender, LINE, meta))
        replies.append(await bridge.send(sender, "Hoe gaat het met u?", meta))
        replies.append(await bridge.tip(sender, meta))
        replies.append(await bridge.go_back(sender, meta))
        replies.append(await bridge.start_again_from(sender, 1, meta))
        replies.append(await bridge.start_again_from(sender, 1, meta))
        replies.append(await bridge.stop(sender, meta, [(answer, person)]))

    run(practice)
    start, _, _, tip, back, again, nothing, end = replies
    assert start.payload["kind"] == "start" and start.payload["undo"] is True
    assert tip.payload["kind"] == "tip" and tip.payload["tips_asked"] == 1
    assert (back.payload["kind"], back.payload["from_turn"], back.payload["how"]) == (
        "rewind",
        2,
        "terug",
    )
    assert (again.payload["from_turn"], again.payload["how"]) == (1, "opnieuw")
    assert (nothing.payload["kind"], nothing.payload["error"]) == ("error", "nothing_to_undo")
    assert end.payload["kind"] == "end" and end.payload["reverts"] == 2
    (reflection,) = end.payload["reflections"]
    assert reflection["text"] == answer and reflection["person"] == person
