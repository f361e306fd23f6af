"""The learning loop through the real bot and the real stack: the fake Bot API on loopback,
the Rasa server and the action server with the trained model, the stack's database.

Going back keeps the bot, Rasa's tracker and the session log in step; tips and going back
are off in exam mode; the question before the report, also across a restart of the bot;
a group round where two members answer; the inwoner's thoughts only with hints on.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot import texts
from coach.stack import Stack
from gesprekscoach import aids
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import Casemanager, PracticeSession, RevertedTurn, Workshop
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.storage.service import pseudonym_salt
from gesprekscoach.workshops.service import by_code
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot
from tests.telegram.test_bot_e2e import begin, bot_for, said
from tests.workshops.conftest import new_workshop

pytestmark = pytest.mark.stack
T = TypeVar("T")
LINES = (
    "Goedemiddag meneer Visser, ik ben Sanne van de gemeente.",
    "Hoe gaat het nu met u, sinds uw baan stopte?",
    "Wat vindt u het moeilijkst aan de brieven die u krijgt?",
)
OTHER = "Dat klinkt zwaar. Wat zou u het meest helpen?"
GROUP = -100777
EVA, BRAM = 987650071, 987650072


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


@pytest.fixture
def engine(stack: Stack) -> Iterator[Engine]:
    eng = make_engine(stack.settings.database_url)
    yield eng
    eng.dispose()


def eventually(read: Callable[[], T], ok: Callable[[T], bool], timeout: float = 20) -> T:
    """What `read` gives once `ok` holds (the session log writes in the background)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not ok(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


def latest_session(engine: Engine, person: str) -> dict[str, Any] | None:
    """The person's latest session: its turns, reverted turns and end, as plain data."""
    mine = (Casemanager.channel == "telegram", Casemanager.channel_hash == person)
    query = select(PracticeSession).join(Casemanager).where(*mine)
    with session_factory(engine)() as db:
        found = db.execute(query.order_by(PracticeSession.started_at.desc())).scalars().first()
        if found is None:
            return None
        reverted = db.execute(
            select(RevertedTurn)
            .where(RevertedTurn.session_id == found.id)
            .order_by(RevertedTurn.id)
        ).scalars()
        return {
            "turns": [(t.number, t.text, t.trust, t.reply, t.thought) for t in found.turns],
            "reverted": [(r.number, r.text, r.how) for r in reverted],
            "ended": found.ended_at is not None,
            "reverts": found.reverts,
            "reflection": found.reflection,
            "score": found.reflection_score,
        }


def person_of(stack: Stack, user: int) -> str:
    return pseudonym("telegram", str(user), pseudonym_salt(stack.settings))


def talk(fake: FakeBotAPI, chat: int, text: str) -> None:
    """Send a message and wait for the inwoner's answer."""
    before = len(fake.messages(chat))
    fake.push_text(chat, text)
    assert fake.wait_for(lambda _: len(fake.messages(chat)) > before, 30), text


def command(fake: FakeBotAPI, chat: int, text: str, expect: str) -> str:
    """Send a command and wait for the message that holds `expect`; that message."""
    before = len(fake.messages(chat))
    fake.push_command(chat, text)

    def answered(_: Any) -> bool:
        return any(expect in m for m in fake.messages(chat)[before:])

    assert fake.wait_for(answered, 30), (text, fake.messages(chat)[before:])
    return next(m for m in fake.messages(chat)[before:] if expect in m)


def test_going_back_keeps_the_bot_the_tracker_and_the_log_in_step(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack, engine: Engine
) -> None:
    chat = 5101
    person = person_of(stack, chat)

    def session() -> dict[str, Any]:
        return latest_session(engine, person) or {"turns": [], "reverted": []}

    with RunningBot(bot_for(fake, catalogues, stack)):
        begin(fake, "henk", "Henk Visser", chat)
        for line in LINES:
            talk(fake, chat, line)
        first = eventually(session, lambda s: len(s["turns"]) == 3)["turns"]
        assert [t[0] for t in first] == [1, 2, 3]

        taken = command(fake, chat, "/terug", "is teruggenomen")
        assert taken.startswith("Bericht 3 is teruggenomen.")
        assert f"(vertrouwen {first[1][2]:.0f})" in taken, "trust as after message 2"
        talk(fake, chat, LINES[2])  # the same words again: the inwoner as before
        again = eventually(session, lambda s: len(s["reverted"]) == 1 and len(s["turns"]) == 3)
        assert again["turns"][:3] == first, "same number, same reply, same trust"
        assert again["reverted"] == [(3, LINES[2], "terug")], "the trace is kept"

        taken = command(fake, chat, "/opnieuw 2", "Je begint opnieuw bij bericht 2")
        assert "2 berichten teruggenomen" in taken and f"(vertrouwen {first[0][2]:.0f})" in taken
        talk(fake, chat, OTHER)
        rewound = eventually(session, lambda s: len(s["reverted"]) == 3 and len(s["turns"]) == 2)
        assert [t[:2] for t in rewound["turns"]] == [(1, LINES[0]), (2, OTHER)]
        taken_back = [(2, LINES[1], "opnieuw"), (3, LINES[2], "opnieuw")]
        assert sorted(rewound["reverted"][1:]) == taken_back
        talk(fake, chat, LINES[2])
        final = eventually(session, lambda s: len(s["turns"]) == 3)["turns"]
        assert [t[0] for t in final] == [1, 2, 3], "no orphan turns, no double numbers"

        command(fake, chat, "/opnieuw 9", "Bericht 9 bestaat niet")
        command(fake, chat, "/opnieuw drie", texts.AGAIN_USAGE)
        command(fake, chat, "/stop", "Wat denk je dat Henk nodig heeft?")
        fake.push_callback(chat, "closing:skip")
        assert said(fake, "Feedback op je gesprek met Henk Visser")
        report = "\n".join(fake.messages(chat))
        assert "Je stuurde 3 berichten" in report, "the tracker holds the conversation as held"
        looking_back = report[report.index("Wat Henk dacht, bericht voor bericht:") :]
        assert f'2. "{OTHER}"' in looking_back and LINES[1] not in looking_back
    ended = eventually(session, lambda s: bool(s.get("ended")))
    assert ended["reverts"] == 2 and ended["reflection"]["reflections"] == []


def test_exam_mode_has_no_tips_no_going_back_and_no_thoughts(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack, engine: Engine
) -> None:
    chat = 5102
    with RunningBot(bot_for(fake, catalogues, stack)):
        fake.push_command(chat, "/hints uit")
        assert said(fake, "Tips staan uit voor je volgende gesprek.")
        begin(fake, "henk", "Henk Visser", chat)
        for line in LINES[:2]:
            talk(fake, chat, line)
        command(fake, chat, "/tip", aids.EXAM_NO_TIPS)
        command(fake, chat, "/terug", aids.EXAM_NO_GOING_BACK)
        command(fake, chat, "/opnieuw 1", aids.EXAM_NO_GOING_BACK)
        assert not any("💭" in m for m in fake.messages(chat))
        sent = [c["params"] for c in fake.sent(chat) if c["method"] == "sendMessage"]
        assert not any(p.get("parse_mode") for p in sent)
        logged = eventually(
            lambda: latest_session(engine, person_of(stack, chat)),
            lambda s: s is not None and len(s["turns"]) == 2,
        )
        assert logged is not None and [t[1] for t in logged["turns"]] == list(LINES[:2])


def test_thoughts_and_a_tip_with_hints_on(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack, engine: Engine
) -> None:
    chat = 5103
    with RunningBot(bot_for(fake, catalogues, stack)):
        begin(fake, "henk", "Henk Visser", chat)
        for line in LINES[:2]:
            talk(fake, chat, line)
        tip = command(fake, chat, "/tip", "")
        assert tip and tip != aids.EXAM_NO_TIPS, "a suggestion"
        logged = eventually(
            lambda: latest_session(engine, person_of(stack, chat)),
            lambda s: s is not None and len(s["turns"]) == 2,
        )
        assert logged is not None
        thoughts = [t[4] for t in logged["turns"] if t[4]]
        assert thoughts, "every reaction has a thought (persona files, issue 14)"
        sent = [c["params"] for c in fake.sent(chat) if c["method"] == "sendMessage"]
        marked = [p for p in sent if "💭" in str(p.get("text"))]
        for thought in thoughts:
            shown = f"💭 <i>{html.escape(thought)}</i>"
            assert any(p["text"].endswith(shown) for p in marked), thought
        assert all(p.get("parse_mode") == "HTML" for p in marked)


def test_the_answer_before_the_report_survives_a_restart(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack, engine: Engine
) -> None:
    chat = 5104
    answer = "Hij wil dat iemand samen met hem de brieven leest en uitlegt wat hij moet doen."
    with RunningBot(bot_for(fake, catalogues, stack)):
        begin(fake, "henk", "Henk Visser", chat)
        talk(fake, chat, LINES[1])
        command(fake, chat, "/stop", "Wat denk je dat Henk nodig heeft?")
    with RunningBot(bot_for(fake, catalogues, stack)):  # a new process while it waits
        command(fake, chat, "/help", "Zo werkt het")
        fake.push_text(chat, answer)
        assert said(fake, "Feedback op je gesprek met Henk Visser")
        report = "\n".join(fake.messages(chat))
        assert "Wat Henk echt nodig had:" in report
    ended = eventually(
        lambda: latest_session(engine, person_of(stack, chat)),
        lambda s: s is not None and s["ended"],
    )
    assert ended is not None
    (reflection,) = ended["reflection"]["reflections"]
    assert reflection["text"] == answer and reflection["person"] == person_of(stack, chat)
    assert ended["score"] is not None and ended["score"] > 0, "an answer that names the need"


def in_group(fake: FakeBotAPI, user: int, name: str, text: str) -> None:
    push = fake.push_command if text.startswith("/") else fake.push_text
    push(GROUP, text, user_id=user, chat_type="group", first_name=name)


def group_talk(fake: FakeBotAPI, user: int, name: str, text: str) -> None:
    before = len(fake.messages(GROUP))
    in_group(fake, user, name, text)
    assert fake.wait_for(lambda _: len(fake.messages(GROUP)) > before, 30), text


def test_a_group_round_where_two_members_answer(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack, engine: Engine
) -> None:
    code = new_workshop(engine, catalogues, form="rondje")
    with session_factory(engine)() as db, db.begin():
        workshop = by_code(db, code)
        assert isinstance(workshop, Workshop)
        workshop.allow_undo = True
    with RunningBot(bot_for(fake, catalogues, stack)):
        in_group(fake, EVA, "Eva", f"/join {code}")
        assert said(fake, "Deze groep doet mee")
        in_group(fake, EVA, "Eva", "/oefening henk")
        assert fake.wait_for(lambda _: len(fake.messages(GROUP)) >= 4, 30), "briefing, opening"
        for user, name in ((EVA, "Eva"), (BRAM, "Bram")):
            fake.push_callback(GROUP, "round:join", user_id=user, first_name=name)
            assert said(fake, f"{name} doet mee")
        group_talk(fake, EVA, "Eva", LINES[0])
        group_talk(fake, BRAM, "Bram", LINES[1])
        in_group(fake, EVA, "Eva", "/terug")  # Bram's message: the werkatelier allows it
        assert said(fake, "Bericht 2 is teruggenomen")
        group_talk(fake, BRAM, "Bram", LINES[2])
        in_group(fake, BRAM, "Bram", "/stop")
        assert said(fake, "Wat denken jullie dat Henk nodig heeft?")
        in_group(fake, EVA, "Eva", "Hulp bij het lezen van de brieven.")
        assert said(fake, "Eva heeft geantwoord. We wachten nog op: Bram.")
        in_group(fake, BRAM, "Bram", "Iemand die hem helpt met de aanvraag voor de bijstand.")
        assert said(fake, "Feedback op je gesprek met Henk Visser")
        assert said(fake, "Wat dachten jullie dat Henk nodig had?")
        scores = next(m for m in fake.messages(GROUP) if m.startswith("Wat dachten jullie"))
        assert "- Eva: " in scores and "- Bram: " in scores and "geen antwoord" not in scores
        assert said(fake, "Wie deed wat:")
        share = next(m for m in fake.messages(GROUP) if m.startswith("Wie deed wat:"))
        assert "- Eva: 1 bericht" in share and "- Bram: 1 bericht" in share, "taken back: uncounted"
    with session_factory(engine)() as db:
        session = db.execute(
            select(PracticeSession).where(PracticeSession.workshop_code == code)
        ).scalar_one()
        persons = [r["person"] for r in session.reflection["reflections"]]
        assert persons == [person_of(stack, EVA), person_of(stack, BRAM)]
        assert [t.text for t in session.turns] == [LINES[0], LINES[2]]
        assert "Eva" not in str(session.reflection) and "Bram" not in str(session.reflection)


def test_a_werkatelier_without_going_back(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack, engine: Engine
) -> None:
    code = new_workshop(engine, catalogues)  # parallel, Henk; allow_undo off by default
    chat = 5105
    with RunningBot(bot_for(fake, catalogues, stack)):
        fake.push_command(chat, f"/join {code}")
        assert said(fake, "Doe je mee?")
        fake.push_callback(chat, f"consent:ja:{code}")
        assert said(fake, "Je oefent met Henk Visser")
        assert fake.wait_for(lambda _: not fake.messages(chat)[-1].startswith("Je oefent"), 30)
        talk(fake, chat, LINES[0])
        command(fake, chat, "/terug", aids.UNDO_OFF)
        tip = command(fake, chat, "/tip", "")  # tips stay on: hints are on in this werkatelier
        assert tip != aids.EXAM_NO_TIPS
