"""The streams: server-sent events that keep a workshop's live page and beamer current.

The body comes from feed.py (a snapshot whenever the workshop changed, heartbeats in
between); each open stream holds a server thread, so it takes a slot (slots.py) and
gives it back when it ends, when the browser goes or when the login ends.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, g, request, session

from dashboard import feed
from dashboard.common import get_or_404
from dashboard.deps import deps, deps_of
from dashboard.slots import Full, Held
from gesprekscoach.storage.models import Workshop

blueprint = Blueprint("streams", __name__, url_prefix="/werkateliers")
RETRY_AFTER = "15"
"""Seconds a refused browser is asked to wait; EventSource retries by itself anyway."""


@blueprint.get("/<int:workshop_id>/stream")
def events(workshop_id: int) -> Response:
    workshop = get_or_404(Workshop, workshop_id)
    view = request.args.get("view", "live")
    if view not in feed.VIEWS:
        abort(400)
    given = deps()
    source = feed.Feed(
        given.make_session,
        given.catalogues,
        given.streams.cache,
        int(workshop.id),
        str(workshop.code),
        view,
    )
    g.db.close()  # the stream polls with short sessions of its own
    disconnected = request.environ.get("waitress.client_disconnected")
    browser_gone = disconnected if callable(disconnected) else bool
    login_ended = given.watch(str(session.get("login", "")))
    body = feed.events(
        source,
        once=request.args.get("once") == "1",
        timing=current_app.config.get("COACH_STREAM_TIMING") or feed.Timing(),
        stop=given.streams.stop,
        gone=feed.either(browser_gone, login_ended),
    )
    try:  # the slot last: nothing can fail between taking it and Held giving it back
        give_back = given.streams.slots.take(int(g.trainer["id"]))
    except Full as full:
        headers = {"Retry-After": RETRY_AFTER}
        return Response(str(full), 429, mimetype="text/plain", headers=headers)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(Held(body, give_back), mimetype="text/event-stream", headers=headers)


def stop_streams(app: Flask) -> None:
    """End every open stream of the app at its next poll (before shutting a server down)."""
    deps_of(app).streams.stop.set()
