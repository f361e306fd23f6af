"""The bridge to Rasa: every message of a chat goes to the REST channel, off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from gesprekscoach.rasa_client import RasaClient, Reply, start_control


def chat_key(chat_id: int, salt: str) -> str:
    """A stable, non-reversible name for a chat (the raw Telegram id is not sent on)."""
    return hashlib.sha256(f"{salt}:telegram-chat:{chat_id}".encode()).hexdigest()[:16]


def new_sender(chat_id: int, salt: str) -> str:
    """A conversation id per practice session, derived from the chat."""
    return f"tg-{chat_key(chat_id, salt)}-{uuid.uuid4().hex[:8]}"


@dataclass
class RasaBridge:
    client: RasaClient

    async def send(self, sender: str, text: str, metadata: dict[str, str]) -> Reply:
        """What the casemanager typed: text, whatever it looks like."""
        return await asyncio.to_thread(self.client.send, sender, text, metadata)

    async def _control(
        self, sender: str, control: dict[str, Any], metadata: dict[str, str]
    ) -> Reply:
        return await asyncio.to_thread(self.client.control, sender, control, metadata)

    async def start(
        self, sender: str, persona: str, seed: int, hints: bool, metadata: dict[str, str]
    ) -> Reply:
        return await self._control(sender, start_control(persona, seed, hints), metadata)

    async def stop(self, sender: str, metadata: dict[str, str]) -> Reply:
        return await self._control(sender, {"command": "stop"}, metadata)

    async def hints(self, sender: str, on: bool, metadata: dict[str, str]) -> Reply:
        return await self._control(sender, {"command": "hints", "hints": on}, metadata)
