"""The handlers' typed context, as in python-telegram-bot's own `contexttypesbot` example.

Every handler gets a `CustomContext`; `context.deps` is what it works with, typed, where
a plain `bot_data` dict would need a lookup by key and a check of what came out.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.bridge import PracticeBridge
from bot.flood import FloodGuard
from bot.ordering import ChatLocks
from bot.pending import PendingRetries
from bot.state import ChatStore
from gesprekscoach.domain import Catalogues


@dataclass(frozen=True)
class Deps:
    """What the handlers work with; built once by the application factory."""

    bridge: PracticeBridge
    catalogues: Catalogues
    salt: str
    engine: Engine
    store: ChatStore
    flood: FloodGuard
    locks: ChatLocks
    retries: PendingRetries
    spool: Path | None = None
    """The session log's spool: an erasure removes waiting writes there too."""


class BotData:
    """The application's `bot_data`. python-telegram-bot makes it without arguments, so
    the application factory sets `deps` right after building the application."""

    deps: Deps


# ExtBot[int]: the bot's rate limiter (an AIORateLimiter) takes an int per call.
class CustomContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """What every handler gets: python-telegram-bot's context, with the deps typed."""

    @property
    def deps(self) -> Deps:
        return self.bot_data.deps


Handler = Callable[[Update, CustomContext], Coroutine[Any, Any, None]]
"""A handler of an update, as every handler module writes them."""

CONTEXT_TYPES = ContextTypes(context=CustomContext, bot_data=BotData)

CoachApplication = Application[
    ExtBot[int],
    CustomContext,
    dict[Any, Any],
    dict[Any, Any],
    BotData,
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
"""The application `build_application` makes (the job queue is python-telegram-bot's own)."""
