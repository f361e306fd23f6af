"""The handlers one by one: an injected offline request object, updates fed to the real
Application (as python-telegram-bot's own tests do), the real database on SQLite."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from telegram import Update

from bot import texts
from bot.app import build_application
from bot.context import CoachApplication
from bot.flood import FloodGuard
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import BotChat, BotConsent
from tests.telegram.offline import OfflineBotAPI, ScriptedBridge, callback_update, message_update

CHAT = 501
TOKEN = "123:UNITTESTSECRET"


@dataclass
class Harness:
    app: CoachApplication
    api: OfflineBotAPI
    rasa: ScriptedBridge
    engine: Engine

    async def feed(self, *updates: dict[str, Any]) -> None:
        """Put updates on the queue as the updater would, and wait until all are handled."""
        for data in updates:
            await self.app.update_queue.put(Update.de_json(data, self.app.bot))
        await self.app.update_queue.join()

    def said(self, chat: int = CHAT) -> list[str]:
        return self.api.texts(chat)

    def rows(self, model: type) -> int:
        with session_factory(self.engine)() as db:
            return int(db.execute(select(func.count()).select_from(model)).scalar_one())


@asynccontextmanager
async def running(
    catalogues: Catalogues, db_url: str, rasa: ScriptedBridge | None = None, **options: Any
) -> AsyncIterator[Harness]:
    api, rasa = OfflineBotAPI(), rasa or ScriptedBridge()
    engine = make_engine(db_url)
    options |= {"request": api, "get_updates_request": OfflineBotAPI()}
    app = build_application(TOKEN, rasa, catalogues, "salt", engine, **options)
    async with app:
        await app.start()
        try:
            yield Harness(app, api, rasa, engine)
        finally:
            await app.stop()
            if app.post_stop is not None:  # as run_polling() does
                await app.post_stop(app)
    engine.dispose()


async def practising(h: Harness, chat: int = CHAT, persona: str = "henk") -> None:
    await h.feed(
        message_update(chat, "/start"),
        callback_update(chat, "consent:ja"),
        callback_update(chat, f"persona:{persona}"),
    )


def with_sticker(update: dict[str, Any]) -> dict[str, Any]:
    """The message update with a sticker in place of its text."""
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "s",
        "file_unique_id": "s",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    return update


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """In a thread of its own: Playwright's sync API may hold this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, test()).result()


def test_nothing_is_stored_before_consent(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await h.feed(message_update(CHAT, "Hallo?"), message_update(CHAT, "/start"))
            assert h.said() == [texts.NEED_CONSENT, texts.WELCOME]
            await h.feed(callback_update(CHAT, "persona:henk"))
            assert h.said()[-1] == texts.NEED_CONSENT, "a persona button without consent"
            await h.feed(callback_update(CHAT, "consent:nee"))
            assert h.said()[-1] == texts.NO_CONSENT
            assert h.rows(BotConsent) == 0 and h.rows(BotChat) == 0 and not h.rasa.received

    run(test)


def test_consent_and_the_practice_survive_a_restart(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            assert h.rows(BotConsent) == 1 and h.rows(BotChat) == 1
            await h.feed(message_update(CHAT, "Goedemiddag meneer Visser."))
            sender = h.rasa.received[-1][0]
        rasa = h.rasa
        async with running(catalogues, db_url, rasa) as again:  # a new process: empty memory
            await again.feed(message_update(CHAT, "Hoe gaat het met u?"))
            assert again.said() == ["Inwoner hoorde: Hoe gaat het met u?"]
            assert rasa.received[-1] == (sender, "Hoe gaat het met u?"), "same Rasa conversation"
            await again.feed(message_update(CHAT, "/stop"), message_update(CHAT, "/stop"))
            assert again.said()[-1] == "Tot ziens.", "a second /stop skips the question"
        async with running(catalogues, db_url, rasa) as third:
            await third.feed(message_update(CHAT, "Nog iets?"))
            assert third.said() == [texts.NO_PRACTICE], "a stopped practice stays stopped"

    run(test)


def test_the_chat_key_is_not_the_telegram_id(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h, chat=31612345678)
            with session_factory(h.engine)() as db:
                chat = db.execute(select(BotChat)).scalar_one()
                consent = db.execute(select(BotConsent)).scalar_one()
            stored = f"{chat.chat_key} {chat.owner_hash} {chat.sender} {consent.channel_hash}"
            assert "31612345678" not in stored

    run(test)


def test_a_flood_is_slowed_down_politely(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url, flood=FloodGuard(limit=3, window=30)) as h:
            await practising(h)
            before = len(h.said())
            now = int(time.time())
            await h.feed(*(message_update(CHAT, f"bericht {n}", date=now) for n in range(8)))
            assert h.rasa.texts() == ["bericht 0", "bericht 1", "bericht 2"]
            assert h.said()[before:].count(texts.SLOW_DOWN) == 1, "said once, not per message"
            await h.feed(message_update(CHAT, "weer rustig", date=now + 31))
            assert h.rasa.texts()[-1] == "weer rustig"

    run(test)


def test_a_long_message_is_cut_and_said_so(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "a" * 5000))
            assert texts.TOO_LONG in h.said()
            assert len(h.rasa.texts()[-1]) == 4000

    run(test)


def test_messages_kept_in_an_outage_are_sent_when_rasa_is_back(
    catalogues: Catalogues, db_url: str
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url, retry_delays=(0.2, 0.2, 0.2)) as h:
            await practising(h)
            h.rasa.down = True
            await h.feed(message_update(CHAT, "eerste"), message_update(CHAT, "tweede"))
            assert h.said().count(texts.RASA_DOWN) == 2
            with session_factory(h.engine)() as db:
                assert db.execute(select(BotChat.pending)).scalar_one() == ["eerste", "tweede"]
            h.rasa.down = False
            for _ in range(50):
                if h.said()[-1] == "Inwoner hoorde: tweede":
                    break
                await asyncio.sleep(0.05)
            assert h.rasa.texts() == ["eerste", "tweede"], "in order, without retyping"
            assert h.said()[-2:] == ["Inwoner hoorde: eerste", "Inwoner hoorde: tweede"]
            with session_factory(h.engine)() as db:
                assert db.execute(select(BotChat.pending)).scalar_one() is None

    run(test)


def test_after_the_last_retry_the_user_is_told(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url, retry_delays=(0.05, 0.05)) as h:
            await practising(h)
            h.rasa.down = True
            await h.feed(message_update(CHAT, "eerste"))
            for _ in range(40):
                if texts.RASA_STILL_DOWN in h.said():
                    break
                await asyncio.sleep(0.05)
            assert texts.RASA_STILL_DOWN in h.said()
            h.rasa.down = False
            await h.feed(message_update(CHAT, "tweede"))
            assert h.rasa.texts() == ["eerste", "tweede"], "kept, then sent with the next one"

    run(test)


def test_chats_run_side_by_side_and_each_in_order(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            for chat in (601, 602, 603):
                await practising(h, chat=chat)
            h.rasa.delay = 0.3
            started = time.monotonic()
            chats = (601, 602, 603)
            await h.feed(*(message_update(chat, f"{chat}-{n}") for n in range(3) for chat in chats))
            took = time.monotonic() - started
            for chat in (601, 602, 603):
                mine = [t for t in h.rasa.texts() if t.startswith(str(chat))]
                assert mine == [f"{chat}-0", f"{chat}-1", f"{chat}-2"]
            assert took < 9 * 0.3, f"three chats in parallel, not one after another ({took:.1f} s)"

    run(test)


def test_hints_are_remembered_for_the_next_practice(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await h.feed(message_update(CHAT, "/hints"))
            assert h.said()[-1] == texts.HINTS_USAGE
            await h.feed(message_update(CHAT, "/hints uit"))
            assert h.said()[-1] == "Tips staan uit voor je volgende gesprek."
            await practising(h)
            assert '"hints": false' in h.rasa.received[-1][1]

    run(test)


def test_erasure_removes_consent_and_chat_state(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            await h.feed(message_update(CHAT, "/verwijder"), callback_update(CHAT, "erase:nee"))
            assert h.said()[-1] == texts.ERASE_KEPT and h.rows(BotConsent) == 1
            await h.feed(callback_update(CHAT, "erase:ja"))
            assert h.rows(BotConsent) == 0 and h.rows(BotChat) == 0
            await h.feed(message_update(CHAT, "Hallo?"))
            assert h.said()[-1] == texts.NEED_CONSENT

    run(test)


def test_one_failing_update_does_not_stop_the_bot(
    catalogues: Catalogues, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            h.rasa.broken = True  # any handler using the bridge now breaks
            with caplog.at_level(logging.DEBUG):
                await h.feed(message_update(CHAT, "Gaat dit mis?"))
            assert h.said()[-1] == texts.ERROR
            await h.feed(message_update(CHAT, "/help"))
            assert h.said()[-1] == texts.HELP
        assert "UNITTESTSECRET" not in caplog.text, "the token never lands in the logs"

    run(test)


def test_non_text_and_edits_are_not_sent_to_rasa(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            sticker = with_sticker(message_update(CHAT, "x"))
            edited = message_update(CHAT, "aangepast")
            edited["edited_message"] = edited.pop("message") | {"edit_date": int(time.time())}
            await h.feed(sticker, edited)
            assert h.said()[-2:] == [texts.NOT_TEXT, texts.EDITED]
            assert h.rasa.texts() == []

    run(test)


def test_a_group_chat_gets_group_answers(catalogues: Catalogues, db_url: str) -> None:
    """Out of place in a group: personal commands, stickers outside a round, edits."""
    group = -4200

    def in_group(text: str, user: int = 11) -> dict[str, Any]:
        return message_update(group, text, user_id=user, chat_type="group")

    async def test() -> None:
        async with running(catalogues, db_url) as h:
            commands = ("/mijngegevens", "/verwijder", "/opnieuw", "/start")
            await h.feed(*(in_group(command) for command in commands))
            answers = [texts.PRIVATE_ONLY, texts.PRIVATE_ONLY, texts.GROUP_AGAIN, texts.GROUP_START]
            assert h.said(group) == answers
            sticker = with_sticker(in_group("x"))
            await h.feed(sticker, in_group("gewoon gepraat"))
            assert len(h.said(group)) == 4, "no round: the group's own chatter is left alone"
            await h.feed(in_group("/oefening henk"))
            member = callback_update(group, "round:join", user_id=11)
            member["callback_query"]["message"]["chat"]["type"] = "group"
            await h.feed(member)
            edited = in_group("aangepast")
            edited["edited_message"] = edited.pop("message") | {"edit_date": int(time.time())}
            await h.feed(edited)
            assert h.said(group)[-1] == texts.EDITED
            assert h.rasa.texts() == [], "an edit is not a turn"
            await h.feed(message_update(CHAT, "/oefening henk"))
            assert h.said(CHAT) == [texts.ROUND_ONLY_GROUP]

    run(test)


def test_unknown_commands_are_answered_and_never_reach_rasa(
    catalogues: Catalogues, db_url: str
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h)
            before = len(h.rasa.received)
            for command in ("/restart", "/vraag_wat_nodig", '/start_oefening{"persona":"henk"}'):
                await h.feed(message_update(CHAT, command))
                assert h.said()[-1] == texts.UNKNOWN
            assert len(h.rasa.received) == before

    run(test)


def test_rasa_only_sees_pseudonyms(catalogues: Catalogues, db_url: str) -> None:
    """The metadata the bot sends holds a salted hash: no raw id, no name (issue 12)."""

    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await practising(h, chat=31687654321)
            await h.feed(message_update(31687654321, "Goedemiddag."))
            sent = str(h.rasa.metadata)
            assert h.rasa.metadata and all(m.get("person") for m in h.rasa.metadata)
            assert "31687654321" not in sent and "Eva" not in sent

    run(test)
