"""Workshops in the database, for the page tests."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Workshop
from gesprekscoach.workshops.service import by_code


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
