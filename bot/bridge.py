"""The bridge to Rasa: every message of a chat goes to the practice channel, off the event loop.

`PracticeBridge` is what the handlers need; `RasaBridge` is the real one, over
`RasaClient` (which builds the control commands). Tests pass a scripted bridge.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from typing import Protocol

from gesprekscoach.rasa_client import RasaClient, Reply


def chat_key(chat_id: int, salt: str) -> str:
    """A stable, non-reversible name for a chat (the raw Telegram id is not sent on)."""
    return hashlib.sha256(f"{salt}:telegram-chat:{chat_id}".encode()).hexdigest()[:16]


def new_sender(chat_id: int, salt: str) -> str:
    """A conversation id per practice session, derived from the chat."""
    return f"tg-{chat_key(chat_id, salt)}-{uuid.uuid4().hex[:8]}"


class PracticeBridge(Protocol):
    """The practice server as the bot uses it; each call raises RasaUnavailable in an outage."""

    async def send(self, sender: str, text: str, metadata: dict[str, str]) -> Reply:
        """What the casemanager typed: text, whatever it looks like."""
        ...

    async def start(
        self, sender: str, persona: str, seed: int, hints: bool, metadata: dict[str, str]
    ) -> Reply: ...

    async def stop(self, sender: str, metadata: dict[str, str]) -> Reply: ...

    async def hints(self, sender: str, on: bool, metadata: dict[str, str]) -> Reply: ...


@dataclass
class RasaBridge:
    """A PracticeBridge over RasaClient, whose blocking calls run in a worker thread."""

    client: RasaClient

    async def send(self, sender: str, text: str, metadata: dict[str, str]) -> Reply:
        return await asyncio.to_thread(self.client.send, sender, text, metadata)

    async def start(
        self, sender: str, persona: str, seed: int, hints: bool, metadata: dict[str, str]
    ) -> Reply:
        start = self.client.start_practice
        return await asyncio.to_thread(start, sender, persona, seed, hints, metadata)

    async def stop(self, sender: str, metadata: dict[str, str]) -> Reply:
        return await asyncio.to_thread(self.client.stop_practice, sender, metadata)

    async def hints(self, sender: str, on: bool, metadata: dict[str, str]) -> Reply:
        return await asyncio.to_thread(self.client.set_hints, sender, on, metadata)
