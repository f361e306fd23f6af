"""Login throttling: a few password checks per account name and per client address.

In memory and per process: the dashboard runs as one waitress process, so one
throttle sees every attempt (a second process or a restart would start counting
anew; Flask-Limiter does not fit our pinned environment). The clock is injectable,
so tests move time instead of sleeping.

An attempt counts when it starts, before the slow password hash, so parallel
requests cannot all slip past the check; a successful login takes back its own
count and clears its account's earlier failures, never the address's failures of
other accounts. Names count whether or not such a trainer exists, so a refusal
says nothing about which names exist.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

PRUNE_ABOVE = 10_000
"""Keys kept before expired ones are swept out (at most once a minute)."""


@dataclass(frozen=True)
class Limit:
    attempts: int
    window: float
    """Seconds an attempt keeps counting."""


ACCOUNT_LIMIT = Limit(5, 15 * 60)
ADDRESS_LIMIT = Limit(20, 15 * 60)


class Refused(Exception):
    """Too many recent attempts; `retry_after` seconds until the next one may go ahead."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Ticket:
    """One counted attempt, to take back when it succeeds."""

    account: str
    address: str
    at: float


def account_key(username: str) -> str:
    return "account:" + username.strip().casefold()[:200]


def address_key(address: str | None) -> str:
    """The client's address; IPv6 by its /64, since one machine usually holds a whole /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "address:unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return "address:" + str(ipaddress.IPv6Network((ip, 64), strict=False))
    return "address:" + str(ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip)


class LoginThrottle:
    def __init__(
        self,
        per_account: Limit = ACCOUNT_LIMIT,
        per_address: Limit = ADDRESS_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._pruned = 0.0

    def _recent(self, key: str, limit: Limit, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - limit.window:
            hits.popleft()
        return hits

    def start(self, username: str, address: str | None) -> Ticket:
        """Count an attempt, or raise Refused when the account or the address has had enough."""
        account, client = account_key(username), address_key(address)
        with self._lock:
            now = self.clock()
            self._prune(now)
            waits = []
            for key, limit in ((account, self.per_account), (client, self.per_address)):
                hits = self._recent(key, limit, now)
                if len(hits) >= limit.attempts:
                    waits.append(hits[-limit.attempts] + limit.window - now)
            if waits:
                raise Refused(max(max(waits), 1.0))
            self._hits[account].append(now)
            self._hits[client].append(now)
            return Ticket(account, client, now)

    def succeeded(self, ticket: Ticket) -> None:
        """The password was right: the account starts afresh, the address loses this one count."""
        with self._lock:
            self._hits.pop(ticket.account, None)
            hits = self._hits.get(ticket.address)
            if hits is not None and ticket.at in hits:
                hits.remove(ticket.at)

    def _prune(self, now: float) -> None:
        if len(self._hits) <= PRUNE_ABOVE or now - self._pruned < 60:
            return
        self._pruned = now
        longest = max(self.per_account.window, self.per_address.window)
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - longest]:
            del self._hits[key]
