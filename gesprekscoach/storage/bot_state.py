"""Consent and each chat's running practice, kept in the database for chat front ends.

A bot process can restart (a deploy, a crash) in the middle of a practice; what it
needs to carry on lives here, keyed by salted hashes, never by raw chat or user ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import BotChat, BotConsent, utcnow


@dataclass(frozen=True)
class ChatState:
    """What a chat needs to carry on: its practice session and any kept messages."""

    chat_key: str
    owner_hash: str | None = None
    persona_id: str | None = None
    sender: str | None = None
    hints: bool = True
    pending: tuple[str, ...] = ()
    workshop: str | None = None
    round: dict[str, Any] | None = None


def load_chat(engine: Engine, chat_key: str) -> ChatState | None:
    with session_factory(engine)() as db:
        row = db.get(BotChat, chat_key)
        if row is None:
            return None
        return ChatState(
            chat_key=chat_key,
            owner_hash=row.owner_hash,
            persona_id=row.persona_id,
            sender=row.sender,
            hints=bool(row.hints),
            pending=tuple(str(p) for p in row.pending or ()),
            workshop=row.workshop_code,
            round=dict(row.round) if row.round else None,
        )


def save_chat(engine: Engine, state: ChatState) -> None:
    with session_factory(engine)() as db, db.begin():
        row = db.get(BotChat, state.chat_key) or BotChat(chat_key=state.chat_key)
        row.owner_hash = state.owner_hash
        row.persona_id = state.persona_id
        row.sender = state.sender
        row.hints = state.hints
        row.pending = list(state.pending) or None
        row.workshop_code = state.workshop
        row.round = state.round
        row.updated_at = utcnow()
        db.add(row)


def has_consent(engine: Engine, channel: str, channel_hash: str) -> bool:
    with session_factory(engine)() as db:
        return db.get(BotConsent, (channel, channel_hash)) is not None


def give_consent(engine: Engine, channel: str, channel_hash: str) -> None:
    with session_factory(engine)() as db, db.begin():
        if db.get(BotConsent, (channel, channel_hash)) is None:
            db.add(BotConsent(channel=channel, channel_hash=channel_hash))


def erase_bot_state(db: Session, channel: str, channel_hash: str) -> None:
    """Consent and the chats this person started: part of every erasure."""
    db.execute(
        delete(BotConsent).where(
            BotConsent.channel == channel, BotConsent.channel_hash == channel_hash
        ),
        execution_options={"synchronize_session": False},
    )
    db.execute(
        delete(BotChat).where(BotChat.owner_hash == channel_hash),
        execution_options={"synchronize_session": False},
    )
    for row in db.execute(select(BotChat).where(BotChat.round.isnot(None))).scalars():
        members = (row.round or {}).get("members") or []
        if any(m.get("key") == channel_hash for m in members):  # a group round they were in
            kept = [m for m in members if m.get("key") != channel_hash]
            written = [w for w in row.round.get("written") or [] if w.get("key") != channel_hash]
            row.round = {**row.round, "members": kept, "next_index": 0, "written": written}
    for row in db.execute(select(BotChat).where(BotChat.closing.isnot(None))).scalars():
        closing = dict(row.closing or {})
        answers = [a for a in closing.get("answers") or [] if a.get("person") != channel_hash]
        expected = [k for k in closing.get("expected") or [] if k != channel_hash]
        if answers != closing.get("answers") or expected != closing.get("expected"):
            # Their answer to "what did they need?", while a round waits for everyone's.
            row.closing = {**closing, "answers": answers, "expected": expected}
