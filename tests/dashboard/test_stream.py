"""The event stream's generator on its own: a snapshot first, then only changes, with
heartbeats in between; it ends when told to, after its lifetime, or with its workshop."""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy.engine import Engine

from dashboard.feed import Feed, SnapshotCache, Timing, events
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Workshop
from gesprekscoach.workshops.service import by_code
from tests.workshops.conftest import new_workshop
from tests.workshops.practise import GOOD, label, meta, practise

FAST = Timing(poll=0.01, heartbeat=0.05, lifetime=30)


def feed_for(engine: Engine, catalogues: Catalogues, code: str, view: str = "live") -> Feed:
    with session_factory(engine)() as db:
        workshop = by_code(db, code)
        assert workshop is not None
        ident = int(workshop.id)
    return Feed(session_factory(engine), catalogues, SnapshotCache(), ident, code, view)


def data_of(chunk: str) -> dict[str, Any]:
    event, data = chunk.rstrip("\n").split("\n")
    assert event == "event: snapshot"
    parsed: dict[str, Any] = json.loads(data.removeprefix("data: "))
    return parsed


def test_a_snapshot_then_heartbeats_then_the_change(engine: Engine, catalogues: Catalogues) -> None:
    code = new_workshop(engine, catalogues)
    stop = threading.Event()
    chunks = events(feed_for(engine, catalogues, code), timing=FAST, stop=stop)
    assert next(chunks) == "retry: 2000\n\n"
    first = data_of(next(chunks))
    assert (first["joined"], first["running"], first["done"]) == (0, 0, 0)
    assert next(chunks) == ": heartbeat\n\n", "nothing changed: no new snapshot"
    assert next(chunks) == ": heartbeat\n\n"
    practise(engine, catalogues, "s-live", "henk", GOOD[:2], meta("Eva", code), end=False)
    second = data_of(next(chunks))
    assert (second["running"], second["done"]) == (1, 0)
    assert second["version"] != first["version"]
    practise(engine, catalogues, "s-live-2", "henk", GOOD[:1], meta("Bram", code), end=False)
    assert data_of(next(chunks))["running"] == 2
    stop.set()
    assert list(chunks) == [], "a set stop event ends the stream"


def test_a_stream_ends_after_its_lifetime_and_with_its_workshop(
    engine: Engine, catalogues: Catalogues
) -> None:
    code = new_workshop(engine, catalogues)
    short = Timing(poll=0.01, heartbeat=10, lifetime=0)
    chunks = list(events(feed_for(engine, catalogues, code), timing=short))
    assert len(chunks) == 2 and chunks[1].startswith("event: snapshot")
    feed = feed_for(engine, catalogues, code)
    with session_factory(engine)() as db, db.begin():
        db.delete(db.get(Workshop, feed.workshop_id))
    assert list(events(feed, timing=FAST)) == ["retry: 2000\n\n"]


def test_once_sends_one_snapshot_without_retry(engine: Engine, catalogues: Catalogues) -> None:
    code = new_workshop(engine, catalogues)
    practise(engine, catalogues, "s-once", "henk", GOOD[:1], meta("Marieke", code), end=False)
    (only,) = list(events(feed_for(engine, catalogues, code, "beamer"), once=True, timing=FAST))
    assert data_of(only)["running"] == 1
    assert data_of(only)["participants"] == [] and label("Marieke") not in only, (
        "names off: none sent"
    )
    (live,) = list(events(feed_for(engine, catalogues, code, "live"), once=True, timing=FAST))
    assert [p["name"] for p in data_of(live)["participants"]] == [label("Marieke")]
