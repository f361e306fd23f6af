"""Reading what the session log wrote, which it does in the background: poll until it is there."""

from __future__ import annotations

import time

from sqlalchemy import select

from coach.stack import Stack
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import TurnRecord


def logged_turns(stack: Stack, session_id: str, want: int, timeout: float = 30) -> list[int]:
    """The turn numbers logged for a session, once there are `want` (or the time is up)."""
    engine = make_engine(stack.settings.database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with session_factory(engine)() as db:
                query = select(TurnRecord.number).where(TurnRecord.session_id == session_id)
                numbers = list(db.execute(query.order_by(TurnRecord.number)).scalars())
            if len(numbers) >= want or time.monotonic() > deadline:
                return numbers
            time.sleep(0.2)
    finally:
        engine.dispose()


def logged_texts(
    database_url: str, session_id: str, want: int, timeout: float = 30
) -> list[tuple[int, str]]:
    """(number, text) of the turns logged for a session, once there are `want`."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with session_factory(engine)() as db:
                query = select(TurnRecord.number, TurnRecord.text).where(
                    TurnRecord.session_id == session_id
                )
                rows = [(n, t) for n, t in db.execute(query.order_by(TurnRecord.number))]
            if len(rows) >= want or time.monotonic() > deadline:
                return rows
            time.sleep(0.2)
    finally:
        engine.dispose()
