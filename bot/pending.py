"""Messages kept while the Rasa server is down are sent again in the background.

The casemanager should not have to retype: once the server is back, the kept
messages go through in order and the inwoner answers them. After the last try the
bot says so; the messages stay kept and go along with the next message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)
DELAYS = (2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 60.0, 120.0, 300.0)


class PendingRetries:
    def __init__(self, delays: Sequence[float] = DELAYS) -> None:
        self.delays = tuple(delays)
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def schedule(
        self,
        chat_id: int,
        attempt: Callable[[], Awaitable[bool]],
        give_up: Callable[[], Awaitable[None]],
    ) -> None:
        """Try `attempt` after each delay until it returns True; one loop per chat."""
        running = self._tasks.get(chat_id)
        if running is not None and not running.done():
            return
        self._tasks[chat_id] = asyncio.create_task(self._loop(chat_id, attempt, give_up))

    async def _loop(
        self,
        chat_id: int,
        attempt: Callable[[], Awaitable[bool]],
        give_up: Callable[[], Awaitable[None]],
    ) -> None:
        try:
            for delay in self.delays:
                await asyncio.sleep(delay)
                try:
                    if await attempt():
                        return
                except Exception:  # noqa: BLE001 - one failed try must not end the loop
                    log.warning("Opnieuw versturen mislukt", exc_info=True)
            await give_up()
        finally:
            self._tasks.pop(chat_id, None)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
