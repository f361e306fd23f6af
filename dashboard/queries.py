"""What the dashboard reads: filtered, paged session lists, one session in full, corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from gesprekscoach.storage.models import Casemanager, Comment, LabelCorrection, PracticeSession

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    casemanager: str = ""
    persona: str = ""
    date_from: date | None = None
    date_to: date | None = None
    workshop: str = ""
    has_comments: bool = False


def _filtered(filters: Filters) -> Select:
    q = select(PracticeSession).join(Casemanager)
    if filters.casemanager:
        q = q.where(Casemanager.display_name.ilike(f"%{filters.casemanager}%"))
    if filters.persona:
        q = q.where(PracticeSession.persona_id == filters.persona)
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=timezone.utc)
        q = q.where(PracticeSession.started_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to, time.max, tzinfo=timezone.utc)
        q = q.where(PracticeSession.started_at <= end)
    if filters.workshop:
        q = q.where(PracticeSession.workshop_code == filters.workshop)
    if filters.has_comments:
        q = q.where(exists().where(Comment.session_id == PracticeSession.id))
    return q


def list_sessions(
    db: Session, filters: Filters, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[PracticeSession], int]:
    """One page of sessions, newest first, and the total count."""
    q = _filtered(filters)
    total = db.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = db.execute(
        q.options(selectinload(PracticeSession.casemanager))
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id)
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    ).scalars()
    return list(rows), int(total)


def all_sessions(db: Session, filters: Filters) -> list[PracticeSession]:
    q = _filtered(filters).options(
        selectinload(PracticeSession.casemanager),
        selectinload(PracticeSession.turns),
        selectinload(PracticeSession.reverted),
    )
    return list(db.execute(q.order_by(PracticeSession.started_at.desc())).scalars())


def get_session(db: Session, session_id: str) -> PracticeSession | None:
    return db.execute(
        select(PracticeSession)
        .where(PracticeSession.id == session_id)
        .options(
            selectinload(PracticeSession.turns),
            selectinload(PracticeSession.comments),
            selectinload(PracticeSession.casemanager),
            selectinload(PracticeSession.reverted),
        )
    ).scalar_one_or_none()


def latest_corrections(db: Session, turn_ids: list[int]) -> dict[int, str]:
    """The newest corrected move per turn."""
    if not turn_ids:
        return {}
    rows = db.execute(
        select(LabelCorrection.turn_id, LabelCorrection.new_move)
        .where(LabelCorrection.turn_id.in_(turn_ids))
        .order_by(LabelCorrection.created_at, LabelCorrection.id)
    )
    return {turn_id: move for turn_id, move in rows}
