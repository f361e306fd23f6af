"""The application factory: takes its request objects, so tests inject their own."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import closing, handlers, round_end, rounds, texts
from bot.bridge import PracticeBridge
from bot.commands import COMMANDS
from bot.context import CONTEXT_TYPES, CoachApplication, Deps
from bot.flood import FloodGuard
from bot.ordering import ChatLocks, ChatOrderedProcessor
from bot.pending import DELAYS, PendingRetries
from bot.retrying import RetryingRateLimiter
from bot.state import ChatStore
from gesprekscoach.domain import Catalogues

TELEGRAM_API = "https://api.telegram.org/bot"


async def _register_commands(application: CoachApplication) -> None:
    await application.bot.set_my_commands([command.bot_command for command in COMMANDS])


async def _stop_retries(application: CoachApplication) -> None:
    await application.bot_data.deps.retries.cancel_all()


def build_application(
    token: str,
    bridge: PracticeBridge,
    catalogues: Catalogues,
    salt: str,
    engine: Engine,
    *,
    base_url: str = TELEGRAM_API,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    retry_delays: Sequence[float] = DELAYS,
    flood: FloodGuard | None = None,
    backoff: float = 1.0,
    concurrent: bool = True,
    spool: Path | None = None,
) -> CoachApplication:
    # httpx logs every request URL, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    locks = ChatLocks()
    builder = (
        Application.builder()
        .context_types(CONTEXT_TYPES)
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .rate_limiter(RetryingRateLimiter(max_retries=3, backoff=backoff))
        .concurrent_updates(ChatOrderedProcessor(locks) if concurrent else False)
        .post_init(_register_commands)
        .post_stop(_stop_retries)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data.deps = Deps(
        bridge=bridge,
        catalogues=catalogues,
        salt=salt,
        engine=engine,
        store=ChatStore(engine, salt),
        flood=flood or FloodGuard(),
        locks=locks,
        retries=PendingRetries(retry_delays),
        spool=spool,
    )
    groups = filters.ChatType.GROUPS
    # In a group chat: a round held together; personal matters belong in a private chat.
    for command in COMMANDS:
        if command.in_group is not None:
            application.add_handler(CommandHandler(command.name, command.in_group, filters=groups))
    group_text = groups & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(group_text, rounds.talk))
    application.add_handler(MessageHandler(groups & ~filters.COMMAND, rounds.not_text))
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.name, command.handler))
    application.add_handler(CallbackQueryHandler(rounds.join_round, pattern=r"^round:join$"))
    application.add_handler(CallbackQueryHandler(round_end.done, pattern=rf"^{round_end.DONE}$"))
    application.add_handler(CallbackQueryHandler(closing.skip, pattern=rf"^{closing.SKIP}$"))
    application.add_handler(CallbackQueryHandler(handlers.erase_answer, pattern=r"^erase:"))
    application.add_handler(CallbackQueryHandler(handlers.consent, pattern=r"^consent:"))
    application.add_handler(CallbackQueryHandler(handlers.choose_persona, pattern=r"^persona:"))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, handlers.not_text))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.talk))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.COMMAND, handlers.not_text))
    # A command the bot does not know (or "/restart" typed out of habit): say what there is.
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, handlers.say(texts.UNKNOWN))
    )
    application.add_error_handler(handlers.on_error)
    return application


@dataclass(frozen=True)
class Webhook:
    """How the bot receives updates when it has a public address (instead of long polling)."""

    url: str
    listen: str
    port: int
    secret: str

    @classmethod
    def for_token(cls, token: str, url: str, listen: str, port: int, secret: str = "") -> Webhook:
        # Telegram allows 1-256 of A-Z a-z 0-9 _ -; derived, it stays the same across restarts
        secret = secret or hashlib.sha256(f"webhook:{token}".encode()).hexdigest()
        return cls(url=url.rstrip("/"), listen=listen, port=port, secret=secret)

    @property
    def path(self) -> str:
        """The last part of the public address: what the local server answers on."""
        return urlsplit(self.url).path.strip("/") or "telegram"

    def run_options(self) -> dict[str, Any]:
        """Keyword arguments for Application.run_webhook and Updater.start_webhook."""
        return {
            "listen": self.listen,
            "port": self.port,
            "url_path": self.path,
            "webhook_url": self.url
            if urlsplit(self.url).path.strip("/")
            else self.url + "/telegram",
            "secret_token": self.secret,
            "allowed_updates": Update.ALL_TYPES,
        }
