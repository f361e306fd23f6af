"""The one place that builds the database engine from DATABASE_URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, busy_timeout: float = 15.0) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout.

    The session log passes a short timeout: its first attempt must not hold up
    the inwoner's answer on a locked database (the background retries wait instead).
    """
    parsed = make_url(url)
    # hide_parameters: a database error in a log never carries what someone typed.
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True, "hide_parameters": True}
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 3}  # a down server: fail fast, retry later
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": busy_timeout}
        if parsed.database:
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, future=True, expire_on_commit=False)
