"""The Telegram bot end to end: a fake Bot API on loopback, the real Rasa stack behind it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot import texts
from bot.app import build_application
from bot.bridge import RasaBridge
from gesprekscoach.domain import Catalogues
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.stack import Stack
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.service import pseudonym_salt
from tests.conftest import free_port
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot

pytestmark = pytest.mark.stack
CHAT = 4242


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def bot_for(fake: FakeBotAPI, catalogues: Catalogues, stack: Stack) -> Any:
    """The bot as `coach serve` builds it: the stack's database and pseudonym salt."""
    bridge = RasaBridge(RasaClient(stack.settings.rasa_url, retries=0, timeout=30))
    return build_application(
        "123:ABC",
        bridge,
        catalogues,
        pseudonym_salt(stack.settings),
        make_engine(stack.settings.database_url),
        base_url=fake.base_url,
    )


def said(fake: FakeBotAPI, needle: str, timeout: float = 30) -> bool:
    return fake.wait_for(lambda calls: any(
        needle in str(c["params"].get("text", "")) for c in calls
        if c["method"] in ("sendMessage", "editMessageText")), timeout)  # fmt: skip


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
        assert said(fake, "Feedback op je gesprek met Henk Visser")
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


def test_non_text_gets_a_friendly_answer(fake: FakeBotAPI, catalogues: Catalogues,
                                         stack: Stack) -> None:  # fmt: skip
    with RunningBot(bot_for(fake, catalogues, stack)):
        fake.push_sticker(CHAT)
        fake.push_voice(CHAT)
        fake.push_location(CHAT)
        fake.push_photo(CHAT)
        assert fake.wait_for(lambda _: fake.messages(CHAT).count(texts.NOT_TEXT) == 4, 20)
        fake.push_edited_text(CHAT, 1, "aangepast")
        assert said(fake, texts.EDITED)


def test_rasa_outage_keeps_the_message(fake: FakeBotAPI, catalogues: Catalogues,
                                       stack: Stack) -> None:  # fmt: skip
    application = bot_for(fake, catalogues, stack)
    bridge: RasaBridge = application.bot_data["bridge"]
    with RunningBot(application):
        fake.push_command(CHAT, "/start")
        assert said(fake, "Doe je mee?")
        fake.push_callback(CHAT, "consent:ja")
        assert said(fake, texts.CHOOSE)
        fake.push_callback(CHAT, "persona:marco")
        assert said(fake, "Je oefent met Marco Jansen")
        bridge.client.base_url = f"http://127.0.0.1:{free_port()}"  # Rasa is gone
        fake.push_text(CHAT, "Goedemiddag meneer Jansen, ik ben Eva van de gemeente.")
        assert said(fake, texts.RASA_DOWN)
        bridge.client.base_url = stack.settings.rasa_url  # and back
        before = len(fake.messages(CHAT))
        fake.push_text(CHAT, "Dat klinkt echt heel vervelend voor u.")
        assert fake.wait_for(lambda _: len(fake.messages(CHAT)) >= before + 2, 30), (
            "the kept message is answered first, then the new one"
        )


def test_telegram_429_is_retried(fake: FakeBotAPI, catalogues: Catalogues, stack: Stack) -> None:
    with RunningBot(bot_for(fake, catalogues, stack)):
        fake.fail_next("sendMessage", 429, retry_after=1)
        fake.push_command(CHAT, "/help")
        assert said(fake, "Zo werkt het")
        assert fake.call_count("sendMessage") >= 2, "the rate limiter waited and tried again"


def test_coach_serve_starts_the_bot_with_a_token(fake: FakeBotAPI, tmp_path: Any) -> None:
    """With TELEGRAM_BOT_TOKEN set, `coach serve` runs the bot beside the servers and dashboard."""
    import os
    import signal
    import subprocess
    import sys

    import requests

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123:ABC", "TELEGRAM_API_URL": fake.base_url,
           "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()),
           "REVIEW_PORT": str(free_port()), "COACH_VAR_DIR": str(tmp_path)}  # fmt: skip
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "gesprekscoach.cli.main", "serve"], env=env,
                            stdout=log, stderr=log)  # fmt: skip
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
        assert not RasaClient(f"http://127.0.0.1:{env['RASA_PORT']}").healthy()
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
