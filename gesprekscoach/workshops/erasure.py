"""Erasing a person everywhere: their own sessions, and their words in group rounds.

`erase_casemanager` deletes a person's sessions, consent and memberships, and the
database cascades delete the turns they wrote in a group's round. The group's
stored report still quotes those turns and counts them, so it is rebuilt from the
turns that remain. Rasa's tracker events of their own sessions go too.
"""

from __future__ import annotations

from sqlalchemy import delete, inspect, select, text
from sqlalchemy.orm import Session

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.models import PracticeSession, TurnRecord
from gesprekscoach.storage.repository import erase_casemanager
from gesprekscoach.workshops.figures import provisional_report

RASA_EVENTS = "events"  # the table of Rasa's SQL tracker store, in the same database


def erase_person(db: Session, casemanager_id: int, catalogues: Catalogues) -> int:
    """Erase a casemanager and all traces; returns the number of their own sessions."""
    own = list(db.execute(select(PracticeSession.id).where(
        PracticeSession.casemanager_id == casemanager_id)).scalars())  # fmt: skip
    rounds = list(db.execute(
        select(TurnRecord.session_id).distinct()
        .join(PracticeSession, PracticeSession.id == TurnRecord.session_id)
        .where(TurnRecord.author_id == casemanager_id,
               PracticeSession.casemanager_id != casemanager_id)
    ).scalars())  # fmt: skip
    db.execute(delete(TurnRecord).where(TurnRecord.author_id == casemanager_id),
               execution_options={"synchronize_session": False})  # fmt: skip
    count = erase_casemanager(db, casemanager_id)
    for session_id in rounds:
        session = db.get(PracticeSession, session_id)
        if session is not None and session.ended_at is not None:
            session.report = provisional_report(session, session.turns, catalogues) or {}
    if own and inspect(db.connection()).has_table(RASA_EVENTS):
        for session_id in own:
            db.execute(text(f"DELETE FROM {RASA_EVENTS} WHERE sender_id = :s"), {"s": session_id})
    db.flush()
    return count
