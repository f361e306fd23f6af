"""What the dashboard's app factory and its blueprints share: catalogues, DB sessions, downloads."""

from __future__ import annotations

import re

from flask import Flask, Response
from sqlalchemy.orm import Session, sessionmaker

from gesprekscoach.domain import Catalogues, default_catalogues


def catalogues_of(app: Flask) -> Catalogues:
    """The catalogues given to the factory, else the embedded defaults (loaded once)."""
    given = app.extensions.get("coach_catalogues")
    return given if isinstance(given, Catalogues) else default_catalogues()


def sessions_of(app: Flask) -> sessionmaker[Session]:
    """The factory of database sessions, for work outside a request (a live stream)."""
    factory: sessionmaker[Session] = app.extensions["coach_sessions"]
    return factory


def download(body: str, mimetype: str, name: str) -> Response:
    """An attachment; the name (a session id comes from a chat channel) kept to safe characters."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]
    disposition = {"Content-Disposition": f"attachment; filename={safe}"}
    return Response(body, mimetype=mimetype, headers=disposition)
