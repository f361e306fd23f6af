"""Werkateliers in Telegram end to end: the fake Bot API on loopback, the real Rasa stack,
the stack's database. A round in a group with three members, and joining with a code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import texts
from coach.stack import Stack
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import PracticeSession, Workshop, WorkshopMember
from gesprekscoach.storage.repository import pseudonym, pseudonym_label
from gesprekscoach.storage.service import pseudonym_salt
from gesprekscoach.workshops.service import by_code, set_status
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot
from tests.telegram.test_bot_e2e import bot_for, said
from tests.workshops.conftest import new_workshop

pytestmark = pytest.mark.stack
GROUP = -100555
EVA, BRAM, NOOR = 71, 72, 73


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def in_group(fake: FakeBotAPI, user: int, name: str, text: str) -> None:
    if text.startswith("/"):
        fake.push_command(GROUP, text, user_id=user, chat_type="group", first_name=name)
    else:
        fake.push_text(GROUP, text, user_id=user, chat_type="group", first_name=name)


def photo_sent(fake: FakeBotAPI) -> bool:
    return any(c["method"] == "sendPhoto" for c in fake.sent(GROUP))


def workshop_of(db: Session, code: str) -> Workshop:
    workshop = by_code(db, code)
    assert workshop is not None, f"no workshop {code}"
    return workshop


def answered(fake: FakeBotAPI, before: int) -> bool:
    return fake.wait_for(lambda _: len(fake.messages(GROUP)) > before, 30)


def test_a_round_in_a_group_with_three_members(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack
) -> None:
    engine = make_engine(stack.settings.database_url)
    code = new_workshop(engine, catalogues, form="rondje")
    with RunningBot(bot_for(fake, catalogues, stack)):
        in_group(fake, EVA, "Eva", f"/join {code}")
        assert said(fake, "Deze groep doet mee aan het werkatelier")
        in_group(fake, EVA, "Eva", "/oefening henk volgorde")
        assert said(fake, "Samen oefenen met Henk Visser")
        assert fake.wait_for(lambda _: len(fake.messages(GROUP)) >= 4, 30), "briefing, opening"
        for n, (user, name) in enumerate(((EVA, "Eva"), (BRAM, "Bram"), (NOOR, "Noor")), 1):
            fake.push_callback(GROUP, "round:join", user_id=user, first_name=name)
            assert said(fake, f"{name} doet mee, als Deelnemer {n}.")
        in_group(fake, 99, "Kees", "Mag ik ook wat zeggen?")
        assert said(fake, "Kees, druk eerst op 'Ik doe mee'")
        in_group(fake, BRAM, "Bram", "Ik begin wel even.")
        assert said(fake, "Wacht even, Bram: het is de beurt van Eva.")
        lines = [
            (EVA, "Eva", "Goedemiddag meneer Visser, ik ben Eva van de gemeente."),
            (BRAM, "Bram", "Dat klinkt echt heel zwaar voor u."),
            (NOOR, "Noor", "Wat heeft u nodig om dit op te lossen?"),
        ]
        for user, name, text in lines:
            before = len(fake.messages(GROUP))
            in_group(fake, user, name, text)
            assert answered(fake, before)
        assert said(fake, "Nu is Eva aan de beurt.")
        in_group(fake, NOOR, "Noor", "/beurt")
        assert said(fake, "Het is de beurt van Eva. Daarna: Bram, Noor.")
        in_group(fake, EVA, "Eva", "/stop")
        assert said(fake, "Wat denken jullie dat Henk nodig heeft?")
        in_group(fake, NOOR, "Noor", "/stop")  # again: no more waiting
        assert said(fake, "Feedback op je gesprek met Henk Visser")
        assert said(fake, "- Eva: geen antwoord.")
        assert said(fake, "Wie deed wat:")
        assert fake.wait_for(lambda _: photo_sent(fake), 30)
        share = next(m for m in fake.messages(GROUP) if m.startswith("Wie deed wat:"))
        for name in ("Eva", "Bram", "Noor"):
            assert f"- {name}: 1 bericht" in share
    with session_factory(engine)() as db:
        of_workshop = PracticeSession.workshop_code == code
        session = db.execute(select(PracticeSession).where(of_workshop)).scalar_one()
        assert session.casemanager.display_name.startswith("Groep ") and session.ended_at
        assert "Testgroep" not in session.casemanager.display_name
        assert [t.text for t in session.turns] == [text for _, _, text in lines], (
            "out-of-turn and non-member messages were not sent on"
        )
        salt = pseudonym_salt(stack.settings)
        keys = [pseudonym("telegram", str(u), salt) for u in (EVA, BRAM, NOOR)]
        labels = [pseudonym_label("telegram", key) for key in keys]
        assert [t.author.display_name for t in session.turns] == labels, "no names stored"


def test_joining_a_workshop_with_a_code(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack
) -> None:
    engine = make_engine(stack.settings.database_url)
    code = new_workshop(engine, catalogues)  # parallel, one persona: Henk
    closed = new_workshop(engine, catalogues, status="gesloten")
    chat = 4711
    with RunningBot(bot_for(fake, catalogues, stack)):
        fake.push_command(chat, "/join")
        assert said(fake, texts.JOIN_USAGE)
        fake.push_command(chat, f"/join {code.lower()}")
        assert said(fake, "Doe je mee?"), "consent first"
        fake.push_callback(chat, f"consent:ja:{code.lower()}")
        assert said(fake, "Je doet mee aan het werkatelier 'Werkatelier schulden'")
        assert said(fake, "Je oefent met Henk Visser"), "one inwoner: straight to the practice"
        assert fake.wait_for(lambda _: not fake.messages(chat)[-1].startswith("Je oefent"), 30)
        before = len(fake.messages(chat))
        fake.push_text(chat, "Goedemiddag meneer Visser, hoe gaat het met u?")
        assert fake.wait_for(lambda _: len(fake.messages(chat)) > before, 30)
        fake.push_command(chat, "/join QQQQQQ")
        assert said(fake, "De code QQQQQQ ken ik niet")
        fake.push_command(chat, f"/join {closed}")
        assert said(fake, "is gesloten")
        with session_factory(engine)() as db, db.begin():
            set_status(db, workshop_of(db, code), "gesloten")
        fake.push_command(chat, "/opnieuw")
        assert said(fake, texts.WORKSHOP_CLOSED_NOW)
    with session_factory(engine)() as db:
        in_telegram = PracticeSession.channel == "telegram"
        by_start = PracticeSession.started_at
        query = select(PracticeSession).where(in_telegram).order_by(by_start)
        sessions = db.execute(query).scalars().all()
        key = pseudonym("telegram", str(chat), pseudonym_salt(stack.settings))
        eva = pseudonym_label("telegram", key)
        mine = [s for s in sessions if s.casemanager.display_name == eva][-2:]
        assert mine[0].workshop_code == code and len(mine[0].turns) == 1
        assert mine[1].workshop_code is None, "after closing, a new session does not join"
        joined = WorkshopMember.workshop_id == workshop_of(db, code).id
        members = db.execute(select(WorkshopMember).where(joined)).scalars().all()
        assert [m.casemanager.display_name for m in members] == [eva]
