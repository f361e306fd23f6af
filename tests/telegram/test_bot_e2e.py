"""The Telegram bot end to end: a fake Bot API on loopback, the real Rasa stack behind it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from bot import texts
from bot.app import build_application
from bot.bridge import RasaBridge
from bot.context import CoachApplication
from coach.stack import Stack
from gesprekscoach.domain import Catalogues
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.service import pseudonym_salt
from tests.conftest import free_port
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot

pytestmark = pytest.mark.stack
CHAT = 4242
TEXT_METHODS = ("sendMessage", "editMessageText")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def bot_for(
    fake: FakeBotAPI,
    catalogues: Catalogues,
    stack: Stack,
    client: RasaClient | None = None,
    **options: Any,
) -> CoachApplication:
    """The bot as `coach serve` builds it: the stack's database and pseudonym salt."""
    client = client or RasaClient.for_settings(stack.settings, retries=0, timeout=30)
    return build_application(
        "123:ABC",
        RasaBridge(client),
        catalogues,
        pseudonym_salt(stack.settings),
        make_engine(stack.settings.database_url),
        base_url=fake.base_url,
        **options,
    )


def begin(fake: FakeBotAPI, persona: str, name: str, chat: int = CHAT) -> None:
    fake.push_command(chat, "/start")
    assert said(fake, "Doe je mee?")
    fake.push_callback(chat, "consent:ja")
    assert said(fake, texts.CHOOSE)
    fake.push_callback(chat, f"persona:{persona}")
    assert said(fake, f"Je oefent met {name}")
    assert fake.wait_for(lambda _: not fake.messages(chat)[-1].startswith("Je oefent"), 30), (
        "the inwoner opens the conversation"
    )


def said(fake: FakeBotAPI, needle: str, timeout: float = 30) -> bool:
    def found(calls: list[dict[str, Any]]) -> bool:
        written = [c["params"].get("text", "") for c in calls if c["method"] in TEXT_METHODS]
        return any(needle in str(line) for line in written)

    return fake.wait_for(found, timeout)


def count(fake: FakeBotAPI, method: str) -> int:
    return sum(c["method"] == method for c in fake.sent(CHAT))


def test_a_whole_practice_session(fake: FakeBotAPI, catalogues: Catalogues, stack: Stack) -> None:
    with RunningBot(bot_for(fake, catalogues, stack)):
        assert fake.wait_for(lambda _: {c["command"] for c in fake.commands()} >= {"start", "stop"})
        fake.push_text(CHAT, "Hallo?")
        assert said(fake, texts.NEED_CONSENT), "nothing happens before consent"
        fake.push_command(CHAT, "/start")
        assert said(fake, "Doe je mee?")
        fake.push_callback(CHAT, "consent:ja")
        assert said(fake, texts.CHOOSE)
        fake.push_callback(CHAT, "persona:henk")
        assert said(fake, "Je oefent met Henk Visser")
        before = len(fake.messages(CHAT))
        fake.push_text(CHAT, "Goedemiddag meneer Visser, ik ben Sanne van de gemeente.")
        assert fake.wait_for(lambda _: len(fake.messages(CHAT)) > before + 1, 30)
        assert count(fake, "sendChatAction") >= 2, "a typing indicator while the inwoner thinks"
        fake.push_text(CHAT, "Dat is toch gewoon uw eigen schuld, meneer Visser.")
        assert said(fake, texts.COACH), "coaching comes as its own message"
        fake.push_command(CHAT, "/stop")
        assert said(fake, "Wat denk je dat Henk nodig heeft?"), "first the question"
        fake.push_text(CHAT, "Hij wil iemand die hem helpt met de brieven.")
        assert said(fake, "Feedback op je gesprek met Henk Visser")
        assert said(fake, "Wat Henk echt nodig had:"), "the answer beside the need"
        assert fake.wait_for(lambda _: count(fake, "sendPhoto") == 1, 30)
        assert all(len(m) <= 4096 for m in fake.messages(CHAT))
        fake.push_text(CHAT, "Nog iets?")
        assert said(fake, texts.NO_PRACTICE)
        fake.push_command(CHAT, "/mijngegevens")
        assert said(fake, "1 oefengesprek(ken)") and said(fake, "Telegram-nummer bewaren we niet")
        fake.push_command(CHAT, "/voortgang")
        assert fake.wait_for(lambda _: count(fake, "sendPhoto") == 2, 30)
        fake.push_command(CHAT, "/verwijder")
        assert said(fake, "Weet je het zeker?")
        fake.push_callback(CHAT, "erase:ja")
        assert said(fake, "Alles is verwijderd (1 oefengesprek(ken))")
        fake.push_command(CHAT, "/mijngegevens")
        assert said(fake, texts.NOTHING_STORED)
        fake.push_text(CHAT, "Hallo?")
        assert fake.wait_for(lambda _: fake.messages(CHAT).count(texts.NEED_CONSENT) == 2, 20), (
            "after erasure consent is asked again"
        )


def test_non_text_gets_a_friendly_answer(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack
) -> None:
    with RunningBot(bot_for(fake, catalogues, stack)):
        fake.push_sticker(CHAT)
        fake.push_voice(CHAT)
        fake.push_location(CHAT)
        fake.push_photo(CHAT)
        assert fake.wait_for(lambda _: fake.messages(CHAT).count(texts.NOT_TEXT) == 4, 20)
        fake.push_edited_text(CHAT, 1, "aangepast")
        assert said(fake, texts.EDITED)


def test_rasa_outage_keeps_the_messages(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack
) -> None:
    client = RasaClient.for_settings(stack.settings, retries=0, timeout=30)
    delays = (0.5, 0.5, 1, 1, 2, 2, 2)
    application = bot_for(fake, catalogues, stack, client, retry_delays=delays)
    with RunningBot(application):
        begin(fake, "marco", "Marco Jansen")
        client.base_url = f"http://127.0.0.1:{free_port()}"  # Rasa is gone
        fake.push_text(CHAT, "Goedemiddag meneer Jansen, ik ben Eva van de gemeente.")
        assert said(fake, texts.RASA_DOWN)
        fake.push_text(CHAT, "Fijn dat u er bent.")
        assert fake.wait_for(lambda _: fake.messages(CHAT).count(texts.RASA_DOWN) == 2, 10)
        before = len(fake.messages(CHAT))
        client.base_url = stack.settings.rasa_url  # and back: answered without retyping
        assert fake.wait_for(lambda _: len(fake.messages(CHAT)) >= before + 2, 30)
        fake.push_command(CHAT, "/stop")
        assert said(fake, "Wat denk je dat Marco nodig heeft?")
        fake.push_command(CHAT, "/stop")  # again: skipped
        assert said(fake, "Feedback op je gesprek met Marco Jansen")
    latest_marco = text(
        "SELECT id FROM sessions WHERE persona_id = 'marco' AND channel = 'telegram' "
        "ORDER BY started_at DESC LIMIT 1"
    )
    lines = text("SELECT text FROM turns WHERE session_id = :s ORDER BY number")
    with make_engine(stack.settings.database_url).connect() as db:
        latest = db.execute(latest_marco).scalar_one()
        rows = db.execute(lines, {"s": latest}).scalars().all()
    assert rows == [
        "Goedemiddag meneer Jansen, ik ben Eva van de gemeente.",
        "Fijn dat u er bent.",
    ], "both kept messages logged once, in order"


def test_a_bot_restart_loses_nothing(
    fake: FakeBotAPI, catalogues: Catalogues, stack: Stack
) -> None:
    """Consent and the running practice live in the database, not in the bot process."""
    chat = CHAT + 1
    with RunningBot(bot_for(fake, catalogues, stack)):
        begin(fake, "samira", "Samira", chat)
        first = len(fake.messages(chat))
        fake.push_text(chat, "Goedemiddag, ik ben Joost van de schuldhulp. Fijn dat u er bent.")
        assert fake.wait_for(lambda _: len(fake.messages(chat)) > first, 30)
    with RunningBot(bot_for(fake, catalogues, stack)):  # a new process memory
        before = len(fake.messages(chat))
        fake.push_text(chat, "Wat heeft u nodig om dit op te lossen?")
        assert fake.wait_for(lambda _: len(fake.messages(chat)) > before, 30)
        assert texts.NEED_CONSENT not in fake.messages(chat)[before:]
        assert texts.NO_PRACTICE not in fake.messages(chat)[before:]
        fake.push_command(chat, "/stop")
        assert said(fake, "Wat denk je dat Samira nodig heeft?")
        fake.push_callback(chat, "closing:skip")
        assert said(fake, "Feedback op je gesprek met Samira")


def test_telegram_429_is_retried(fake: FakeBotAPI, catalogues: Catalogues, stack: Stack) -> None:
    with RunningBot(bot_for(fake, catalogues, stack)):
        fake.fail_next("sendMessage", 429, retry_after=1)
        fake.push_command(CHAT, "/help")
        assert said(fake, "Zo werkt het")
        assert fake.call_count("sendMessage") >= 2, "the rate limiter waited and tried again"


def test_coach_serve_starts_the_bot_with_a_token(fake: FakeBotAPI, tmp_path: Path) -> None:
    """With TELEGRAM_BOT_TOKEN set, `coach serve` runs the bot beside the servers and dashboard."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:ABC",
        "TELEGRAM_API_URL": fake.base_url,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "REVIEW_PORT": str(free_port()),
        "COACH_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    serve = [sys.executable, "-m", "coach.main", "serve"]
    proc = subprocess.Popen(serve, env=env, stdout=log, stderr=log)
    try:
        assert fake.wait_for(lambda _: bool(fake.commands()), 180), (
            tmp_path / "serve.log"
        ).read_text()
        login = requests.get(f"http://127.0.0.1:{env['REVIEW_PORT']}/login", timeout=5)
        assert "Inloggen voor trainers" in login.text
        fake.push_command(CHAT, "/help")
        assert said(fake, "Zo werkt het")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) in (0, 128 + signal.SIGTERM)
        assert not RasaClient(f"http://127.0.0.1:{env['RASA_PORT']}", "-").healthy()
    finally:
        if proc.poll() is None:
            # SIGTERM, so coach serve stops the servers it started; SIGKILL would leave
            # them running (and busy) for every test after this one.
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
