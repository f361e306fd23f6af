"""Updates of different chats run side by side; updates of one chat run in order.

python-telegram-bot runs one update at a time by default, so one slow answer from
Rasa would hold up every other casemanager in a workshop. With `concurrent_updates`
alone, two quick messages of one chat could overtake each other. This processor
does both: concurrency across chats, a lock per chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class ChatLocks:
    """One asyncio lock per chat, dropped again when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] = self._users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[chat_id] -= 1
            if not self._users[chat_id]:
                del self._users[chat_id], self._locks[chat_id]

    def __len__(self) -> int:
        return len(self._locks)


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, locks: ChatLocks, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.locks = locks

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self.locks.hold(chat.id):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to release."""
