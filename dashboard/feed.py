"""The body of a workshop's live or beamer stream (server-sent events), without Flask.

Every half second one cheap query takes a fingerprint of the workshop: its turns'
count and highest id, its sessions and ended sessions, its members, and the row's
status, names switch and chosen tip. Only when that changed is the snapshot built
again (once per change for all open streams of the app: a small shared cache), and
only when the message differs from the last one sent is it sent. A comment line
every 15 seconds keeps proxies from closing a quiet connection and notices a
browser that has gone (the write fails, and the server thread is free again). A
stream ends after five minutes; EventSource reconnects by itself, so the login is
checked again and no thread is held for ever. (Tests may set the app's config
COACH_STREAM_TIMING to a `Timing` with other intervals.)

The beamer identifies nobody unless the facilitator chose so: with the names switch
off, its messages carry no participant rows at all.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.models import PracticeSession, TurnRecord, Workshop, WorkshopMember
from gesprekscoach.workshops.figures import Snapshot, snapshot

log = logging.getLogger(__name__)
VIEWS = ("live", "beamer")
RETRY_MS = 2000
Fingerprint = tuple[Any, ...]


@dataclass(frozen=True)
class Timing:
    poll: float = 0.5
    heartbeat: float = 15.0
    lifetime: float = 300.0


def fingerprint(db: Session, workshop_id: int, code: str) -> Fingerprint | None:
    """What changes whenever anything a live view shows may have changed; None: no workshop."""
    ours = PracticeSession.workshop_code == code
    our_turns = TurnRecord.session_id.in_(select(PracticeSession.id).where(ours))
    members = WorkshopMember.workshop_id == workshop_id
    counts = (
        select(func.count(TurnRecord.id)).where(our_turns),
        select(func.max(TurnRecord.id)).where(our_turns),
        select(func.count(PracticeSession.id)).where(ours),
        select(func.count(PracticeSession.ended_at)).where(ours),
        select(func.count(WorkshopMember.id)).where(members),
    )
    switches = (Workshop.status, Workshop.show_names, Workshop.beamer_tip)
    query = select(*switches, *(c.scalar_subquery() for c in counts))
    row = db.execute(query.where(Workshop.id == workshop_id)).first()
    return tuple(row) if row is not None else None


def message(snap: Snapshot, show_names: bool, beamer_tip: str | None, view: str) -> dict[str, Any]:
    """One message's data, without the time it is sent."""
    data = snap.to_dict()
    chosen = next((t for t in snap.tips if t.id == beamer_tip), None)
    examples: dict[str, Any] | None = None
    if chosen:
        examples = {
            "id": chosen.id,
            "heading": chosen.heading,
            "good": list(chosen.good),
            "poor": list(chosen.poor),
        }
    data.update(
        version=snap.version,
        show_names=bool(show_names),
        beamer_tip=chosen.id if chosen else None,
        examples=examples,
    )
    if view == "beamer" and not show_names:
        data["participants"] = []  # not sent at all, so no page can show them
    return data


def encode(data: dict[str, Any]) -> str:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: snapshot\ndata: {body}\n\n"


class SnapshotCache:
    """The latest snapshot per workshop with its fingerprint, shared by an app's streams."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, tuple[Fingerprint, Snapshot]] = {}

    def get(self, workshop_id: int, mark: Fingerprint, build: Callable[[], Snapshot]) -> Snapshot:
        with self._lock:
            hit = self._items.get(workshop_id)
        if hit is not None and hit[0] == mark:
            return hit[1]
        built = build()
        with self._lock:
            self._items[workshop_id] = (mark, built)
        return built


class WorkshopGone(LookupError):
    """The workshop was removed while a stream was open."""


@dataclass
class Feed:
    """One stream's view of one workshop: polls, and says what to send when anything changed."""

    make_session: sessionmaker[Session]
    catalogues: Catalogues
    cache: SnapshotCache
    workshop_id: int
    code: str
    view: str
    last_mark: Fingerprint | None = None

    def poll(self) -> dict[str, Any] | None:
        """The message's data when the fingerprint changed, else None."""
        with self.make_session() as db:  # a short session per poll, never the request's
            mark = fingerprint(db, self.workshop_id, self.code)
            if mark is None:
                raise WorkshopGone(self.workshop_id)
            if mark == self.last_mark:
                return None

            def build() -> Snapshot:
                workshop = db.get(Workshop, self.workshop_id)
                if workshop is None:
                    raise WorkshopGone(self.workshop_id)
                return snapshot(db, workshop, self.catalogues)

            snap = self.cache.get(self.workshop_id, mark, build)
            self.last_mark = mark
            _status, show_names, beamer_tip = mark[:3]
            return message(snap, bool(show_names), beamer_tip, self.view)


def events(
    feed: Feed,
    *,
    once: bool = False,
    timing: Timing = Timing(),
    stop: threading.Event | None = None,
    gone: Callable[[], bool] = lambda: False,
) -> Iterator[str]:
    """The text of the event stream: snapshots when they change, heartbeats in between."""
    stop = stop or threading.Event()
    started = last_write = time.monotonic()
    last_data: dict[str, Any] | None = None
    if not once:
        yield f"retry: {RETRY_MS}\n\n"
    while not stop.is_set() and not gone():
        try:
            data = feed.poll()
        except WorkshopGone:
            return
        except SQLAlchemyError as exc:  # the database is busy or away: try again next time
            log.warning("workshop stream %s: %s", feed.workshop_id, exc)
            feed.last_mark, data = None, None
        now = time.monotonic()
        if data is not None and data != last_data:
            last_data, last_write = data, now
            yield encode({**data, "sent_at": time.time()})
            if once:
                return
        elif now - last_write >= timing.heartbeat:
            last_write = now
            yield ": heartbeat\n\n"
        if now - started >= timing.lifetime:
            return
        stop.wait(timing.poll)


def either(*checks: Callable[[], bool]) -> Callable[[], bool]:
    """True as soon as any of the checks is (the browser went, or the login ended)."""
    return lambda: any(check() for check in checks)
