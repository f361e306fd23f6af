"""Stream slots: open live and beamer streams capped per trainer and in total.

Each open stream holds one of the server's threads, so `Slots` caps them per
trainer and in total, well below the threads (serving.THREADS): pages, the login
included, always find a thread. A stream gives its slot back when it ends, when
the browser goes away or when the server closes it (see `Held`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    per_trainer: int = 4
    total: int = 8
    """Half of serving.THREADS: the other half serves pages."""


class Full(Exception):
    """No stream slot free; the message says why, in Dutch."""


class Slots:
    """Open streams per trainer and in total (thread-safe; one process, in memory)."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._open: dict[int, int] = {}

    def take(self, trainer_id: int) -> Callable[[], None]:
        """Take a slot, or raise Full; returns the function that gives it back (once)."""
        with self._lock:
            if self._open.get(trainer_id, 0) >= self.limits.per_trainer:
                raise Full(
                    f"Je hebt al {self.limits.per_trainer} live-pagina's of beamers open. "
                    "Sluit er een en probeer het dan opnieuw."
                )
            if sum(self._open.values()) >= self.limits.total:
                raise Full(
                    "Er staan nu te veel live-pagina's en beamers open. "
                    "Probeer het over een minuut opnieuw."
                )
            self._open[trainer_id] = self._open.get(trainer_id, 0) + 1
        given_back = threading.Event()

        def give_back() -> None:
            with self._lock:
                if given_back.is_set():
                    return
                given_back.set()
                left = self._open.get(trainer_id, 1) - 1
                if left > 0:
                    self._open[trainer_id] = left
                else:
                    self._open.pop(trainer_id, None)

        return give_back

    def count(self, trainer_id: int | None = None) -> int:
        with self._lock:
            return sum(self._open.values()) if trainer_id is None else self._open.get(trainer_id, 0)


class Held:
    """A stream's body that gives its slot back at its end, on an error or when closed.

    The server calls close() when the browser has gone or the server stops; a plain
    generator's `finally` would not run if it was closed before it started.
    """

    def __init__(self, body: Iterator[str], give_back: Callable[[], None]) -> None:
        self._body = body
        self._give_back = give_back

    def __iter__(self) -> Held:
        return self

    def __next__(self) -> str:
        try:
            return next(self._body)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._give_back()
        close = getattr(self._body, "close", None)
        if close is not None:
            close()
