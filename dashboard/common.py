"""Small helpers the dashboard's blueprints share: a row or 404, a download."""

from __future__ import annotations

import re
from typing import TypeVar

from flask import Response, abort, g

Row = TypeVar("Row")


def get_or_404(model: type[Row], ident: object) -> Row:
    """The row with this id from the request's database session, else a 404 page."""
    row: Row | None = g.db.get(model, ident)
    if row is None:
        abort(404)
    return row


def download(body: str, mimetype: str, name: str) -> Response:
    """An attachment; the name (a session id comes from a chat channel) kept to safe characters."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]
    disposition = {"Content-Disposition": f"attachment; filename={safe}"}
    return Response(body, mimetype=mimetype, headers=disposition)
