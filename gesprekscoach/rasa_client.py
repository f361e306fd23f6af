"""Talking to the Rasa server over its REST channel, as every client does.

The same channel carries the terminal chat, `coach play` and the benchmark,
so they measure and exercise exactly what a real client goes through.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from gesprekscoach.protocol import PAYLOAD_KEY

START_INTENT = "start_oefening"
STOP_INTENT = "stop_oefening"
HINTS_INTENT = "hints_instellen"


class RasaUnavailable(RuntimeError):
    """The Rasa server could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Reply:
    texts: list[str]
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def parse_messages(messages: list[dict[str, Any]]) -> Reply:
    texts: list[str] = []
    payload: dict[str, Any] = {}
    for message in messages:
        if message.get("text"):
            texts.append(str(message["text"]))
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get(PAYLOAD_KEY), dict):
            payload = custom[PAYLOAD_KEY]
    return Reply(texts, payload)


def start_message(persona: str | None, seed: int, hints: bool = True) -> str:
    entities: dict[str, Any] = {"seed": seed, "hints": hints}
    if persona:
        entities["persona"] = persona
    return f"/{START_INTENT}{json.dumps(entities)}"


class RasaClient:
    def __init__(
        self,
        base_url: str,
        timeout: float = 60.0,
        retries: int = 2,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.metadata = metadata or {}
        """Sent with every message: who is practising, on which channel (pseudonymised later)."""
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()

    def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> Reply:
        """Send one message; retry briefly on a connection error, then raise RasaUnavailable.

        Only connection failures are retried (the message never arrived), so a
        message is never handled twice.
        """
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata or self.metadata:
            body["metadata"] = {**self.metadata, **(metadata or {})}
        url = f"{self.base_url}/webhooks/rest/webhook"
        for attempt in range(self.retries + 1):
            try:
                response = self.session.post(url, json=body, timeout=self.timeout)
            except requests.ConnectionError as exc:
                if attempt < self.retries:
                    time.sleep(1.0 * (attempt + 1))
                    continue
                raise RasaUnavailable("De Rasa-server is niet bereikbaar.") from exc
            except requests.Timeout as exc:
                raise RasaUnavailable("De Rasa-server antwoordde niet op tijd.") from exc
            if response.status_code >= 500:
                raise RasaUnavailable(f"De Rasa-server gaf een fout ({response.status_code}).")
            response.raise_for_status()
            reply = parse_messages(response.json())
            if not reply.texts:
                # Rasa answers 200 with nothing when the action server is down.
                raise RasaUnavailable("De oefenserver gaf geen antwoord.")
            return reply
        raise AssertionError("unreachable")

    def start_practice(
        self, sender: str, persona: str | None, seed: int, hints: bool = True
    ) -> Reply:
        return self.send(sender, start_message(persona, seed, hints))

    def set_hints(self, sender: str, on: bool) -> Reply:
        return self.send(sender, f"/{HINTS_INTENT}{json.dumps({'hints': on})}")

    def stop_practice(self, sender: str) -> Reply:
        return self.send(sender, f"/{STOP_INTENT}")

    def healthy(self) -> bool:
        try:
            return self.session.get(f"{self.base_url}/status", timeout=3).ok
        except requests.RequestException:
            return False
