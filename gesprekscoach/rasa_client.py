"""Talking to the Rasa server over the practice channel (coach_channel), as every client does.

The same channel carries the terminal chat, `coach play`, the Telegram bot and
the benchmark, so they measure and exercise exactly what a real client goes
through. Typed text and control commands travel in separate fields.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from gesprekscoach.local_secrets import channel_token
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.settings import Settings

CHANNEL_PATH = "/webhooks/coach/webhook"
TRANSIENT = (502, 503, 504)
"""A balancer without a live replica, or a turn that could not be stored or locked yet."""
RETRY_DELAY = 1.0


class RasaUnavailable(RuntimeError):
    """The Rasa server could not be reached, did not answer in time, or could not store."""


class ChannelRefused(RuntimeError):
    """The channel token is missing or wrong: a set-up fault, not an outage."""


@dataclass(frozen=True)
class Reply:
    texts: list[str]
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def refused(self) -> bool:
        """The channel did not take the message (empty, too long, a bad value): texts say why."""
        return self.payload.get("kind") == "refused"


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


def start_control(
    persona: str | None,
    seed: int,
    hints: bool = True,
    undo: bool | None = None,
    variant: str | None = None,
) -> dict[str, Any]:
    control: dict[str, Any] = {"command": "start", "seed": seed, "hints": hints}
    if persona:
        control["persona"] = persona
    if undo is not None:
        control["undo"] = undo
    if variant is not None:
        control["variant"] = variant
    return control


def _error_text(response: requests.Response) -> tuple[str, dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return str(body.get("message") or "De oefenserver weigerde dit bericht."), body


class RasaClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 60.0,
        retries: int = 2,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.metadata = metadata or {}
        """Sent with every message: the channel and, from a chat, the writer's pseudonym."""
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def for_settings(
        cls, settings: Settings, base_url: str | None = None, **options: Any
    ) -> RasaClient:
        """A client of this installation's Rasa server, with its channel token."""
        return cls(base_url or settings.rasa_url, channel_token(settings), **options)

    def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> Reply:
        """Send what the casemanager typed: always text, whatever it looks like."""
        return self._post({"sender": sender, "message": text}, metadata)

    def control(
        self, sender: str, control: dict[str, Any], metadata: dict[str, Any] | None = None
    ) -> Reply:
        """Start, stop or switch hints, on the channel's control field (never typed text)."""
        return self._post({"sender": sender, "control": control}, metadata)

    def _post(self, body: dict[str, Any], metadata: dict[str, Any] | None) -> Reply:
        """Post, and on a failure that may pass, post the same message again; else raise.

        Every message carries an id of its own (`message_id`), and a message sent again
        keeps it: the server handles it once, and answers a repeat with the first answer.
        So a connection error, a balancer that lost a replica (502, 504) or a server that
        could not store or lock the turn (503) are safe to retry.
        """
        if metadata or self.metadata:
            body["metadata"] = {**self.metadata, **(metadata or {})}
        body.setdefault("message_id", uuid.uuid4().hex)
        url = f"{self.base_url}{CHANNEL_PATH}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.session.post(url, json=body, timeout=self.timeout)
            except requests.ConnectionError as exc:
                if not last:
                    time.sleep(RETRY_DELAY * (attempt + 1))
                    continue
                raise RasaUnavailable("De Rasa-server is niet bereikbaar.") from exc
            except requests.Timeout as exc:
                raise RasaUnavailable("De Rasa-server antwoordde niet op tijd.") from exc
            if response.status_code in (401, 403):
                raise ChannelRefused(
                    "Het oefenkanaal weigert de toegang: het kanaaltoken (COACH_CHANNEL_TOKEN "
                    "of var/channel-token) van deze client en de Rasa-server verschillen."
                )
            if response.status_code in TRANSIENT and not last:
                time.sleep(RETRY_DELAY * (attempt + 1))
                continue
            if response.status_code >= 500:
                message, _ = _error_text(response)
                raise RasaUnavailable(message)
            if response.status_code >= 400:
                message, error = _error_text(response)
                return Reply([message], {"kind": "refused", **error})
            reply = parse_messages(response.json())
            if not reply.texts:
                raise RasaUnavailable("De oefenserver gaf geen antwoord.")
            return reply
        raise AssertionError("unreachable")

    def start_practice(
        self,
        sender: str,
        persona: str | None,
        seed: int,
        hints: bool = True,
        metadata: dict[str, Any] | None = None,
        undo: bool | None = None,
        variant: str | None = None,
    ) -> Reply:
        """Start a practice; `undo` allows going back (None: as hints, so off in exam mode);
        `variant` as in practice.start ("geen", "willekeurig" by seed, or an id)."""
        control = start_control(persona, seed, hints, undo, variant)
        return self.control(sender, control, metadata)

    def set_hints(self, sender: str, on: bool, metadata: dict[str, Any] | None = None) -> Reply:
        return self.control(sender, {"command": "hints", "hints": on}, metadata)

    def stop_practice(
        self,
        sender: str,
        metadata: dict[str, Any] | None = None,
        reflections: Sequence[tuple[str, str | None]] = (),
    ) -> Reply:
        """End the practice; `reflections` are the answers to "what did they need?" as
        (text, person pseudonym or None); none: skipped."""
        control: dict[str, Any] = {"command": "stop"}
        if reflections:
            control["reflections"] = [{"text": t, "person": p} for t, p in reflections]
        return self.control(sender, control, metadata)

    def go_back(self, sender: str, metadata: dict[str, Any] | None = None) -> Reply:
        """Take the last message back (/terug)."""
        return self.control(sender, {"command": "terug"}, metadata)

    def start_again_from(
        self, sender: str, turn: int, metadata: dict[str, Any] | None = None
    ) -> Reply:
        """Go on again from message `turn` (it and everything after it are taken back)."""
        return self.control(sender, {"command": "opnieuw", "turn": turn}, metadata)

    def ask_tip(self, sender: str, metadata: dict[str, Any] | None = None) -> Reply:
        """One suggestion for the next message (/tip)."""
        return self.control(sender, {"command": "tip"}, metadata)

    def healthy(self) -> bool:
        """The channel answers and the model is loaded."""
        try:
            response = self.session.get(f"{self.base_url}/webhooks/coach/", timeout=3)
            return response.ok and bool(response.json().get("ready"))
        except (requests.RequestException, ValueError):
            return False
