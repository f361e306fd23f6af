"""Offline doubles for handler unit tests, in python-telegram-bot's own test style.

`OfflineBotAPI` is a `BaseRequest`: injected into the application factory, it answers
Bot API calls in memory and records them, so handlers run for real without a network.
`ScriptedBridge` stands in for the bridge to the Rasa server (the end-to-end tests use
the real one); it can be taken down and brought back.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Sequence
from typing import Any

from telegram.request import BaseRequest, RequestData

from gesprekscoach.rasa_client import RasaUnavailable, Reply
from gesprekscoach.turn import Standing, TurnEvent

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
            result = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": chat,
                "from": BOT,
                "text": str(params.get("text", "")),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def texts(self, chat_id: int) -> list[str]:
        wanted = ("sendMessage", "editMessageText")
        return [
            str(p.get("text")) for m, p in self.calls if m in wanted and p.get("chat_id") == chat_id
        ]


def turn_payload(number: int, text: str, reply: str, thought: str = "") -> dict[str, Any]:
    """A turn's payload as the action server sends it (trust up by one a message)."""
    before = Standing(40.0 + number - 1, 50.0)
    after = Standing(40.0 + number, 50.0)
    event = TurnEvent(number, "henk", text, reply, "open_vraag", before, after, thought=thought)
    return event.to_payload()


class ScriptedBridge:
    """A PracticeBridge without a Rasa server: the inwoner echoes, so tests see what arrived.

    It can be taken down (RasaUnavailable, an outage) or broken (any other error, a bug).
    Control commands are noted as "/command{json}", apart from typed text. It numbers the
    messages of each conversation as the server does, takes them back on /terug and
    /opnieuw N, and refuses going back and tips as `refuse` says (an error kind).
    """

    def __init__(self) -> None:
        self.down = False
        self.broken = False
        self.received: list[tuple[str, str]] = []
        self.metadata: list[dict[str, str]] = []
        self.reflections: list[tuple[tuple[str, str | None], ...]] = []
        self.delay = 0.0
        self.thought = ""
        """The inwoner's thought in every turn's payload."""
        self.refuse: str | None = None
        """An error kind for going back and tips (exam_mode, undo_off...)."""
        self.stop_error: str | None = None
        """An error kind for the stop: "action" is a fault, the practice still runs."""
        self.turns: dict[str, int] = {}

    async def _arrive(self, sender: str, text: str, metadata: dict[str, str]) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.broken:
            raise RuntimeError("scripted bug")
        if self.down:
            raise RasaUnavailable("scripted outage")
        self.received.append((sender, text))
        self.metadata.append(dict(metadata))

    async def _control(self, sender: str, metadata: dict[str, str], **control: Any) -> None:
        command = control.pop("command")
        await self._arrive(sender, f"/{command}{json.dumps(control)}", metadata)

    async def send(self, sender: str, text: str, metadata: dict[str, str]) -> Reply:
        await self._arrive(sender, text, metadata)
        number = self.turns.get(sender, 0) + 1
        self.turns[sender] = number
        reply = f"Inwoner hoorde: {text}"
        return Reply([reply], turn_payload(number, text, reply, self.thought))

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
        control = {"persona": persona, "seed": seed, "hints": hints, "undo": undo}
        control["variant"] = variant
        await self._control(sender, metadata, command="start", **control)
        self.turns[sender] = 0
        return Reply(["Goedemiddag."], {"kind": "start"})

    async def stop(
        self,
        sender: str,
        metadata: dict[str, str],
        reflections: Sequence[tuple[str, str | None]] = (),
    ) -> Reply:
        await self._control(sender, metadata, command="stop")
        if self.stop_error:
            return Reply(["Er ging iets mis."], {"kind": "error", "error": self.stop_error})
        self.reflections.append(tuple(reflections))
        scored = [
            {"text": t, "score": 0.5, "named": ["rust"], "missed": ["hulp"], "person": p}
            for t, p in reflections
        ]
        return Reply(["Tot ziens."], {"kind": "end", "reflections": scored})

    async def hints(self, sender: str, on: bool, metadata: dict[str, str]) -> Reply:
        await self._control(sender, metadata, command="hints", hints=on)
        return Reply([f"Tips {'aan' if on else 'uit'}."])

    def _refused(self) -> Reply | None:
        if self.refuse is None:
            return None
        return Reply([f"Geweigerd: {self.refuse}."], {"kind": "error", "error": self.refuse})

    async def go_back(self, sender: str, metadata: dict[str, str]) -> Reply:
        await self._control(sender, metadata, command="terug")
        return self._refused() or self._rewind(sender, self.turns.get(sender, 0), "terug")

    async def start_again_from(self, sender: str, turn: int, metadata: dict[str, str]) -> Reply:
        await self._control(sender, metadata, command="opnieuw", turn=turn)
        return self._refused() or self._rewind(sender, turn, "opnieuw")

    def _rewind(self, sender: str, turn: int, how: str) -> Reply:
        last = self.turns.get(sender, 0)
        if not 1 <= turn <= last:
            return Reply(["Niets terug te nemen."], {"kind": "error", "error": "no_such_turn"})
        self.turns[sender] = turn - 1
        payload = {"kind": "rewind", "how": how, "from_turn": turn, "turns": last - turn + 1}
        return Reply([f"Bericht {turn} is teruggenomen."], payload | {"turn": turn - 1})

    async def tip(self, sender: str, metadata: dict[str, str]) -> Reply:
        await self._control(sender, metadata, command="tip")
        tip = {"kind": "tip", "tip": "CK-B3", "text": "Vraag wat hij nodig heeft."}
        return self._refused() or Reply(["Tip: vraag wat hij nodig heeft."], tip)

    def texts(self) -> list[str]:
        return [t for _, t in self.received if not t.startswith("/")]

    def controls(self, command: str) -> list[dict[str, Any]]:
        """The control commands of one kind that arrived, with their fields."""
        prefix = f"/{command}{{"
        found = [t for _, t in self.received if t.startswith(prefix)]
        return [json.loads(t[len(command) + 1 :]) for t in found]


_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user(user_id: int, name: str = "Eva") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def message_update(
    chat_id: int,
    text: str,
    user_id: int | None = None,
    date: int | None = None,
    chat_type: str = "private",
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": date if date is not None else int(time.time()),
        "chat": {"id": chat_id, "type": chat_type},
        "from": user(user_id or chat_id),
        "text": text,
    }
    if text.startswith("/"):
        command = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        message["entities"] = [command]
    return {"update_id": next(_update_ids), "message": message}


def callback_update(chat_id: int, data: str, user_id: int | None = None) -> dict[str, Any]:
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private"},
        "from": BOT,
        "text": "...",
    }
    query = {
        "id": str(next(_update_ids)),
        "from": user(user_id or chat_id),
        "message": message,
        "chat_instance": "1",
        "data": data,
    }
    return {"update_id": next(_update_ids), "callback_query": query}
