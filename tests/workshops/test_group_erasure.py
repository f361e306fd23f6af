"""Erasing a member of a group round also blanks their words in the group's Rasa tracker
(their messages and every quote of them), and their own conversations' trackers go,
their second practice ("sender~2") included (issue 12)."""

from __future__ import annotations

import json

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Casemanager
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.workshops.erasure import ERASED, erase_person
from tests.workshops.conftest import new_workshop
from tests.workshops.practise import GOOD, RUSHED, label, meta, person, practise

EVENTS = """CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),
    action_name VARCHAR(255), data TEXT)"""


def add_events(engine: Engine, sender: str, events: list[dict]) -> None:
    with engine.begin() as connection:
        for event in events:
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, :t, :d)"),
                {"s": sender, "t": event["event"], "d": json.dumps(event)},
            )


def tracker(engine: Engine, sender: str) -> str:
    with engine.connect() as connection:
        query = text("SELECT data FROM events WHERE sender_id = :s")
        rows = connection.execute(query, {"s": sender}).scalars()
        return " ".join(rows)


def user_event(words: str, name: str) -> dict:
    return {
        "event": "user",
        "text": words,
        "parse_data": {"text": words},
        "metadata": {"channel": "telegram", "person": person(name)},
    }


def test_a_members_words_are_blanked_in_the_groups_tracker(
    engine: Engine, catalogues: Catalogues
) -> None:
    with engine.begin() as connection:
        connection.execute(text(EVENTS))
    code = new_workshop(engine, catalogues, form="rondje")
    group = {"group": pseudonym("telegram", "-100999", "s")}
    bram_says = RUSHED[2][0]
    lines = [GOOD[0], RUSHED[2], GOOD[2]]
    writers = [meta("Eva", code, **group), meta("Bram", code, **group), meta("Eva", code, **group)]
    practise(engine, catalogues, "round-1", "henk", lines, writers)
    payload = {
        "report": {"evidence": f"Je schreef: '{bram_says}'"},
        "acts": [{"text": bram_says[:30]}],
    }
    quote = {"event": "bot", "text": "Feedback", "data": {"custom": {"coach": payload}}}
    round_events = [
        user_event(GOOD[0][0], "Eva"),
        user_event(bram_says, "Bram"),
        user_event(GOOD[2][0], "Eva"),
        quote,
    ]
    add_events(engine, "round-1", round_events)
    practise(engine, catalogues, "bram-own", "samira", RUSHED[:1], meta("Bram"))
    practise(engine, catalogues, "bram-own~2", "samira", RUSHED[:1], meta("Bram"))
    add_events(engine, "bram-own", [user_event(RUSHED[0][0], "Bram")])
    with session_factory(engine)() as db, db.begin():
        by_name = select(Casemanager).where(Casemanager.display_name == label("Bram"))
        bram = db.execute(by_name).scalar_one()
        erase_person(db, int(bram.id), catalogues)
    group_tracker = tracker(engine, "round-1")
    assert bram_says not in group_tracker and bram_says[:30] not in group_tracker
    assert person("Bram") not in group_tracker
    assert group_tracker.count(ERASED) >= 2
    assert GOOD[0][0] in group_tracker and GOOD[2][0] in group_tracker, "the others' words stay"
    assert tracker(engine, "bram-own") == "", "their own conversation's tracker is gone"


def test_a_members_turns_taken_back_and_reflection_go_too(
    engine: Engine, catalogues: Catalogues
) -> None:
    """In a round Bram wrote a message the group took back, and answered what Henk needed."""
    from gesprekscoach.storage.models import PracticeSession, RevertedTurn, TurnRecord
    from gesprekscoach.storage.repository import SessionEnd, TurnsReverted
    from gesprekscoach.storage.writer import apply

    code = new_workshop(engine, catalogues, form="rondje")
    group = {"group": pseudonym("telegram", "-100777", "s")}
    lines = [GOOD[0], RUSHED[1], GOOD[2]]
    writers = [meta("Eva", code, **group), meta("Bram", code, **group), meta("Eva", code, **group)]
    practise(engine, catalogues, "round-2", "henk", lines, writers, end=False)
    apply(engine, TurnsReverted("round-2", 2, "terug"))
    answers = [
        {"text": "Hij kan de brieven niet lezen", "person": person("Bram"), "score": 0.5},
        {"text": "Hulp met de post", "person": person("Eva"), "score": 0.25},
    ]
    end = SessionEnd("round-2", False, None, 40.0, {}, reflection={"reflections": answers})
    apply(engine, end)
    with session_factory(engine)() as db, db.begin():
        taken_back = db.execute(select(RevertedTurn.text)).scalars().all()
        assert taken_back == [RUSHED[1][0], GOOD[2][0]]
        by_name = select(Casemanager).where(Casemanager.display_name == label("Bram"))
        erase_person(db, int(db.execute(by_name).scalar_one().id), catalogues)
    with session_factory(engine)() as db:
        assert db.execute(select(RevertedTurn.text)).scalars().all() == [GOOD[2][0]]
        session = db.get(PracticeSession, "round-2")
        assert session is not None
        assert [r["person"] for r in session.reflection["reflections"]] == [person("Eva")]
        assert session.reflection_score == 0.25
        assert [t.text for t in db.execute(select(TurnRecord)).scalars()] == [GOOD[0][0]]
