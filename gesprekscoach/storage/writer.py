"""Writes from the conversation path that never hold up the inwoner's answer for long.

Each write is tried once at once (a few milliseconds), so a crash of the
action server right after answering loses nothing. If that fails, the write
goes to a background thread that retries it, and a write that keeps failing
goes to a spool file (one JSON line per write, see storage.spool_lines) that is
replayed when the database is back. Writes are idempotent: retries and replays
never duplicate a turn.

A write the database refuses while it is up (a value out of range, a broken
spool line) is a poison record: it goes to a quarantine file with a clear log
line, and everything behind it is written, so one bad record never jams the log.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import Engine

from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.repository import (
    LoggedTurn,
    SessionStart,
    TurnsReverted,
    record_end,
    record_revert,
    record_start,
    record_turn,
)
from gesprekscoach.storage.spool_lines import Write, from_line, to_line

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.2, 1.0, 3.0)


def transient(error: BaseException) -> bool:
    """A fault of the database or the connection (try again later), not of the record.

    An InterfaceError counts only when it cost the connection: SQLite raises one for a
    value it cannot bind, and that record would never go through.
    """
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(
        error,
        (sa_exc.OperationalError, sa_exc.TimeoutError, sa_exc.DisconnectionError, OSError),
    )


def reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means: not now
        return False


@contextlib.contextmanager
def spool_lock(spool: Path) -> Iterator[None]:
    """Between processes: the action server writes the spool, an erasure filters it."""
    spool.parent.mkdir(parents=True, exist_ok=True)
    with open(spool.with_suffix(".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _person_of(item: dict[str, Any]) -> set[str]:
    data = item.get("data")
    if not isinstance(data, dict):
        return set()
    found = set()
    for key in ("who", "author"):
        who = data.get(key)
        if isinstance(who, dict) and who.get("channel_hash"):
            found.add(str(who["channel_hash"]))
    return found


def erase_from_spool(spool: Path, channel_hash: str, session_ids: Iterable[str] = ()) -> int:
    """Remove a person's writes from the spool and the quarantine; returns how many went."""
    removed = 0
    with spool_lock(spool):
        for path in (spool, quarantine_path(spool)):
            if not path.exists():
                continue
            lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line]
            items = []
            for line in lines:
                try:
                    items.append(json.loads(line))
                except ValueError:
                    items.append({})
            sessions = set(session_ids) | {
                str(item["data"].get("session_id"))
                for item in items
                if item.get("type") == "SessionStart" and channel_hash in _person_of(item)
            }
            kept = [
                line
                for line, item in zip(lines, items, strict=True)
                if channel_hash not in _person_of(item)
                and str((item.get("data") or {}).get("session_id")) not in sessions
            ]
            removed += len(lines) - len(kept)
            if kept:
                path.write_text("\n".join(kept) + "\n", encoding="utf-8")
            else:
                path.unlink()
    return removed


def quarantine_path(spool: Path) -> Path:
    return spool.with_name("quarantine.jsonl")


def apply(engine: Engine, write: Write) -> None:
    with session_factory(engine)() as db, db.begin():
        if isinstance(write, SessionStart):
            record_start(db, write)
        elif isinstance(write, LoggedTurn):
            record_turn(db, write)
        elif isinstance(write, TurnsReverted):
            record_revert(db, write)
        else:
            record_end(db, write)


class SessionLog:
    """A background writer with retries and a spool file for what could not be written."""

    def __init__(self, engine: Engine, spool: Path, delays: tuple[float, ...] = RETRY_DELAYS):
        self.engine = engine
        self.spool = spool
        self.delays = delays
        self._queue: queue.Queue[Write | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="session-log", daemon=True)
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> SessionLog:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def put(self, write: Write) -> None:
        if not self._queue.unfinished_tasks and not self.spool.exists():
            try:
                apply(self.engine, write)
                return
            except Exception as exc:  # noqa: BLE001 - retried in the background
                log.warning("Database antwoordt niet meteen; opnieuw op de achtergrond: %s", exc)
        self.start()
        self._queue.put(write)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written or spooled (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks

    def _write(self, write: Write) -> bool:
        """True when written (or quarantined as poison); False: spool it for later."""
        refused = 0
        for attempt, delay in enumerate((0.0, *self.delays)):
            if delay:
                time.sleep(delay)
            try:
                apply(self.engine, write)
                return True
            except Exception as exc:  # noqa: BLE001 - any database error is retried
                if not transient(exc) and reachable(self.engine):
                    refused += 1
                    if refused == 2:  # refused twice while the database is up: poison
                        with spool_lock(self.spool):
                            self._set_aside(to_line(write), exc)
                        return True
                log.warning("Schrijven naar de database mislukt (poging %d): %s", attempt + 1, exc)
        return False

    def _set_aside(self, line: str, error: BaseException) -> None:
        """Quarantine a poison record (the database is up but refuses it) and carry on.

        The caller holds the spool lock (flock is per open file: taking it again would wait
        on ourselves).
        """
        path = quarantine_path(self.spool)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        log.error(
            "Schrijfactie in quarantaine: de database weigert dit record (%s). "
            "Bewaard in %s; de rest van het sessielog gaat door.",
            type(error).__name__,
            path,
        )

    def _spool(self, write: Write) -> None:
        self.spool.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, spool_lock(self.spool), self.spool.open("a", encoding="utf-8") as out:
            out.write(to_line(write) + "\n")
        log.error("Database onbereikbaar: %s bewaard in %s", type(write).__name__, self.spool)

    def replay_spool(self) -> int:
        """Write what was spooled earlier, in order, one attempt each; stop at the first outage.

        A record the database refuses while it is up is quarantined, and the
        replay goes on. Returns how many writes went through (or were set
        aside); the rest stays in the spool, in order.
        """
        with self._lock, spool_lock(self.spool):
            if not self.spool.exists():
                return 0
            lines = [line for line in self.spool.read_text(encoding="utf-8").split("\n") if line]
            done = 0
            for line in lines:
                try:
                    apply(self.engine, from_line(line))
                except Exception as exc:  # noqa: BLE001
                    if transient(exc) or not reachable(self.engine):
                        log.warning("Database nog niet bereikbaar voor de spool: %s", exc)
                        break
                    self._set_aside(line, exc)
                done += 1
            rest = lines[done:]
            if rest:
                self.spool.write_text("\n".join(rest) + "\n", encoding="utf-8")
            else:
                self.spool.unlink()
            if done:
                log.warning("%d bewaarde schrijfacties alsnog weggeschreven", done)
            return done

    def _run(self) -> None:
        while True:
            write = self._queue.get()
            try:
                if write is None:
                    return
                if self.spool.exists():
                    self.replay_spool()
                if self.spool.exists():
                    self._spool(write)  # older writes still wait: keep the order
                elif not self._write(write):
                    self._spool(write)
            except Exception as exc:  # noqa: BLE001 - the writer thread must never die
                log.error("Sessielog: schrijfactie niet verwerkt (%s)", type(exc).__name__)
            finally:
                self._queue.task_done()
