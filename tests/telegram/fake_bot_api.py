"""A fake Telegram Bot API on loopback, for end-to-end tests of a python-telegram-bot bot.

Why: tests must never reach api.telegram.org, yet should exercise the real PTB stack (its
HTTP client, long polling, handlers). The fake runs aiohttp in a background thread with its
own event loop, so synchronous pytest code can push updates and read what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aiohttp import web

JSON = dict[str, Any]
BOT_USER: JSON = {"id": 123, "is_bot": True, "first_name": "Gesprekscoach Test"}
BOT_USER |= {"username": "gesprekscoach_test_bot", "can_join_groups": True}
BOT_USER |= {"can_read_all_group_messages": False, "supports_inline_queries": False}
# PTB sends these as plain strings; every other form value is JSON-encoded (ids, markup, lists).
STRING_PARAMS = {"text", "caption", "parse_mode", "callback_query_id", "inline_message_id"}
STRING_PARAMS |= {"action", "emoji", "url", "photo", "file_id", "language_code", "title"}
# Telegram's HTML parse mode: these tags, and <, > and & escaped everywhere else.
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
HTML_TAGS |= {"span", "tg-spoiler", "blockquote", "tg-emoji"}
HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z-]*)(\s[^<>]*)?>")
HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this text in parse_mode HTML; None if it would take it."""
    for tag in HTML_TAG.finditer(text):
        if tag.group(1).lower() not in HTML_TAGS:
            return f'unsupported start tag "{tag.group(1)}"'
    rest = HTML_TAG.sub("", text)
    if "<" in rest or ">" in rest:
        return "unescaped < or >"
    if "&" in HTML_ENTITY.sub("", rest):
        return "unescaped &"
    return None


class ApiError(Exception):
    """A Telegram-style error answer ({"ok": false, ...}) raised by a method implementation."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def response(self) -> web.Response:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.status)


class FakeBotAPI:
    """Loopback Bot API: records every bot call, serves pushed updates via getUpdates."""

    max_poll_wait = 1.5  # getUpdates never holds a request longer, whatever `timeout` says

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._called = threading.Condition(self._lock)
        self._ids = itertools.count(1)  # message and file ids, shared by user and bot
        self._update_ids = itertools.count(1)
        self._updates: list[JSON] = []
        self._calls: list[JSON] = []
        self._counts: Counter[str] = Counter()
        self._failures: defaultdict[str, list[ApiError]] = defaultdict(list)
        self._messages: dict[tuple[str, int], JSON] = {}  # bot messages by (chat_id, id)
        self._chats: dict[str, JSON] = {}
        self._commands: list[JSON] = []
        self._by_chat: defaultdict[str, list[JSON]] = defaultdict(list)
        self.webhook: JSON | None = None
        """What setWebhook was last given (url, secret_token, allowed_updates)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._wakeup: asyncio.Event | None = None
        self._port: int | None = None
        self._start_error: BaseException | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotAPI:
        """Serve on a free loopback port from a daemon thread; returns once it accepts."""
        if self._thread is not None:
            raise RuntimeError("FakeBotAPI already started")
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10) or self._port is None:
            self.stop()
            raise RuntimeError(f"FakeBotAPI did not start: {self._start_error!r}")
        return self

    def stop(self) -> None:
        """Shut the server down and join its thread (bounded); safe to call twice."""
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(10)
            if thread.is_alive():
                raise RuntimeError("FakeBotAPI thread did not stop within 10 s")
        self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as exc:  # reported by start()
            self._start_error = exc
        finally:
            ready.set()
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _serve(self, ready: threading.Event) -> None:
        self._stopping, self._wakeup = asyncio.Event(), asyncio.Event()
        app = web.Application(client_max_size=50 * 2**20)  # Telegram's upload limit
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            self._port = runner.addresses[0][1]
            ready.set()
            await self._stopping.wait()
            self._wakeup.set()  # release pending long polls
        finally:
            await runner.cleanup()

    @property
    def base_url(self) -> str:
        """Pass to ApplicationBuilder.base_url; PTB appends the token: POST /bot<TOKEN>/<method>."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI not started")
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass to ApplicationBuilder.base_file_url (file downloads are not served)."""
        return self.base_url.removesuffix("/bot") + "/file/bot"

    # --- test helpers: inspect and inject ------------------------------------------------------

    def sent(self, chat_id: int | str | None = None) -> list[JSON]:
        """Successful bot calls in order (getUpdates left out), as {"method", "params"}."""
        with self._lock:
            calls = list(self._calls)
        if chat_id is None:
            return calls
        return [c for c in calls if str(c["params"].get("chat_id")) == str(chat_id)]

    def chat_calls(self, chat_id: int | str, start: int = 0) -> list[JSON]:
        """The bot's calls to one chat from index `start` on, each with its time ("at")."""
        with self._lock:
            return list(self._by_chat[str(chat_id)][start:])

    def wait_chat_calls(self, chat_id: int | str, start: int, timeout: float) -> list[JSON]:
        """Block until the bot made a call to the chat beyond index `start`; those calls."""
        with self._called:
            self._called.wait_for(lambda: len(self._by_chat[str(chat_id)]) > start, timeout)
            return list(self._by_chat[str(chat_id)][start:])

    def messages(self, chat_id: int | str) -> list[str]:
        """Texts the bot delivered to chat_id with sendMessage."""
        return [c["params"]["text"] for c in self.sent(chat_id) if c["method"] == "sendMessage"]

    def call_count(self, method: str) -> int:
        """How often method was called, including failed attempts (and getUpdates)."""
        with self._lock:
            return self._counts[method]

    def commands(self) -> list[JSON]:
        """The command list last stored by setMyCommands."""
        with self._lock:
            return list(self._commands)

    def wait_for(self, predicate: Callable[[list[JSON]], bool], timeout: float = 5.0) -> bool:
        """Poll predicate(sent()) until true or timeout; returns whether it became true."""
        deadline = time.monotonic() + timeout
        while not predicate(self.sent()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def fail_next(
        self, method: str, status: int = 429, retry_after: int = 1, description: str = ""
    ) -> None:
        """Make the next call of method fail: 429 carries retry_after, others a plain error."""
        if status == 429:
            text = description or f"Too Many Requests: retry after {retry_after}"
            error = ApiError(429, text, {"retry_after": retry_after})
        else:
            error = ApiError(status, description or HTTPStatus(status).phrase)
        with self._lock:
            self._failures[method].append(error)

    # --- test helpers: push updates ------------------------------------------------------------

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw update for getUpdates (update_id assigned if missing); returns it."""
        with self._lock:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wakeup.set)
        return update

    def text_update(self, chat_id: int, text: str, **sender: Any) -> JSON:
        """A text update as Telegram would post it to a webhook (not queued for getUpdates)."""
        message = self._user_message(chat_id, **sender, text=text)
        if text.startswith("/"):
            command = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            message["entities"] = [command]
        return {"update_id": next(self._update_ids), "message": message}

    def push_text(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Eva",
    ) -> JSON:
        """A user sends a plain text message; returns the update."""
        return self._push(chat_id, user_id, chat_type, first_name, text=text)

    def push_command(
        self,
        chat_id: int,
        command: str,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Eva",
    ) -> JSON:
        """A user sends "/cmd [args]"; the first word carries a bot_command entity."""
        entity = {"type": "bot_command", "offset": 0, "length": len(command.split()[0])}
        return self._push(chat_id, user_id, chat_type, first_name, text=command, entities=[entity])

    def push_sticker(self, chat_id: int, emoji: str = "👍", **sender: Any) -> JSON:
        """A user sends a sticker (sender: user_id, chat_type, first_name, as for push_text)."""
        sticker = self._file("sticker", 4096) | {"type": "regular", "width": 512, "height": 512}
        sticker |= {"is_animated": False, "is_video": False, "emoji": emoji}
        return self._push(chat_id, **sender, sticker=sticker)

    def push_photo(self, chat_id: int, caption: str | None = None, **sender: Any) -> JSON:
        """A user sends a photo (three sizes, as Telegram does), optionally captioned."""
        extra = {"caption": caption} if caption is not None else {}
        return self._push(chat_id, **sender, photo=self._photo_sizes(40_000), **extra)

    def push_voice(self, chat_id: int, duration: int = 3, **sender: Any) -> JSON:
        """A user sends a voice note."""
        voice = self._file("voice", 1600 * duration) | {"duration": duration}
        return self._push(chat_id, **sender, voice=voice | {"mime_type": "audio/ogg"})

    def push_location(
        self, chat_id: int, latitude: float = 52.3676, longitude: float = 4.9041, **sender: Any
    ) -> JSON:
        """A user shares a location (default: Amsterdam)."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._push(chat_id, **sender, location=location)

    def push_edited_text(self, chat_id: int, message_id: int, text: str, **sender: Any) -> JSON:
        """A user edits an earlier text message of theirs."""
        msg = self._user_message(chat_id, **sender, text=text)
        msg.update(message_id=message_id, edit_date=msg["date"])
        return self.push_update({"edited_message": msg})

    def push_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int | None = None,
        user_id: int | None = None,
        first_name: str = "Eva",
    ) -> JSON:
        """A user presses an inline button on a bot message (default: the bot's latest)."""
        with self._lock:
            keys = [k for k in self._messages if k[0] == str(chat_id)]
            keys = [k for k in keys if message_id is None or k[1] == message_id]
            if not keys:
                raise ValueError(f"the bot sent no message {message_id or ''} to chat {chat_id}")
            message = json.loads(json.dumps(self._messages[max(keys, key=lambda k: k[1])]))
            query_id = str(10**15 + next(self._ids))
        query = {"id": query_id, "from": self._user(chat_id, user_id, first_name)}
        query |= {"message": message, "chat_instance": str(abs(chat_id) * 7919), "data": data}
        return self.push_update({"callback_query": query})

    def _push(self, chat_id: int, *who: Any, **content: Any) -> JSON:
        return self.push_update({"message": self._user_message(chat_id, *who, **content)})

    def _user_message(
        self,
        chat_id: int,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Eva",
        **content: Any,
    ) -> JSON:
        chat: JSON = {"id": chat_id, "type": chat_type}
        chat |= {"first_name": first_name} if chat_type == "private" else {"title": "Testgroep"}
        with self._lock:
            self._chats[str(chat_id)] = chat
            message_id = next(self._ids)
        sender = self._user(chat_id, user_id, first_name)
        msg = {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time())}
        return msg | content

    @staticmethod
    def _user(chat_id: int, user_id: int | None, first_name: str) -> JSON:
        uid = user_id if user_id is not None else chat_id  # private chat id == user id
        return {"id": uid, "is_bot": False, "first_name": first_name, "language_code": "nl"}

    def _file(self, kind: str, size: int) -> JSON:
        n = next(self._ids)
        return {"file_id": f"{kind}-{n}", "file_unique_id": f"u-{kind}-{n}", "file_size": size}

    def _photo_sizes(self, size: int) -> list[JSON]:
        dims = ((90, 68, 16), (320, 240, 4), (1280, 960, 1))
        return [self._file("photo", size // d) | {"width": w, "height": h} for w, h, d in dims]

    # --- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._read_params(request)
        with self._lock:
            self._counts[method] += 1
            failure = self._failures[method].pop(0) if self._failures.get(method) else None
        try:
            if failure is not None:
                raise failure
            if method == "getUpdates":
                return web.json_response({"ok": True, "result": await self._get_updates(params)})
            with self._lock:
                result = self._call(method, params)
                call = {"method": method, "params": params, "at": time.time()}
                self._calls.append(call)
                self._by_chat[str(params.get("chat_id"))].append(call)
                self._called.notify_all()
        except ApiError as err:
            return err.response()
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> JSON:
        """Accept query string, JSON, form-urlencoded and multipart (PTB uses the last two)."""
        raw: JSON = dict(request.query)
        if request.content_type == "application/json":
            return raw | await request.json()
        if request.body_exists:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):  # recorded as its size, not its bytes
                    with value.file as upload:  # aiohttp spooled it to a temporary file
                        size = len(upload.read())
                    raw[key] = {"filename": value.filename, "size": size}
                else:
                    raw[key] = value
        return {k: _decode(k, v) for k, v in raw.items()}

    async def _get_updates(self, params: JSON) -> list[JSON]:
        """Long polling: wait (bounded) until an update with update_id >= offset exists."""
        assert self._wakeup is not None and self._stopping is not None
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(params.get("timeout") or 0), self.max_poll_wait)
        while True:
            self._wakeup.clear()
            with self._lock:
                if offset < 0:
                    self._updates = self._updates[offset:]
                elif offset:  # earlier updates are confirmed; Telegram forgets them
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._stopping.is_set():
                return ready
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)

    # --- Bot API methods (run with self._lock held) -----------------------------------------

    def _call(self, method: str, params: JSON) -> Any:
        """Answer one Bot API method; raises ApiError like Telegram would."""
        match method:
            case "getMe":
                return dict(BOT_USER)
            case "deleteWebhook":
                if params.get("drop_pending_updates"):
                    self._updates.clear()
                self.webhook = None
                return True
            case "setWebhook":
                if not str(params.get("url") or "").startswith("https://"):
                    raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided")
                self.webhook = {
                    k: params.get(k) for k in ("url", "secret_token", "allowed_updates")
                }
                return True
            case "setMyCommands":
                self._commands = list(params.get("commands") or [])
                return True
            case "getMyCommands":
                return list(self._commands)
            case "sendMessage":
                if not str(params.get("text") or "").strip():
                    raise ApiError(400, "Bad Request: message text is empty")
                if len(str(params["text"])) > 4096:
                    raise ApiError(400, "Bad Request: message is too long")
                problem = html_problem(str(params["text"]))
                if params.get("parse_mode") == "HTML" and problem:
                    raise ApiError(400, f"Bad Request: can't parse entities: {problem}")
                extra = {k: params[k] for k in ("entities", "link_preview_options") if k in params}
                return self._bot_message(params, text=str(params["text"]), **extra)
            case "sendPhoto":
                photo = params.get("photo")
                if not photo:
                    raise ApiError(400, "Bad Request: there is no photo in the request")
                size = photo["size"] if isinstance(photo, dict) else 50_000  # file_id or URL
                caption: JSON = {"caption": params["caption"]} if "caption" in params else {}
                return self._bot_message(params, photo=self._photo_sizes(size), **caption)
            case "editMessageText":
                return self._edit(params, text=str(params.get("text") or ""))
            case "editMessageReplyMarkup":
                return self._edit(params)
            case "sendChatAction" | "answerCallbackQuery" | "deleteMessage":
                return True
        raise ApiError(404, "Not Found: method not found")

    def _bot_message(self, params: JSON, **content: Any) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        default_chat = {"id": chat_id, "type": "private", "first_name": "Eva"}
        chat = self._chats.get(str(chat_id), default_chat)
        message_id = next(self._ids)
        msg: JSON = {"message_id": message_id, "from": dict(BOT_USER), "chat": chat}
        msg |= {"date": int(time.time())} | content
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            msg["reply_markup"] = markup  # Telegram echoes inline keyboards only
        self._messages[(str(chat_id), message_id)] = msg
        return msg

    def _edit(self, params: JSON, **changes: Any) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        key = (str(params.get("chat_id")), int(params.get("message_id") or 0))
        msg = self._messages.get(key)
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        msg.update(changes, edit_date=int(time.time()))
        msg.pop("reply_markup", None)  # an edit without reply_markup drops the keyboard
        if isinstance(params.get("reply_markup"), dict):
            msg["reply_markup"] = params["reply_markup"]
        return dict(msg)


def _decode(key: str, value: Any) -> Any:
    """Undo PTB's JSON encoding of non-string form values."""
    if key in STRING_PARAMS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
