"""Trainer accounts: argon2 password hashes, created from the command line.

Setting a new password for an existing trainer ends all of their logins: whoever
knew the old password is logged out at once.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gesprekscoach.accounts import logins
from gesprekscoach.storage.models import Trainer, utcnow

HASHER = PasswordHasher()
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A trainer account cannot be created; the message says why, in Dutch."""


def add_trainer(db: Session, username: str, password: str) -> Trainer:
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("Geef een gebruikersnaam van 1 tot 80 tekens.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD} tekens hebben.")
    existing = db.execute(select(Trainer).where(Trainer.username == username)).scalar_one_or_none()
    if existing is not None:
        existing.password_hash = HASHER.hash(password)
        logins.end_all(db, int(existing.id), utcnow())
        return existing
    trainer = Trainer(username=username, password_hash=HASHER.hash(password))
    db.add(trainer)
    return trainer


def check_login(db: Session, username: str, password: str) -> Trainer | None:
    trainer = db.execute(
        select(Trainer).where(Trainer.username == username.strip())
    ).scalar_one_or_none()
    if trainer is None:
        HASHER.hash(password)  # same work either way: no hint whether the name exists
        return None
    try:
        HASHER.verify(str(trainer.password_hash), password)
    except (VerificationError, InvalidHashError):
        return None
    return trainer
