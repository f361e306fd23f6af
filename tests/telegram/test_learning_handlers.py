"""The learning loop in the bot, handler by handler (offline Bot API, scripted practice
server, the real database): the question before the report, going back, tips, thoughts,
and progress in words (a group round: test_round_learning.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot import texts
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.progress import weighted_progress
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import BotChat, Casemanager, Workshop
from gesprekscoach.storage.repository import (
    SessionEnd,
    SessionStart,
    Who,
    pseudonym,
    pseudonym_label,
    record_end,
    record_start,
)
from gesprekscoach.workshops.service import by_code
from tests.telegram.offline import callback_update, message_update
from tests.telegram.test_handlers import CHAT, Harness, practising, run, running
from tests.workshops.conftest import new_workshop


def me(user: int = CHAT) -> str:
    """The pseudonym the bot makes of a Telegram user (the tests' salt is "salt")."""
    return pseudonym("telegram", str(user), "salt")


def sent(h: Harness, chat: int = CHAT, method: str = "sendMessage") -> list[dict[str, Any]]:
    return [p for m, p in h.api.calls if m == method and p.get("chat_id") == chat]


def buttons(params: dict[str, Any]) -> list[str]:
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        import json

        markup = json.loads(markup)
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def closing_row(h: Harness) -> Any:
    with session_factory(h.engine)() as db:
        return db.execute(select(BotChat.closing).where(BotChat.closing.isnot(None))).scalar()


# --- the question before the report ----------------------------------------------------------


def test_the_answer_goes_with_the_stop_and_then_the_report(
    catalogues: Catalogues, db_url: str
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "Goedemiddag meneer Visser."))
            await h.feed(message_update(CHAT, "/stop"))
            question = sent(h)[-1]
            assert question["text"].startswith(
                "Wat denk je dat Henk nodig heeft? Schrijf het in je eigen woorden."
            )
            assert buttons(question) == ["closing:skip"]
            assert h.rasa.controls("stop") == [], "nothing ends before the answer"
            await h.feed(message_update(CHAT, "Hij wil weten waar hij aan toe is"))
            assert h.rasa.reflections == [(("Hij wil weten waar hij aan toe is", me()),)]
            assert h.said()[-1] == "Tot ziens."
            assert closing_row(h) is None, "nothing left waiting"
            assert "Hij wil weten" not in h.rasa.texts(), "the answer is not a message"
            await h.feed(message_update(CHAT, "Nog iets?"))
            assert h.said()[-1] == texts.NO_PRACTICE

    run(test)


def test_skipping_with_the_button_or_a_second_stop(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "/stop"), callback_update(CHAT, "closing:skip"))
            assert h.rasa.reflections == [()] and h.said()[-1] == "Tot ziens."
            await h.feed(callback_update(CHAT, "closing:skip"))
            answers = [p.get("text") for m, p in h.api.calls if m == "answerCallbackQuery"]
            assert answers[-1] == texts.NO_CLOSING, "a late press ends nothing twice"
            assert len(h.rasa.controls("stop")) == 1
            await practising(h)
            await h.feed(message_update(CHAT, "/stop"), message_update(CHAT, "/stop"))
            assert h.rasa.reflections[-1] == () and h.said()[-1] == "Tot ziens."

    run(test)


def test_commands_and_stickers_while_waiting_are_no_answer(
    catalogues: Catalogues, db_url: str
) -> None:
    sticker = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1}
    sticker |= {"is_animated": False, "is_video": False, "type": "regular"}

    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "/stop"))
            await h.feed(message_update(CHAT, "/help"))
            assert h.said()[-1] == texts.HELP
            for command in ("/tip", "/terug", "/opnieuw 1"):
                await h.feed(message_update(CHAT, command))
                assert h.said()[-1] == texts.REFLECT_BUSY.format(name="Henk"), command
            await h.feed(message_update(CHAT, "/wat_nodig"))
            assert h.said()[-1] == texts.UNKNOWN
            update = message_update(CHAT, "x")
            del update["message"]["text"]
            update["message"]["sticker"] = sticker
            await h.feed(update)
            assert h.said()[-1] == texts.REFLECT_NOT_TEXT.format(name="Henk")
            await h.feed(message_update(CHAT, "x" * 2001))
            assert h.said()[-1] == texts.REFLECT_TOO_LONG.format(max=2000)
            assert h.rasa.controls("stop") == [] and h.rasa.controls("tip") == []
            await h.feed(message_update(CHAT, "Rust en iemand die meedenkt."))
            assert h.rasa.reflections == [(("Rust en iemand die meedenkt.", me()),)]

    run(test)


def test_a_restart_while_waiting_loses_nothing(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "/stop"))
            stored = closing_row(h)
            assert stored["expected"] == [me()] and str(CHAT) not in str(stored)
        rasa = h.rasa
        async with running(catalogues, db_url, rasa) as again:  # a new process: empty memory
            await again.feed(message_update(CHAT, "Hij heeft hulp nodig met de post."))
            assert rasa.reflections == [(("Hij heeft hulp nodig met de post.", me()),)]
            assert again.said()[-1] == "Tot ziens."

    run(test)


def test_an_outage_at_the_end_keeps_the_answer(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "/stop"))
            h.rasa.down = True
            await h.feed(message_update(CHAT, "Duidelijkheid."))
            assert h.said()[-1] == texts.RASA_DOWN_CLOSING
            h.rasa.down = False
            await h.feed(message_update(CHAT, "/stop"))
            assert h.rasa.reflections == [(("Duidelijkheid.", me()),)], "kept, not retyped"
            assert h.said()[-1] == "Tot ziens."

    run(test)


def test_a_fault_at_the_end_keeps_the_answer_and_the_practice(
    catalogues: Catalogues, db_url: str
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "/stop"))
            h.rasa.stop_error = "action"
            await h.feed(message_update(CHAT, "Een vast aanspreekpunt."))
            assert h.said()[-1] == "Er ging iets mis."
            h.rasa.stop_error = None
            await h.feed(message_update(CHAT, "/stop"))
            assert h.rasa.reflections == [(("Een vast aanspreekpunt.", me()),)]
            assert h.said()[-1] == "Tot ziens."

    run(test)


# --- thoughts --------------------------------------------------------------------------------


def test_thoughts_show_with_hints_escaped_and_never_in_exam_mode(
    catalogues: Catalogues, db_url: str
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            h.rasa.thought = "Ze snapt <het> niet & ik ook niet"
            await practising(h)
            await h.feed(message_update(CHAT, "Zeg <b>het</b> maar"))
            shown = sent(h)[-1]
            assert shown["parse_mode"] == "HTML"
            assert shown["text"] == (
                "Inwoner hoorde: Zeg &lt;b&gt;het&lt;/b&gt; maar\n\n"
                "💭 <i>Ze snapt &lt;het&gt; niet &amp; ik ook niet</i>"
            )
            await h.feed(message_update(CHAT, "/hints uit"), message_update(CHAT, "/opnieuw"))
            await h.feed(message_update(CHAT, "Goedemiddag."))
            last = sent(h)[-1]
            assert last["text"] == "Inwoner hoorde: Goedemiddag." and "parse_mode" not in last
            assert not any("💭" in str(p.get("text")) for p in sent(h)[-4:])

    run(test)


# --- going back and tips ---------------------------------------------------------------------


def test_opnieuw_takes_a_message_number_or_starts_anew(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(*(message_update(CHAT, f"bericht {n}") for n in (1, 2, 3)))
            for wrong in ("drie", "0", "10001", "2 3", "-1", "1.5", "²"):
                await h.feed(message_update(CHAT, f"/opnieuw {wrong}"))
                assert h.said()[-1] == texts.AGAIN_USAGE, wrong
            assert h.rasa.controls("opnieuw") == []
            await h.feed(message_update(CHAT, "/opnieuw 2"))
            assert h.rasa.controls("opnieuw") == [{"turn": 2}]
            assert h.said()[-1] == "Bericht 2 is teruggenomen."
            starts = len(h.rasa.controls("start"))
            await h.feed(message_update(CHAT, "/opnieuw"))
            assert len(h.rasa.controls("start")) == starts + 1, "without a number: a new one"

    run(test)


def test_going_back_and_tips_show_the_servers_answer(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await h.feed(message_update(CHAT, "/terug"), message_update(CHAT, "/tip"))
            assert h.said() == [texts.NO_PRACTICE, texts.NO_PRACTICE]
            await practising(h)
            await h.feed(message_update(CHAT, "Hallo."), message_update(CHAT, "/terug"))
            assert h.said()[-1] == "Bericht 1 is teruggenomen."
            await h.feed(message_update(CHAT, "/tip"))
            assert h.said()[-1] == "Tip: vraag wat hij nodig heeft."
            h.rasa.refuse = "exam_mode"
            await h.feed(message_update(CHAT, "/tip"), message_update(CHAT, "/terug"))
            assert h.said()[-2:] == ["Geweigerd: exam_mode."] * 2, "the refusal as it came"
            h.rasa.down = True
            await h.feed(message_update(CHAT, "/terug"))
            assert h.said()[-1] == texts.RASA_DOWN_AID

    run(test)


def test_a_werkatelier_starts_with_the_facilitators_undo(
    catalogues: Catalogues, db_url: str
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            assert h.rasa.controls("start")[-1]["undo"] is None, "outside one: as hints"
            for allowed in (False, True):
                code = new_workshop(h.engine, catalogues)
                with session_factory(h.engine)() as db, db.begin():
                    workshop = by_code(db, code)
                    assert isinstance(workshop, Workshop)
                    workshop.allow_undo = allowed
                await h.feed(message_update(CHAT, f"/join {code}"))
                assert h.rasa.controls("start")[-1]["undo"] is allowed

    run(test)


# --- progress in words -----------------------------------------------------------------------


def ended_sessions(engine: Engine, who: Who, runs: list[tuple[str, dict[str, str]]]) -> None:
    """Ended sessions a day apart, oldest first, each with its tips' statuses."""
    day = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    with session_factory(engine)() as db, db.begin():
        for n, (persona, statuses) in enumerate(runs):
            sid = f"voortgang-{n}"
            when = day + timedelta(n)
            record_start(db, SessionStart(sid, who, persona, "t", "oefenen", 1, None, when))
            tips = [{"id": t, "status": s} for t, s in statuses.items()]
            record_end(db, SessionEnd(sid, False, None, 40.0, {"persona": persona, "tips": tips}))


def test_voortgang_gives_scores_advice_and_a_button(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            who = Who("telegram", me(), pseudonym_label("telegram", me()))
            runs = [("henk", {"CK-H1": "credited"}), ("marco", {"CK-H1": "flagged"})]
            ended_sessions(h.engine, who, runs)
            await h.feed(message_update(CHAT, "/start"), callback_update(CHAT, "consent:ja"))
            await h.feed(message_update(CHAT, "/voortgang"))
            words = sent(h)[-1]
            assert words["text"].startswith(texts.PROGRESS_HEADER)
            with session_factory(h.engine)() as db:
                person = db.execute(select(Casemanager)).scalar_one()
                found = weighted_progress(person.sessions, catalogues.tips, catalogues.personas)
            score = found.tip("CK-H1").score
            assert score is not None and score < 0.5, "credited, then flagged: the latest weighs"
            assert f"🔸 {score:.0%} CK-H1 " in words["text"]
            unseen = len(found.tips) - 1
            assert texts.PROGRESS_UNSEEN.format(count=unseen) in words["text"]
            assert words["text"].endswith(found.advice)
            persona = buttons(words)
            assert len(persona) == 1 and persona[0].startswith("persona:")
            await h.feed(callback_update(CHAT, persona[0]))
            assert h.rasa.controls("start")[-1]["persona"] == persona[0].split(":")[1]

    run(test)
