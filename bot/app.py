"""The application factory: takes its request objects, so tests inject their own."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from telegram import BotCommand
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import handlers, texts
from bot.bridge import RasaBridge
from gesprekscoach.domain import Catalogues

TELEGRAM_API = "https://api.telegram.org/bot"


async def _register_commands(application: Application) -> None:
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])


def build_application(
    token: str,
    bridge: RasaBridge,
    catalogues: Catalogues,
    salt: str,
    engine: Engine,
    *,
    base_url: str = TELEGRAM_API,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:
    # httpx logs every request URL, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_register_commands)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data.update(
        {"bridge": bridge, "catalogues": catalogues, "salt": salt, "engine": engine}
    )
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("stop", handlers.stop))
    application.add_handler(CommandHandler("opnieuw", handlers.again))
    application.add_handler(CommandHandler("hints", handlers.hints))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("voortgang", handlers.progress))
    application.add_handler(CommandHandler("mijngegevens", handlers.my_data))
    application.add_handler(CommandHandler("verwijder", handlers.erase_ask))
    application.add_handler(CallbackQueryHandler(handlers.erase_answer, pattern=r"^erase:"))
    application.add_handler(CallbackQueryHandler(handlers.consent, pattern=r"^consent:"))
    application.add_handler(CallbackQueryHandler(handlers.choose_persona, pattern=r"^persona:"))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, handlers.not_text))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.talk))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.COMMAND, handlers.not_text))
    application.add_error_handler(handlers.on_error)
    return application
