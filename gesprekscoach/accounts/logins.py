"""Dashboard logins kept on the server, so logging out really ends them.

A signed cookie alone stays valid until it expires, even after logout; so the
cookie carries only a random login id, and every request looks that id up in the
login_sessions table (by its SHA-256: a copy of the table lets nobody log in).
Logout ends the row, a changed password ends all rows of the trainer, and a login
older than the session lifetime ends on its next use.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gesprekscoach.storage.models import LoginSession, Trainer

SEEN_EVERY = timedelta(minutes=1)
"""last_seen_at is written at most this often, not on every request."""
KEEP_ENDED = timedelta(days=30)
WATCH_EVERY = 5.0
"""Seconds between a long stream's checks that its login still holds."""


@dataclass(frozen=True)
class Active:
    trainer_id: int
    name: str


@dataclass(frozen=True)
class Lookup:
    active: Active | None
    expired: bool = False


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _aware(moment: datetime) -> datetime:
    """SQLite gives timestamps back without a zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def start(db: Session, trainer_id: int, now: datetime) -> str:
    """A new login for the trainer; returns the id for the cookie (only its hash is stored)."""
    db.execute(delete(LoginSession).where(LoginSession.created_at < now - KEEP_ENDED))
    token = secrets.token_urlsafe(32)
    db.add(LoginSession(id=digest(token), trainer_id=trainer_id, created_at=now, last_seen_at=now))
    return token


def resume(db: Session, token: str, now: datetime, lifetime: timedelta) -> Lookup:
    """The trainer behind a cookie's login id; none when unknown, ended or too old."""
    row = db.execute(
        select(LoginSession, Trainer)
        .join(Trainer, Trainer.id == LoginSession.trainer_id)
        .where(LoginSession.id == digest(token), LoginSession.ended_at.is_(None))
    ).first()
    if row is None:
        return Lookup(None)
    login, trainer = row
    if now - _aware(login.created_at) > lifetime:
        login.ended_at = now
        return Lookup(None, expired=True)
    if now - _aware(login.last_seen_at) >= SEEN_EVERY:
        login.last_seen_at = now
    return Lookup(Active(int(trainer.id), str(trainer.username)))


def end(db: Session, token: str, now: datetime) -> None:
    db.execute(
        update(LoginSession)
        .where(LoginSession.id == digest(token), LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all(db: Session, trainer_id: int, now: datetime) -> int:
    """End every login of a trainer (a changed password); returns how many were open."""
    result = db.execute(
        update(LoginSession)
        .where(LoginSession.trainer_id == trainer_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(result.rowcount or 0)


class Watch:
    """For a long stream: true once its login has ended (checked every WATCH_EVERY seconds)."""

    def __init__(
        self,
        make_session: sessionmaker[Session],
        token: str,
        lifetime: timedelta,
        clock: Callable[[], float],
        every: float = WATCH_EVERY,
    ) -> None:
        self.make_session, self.token, self.lifetime = make_session, token, lifetime
        self.clock, self.every = clock, every
        self._checked = time.monotonic()
        self._ended = False

    def __call__(self) -> bool:
        if self._ended or time.monotonic() - self._checked < self.every:
            return self._ended
        self._checked = time.monotonic()
        try:
            with self.make_session() as db, db.begin():
                found = resume(db, self.token, at(self.clock()), self.lifetime)
        except SQLAlchemyError:  # the database is busy or away: ask again next time
            return False
        self._ended = found.active is None
        return self._ended
