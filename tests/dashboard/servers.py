"""The dashboard on a real waitress server, as in production (serving.py), and a
logged-in HTTP client for it; for the tests that need real sockets and threads.

Import the fixture into a test module: `from tests.dashboard.servers import waitress_server`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask

from dashboard import serving
from dashboard.stream import stop_streams
from tests.dashboard.conftest import PASSWORD


@pytest.fixture
def waitress_server(app: Flask) -> Iterator[str]:
    """The dashboard served by waitress with serving.OPTIONS on a free loopback port."""
    from waitress import wasyncore

    server = serving.create_server(app, "127.0.0.1", 0)
    stopped = threading.Event()

    def run() -> None:  # waitress's loop, a step at a time, so this thread can close it
        while not stopped.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        server.close()
        server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(server._map)

    thread = threading.Thread(target=run, name="waitress", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stop_streams(app)  # open streams end at their next poll
    stopped.set()
    thread.join(timeout=10)


def csrf_token(http: requests.Session, url: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', http.get(url, timeout=10).text)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def http_login(base: str, password: str = PASSWORD) -> requests.Session:
    """A requests session logged in as the seeded trainer."""
    http = requests.Session()
    form = {
        "username": "trainer",
        "password": password,
        "csrf_token": csrf_token(http, base + "/login"),
    }
    response = http.post(base + "/login", data=form, timeout=10, allow_redirects=False)
    assert response.status_code == 302, response.status_code
    return http
