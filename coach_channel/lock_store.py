"""Rasa's Redis lock store, made safe for several processes at once.

Rasa serialises the messages of one conversation with a ticket lock: a
message takes the next ticket and waits until its number is served. Its
RedisLockStore keeps the lock as one JSON value and changes it by reading,
changing and writing it back. Two workers that take a ticket at the same
moment both read "last ticket 4", both take 5 and both go ahead: the very
double processing the lock is there to prevent. Here every change of a lock
is one Redis transaction (WATCH/MULTI/EXEC, retried when another process
changed the lock in between), so tickets are unique and served in the order
they were taken, which is the order the messages arrived in.

When Redis is unreachable the message is refused with LockStoreUnavailable
before anything is processed, never handled without a lock.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

log = logging.getLogger(__name__)
T = TypeVar("T")
SOCKET_TIMEOUT = 2.0
"""Seconds before an unanswered Redis call counts as Redis being gone."""


class LockStoreUnavailable(LockError):
    """Redis could not be reached: the message was not processed."""


class CoachRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Built by Rasa from endpoints.yml (`lock_store: type: coach_channel.lock_store...`)."""
        options: dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        options.update(kwargs)
        options.pop("type", None)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        host = (endpoint_config.url if endpoint_config else None) or options.pop("host", None)
        options.pop("url", None)
        super().__init__(host=host or "localhost", **options)

    def _changed(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Apply `change` to the stored lock as one transaction; a lock without tickets goes."""
        key = self.key_prefix + conversation_id
        outcome: list[T] = []

        def transaction(pipe: redis.client.Pipeline) -> None:
            outcome.clear()
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            outcome.append(change(lock))
            pipe.multi()
            if lock.tickets:
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)

        try:
            self.red.transaction(transaction, key)
        except redis.RedisError as exc:
            raise LockStoreUnavailable(f"Lock store (Redis) niet bereikbaar: {exc}") from exc
        return outcome[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._changed(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        try:
            return super().get_lock(conversation_id)
        except redis.RedisError as exc:
            raise LockStoreUnavailable(f"Lock store (Redis) niet bereikbaar: {exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        self._changed(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._changed(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back (the lock goes with its last ticket, in the same step).

        Called after the message was handled: if Redis is gone by then, the reply
        still goes out (the turn is done and saved) and the ticket expires by itself.
        """
        try:
            self.finish_serving(conversation_id, ticket_number)
        except LockStoreUnavailable:
            log.error("Lock niet vrijgegeven (Redis weg); het verloopt na %s s.", LOCK_LIFETIME)


__all__ = ["CoachRedisLockStore", "LockStoreUnavailable"]
