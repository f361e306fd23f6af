"""The bridge to Rasa: every message of a chat goes to the REST channel, off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass

from gesprekscoach.rasa_client import RasaClient, Reply


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
        return await asyncio.to_thread(self.client.send, sender, text, metadata)

    async def start(
        self, sender: str, persona: str, seed: int, hints: bool, metadata: dict[str, str]
    ) -> Reply:
        from gesprekscoach.rasa_client import start_message

        return await self.send(sender, start_message(persona, seed, hints), metadata)

    async def stop(self, sender: str, metadata: dict[str, str]) -> Reply:
        from gesprekscoach.rasa_client import STOP_INTENT

        return await self.send(sender, f"/{STOP_INTENT}", metadata)

    async def hints(self, sender: str, on: bool, metadata: dict[str, str]) -> Reply:
        import json

        from gesprekscoach.rasa_client import HINTS_INTENT

        return await self.send(sender, f"/{HINTS_INTENT}{json.dumps({'hints': on})}", metadata)
