"""Offline doubles for handler unit tests, in python-telegram-bot's own test style.

`OfflineBotAPI` is a `BaseRequest`: injected into the application factory, it answers
Bot API calls in memory and records them, so handlers run for real without a network.
`ScriptedRasa` stands in for the Rasa server's REST channel (the end-to-end tests use
the real one); it can be taken down and brought back.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

from gesprekscoach.rasa_client import RasaUnavailable, Reply

BOT = {"id": 999, "is_bot": True, "first_name": "Gesprekscoach", "username": "coach_bot"}


class OfflineBotAPI(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1000)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((endpoint, params))
        result: Any = True
        if endpoint == "getMe":
            result = BOT
        elif endpoint in ("sendMessage", "sendPhoto", "editMessageText"):
            chat = {"id": params.get("chat_id", 1), "type": "private"}
            result = {"message_id": next(self._ids), "date": int(time.time()), "chat": chat,
                      "from": BOT, "text": str(params.get("text", ""))}  # fmt: skip
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def texts(self, chat_id: int) -> list[str]:
        wanted = ("sendMessage", "editMessageText")
        return [
            str(p.get("text")) for m, p in self.calls if m in wanted and p.get("chat_id") == chat_id
        ]


class ScriptedRasa:
    """A RasaClient look-alike: the inwoner echoes, so tests see what reached Rasa."""

    def __init__(self) -> None:
        self.down = False
        self.received: list[tuple[str, str]] = []
        self.metadata: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.delay = 0.0

    def send(self, sender: str, text: str, metadata: dict[str, str] | None = None) -> Reply:
        if self.delay:
            time.sleep(self.delay)
        if self.down:
            raise RasaUnavailable("scripted outage")
        with self.lock:
            self.received.append((sender, text))
            self.metadata.append(dict(metadata or {}))
        return Reply([f"Inwoner hoorde: {text}"])

    def control(
        self, sender: str, control: dict[str, Any], metadata: dict[str, str] | None = None
    ) -> Reply:
        """Commands travel apart from text (as on the practice channel); noted as "/command"."""
        if self.delay:
            time.sleep(self.delay)
        if self.down:
            raise RasaUnavailable("scripted outage")
        with self.lock:
            rest = {k: v for k, v in control.items() if k != "command"}
            self.received.append((sender, f"/{control['command']}{json.dumps(rest)}"))
            self.metadata.append(dict(metadata or {}))
        return Reply(["Goedemiddag."] if control["command"] == "start" else ["Tot ziens."])

    def texts(self) -> list[str]:
        return [t for _, t in self.received if not t.startswith("/")]


_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user(user_id: int, name: str = "Eva") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def message_update(
    chat_id: int, text: str, user_id: int | None = None, date: int | None = None,
    chat_type: str = "private",
) -> dict[str, Any]:  # fmt: skip
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": date if date is not None else int(time.time()),
        "chat": {"id": chat_id, "type": chat_type},
        "from": user(user_id or chat_id),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]  # fmt: skip
    return {"update_id": next(_update_ids), "message": message}


def callback_update(chat_id: int, data: str, user_id: int | None = None) -> dict[str, Any]:
    message = {"message_id": next(_message_ids), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private"}, "from": BOT, "text": "..."}  # fmt: skip
    query = {"id": str(next(_update_ids)), "from": user(user_id or chat_id), "message": message,
             "chat_instance": "1", "data": data}  # fmt: skip
    return {"update_id": next(_update_ids), "callback_query": query}
