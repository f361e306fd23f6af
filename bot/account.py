"""What the bot can tell and do about a casemanager's stored data (/voortgang, /mijngegevens,
/verwijder). Reads the same database as the session log and the dashboard.

Every function here blocks (database, drawing): handlers call them with asyncio.to_thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot import texts
from gesprekscoach.charts import progress_png
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.progress import STRONG, progress, weighted_progress
from gesprekscoach.storage import repository
from gesprekscoach.storage.bot_state import erase_bot_state
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Casemanager
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.workshops.erasure import erase_person


@dataclass(frozen=True)
class Summary:
    name: str
    sessions: int
    messages: int
    first: str
    last: str
    needs_found: int


def _person(db: Session, user_id: int, salt: str) -> Casemanager | None:
    key = pseudonym("telegram", str(user_id), salt)
    mine = (Casemanager.channel == "telegram", Casemanager.channel_hash == key)
    return db.execute(select(Casemanager).where(*mine)).scalar_one_or_none()


def summary(engine: Engine, user_id: int, salt: str) -> Summary | None:
    with session_factory(engine)() as db:
        person = _person(db, user_id, salt)
        if person is None or not person.sessions:
            return None
        sessions = sorted(person.sessions, key=lambda s: s.started_at)
        return Summary(
            name=str(person.display_name),
            sessions=len(sessions),
            messages=sum(len(s.turns) for s in sessions),
            first=sessions[0].started_at.strftime("%d-%m-%Y"),
            last=sessions[-1].started_at.strftime("%d-%m-%Y"),
            needs_found=sum(bool(s.hidden_need_found) for s in sessions),
        )


def recent_variants(
    engine: Engine, user_id: int, salt: str, persona_id: str, count: int = 2
) -> list[str | None]:
    """The variants of this persona in the casemanager's last sessions, newest first, so the
    next one can differ (None: the persona as described)."""
    key = pseudonym("telegram", str(user_id), salt)
    with session_factory(engine)() as db:
        return repository.recent_variants(db, "telegram", key, persona_id, count)


def progress_chart(
    engine: Engine, user_id: int, salt: str, themes: dict[str, str]
) -> tuple[bytes, int] | None:
    """The progress chart over ended sessions, and how many there are.

    Blocking (a query, then ~100 ms of drawing): the bot calls it in a worker thread.
    """
    with session_factory(engine)() as db:
        person = _person(db, user_id, salt)
        if person is None:
            return None
        per_tip = progress(list(person.sessions), tuple(themes))
        ended = len(next(iter(per_tip.values()), []))
        if not ended:
            return None
        return progress_png(per_tip, themes), ended


def progress_text(
    engine: Engine, user_id: int, salt: str, catalogues: Catalogues
) -> tuple[str, str | None] | None:
    """The score per tip (recent sessions weigh most) and what to practise next, in Dutch,
    with the inwoner to practise with (a persona id) if there is one to suggest."""
    with session_factory(engine)() as db:
        person = _person(db, user_id, salt)
        if person is None:
            return None
        found = weighted_progress(list(person.sessions), catalogues.tips, catalogues.personas)
    if not found.sessions:
        return None
    lines = [texts.PROGRESS_HEADER]
    unseen = 0
    for tip in found.tips:
        if tip.score is None:
            unseen += 1
            continue
        mark = "✅" if tip.score >= STRONG else "🔸"
        lines.append(f"{mark} {tip.score:.0%} {tip.tip} {tip.heading}")
    if unseen:
        lines.append(texts.PROGRESS_UNSEEN.format(count=unseen))
    lines += ["", found.advice]
    return "\n".join(lines), found.practise_persona


def erase(
    engine: Engine, user_id: int, salt: str, catalogues: Catalogues, spool: Path | None = None
) -> int | None:
    """Erase everything of this Telegram user; the number of sessions, or None if unknown."""
    with session_factory(engine)() as db, db.begin():
        person = _person(db, user_id, salt)
        if person is None:  # consent given, never practised: still something to erase
            erase_bot_state(db, "telegram", pseudonym("telegram", str(user_id), salt))
            return None
        return erase_person(db, int(person.id), catalogues, spool)
