"""How updates come in and answers go out: webhook mode with its secret, and Telegram's
bad moments (5xx, 429) retried with backoff. A fake Bot API on loopback; no Rasa needed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot import texts
from bot.app import Webhook, build_application
from bot.bridge import RasaBridge
from bot.context import CoachApplication
from gesprekscoach.domain import Catalogues
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.migrate import upgrade
from tests.conftest import free_port
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot

TOKEN = "123:WEBHOOKTOKEN"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


def without_rasa(
    fake: FakeBotAPI, catalogues: Catalogues, tmp_path: Path, **options: Any
) -> CoachApplication:
    """The bot on a fresh database, its Rasa server nowhere (these tests need none)."""
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    upgrade(url)
    bridge = RasaBridge(RasaClient(f"http://127.0.0.1:{free_port()}", "token", retries=0))
    engine = make_engine(url)
    return build_application(
        TOKEN, bridge, catalogues, "salt", engine, base_url=fake.base_url, **options
    )


class WebhookBot:
    """`coach serve` with TELEGRAM_WEBHOOK_URL: Application.run_webhook, in a thread."""

    def __init__(self, application: Any, webhook: Webhook) -> None:
        self.application, self.webhook = application, webhook
        self.loop = asyncio.new_event_loop()
        self.stopped: asyncio.Event | None = None
        self.ready = threading.Event()
        main = self.loop.run_until_complete
        self.thread = threading.Thread(target=main, args=(self.run(),), daemon=True)

    async def run(self) -> None:
        self.stopped = asyncio.Event()
        app = self.application
        async with app:
            await app.post_init(app)
            await app.start()
            options = self.webhook.run_options()
            await app.updater.start_webhook(**options)
            self.ready.set()
            await self.stopped.wait()
            await app.updater.stop()
            await app.stop()

    def __enter__(self) -> WebhookBot:
        self.thread.start()
        assert self.ready.wait(30), "the webhook server did not start"
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self.stopped is not None
        self.loop.call_soon_threadsafe(self.stopped.set)
        self.thread.join(30)


def test_updates_arrive_by_webhook_with_the_secret(
    fake: FakeBotAPI, catalogues: Catalogues, tmp_path: Path
) -> None:
    port = free_port()
    app = without_rasa(fake, catalogues, tmp_path)
    webhook = Webhook.for_token(TOKEN, "https://coach.example.nl/tg", "127.0.0.1", port)
    with WebhookBot(app, webhook):
        assert fake.webhook is not None
        assert fake.webhook["url"] == "https://coach.example.nl/tg"
        assert fake.webhook["secret_token"] == webhook.secret and TOKEN not in webhook.secret
        local = f"http://127.0.0.1:{port}/tg"
        header = "X-Telegram-Bot-Api-Secret-Token"
        update = fake.text_update(7, "/help")
        wrong = requests.post(local, json=update, headers={header: "raden"}, timeout=5)
        assert wrong.status_code == 403, "an update without the secret is refused"
        update = fake.text_update(7, "/help")
        right = requests.post(local, json=update, headers={header: webhook.secret}, timeout=5)
        assert right.status_code == 200
        assert fake.wait_for(lambda _: texts.HELP in fake.messages(7), 10)
        assert fake.messages(7).count(texts.HELP) == 1, "only the update with the secret counts"


def test_the_derived_secret_is_stable_and_valid() -> None:
    one = Webhook.for_token(TOKEN, "https://x.nl/", "127.0.0.1", 1)
    assert one.secret == Webhook.for_token(TOKEN, "https://x.nl", "0.0.0.0", 2).secret
    assert one.secret != Webhook.for_token("999:OTHER", "https://x.nl", "127.0.0.1", 1).secret
    assert one.secret.isalnum() and len(one.secret) <= 256
    assert one.run_options()["webhook_url"] == "https://x.nl/telegram"
    assert one.run_options()["url_path"] == "telegram"
    assert Webhook.for_token(TOKEN, "https://x.nl", "h", 1, secret="eigen").secret == "eigen"


def test_timeouts_and_network_errors_are_retried(
    fake: FakeBotAPI, catalogues: Catalogues, tmp_path: Path
) -> None:
    app = without_rasa(fake, catalogues, tmp_path, backoff=0.1)
    with RunningBot(app):
        fake.fail_next("sendMessage", 502)
        fake.fail_next("sendMessage", 500)
        fake.push_command(8, "/help")
        assert fake.wait_for(lambda _: texts.HELP in fake.messages(8), 10)
        assert fake.call_count("sendMessage") == 3, "two failures, then the message went"
        fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
        fake.push_command(8, "/help")
        fake.push_command(8, "/help")
        assert fake.wait_for(lambda _: fake.messages(8).count(texts.HELP) == 2, 10)
        assert fake.call_count("sendMessage") == 6, "a 400 is an answer: not retried"


def test_a_typing_indicator_never_holds_up_the_answer(
    fake: FakeBotAPI, catalogues: Catalogues, tmp_path: Path
) -> None:
    """A 429 on sendChatAction is not waited for or retried: the indicator is cosmetic."""
    app = without_rasa(fake, catalogues, tmp_path)
    with RunningBot(app):
        fake.push_command(9, "/start")
        assert fake.wait_for(lambda _: texts.WELCOME in fake.messages(9), 10)
        fake.push_callback(9, "consent:ja")
        fake.fail_next("sendChatAction", 429, retry_after=30)
        fake.push_callback(9, "persona:henk")
        assert fake.wait_for(lambda _: texts.RASA_DOWN_START in fake.messages(9), 10), (
            "answered at once, not after the 30 s retry-after"
        )
        assert fake.call_count("sendChatAction") == 1
