"""Run a python-telegram-bot Application in a background thread for synchronous tests."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from telegram.ext import Application


class RunningBot:
    def __init__(self, application: Application) -> None:
        self.application = application
        self._loop = asyncio.new_event_loop()
        self._stopped: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="test-bot", daemon=True)
        self.error: BaseException | None = None

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._run())
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error = exc
            self._ready.set()

    async def _run(self) -> None:
        self._stopped = asyncio.Event()
        app = self.application
        async with app:
            if app.post_init is not None:  # as run_polling() does
                await app.post_init(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.05, timeout=1)
            self._ready.set()
            await self._stopped.wait()
            await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:  # as run_polling() does
                await app.post_stop(app)

    def __enter__(self) -> RunningBot:
        self._thread.start()
        assert self._ready.wait(30), "the bot did not start"
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(timeout=30)
