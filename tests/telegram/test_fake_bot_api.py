"""A real python-telegram-bot Application against FakeBotAPI.

Why: bot tests built on the fake are only worth something if the fake speaks the Bot API the
way PTB 22 does (form and multipart bodies, long polling, error answers); these prove it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

import httpx
import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram.fake_bot_api import FakeBotAPI, html_problem

TOKEN = "123:ABC"
T = TypeVar("T")
Handler = BaseHandler[Any, Any, Any]


class BotThread:
    """A real PTB Application polling the fake from its own thread and event loop.

    Why: the tests stay synchronous (push, wait, assert) while PTB runs exactly as in production.
    """

    def __init__(self, fake: FakeBotAPI, handlers: Sequence[Handler]) -> None:
        builder = Application.builder().token(TOKEN).base_url(fake.base_url)
        self.app = builder.base_file_url(fake.base_file_url).build()
        self.app.add_handlers(list(handlers))
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="BotThread", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self.error = exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with self.app:
            await self.app.start()
            assert self.app.updater is not None
            await self.app.updater.start_polling(poll_interval=0.05, timeout=1)
            self._ready.set()
            with contextlib.suppress(asyncio.TimeoutError):  # bounded even if nobody stops us
                await asyncio.wait_for(self._stop.wait(), timeout=60)
            await self.app.updater.stop()
            await self.app.stop()

    def start(self) -> BotThread:
        """Initialize (getMe), start polling; returns once the bot is running."""
        self._thread.start()
        if not self._ready.wait(15) or self.error is not None:
            raise RuntimeError(f"bot did not start: {self.error!r}")
        return self

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine (a Bot method, say) on the bot's loop from the test thread."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def stop(self) -> None:
        """Stop polling and the application; join the thread (bounded)."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop finished in between
                loop.call_soon_threadsafe(stop.set)
        if self._thread.ident is not None:
            self._thread.join(20)
            assert not self._thread.is_alive(), "bot thread did not stop"


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every server and bot thread a test starts must be gone when it ends."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while (left := set(threading.enumerate()) - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"threads outlived the test: {left}"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    api = FakeBotAPI().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def run_bot(fake: FakeBotAPI) -> Iterator[Callable[..., BotThread]]:
    """Start a polling bot with the given handlers; stopped again after the test."""
    bots: list[BotThread] = []

    def run(*handlers: Handler) -> BotThread:
        bots.append(BotThread(fake, handlers))
        return bots[-1].start()

    try:
        yield run
    finally:
        for bot in bots:
            bot.stop()


def called(method: str) -> Callable[[list[dict[str, Any]]], bool]:
    """wait_for predicate: the bot made at least one successful `method` call."""
    return lambda calls: any(c["method"] == method for c in calls)


def params_of(fake: FakeBotAPI, method: str) -> list[dict[str, Any]]:
    return [c["params"] for c in fake.sent() if c["method"] == method]


def test_get_me_and_commands(fake: FakeBotAPI, run_bot: Callable[..., BotThread]) -> None:
    bot = run_bot()
    assert bot.app.bot.username == "gesprekscoach_test_bot"
    assert bot.call(bot.app.bot.get_me()).is_bot
    assert [c["method"] for c in fake.sent()][:2] == ["getMe", "deleteWebhook"]
    assert fake.wait_for(lambda _: fake.call_count("getUpdates") >= 2, timeout=5)

    bot.call(bot.app.bot.set_my_commands([BotCommand("start", "Begin een gesprek")]))
    assert [c.command for c in bot.call(bot.app.bot.get_my_commands())] == ["start"]
    assert fake.commands() == [{"command": "start", "description": "Begin een gesprek"}]


def test_text_is_echoed(fake: FakeBotAPI, run_bot: Callable[..., BotThread]) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat and update.effective_message
        await update.effective_chat.send_action(ChatAction.TYPING)
        await update.effective_message.reply_text(update.effective_message.text or "")

    run_bot(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    fake.push_text(4242, "Goedemorgen")

    assert fake.wait_for(called("sendMessage"))
    assert fake.messages(4242) == ["Goedemorgen"]
    assert [c["method"] for c in fake.sent(4242)] == ["sendChatAction", "sendMessage"]
    assert params_of(fake, "sendChatAction")[0]["action"] == "typing"
    assert params_of(fake, "sendMessage")[0]["chat_id"] == 4242


def test_command_and_callback_reach_handlers(
    fake: FakeBotAPI, run_bot: Callable[..., BotThread]
) -> None:
    seen: list[tuple[str, object]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message
        seen.append(("start", context.args))
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="ja")]])
        await update.effective_message.reply_text("Zullen we beginnen?", reply_markup=keyboard)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        seen.append(("button", query.data))
        await query.answer("Top")
        await query.edit_message_text(f"Gekozen: {query.data}")

    run_bot(CommandHandler("start", start), CallbackQueryHandler(button))
    fake.push_command(77, "/start oefenen")
    assert fake.wait_for(lambda _: fake.messages(77) == ["Zullen we beginnen?"])
    markup = params_of(fake, "sendMessage")[0]["reply_markup"]
    assert markup["inline_keyboard"][0][0]["callback_data"] == "ja"

    fake.push_callback(77, "ja")
    assert fake.wait_for(called("editMessageText"))
    assert seen == [("start", ["oefenen"]), ("button", "ja")]
    assert params_of(fake, "answerCallbackQuery")[0]["text"] == "Top"
    edit = params_of(fake, "editMessageText")[0]
    assert (edit["chat_id"], edit["text"]) == (77, "Gekozen: ja")


def test_send_photo_bytes(fake: FakeBotAPI, run_bot: Callable[..., BotThread]) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + bytes(5000)
    returned: list[Message] = []

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat
        returned.append(await update.effective_chat.send_photo(picture, caption="Kijk eens"))

    run_bot(CommandHandler("foto", photo))
    fake.push_command(5, "/foto")

    assert fake.wait_for(lambda _: bool(returned))
    sent = params_of(fake, "sendPhoto")[0]
    assert (sent["chat_id"], sent["caption"]) == (5, "Kijk eens")
    assert sent["photo"]["size"] == len(picture)
    assert returned[0].photo[-1].file_size == len(picture)
    assert returned[0].caption == "Kijk eens"


@pytest.mark.parametrize(("status", "error"), [(429, RetryAfter), (502, NetworkError)])
def test_injected_failure_reaches_handler_and_retry_succeeds(
    fake: FakeBotAPI, run_bot: Callable[..., BotThread], status: int, error: type[Exception]
) -> None:
    caught: list[TelegramError] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message
        try:
            await update.effective_message.reply_text("eerste poging")
        except TelegramError as exc:
            caught.append(exc)
            await update.effective_message.reply_text("tweede poging")

    fake.fail_next("sendMessage", status, retry_after=1)
    run_bot(MessageHandler(filters.TEXT, echo))
    fake.push_text(9, "hoi")

    assert fake.wait_for(lambda _: fake.messages(9) == ["tweede poging"])
    assert len(caught) == 1 and type(caught[0]) is error
    if isinstance(caught[0], RetryAfter):
        wait = caught[0].retry_after
        assert (wait.total_seconds() if isinstance(wait, dtm.timedelta) else wait) == 1
    assert fake.call_count("sendMessage") == 2


def test_wire_format_without_ptb(fake: FakeBotAPI) -> None:
    """Helpers produce updates PTB can parse; JSON and form bodies, offsets, bounded polls."""
    updates = [
        fake.push_text(1, "hallo"),
        fake.push_command(1, "/help"),
        fake.push_sticker(1),
        fake.push_photo(1, caption="foto"),
        fake.push_voice(1, duration=4),
        fake.push_location(1),
        fake.push_edited_text(1, 1, "hallo!"),
        fake.push_text(-100, "groep", user_id=5, chat_type="group", first_name="Bas"),
    ]
    parsed = [Update.de_json(u) for u in updates]
    messages = [u.effective_message for u in parsed]
    assert all(m is not None for m in messages)
    assert messages[1] and messages[1].entities[0].type == "bot_command"
    assert messages[2] and messages[2].sticker and messages[2].sticker.emoji == "👍"
    assert messages[3] and len(messages[3].photo) == 3 and messages[3].caption == "foto"
    assert messages[4] and messages[4].voice and messages[4].voice.duration == 4
    assert messages[5] and messages[5].location and messages[5].location.latitude > 52
    assert parsed[6].edited_message and parsed[6].edited_message.text == "hallo!"
    assert parsed[7].effective_chat and parsed[7].effective_chat.type == "group"
    assert parsed[7].effective_user and parsed[7].effective_user.id == 5
    with pytest.raises(ValueError):
        fake.push_callback(1, "x")  # the bot has sent nothing yet

    with httpx.Client(base_url=f"{fake.base_url}{TOKEN}", timeout=5, trust_env=False) as http:
        third = updates[2]["update_id"]
        got = http.post("/getUpdates", json={"offset": third, "timeout": 0}).json()["result"]
        assert [u["update_id"] for u in got] == [u["update_id"] for u in updates[2:]]
        got = http.post("/getUpdates", data={"offset": "0"}).json()["result"]
        assert got[0]["update_id"] == third  # confirmed updates are forgotten

        start = time.monotonic()
        body = {"offset": updates[-1]["update_id"] + 1, "timeout": 30}
        assert http.post("/getUpdates", json=body).json() == {"ok": True, "result": []}
        assert time.monotonic() - start < fake.max_poll_wait + 1  # capped, not 30 s

        sent = http.post("/sendMessage", data={"chat_id": "1", "text": "42"}).json()["result"]
        assert fake.sent(1)[-1]["params"] == {"chat_id": 1, "text": "42"}
        callback = Update.de_json(fake.push_callback(1, "x")).callback_query
        assert callback and callback.message and callback.message.message_id == sent["message_id"]

        fake.fail_next("sendMessage", 502)
        answer = http.post("/sendMessage", json={"chat_id": 1, "text": "weer"})
        assert answer.status_code == 502 and answer.json()["ok"] is False
        fake.fail_next("sendMessage", 429, retry_after=3)
        answer = http.post("/sendMessage", json={"chat_id": 1, "text": "weer"})
        assert answer.status_code == 429 and answer.json()["parameters"] == {"retry_after": 3}
        assert http.post("/noSuchMethod").json()["error_code"] == 404
        assert fake.call_count("sendMessage") == 3 and fake.messages(1) == ["42"]


def test_html_is_checked_as_telegram_does() -> None:
    """The bot's HTML (thoughts) must be escaped: the fake refuses what Telegram refuses."""
    assert html_problem("Ja &amp; nee\n\n💭 <i>Hij &lt;snapt&gt; het</i>") is None
    assert html_problem("💭 <i>Hij <snapt> het</i>") == 'unsupported start tag "snapt"'
    assert html_problem("a < b") == "unescaped < or >"
    assert html_problem("Jij & ik") == "unescaped &"
