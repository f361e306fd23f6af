"""Writing and erasing practice sessions. Idempotent, so a retried write never duplicates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gesprekscoach.storage.bot_state import erase_bot_state
from gesprekscoach.storage.models import (
    Casemanager,
    Comment,
    LabelCorrection,
    PracticeSession,
    RevertedTurn,
    TurnRecord,
    Workshop,
    WorkshopMember,
    utcnow,
)
from gesprekscoach.turn import TurnEvent


def pseudonym(channel: str, channel_id: str, salt: str) -> str:
    """A salted hash of a channel id: the same person, the same row; the id itself is not kept."""
    return hashlib.sha256(f"{salt}:{channel}:{channel_id}".encode()).hexdigest()


def pseudonym_label(channel: str, channel_hash: str) -> str:
    """How a person shows on the dashboard: a name from the hash, never their own name."""
    return f"{channel}-{channel_hash[:6]}"


@dataclass(frozen=True)
class Who:
    channel: str
    channel_hash: str
    display_name: str


@dataclass(frozen=True)
class SessionStart:
    session_id: str
    who: Who
    persona_id: str
    persona_type: str
    mode: str
    seed: int
    workshop_code: str | None = None
    variant: str | None = None
    started_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class LoggedTurn:
    """A turn to store: the TurnEvent as it happened, in which practice, by whom."""

    session_id: str
    event: TurnEvent
    author: Who | None = None
    """Who wrote it, when not the session's casemanager (a round in a group chat)."""


@dataclass(frozen=True)
class TurnsReverted:
    """The casemanager went back: turns from `from_number` on leave the conversation."""

    session_id: str
    from_number: int
    how: str
    """"terug" or "opnieuw"."""
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class SessionEnd:
    session_id: str
    hidden_need_found: bool
    hidden_need_turn: int | None
    final_trust: float
    report: dict[str, Any]
    ended_at: datetime = field(default_factory=utcnow)
    reflection: dict[str, Any] | None = None
    """The scored reflections (feedback.reflection), None when skipped."""
    reflection_score: float | None = None
    reverts: int = 0
    tips_asked: int = 0


def casemanager_for(db: Session, who: Who) -> Casemanager:
    """The casemanager row for this person, made on first sight."""
    found = db.execute(
        select(Casemanager).where(
            Casemanager.channel == who.channel, Casemanager.channel_hash == who.channel_hash
        )
    ).scalar_one_or_none()
    if found is not None:
        if found.display_name != who.display_name:
            found.display_name = who.display_name
        return found
    created = Casemanager(
        channel=who.channel, channel_hash=who.channel_hash, display_name=who.display_name
    )
    db.add(created)
    db.flush()
    return created


def record_start(db: Session, start: SessionStart) -> None:
    if db.get(PracticeSession, start.session_id) is not None:
        return
    person = casemanager_for(db, start.who)
    workshop = _open_workshop(db, start.workshop_code)
    db.add(
        PracticeSession(
            id=start.session_id,
            casemanager_id=person.id,
            persona_id=start.persona_id,
            persona_type=start.persona_type,
            channel=start.who.channel,
            mode=start.mode,
            seed=start.seed,
            variant=start.variant,
            workshop_code=workshop.code if workshop is not None else None,
            started_at=start.started_at,
        )
    )
    if workshop is not None:
        add_member(db, int(workshop.id), int(person.id))


def _open_workshop(db: Session, code: str | None) -> Workshop | None:
    """The workshop a new session belongs to: only while it is open (closed: no new ones)."""
    found = workshop_by_code(db, code) if code else None
    return found if found is not None and found.status == "open" else None


def workshop_by_code(db: Session, code: str) -> Workshop | None:
    return db.execute(select(Workshop).where(Workshop.code == code)).scalar_one_or_none()


def add_member(db: Session, workshop_id: int, casemanager_id: int) -> None:
    """Make someone a member of a workshop, once."""
    exists = db.execute(
        select(WorkshopMember.id).where(
            WorkshopMember.workshop_id == workshop_id,
            WorkshopMember.casemanager_id == casemanager_id,
        )
    ).first()
    if exists is None:
        db.add(WorkshopMember(workshop_id=workshop_id, casemanager_id=casemanager_id))
        db.flush()


def _turn_stored(db: Session, session_id: str, number: int) -> bool:
    found = select(TurnRecord.id).where(
        TurnRecord.session_id == session_id, TurnRecord.number == number
    )
    return db.execute(found).first() is not None


def record_turn(db: Session, turn: LoggedTurn) -> bool:
    """Store one turn once; False when it was already there (a retry or a replay)."""
    if _turn_stored(db, turn.session_id, turn.event.number):
        return False
    author_id = casemanager_for(db, turn.author).id if turn.author is not None else None
    db.add(TurnRecord.from_event(turn.session_id, turn.event, author_id))
    try:
        db.flush()
    except IntegrityError:
        # Another writer stored the same turn a moment ago: that is a retry, not a fault.
        # Anything else (a missing value, a broken reference) is the record's fault: raised,
        # so the session log quarantines it with a clear line instead of dropping it.
        db.rollback()
        if not _turn_stored(db, turn.session_id, turn.event.number):
            raise
        return False
    return True


def record_end(db: Session, end: SessionEnd) -> None:
    row = db.get(PracticeSession, end.session_id)
    if row is None:
        return
    row.ended_at = end.ended_at
    row.hidden_need_found = end.hidden_need_found
    row.hidden_need_turn = end.hidden_need_turn
    row.final_trust = end.final_trust
    row.report = end.report
    row.reflection = end.reflection
    row.reflection_score = end.reflection_score
    row.reverts = max(int(row.reverts or 0), end.reverts)
    row.tips_asked = end.tips_asked


def record_revert(db: Session, revert: TurnsReverted) -> int:
    """Move the turns taken back to `reverted_turns`; returns how many (0 on a replay)."""
    rows = (
        db.execute(
            select(TurnRecord).where(
                TurnRecord.session_id == revert.session_id,
                TurnRecord.number >= revert.from_number,
            )
        )
        .scalars()
        .all()
    )
    for row in rows:
        db.add(
            RevertedTurn(
                session_id=row.session_id,
                number=row.number,
                text=row.text,
                move=row.move,
                reply=row.reply,
                trust=row.trust,
                thought=row.thought,
                how=revert.how,
                author_id=row.author_id,
                reverted_at=revert.at,
            )
        )
        db.delete(row)
    session = db.get(PracticeSession, revert.session_id)
    if rows and session is not None:
        session.reverts = int(session.reverts or 0) + 1
    db.flush()
    return len(rows)


def erase_casemanager(db: Session, casemanager_id: int) -> int:
    """Delete a casemanager and everything of theirs (the right to erasure); returns sessions."""
    session_ids = list(
        db.execute(
            select(PracticeSession.id).where(PracticeSession.casemanager_id == casemanager_id)
        ).scalars()
    )
    if session_ids:
        turn_ids = select(TurnRecord.id).where(TurnRecord.session_id.in_(session_ids))
        bulk = {"synchronize_session": False}
        db.execute(
            delete(LabelCorrection).where(LabelCorrection.turn_id.in_(turn_ids)),
            execution_options=bulk,
        )
        db.execute(
            delete(Comment).where(Comment.session_id.in_(session_ids)), execution_options=bulk
        )
        db.execute(
            delete(TurnRecord).where(TurnRecord.session_id.in_(session_ids)), execution_options=bulk
        )
        db.execute(
            delete(RevertedTurn).where(RevertedTurn.session_id.in_(session_ids)),
            execution_options=bulk,
        )
        db.execute(
            delete(PracticeSession).where(PracticeSession.id.in_(session_ids)),
            execution_options=bulk,
        )
    person = db.get(Casemanager, casemanager_id)
    if person is not None:
        erase_bot_state(db, str(person.channel), str(person.channel_hash))
    db.execute(
        delete(Casemanager).where(Casemanager.id == casemanager_id),
        execution_options={"synchronize_session": False},
    )
    db.expire_all()
    return len(session_ids)


def recent_variants(
    db: Session, channel: str, channel_hash: str, persona_id: str, count: int = 2
) -> list[str | None]:
    """The persona's variants in this casemanager's last sessions with it, newest first, so
    a client can draw a seed for another one (None: the persona as described)."""
    rows = db.execute(
        select(PracticeSession.variant)
        .join(Casemanager, PracticeSession.casemanager_id == Casemanager.id)
        .where(
            Casemanager.channel == channel,
            Casemanager.channel_hash == channel_hash,
            PracticeSession.persona_id == persona_id,
        )
        .order_by(PracticeSession.started_at.desc())
        .limit(count)
    )
    return [row[0] for row in rows]
