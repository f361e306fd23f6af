"""The bot's memory of consent and running practices: in memory, written through to the
database, so a restart of the bot process carries on where the chat was.

A database outage does not stop practising: the state stays in memory and is written
again with the next change.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.bridge import chat_key
from gesprekscoach.storage.bot_state import (
    ChatState,
    give_consent,
    has_consent,
    load_chat,
    save_chat,
)
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import BotChat, utcnow
from gesprekscoach.storage.repository import pseudonym

log = logging.getLogger(__name__)
CHANNEL = "telegram"


def load_closing(engine: Engine, key: str) -> dict[str, Any] | None:
    """The answers being collected after /stop (BotChat.closing), None when not closing."""
    with session_factory(engine)() as db:
        row = db.get(BotChat, key)
        return dict(row.closing) if row is not None and row.closing else None


def save_closing(engine: Engine, key: str, closing: dict[str, Any] | None) -> None:
    """Only the closing column: the rest of the row is save_chat's."""
    with session_factory(engine)() as db, db.begin():
        row = db.get(BotChat, key) or BotChat(chat_key=key)
        row.closing = closing
        row.updated_at = utcnow()
        db.add(row)


class ChatStore:
    def __init__(self, engine: Engine, salt: str) -> None:
        self.engine = engine
        self.salt = salt
        self._chats: dict[int, ChatState] = {}
        self._consent: set[int] = set()
        self._closing: dict[int, dict[str, Any] | None] = {}
        self.names: dict[str, str] = {}
        """First names of round members by pseudonym: in this process's memory, never stored."""

    def user_hash(self, user_id: int) -> str:
        return pseudonym(CHANNEL, str(user_id), self.salt)

    async def _db(self, what: str, func: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(func, self.engine, *args)
        except SQLAlchemyError:
            log.warning("Database niet bereikbaar bij %s; de bot houdt het in het geheugen", what)
            return None

    async def chat(self, chat_id: int) -> ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            key = chat_key(chat_id, self.salt)
            state = await self._db("lezen", load_chat, key) or ChatState(chat_key=key)
            self._chats[chat_id] = state
        return state

    async def update(self, chat_id: int, **changes: Any) -> ChatState:
        state = replace(await self.chat(chat_id), **changes)
        self._chats[chat_id] = state
        await self._db("opslaan", save_chat, state)
        return state

    async def closing(self, chat_id: int) -> dict[str, Any] | None:
        """What the chat collects after /stop (see bot/closing.py); None: not closing."""
        if chat_id not in self._closing:
            key = chat_key(chat_id, self.salt)
            self._closing[chat_id] = await self._db("lezen", load_closing, key)
        return self._closing[chat_id]

    async def set_closing(self, chat_id: int, closing: dict[str, Any] | None) -> None:
        self._closing[chat_id] = closing
        await self._db("opslaan", save_closing, chat_key(chat_id, self.salt), closing)

    async def consented(self, user_id: int) -> bool:
        if user_id in self._consent:
            return True
        if await self._db("lezen", has_consent, CHANNEL, self.user_hash(user_id)):
            self._consent.add(user_id)
            return True
        return False

    async def consent(self, user_id: int) -> None:
        self._consent.add(user_id)
        await self._db("opslaan", give_consent, CHANNEL, self.user_hash(user_id))

    def forget(self, user_id: int, chat_id: int) -> None:
        """After an erasure: the database rows are gone, drop the memory of them too."""
        self._consent.discard(user_id)
        self.names.pop(self.user_hash(user_id), None)
        self._chats.pop(chat_id, None)
        self._closing.pop(chat_id, None)
