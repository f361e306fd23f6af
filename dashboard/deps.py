"""What the dashboard's routes need, given once to the app factory and read with `deps()`.

One typed, frozen object in app.extensions instead of a dozen closure variables: every
blueprint reaches the database, the catalogues, the clock and the streams' shared
state the same way, and a test swaps them through create_app's arguments.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from dashboard.feed import SnapshotCache
from dashboard.slots import Slots
from dashboard.throttle import LoginThrottle
from gesprekscoach.accounts import logins
from gesprekscoach.domain import Catalogues

KEY = "gesprekscoach"
"""The dashboard's entry in app.extensions."""


@dataclass(frozen=True)
class Streams:
    """State the app's live streams share: one snapshot cache, the slots, a switch to end all."""

    cache: SnapshotCache = field(default_factory=SnapshotCache)
    slots: Slots = field(default_factory=Slots)
    stop: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Deps:
    """The app's collaborators; built by create_app, never changed afterwards."""

    make_session: sessionmaker[Session]
    catalogues: Catalogues
    throttle: LoginThrottle
    clock: Callable[[], float]
    lifetime: timedelta
    """How long a login lasts without use."""
    move_ids: tuple[str, ...] = ()
    move_labels: dict[str, str] = field(default_factory=dict)
    tip_themes: dict[str, str] = field(default_factory=dict)
    spool: Path | None = None
    """The session log's spool, so an erasure also removes writes waiting there."""
    streams: Streams = field(default_factory=Streams)

    def watch(self, token: str) -> logins.Watch:
        """For a long stream: true once the login with this token has ended."""
        return logins.Watch(self.make_session, token, self.lifetime, self.clock)


def install(app: Flask, given: Deps) -> None:
    app.extensions[KEY] = given


def deps_of(app: Flask) -> Deps:
    """The app's collaborators, also outside a request (a test, a server shutting down)."""
    given: Deps = app.extensions[KEY]
    return given


def deps() -> Deps:
    """The collaborators of the app handling the current request."""
    return deps_of(current_app)
