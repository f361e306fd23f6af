"""The Redis lock store against a real Redis: one ticket per message, whoever asks at once."""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from urllib.parse import urlsplit

import pytest

from coach.processes import free_port
from coach_channel.lock_store import CoachRedisLockStore, LockStoreUnavailable

TAKERS = 4
TICKETS_EACH = 40


def store_for(url: str) -> CoachRedisLockStore:
    parts = urlsplit(url)
    return CoachRedisLockStore(host=parts.hostname, port=parts.port, db=0, key_prefix="test")


def take_tickets(url: str, conversation: str, start: object, out: object) -> None:
    store = store_for(url)
    start.wait()  # type: ignore[attr-defined]
    numbers = [store.issue_ticket(conversation, 60) for _ in range(TICKETS_EACH)]
    out.put(numbers)  # type: ignore[attr-defined]


def test_processes_taking_tickets_at_once_never_share_one(redis_url: str) -> None:
    """Rasa's own RedisLockStore reads, changes and writes the lock: two at once got one number."""
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    takers = [
        ctx.Process(target=take_tickets, args=(redis_url, conversation, start, out))
        for _ in range(TAKERS)
    ]
    for taker in takers:
        taker.start()
    start.set()
    numbers = [n for _ in takers for n in out.get(timeout=60)]
    for taker in takers:
        taker.join(timeout=30)
    assert sorted(numbers) == list(range(TAKERS * TICKETS_EACH)), "every ticket once"
    lock = store_for(redis_url).get_lock(conversation)
    assert lock is not None and len(lock.tickets) == TAKERS * TICKETS_EACH


def test_messages_are_served_one_at_a_time_in_ticket_order(redis_url: str) -> None:
    store = store_for(redis_url)
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    served: list[int] = []
    busy = 0

    async def message(number: int) -> None:
        nonlocal busy
        await asyncio.sleep(number * 0.005)  # arrival order
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            busy += 1
            assert busy == 1, "two messages of one conversation at once"
            await asyncio.sleep(0.01)
            served.append(number)
            busy -= 1

    async def all_messages() -> None:
        await asyncio.gather(*(message(n) for n in range(12)))

    asyncio.run(all_messages())
    assert served == list(range(12))
    assert store.get_lock(conversation) is None, "the lock goes with its last ticket"


def test_without_redis_the_lock_is_refused_and_giving_back_does_not_fail() -> None:
    store = CoachRedisLockStore(host="127.0.0.1", port=free_port())

    async def try_lock() -> None:
        async with store.lock("c-1"):
            raise AssertionError("handled without a lock")

    with pytest.raises(LockStoreUnavailable, match="Redis"):
        asyncio.run(try_lock())
    store.cleanup("c-1", 0)  # after a turn was handled: logged, not raised
