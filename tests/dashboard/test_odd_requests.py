"""Odd requests get a 4xx, never a 500: every route with out-of-range ids, odd query
parameters and odd form fields (on SQLite and on PostgreSQL, which refuses NUL
characters); and a body over 1 MB is refused with 413 without being read."""

from __future__ import annotations

import io
import itertools
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from dashboard.app import create_app
from dashboard.params import MAX_FIELD
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.migrate import upgrade
from tests.conftest import fresh_postgres
from tests.dashboard.conftest import Clock, csrf, login, seed_sessions
from tests.dashboard.servers import waitress_server
from tests.workshops.conftest import new_workshop

__all__ = ["waitress_server"]  # the fixture, imported for pytest
HUGE = "99999999999999999999"
ODD_INTS = [HUGE, "2147483648", "0", "-1", "1e3", "abc", "9" * 5000, "%00"]
ODD_TEXTS = [HUGE, "x" * 300, "%00", "..%2F..%2Fetc", "%E2%80%AE", "s0%00"]
ODD_FORMATS = ["csv", "json", "xml", "%00", "csv%0A"]
ODD_QUERIES: list[dict[str, str]] = [
    {"page": HUGE},
    {"page": "abc"},
    {"page": "1e9"},
    {"page": "100001"},
    {"page": "-4", "from": "9999-12-31", "to": "0001-01-01"},
    {
        "fmt": "csv",
        "page": "2",
        "session_id": "s0",
        "workshop_id": "1",
        "person_id": HUGE,
        "turn_id": HUGE,
        "_external": "1",
        "_scheme": "javascript",
        "_anchor": "x",
        "_method": "POST",
        "next": "//evil.example",
    },
    {"comments": "\x00", "casemanager": "\x00", "view": "\x00"},
    {
        "casemanager": "%_\\" * 3000,
        "workshop": "x" * 500,
        "persona": "\u202e",
        "from": "99999-01-01",
        "to": "2020-02-30",
        "view": "alles",
    },
]
POST_QUERIES = [{}, ODD_QUERIES[5]]
NUL_FIELDS = ("move", "status", "tip", "confirm", "name", "persona", "username", "password")
FORMS: list[dict[str, Any]] = [
    {
        "text": "Prima",
        "turn_id": HUGE,
        "move": "x" * 100,
        "status": "open ",
        "tip": "CK-B3'",
        "show": "2",
        "confirm": "x" * 5000,
        "name": "n" * 121,
        "day": "2026-02-30",
        "minutes": "9" * 5000,
        "persona": ["henk", "henk"],
        "form": "rondje",
        "hints": "2",
        "username": "trainer",
        "password": "x" * 5000,
    },
    {
        **dict.fromkeys(NUL_FIELDS, "\x00"),
        "text": "a\x00b",
        "turn_id": "1",
        "day": "2026-01-01",
        "minutes": "20",
        "form": "parallel",
    },
    {"text": "", "turn_id": "-1", "minutes": "", "day": "", "persona": [], "name": " "},
]
NOT_WALKED = {"static", "auth.logout"}  # logout: tested on its own; it would end the walk's login


@pytest.fixture(params=["sqlite", "postgresql"])
def walker(
    request: pytest.FixtureRequest, tmp_path: Path, catalogues: Catalogues, clock: Clock
) -> Iterator[tuple[Flask, FlaskClient]]:
    """A logged-in client of a dashboard with a workshop, on SQLite or on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'coach.db'}"
    else:
        url = fresh_postgres(request.getfixturevalue("postgres_server"))
    upgrade(url)
    engine = make_engine(url)
    seed_sessions(engine, catalogues)
    new_workshop(engine, catalogues)
    app = create_app(
        url,
        "test-secret",
        move_ids=catalogues.moves.ids,
        engine=engine,
        clock=clock,
        catalogues=catalogues,
        secure_cookies=False,
        tip_themes=catalogues.tips.theme_of,
    )
    client = app.test_client()
    login(client)
    yield app, client
    engine.dispose()


def paths(rule: str, arguments: dict[str, str]) -> Iterator[tuple[str, bool]]:
    """The rule with odd values in its arguments, and whether all of them are real ones."""
    names = re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", rule)
    choices = []
    for kind, name in names:
        real = {"int": "1", "": "s0"}.get(kind, "s0") if name != "fmt" else "csv"
        odd = ODD_FORMATS if name == "fmt" else ODD_INTS if kind == "int" else ODD_TEXTS
        choices.append([real, *odd])
        arguments[name] = real
    for values in itertools.product(*choices):
        path = rule
        for (kind, name), value in zip(names, values, strict=True):
            path = path.replace(f"<{kind}:{name}>" if kind else f"<{name}>", value, 1)
        yield path, all(v == arguments[n] for (_, n), v in zip(names, values, strict=True))


def status_of(client: FlaskClient, method: str, path: str, **kwargs: Any) -> int:
    response = client.open(path, method=method, buffered=False, **kwargs)
    try:
        if "/stream" in path:
            for _chunk in response.response:  # once=1: one snapshot, then the end
                pass
        return response.status_code
    finally:
        response.close()


def test_no_route_answers_odd_values_with_a_server_error(
    walker: tuple[Flask, FlaskClient],
) -> None:
    app, client = walker
    token = csrf(client, "/werkateliers/nieuw")
    failures, requests = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_WALKED:
            continue
        for path, real in paths(rule.rule, {}):
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                queries = [{}] if not real else ODD_QUERIES if method == "GET" else POST_QUERIES
                forms = [{**form, "csrf_token": token} for form in FORMS]
                for query, data in itertools.product(
                    queries, forms if method == "POST" else [None]
                ):
                    if "/stream" in path:
                        query = {**query, "once": "1"}
                    requests += 1
                    status = status_of(client, method, path, query_string=query, data=data)
                    if status >= 500:
                        failures.append(f"{method} {path[:80]} {query} -> {status}")
    assert requests > 300
    assert failures == [], "\n".join(failures[:40])
    assert client.get("/").status_code == 200, "still logged in after the walk"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (f"/?page={HUGE}", 400, "paginanummer"),
        ("/?page=abc", 400, "paginanummer"),
        (f"/casemanagers/{HUGE}", 404, "bestaat niet"),
        (f"/werkateliers/{HUGE}", 404, "bestaat"),
        ("/werkateliers/2147483648/live", 404, "bestaat"),
        ("/?casemanager=%00", 400, "ongeldig"),
        ("/turns/1/move", 405, "kan zo niet"),
        (f"/turns/{HUGE}/move", 404, "bestaat"),
    ],
)
def test_odd_values_get_a_short_dutch_answer(
    client: FlaskClient, path: str, status: int, message: str
) -> None:
    login(client)
    response = client.get(path)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_links_carry_only_the_filters(client: FlaskClient) -> None:
    login(client)
    page = client.get("/?fmt=csv&_external=1&_scheme=javascript&casemanager=Eva").get_data(True)
    assert 'href="/export/sessions.csv?casemanager=Eva"' in page
    assert "javascript:" not in page


class CountingBody(io.RawIOBase):
    """A request body of `size` bytes, made up as it is read, that counts what was read."""

    def __init__(self, size: int) -> None:
        self.size, self.pos, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: Any) -> int:
        n = max(min(len(buffer), self.size - self.pos), 0)
        buffer[:n] = b"a" * n
        self.pos += n
        self.read_bytes += n
        return n


def test_a_huge_body_is_refused_unread(client: FlaskClient, engine: Engine) -> None:
    body = CountingBody(100 * 1024 * 1024)
    response = client.post(
        "/login", input_stream=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "hoogstens 1 MB" in response.get_data(as_text=True)
    assert body.read_bytes == 0, "refused from its Content-Length, before reading"


def test_a_huge_form_field_is_refused(client: FlaskClient) -> None:
    login(client)
    token = csrf(client, "/sessions/s0")
    response = client.post(
        "/sessions/s0/comments", data={"text": "x" * (MAX_FIELD + 1), "csrf_token": token}
    )
    assert response.status_code == 413 and "te groot" in response.get_data(as_text=True)
    assert (
        client.post(
            "/sessions/s0/comments",
            data={"text": "x" * 6000, "csrf_token": token},
            follow_redirects=True,
        ).status_code
        == 200
    )


def raw_post(base: str, head: bytes, body: bytes, timeout: float = 5) -> bytes:
    """Send a request over a plain socket; the answer as far as it came within the timeout."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def test_the_real_server_refuses_a_huge_body_without_waiting_for_it(waitress_server: str) -> None:
    head = (
        b"POST /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 104857600\r\n\r\n"
    )
    answer = raw_post(waitress_server, head, b"a" * 65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    middle = 1536 * 1024  # over the app's limit, under waitress's: the app's Dutch answer
    head = head.replace(b"104857600", str(middle).encode())
    answer = raw_post(waitress_server, head, b"a" * middle)
    assert answer.startswith(b"HTTP/1.1 413") and b"hoogstens 1 MB" in answer
