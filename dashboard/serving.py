"""How waitress serves the dashboard: one place for its threads and limits.

- THREADS: each open live or beamer stream holds a thread for minutes; the stream
  caps (stream.Limits: 4 per trainer, 8 in all) keep half of them for pages.
- channel_request_lookahead > 0 lets waitress notice a browser that has gone
  (environ["waitress.client_disconnected"]), so its stream ends within one poll
  and gives its slot back, instead of at the next failed write.
- max_request_body_size: waitress reads a whole body before the app sees it, so
  it refuses one from its Content-Length (413, waitress's own English text) when
  it is over this; a body between the app's limit (security.MAX_BODY, 1 MB) and
  this still reaches the app, which answers 413 in Dutch without parsing it.
"""

from __future__ import annotations

from typing import Any

THREADS = 16
OPTIONS: dict[str, Any] = {
    "threads": THREADS,
    "channel_request_lookahead": 1,
    "max_request_body_size": 2 * 1024 * 1024,
}


def create_server(app: Any, host: str, port: int) -> Any:
    """A waitress server for the dashboard (not yet running: call .run())."""
    from waitress import create_server as waitress_server

    return waitress_server(app, host=host, port=port, **OPTIONS)
