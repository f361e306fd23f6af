"""The bridge to Rasa: every message of a chat goes to the practice channel, off the event loop.

`PracticeBridge` is what the handlers need; `RasaBridge` is the real one, over
`RasaClient` (which builds the control commands). Tests pass a scripted one.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from gesprekscoach.rasa_client import RasaClient, Reply

Reflections = Sequence[tuple[str, str | None]]
"""The answers to "what did they need?": (text, the writer's pseudonym or None)."""


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
        self,
        sender: str,
        persona: str,
        seed: int,
        hints: bool,
        metadata: dict[str, str],
        undo: bool | None = None,
        variant: str | None = None,
    ) -> Reply:
        """`undo`: may the casemanager go back (None: as hints; a werkatelier decides);
        `variant`: "willekeurig" for a variant by seed, None or "geen" for none."""
        ...

    async def stop(
        self, sender: str, metadata: dict[str, str], reflections: Reflections = ()
    ) -> Reply:
        """End it; `reflections` empty: the question was skipped."""
        ...

    async def hints(self, sender: str, on: bool, metadata: dict[str, str]) -> Reply: ...

    async def go_back(self, sender: str, metadata: dict[str, str]) -> Reply:
        """/terug: take the last message back."""
        ...

    async def start_again_from(self, sender: str, turn: int, metadata: dict[str, str]) -> Reply:
        """/opnieuw N: message N and everything after it are taken back."""
        ...

    async def tip(self, sender: str, metadata: dict[str, str]) -> Reply:
        """/tip: one suggestion for the next message."""
        ...


@dataclass
class RasaBridge:
    """A PracticeBridge over RasaClient, whose blocking calls run in a worker thread."""

    client: RasaClient

    async def send(self, sender: str, text: str, metadata: dict[str, str]) -> Reply:
        return await asyncio.to_thread(self.client.send, sender, text, metadata)

    async def start(
        self,
        sender: str,
        persona: str,
        seed: int,
        hints: bool,
        metadata: dict[str, str],
        undo: bool | None = None,
        variant: str | None = None,
    ) -> Reply:
        start = self.client.start_practice
        return await asyncio.to_thread(start, sender, persona, seed, hints, metadata, undo, variant)

    async def stop(
        self, sender: str, metadata: dict[str, str], reflections: Reflections = ()
    ) -> Reply:
        stop = self.client.stop_practice
        return await asyncio.to_thread(stop, sender, metadata, tuple(reflections))

    async def hints(self, sender: str, on: bool, metadata: dict[str, str]) -> Reply:
        return await asyncio.to_thread(self.client.set_hints, sender, on, metadata)

    async def go_back(self, sender: str, metadata: dict[str, str]) -> Reply:
        return await asyncio.to_thread(self.client.go_back, sender, metadata)

    async def start_again_from(self, sender: str, turn: int, metadata: dict[str, str]) -> Reply:
        again = self.client.start_again_from
        return await asyncio.to_thread(again, sender, turn, metadata)

    async def tip(self, sender: str, metadata: dict[str, str]) -> Reply:
        return await asyncio.to_thread(self.client.ask_tip, sender, metadata)
