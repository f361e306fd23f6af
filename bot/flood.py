"""Polite slow-down for someone who sends many messages at once.

A casemanager who pastes ten lines in ten messages, or a stuck phone, should not
make the inwoner answer ten times in a row. Above `limit` messages in `window`
seconds the bot says once that it is too fast, and lets further messages go until
the pace drops again; the user is told to send them again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    OK = "ok"
    WARN = "warn"  # the first message over the limit: say so, once
    DROP = "drop"  # further ones in the same burst: let go silently


@dataclass
class FloodGuard:
    limit: int = 8
    window: float = 10.0
    _seen: dict[tuple[int, int], deque[float]] = field(default_factory=dict)
    _warned: set[tuple[int, int]] = field(default_factory=set)

    def check(self, chat_id: int, user_id: int, at: float) -> Verdict:
        key = (chat_id, user_id)
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= at - self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(at)
            self._warned.discard(key)
            return Verdict.OK
        if key in self._warned:
            return Verdict.DROP
        self._warned.add(key)
        return Verdict.WARN
