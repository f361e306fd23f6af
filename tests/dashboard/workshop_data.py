"""Workshops with conversations logged through the real domain core, for the page tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import PracticeSession, Workshop
from gesprekscoach.storage.repository import SessionEnd, record_end
from gesprekscoach.workshops.figures import need_found, provisional_report
from gesprekscoach.workshops.service import by_code
from tests.workshops.conftest import new_workshop
from tests.workshops.practise import GOOD, RUSHED, meta, practise

NAMES = ("Eva", "Bram", "Noor")
HOSTILE_LINE = ("<img src=x onerror=alert(1)> Dat is toch uw eigen schuld.", "oordelen")


def workshop_id(engine: Engine, code: str) -> int:
    with session_factory(engine)() as db:
        workshop = by_code(db, code)
        assert workshop is not None
        return int(workshop.id)


def workshop_row(engine: Engine, ident: int) -> Workshop:
    with session_factory(engine)() as db:
        workshop = db.get(Workshop, ident)
        assert workshop is not None
        return workshop


def logged_group(engine: Engine, catalogues: Catalogues) -> tuple[int, str, list[dict[str, Any]]]:
    """An open workshop: Eva and Bram done (Eva twice), Noor still practising."""
    code = new_workshop(engine, catalogues)
    reports = [
        practise(engine, catalogues, "w-eva-1", "henk", RUSHED, meta("Eva", code)),
        practise(engine, catalogues, "w-eva-2", "henk", GOOD, meta("Eva", code)),
        practise(engine, catalogues, "w-bram", "henk", [*RUSHED, HOSTILE_LINE], meta("Bram", code)),
    ]
    practise(engine, catalogues, "w-noor", "henk", GOOD[:3], meta("Noor", code), end=False)
    return workshop_id(engine, code), code, reports


def end_session(engine: Engine, catalogues: Catalogues, session_id: str) -> None:
    """End a running session as the bot does: its report made from its logged turns."""
    with session_factory(engine)() as db, db.begin():
        session = db.get(PracticeSession, session_id)
        assert session is not None and session.turns
        report = provisional_report(session, session.turns, catalogues) or {}
        need = next((int(t.number) for t in session.turns if t.hidden_need_revealed), None)
        trust = float(session.turns[-1].trust)
        record_end(db, SessionEnd(session_id, need_found(session), need, trust, report))
