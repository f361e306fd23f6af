"""The session log keeps which variant of the inwoner a session played."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import PracticeSession, utcnow
from gesprekscoach.storage.repository import (
    SessionStart,
    pseudonym,
    recent_variants,
    record_start,
)
from gesprekscoach.storage.service import who_from, writes_for

SALT = "test-salt"


def _start(
    session_id: str, variant: str | None, persona: str = "henk", minutes: int = 0
) -> SessionStart:
    person = pseudonym("terminal", "anke", SALT)
    who = who_from(session_id, {"channel": "terminal", "person": person}, SALT)
    when = utcnow() + timedelta(minutes=minutes)
    return SessionStart(
        session_id, who, persona, "x", "oefenen", 7, variant=variant, started_at=when
    )


def test_the_start_payload_variant_is_logged(engine: Engine) -> None:
    payload = {"kind": "start", "persona": "henk", "persona_type": "laaggeletterd", "seed": 9}
    writes = writes_for("s-v", {**payload, "variant": "slecht_geslapen"}, {}, SALT)
    odd = writes_for("s-w", {**payload, "variant": "<b>x</b>"}, {}, SALT)
    with session_factory(engine)() as db, db.begin():
        record_start(db, writes[0])  # type: ignore[arg-type]
        record_start(db, odd[0])  # type: ignore[arg-type]
    with session_factory(engine)() as db:
        logged = {s.id: s.variant for s in db.query(PracticeSession)}
    assert logged == {"s-v": "slecht_geslapen", "s-w": None}, "only a slug is logged"


def test_recent_variants_are_this_casemanagers_newest_with_this_inwoner(engine: Engine) -> None:
    with session_factory(engine)() as db, db.begin():
        record_start(db, _start("a", "moe", minutes=0))
        record_start(db, _start("b", None, minutes=1))
        record_start(db, _start("c", "zoon_twaalf", minutes=2))
        record_start(db, _start("d", "boos", persona="marco", minutes=3))
    person = pseudonym("terminal", "anke", SALT)
    with session_factory(engine)() as db:
        assert recent_variants(db, "terminal", person, "henk") == ["zoon_twaalf", None]
        assert recent_variants(db, "terminal", person, "henk", count=5) == [
            "zoon_twaalf",
            None,
            "moe",
        ]
        assert recent_variants(db, "terminal", person, "samira") == []
        assert recent_variants(db, "telegram", person, "henk") == []
