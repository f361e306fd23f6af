"""Erasing a person everywhere: their own sessions, and their words in group rounds.

`erase_casemanager` deletes a person's sessions, consent and memberships, and the
database cascades delete the turns they wrote in a group's round. The group's
stored report still quotes those turns and counts them, so it is rebuilt from the
turns that remain. Rasa's tracker events of their own sessions go too, and in a
group's tracker their words are blanked wherever they occur (their messages, the
bot's turn details and reports quoting them), so the group can still carry on.
Writes still waiting in the session log's spool go as well (`spool`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete, inspect, select, text
from sqlalchemy.orm import Session

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.models import Casemanager, PracticeSession, RevertedTurn, TurnRecord
from gesprekscoach.storage.repository import erase_casemanager
from gesprekscoach.storage.service import GROUP_CHANNEL_SUFFIX
from gesprekscoach.storage.writer import erase_from_spool
from gesprekscoach.workshops.figures import provisional_report

RASA_EVENTS = "events"  # the table of Rasa's SQL tracker store, in the same database
ERASED = "[verwijderd]"
MIN_QUOTE = 8
"""A shorter piece of a message (an act, a quote) is not blanked elsewhere: too common."""


def conversation_of(session_id: str) -> str:
    """Rasa's conversation id of a logged session ("sender~2" is the sender's 2nd practice)."""
    return session_id.split("~", 1)[0]


def _blank(value: Any, words: list[str]) -> Any:
    if isinstance(value, str):
        if any(len(value) >= MIN_QUOTE and value in w for w in words):
            return ERASED
        for w in words:
            value = value.replace(w, ERASED)
        return value
    if isinstance(value, list):
        return [_blank(v, words) for v in value]
    if isinstance(value, dict):
        return {k: _blank(v, words) for k, v in value.items()}
    return value


def _scrub_group_tracker(db: Session, sender: str, person: str, words: list[str]) -> None:
    """In a group's tracker, blank a member's messages and every quote of their words."""
    events = text(f"SELECT id, data FROM {RASA_EVENTS} WHERE sender_id = :s")
    update = text(f"UPDATE {RASA_EVENTS} SET data = :d WHERE id = :i")
    rows = db.execute(events, {"s": sender}).all()
    for row_id, raw in rows:
        event = json.loads(raw)
        if event.get("event") == "user" and (event.get("metadata") or {}).get("person") == person:
            event.update(text=ERASED, parse_data={}, metadata={"erased": True})
        event = _blank(event, words)
        new = json.dumps(event)
        if new != raw:
            db.execute(update, {"d": new, "i": row_id})


def _drop_reflections(db: Session, person_hash: str) -> None:
    """Their answers to "what did they need?" in group rounds: gone, the best score redone."""
    rounds = PracticeSession.channel.like(f"%{GROUP_CHANNEL_SUFFIX}")
    found = select(PracticeSession).where(rounds, PracticeSession.reflection.is_not(None))
    for session in db.execute(found).scalars():
        data = dict(session.reflection or {})
        answers = [r for r in data.get("reflections") or [] if isinstance(r, dict)]
        kept = [r for r in answers if r.get("person") != person_hash]
        if len(kept) == len(answers):
            continue
        data["reflections"] = kept
        session.reflection = data
        scores = [float(r["score"]) for r in kept if isinstance(r.get("score"), (int, float))]
        session.reflection_score = max(scores) if scores else None


def erase_person(
    db: Session, casemanager_id: int, catalogues: Catalogues, spool: Path | None = None
) -> int:
    """Erase a casemanager and all traces; returns the number of their own sessions."""
    person = db.get(Casemanager, casemanager_id)
    person_hash = str(person.channel_hash) if person is not None else ""
    # What they wrote in group rounds, kept or taken back: its words, its rounds, the rows.
    said: list[str] = []
    rounds_of: set[str] = set()
    for table in (TurnRecord, RevertedTurn):
        theirs = table.author_id == casemanager_id
        said += [str(t) for t in db.execute(select(table.text).where(theirs)).scalars() if t]
        others = (
            select(table.session_id)
            .distinct()
            .join(PracticeSession, PracticeSession.id == table.session_id)
            .where(theirs, PracticeSession.casemanager_id != casemanager_id)
        )
        rounds_of.update(db.execute(others).scalars())
        db.execute(delete(table).where(theirs), execution_options={"synchronize_session": False})
    words = sorted(set(said), key=len, reverse=True)
    rounds = sorted(rounds_of)
    own_sessions = select(PracticeSession.id).where(
        PracticeSession.casemanager_id == casemanager_id
    )
    own = list(db.execute(own_sessions).scalars())
    if person_hash:
        _drop_reflections(db, person_hash)
    count = erase_casemanager(db, casemanager_id)
    for session_id in rounds:
        session = db.get(PracticeSession, session_id)
        if session is not None and session.ended_at is not None:
            session.report = provisional_report(session, session.turns, catalogues) or {}
    if inspect(db.connection()).has_table(RASA_EVENTS):
        for sender in sorted({conversation_of(s) for s in own}):
            db.execute(text(f"DELETE FROM {RASA_EVENTS} WHERE sender_id = :s"), {"s": sender})
        for sender in sorted({conversation_of(s) for s in rounds}):
            _scrub_group_tracker(db, sender, person_hash, words)
    if spool is not None and person_hash:
        erase_from_spool(spool, person_hash, own)
    db.flush()
    return count
