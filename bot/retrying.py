"""Telegram's rate limits and its bad moments, retried.

`AIORateLimiter` keeps to Telegram's limits and retries a 429 after its
retry-after. Timeouts and network loss (a 5xx, a dropped connection) are retried
here too, with backoff; a 400 or 403 is an answer, not a fault, and is not.
The typing indicator is sent at once, outside the queue for Telegram's limit of
30 messages a second: in a room of 30 it would otherwise hold up the answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)
JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, network_retries: int = 3, backoff: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        if endpoint == "sendChatAction":
            # A typing indicator is not a message and is gone in seconds anyway: it does not
            # wait in the queue for Telegram's 30 messages a second, nor is it retried.
            try:
                return await callback(*args, **kwargs)
            except (RetryAfter, NetworkError) as exc:
                log.info("Telegram: typindicator overgeslagen (%s)", exc)
                return True
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:  # TimedOut is one too
                if endpoint == "getUpdates" or attempt == self.network_retries:
                    raise  # the updater has its own backoff for polling
                delay = self.backoff * 2**attempt
                log.warning("Telegram: %s bij %s; opnieuw over %.0f s", exc, endpoint, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
