"""Logging in against an attacker: guessing is throttled per name and per address, the
page after login is always on this site, and a login ends on the server at logout."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard.throttle import Limit, LoginThrottle, Refused
from gesprekscoach.accounts.trainers import add_trainer
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import LoginSession
from tests.dashboard.conftest import PASSWORD, Clock, csrf, login

REFUSED = "Te veel mislukte inlogpogingen"


def attempt(client: FlaskClient, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_right_password_is_refused_after_five_wrong_ones(
    client: FlaskClient, clock: Clock
) -> None:
    for _ in range(5):
        assert attempt(client, "trainer", "fout-wachtwoord").status_code == 401
    refused = attempt(client, "trainer", PASSWORD)
    assert refused.status_code == 429
    assert REFUSED in refused.get_data(as_text=True)
    assert "15 minuten" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60 + 1
    assert client.get("/").status_code == 302, "not logged in"
    other_address = attempt(client, "trainer", PASSWORD, address="10.0.0.2")
    assert other_address.status_code == 429, "the account is throttled from everywhere"
    clock.now += 15 * 60 + 1
    assert attempt(client, "trainer", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_an_unknown_name_is_throttled_the_same_way(client: FlaskClient) -> None:
    answers: list[Any] = []
    for name in ("trainer", "niemand"):
        for _ in range(5):
            attempt(client, name, "fout-wachtwoord", address=f"10.0.1.{len(answers)}")
        answers.append(attempt(client, name, "fout-wachtwoord", address="10.0.2.1"))
    assert [a.status_code for a in answers] == [429, 429]
    messages = [re.findall(r'role="status">([^<]*)<', a.get_data(as_text=True)) for a in answers]
    assert messages[0] == messages[1] and REFUSED in messages[0][0]
    assert answers[0].headers["Retry-After"] == answers[1].headers["Retry-After"]


def test_one_address_gets_twenty_tries_over_all_names(client: FlaskClient) -> None:
    for i in range(19):
        assert attempt(client, f"naam-{i}", "fout").status_code == 401
    assert attempt(client, "trainer", PASSWORD).status_code == 302, "success: not counted"
    assert attempt(client, "naam-19", "fout").status_code == 401
    refused = attempt(client, "trainer", PASSWORD)
    assert refused.status_code == 429, "a success did not reset the address's other failures"
    assert REFUSED in refused.get_data(as_text=True)
    assert attempt(client, "trainer", PASSWORD, address="10.9.9.9").status_code == 302


def test_parallel_attempts_cannot_slip_past_the_count() -> None:
    throttle = LoginThrottle(Limit(5, 900), Limit(20, 900), clock=lambda: 1000.0)
    allowed: list[bool] = []
    start = threading.Barrier(40)

    def guess() -> None:
        start.wait()
        try:
            throttle.start("trainer", "2001:db8::1")
            allowed.append(True)
        except Refused:
            allowed.append(False)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 5
    for i in range(15):  # the same IPv6 /64 is the same address: 20 tries in all
        throttle.start(f"naam-{i}", f"2001:db8::{i + 2:x}")
    with pytest.raises(Refused):
        throttle.start("ander", "2001:db8::ffff")
    throttle.start("ander", "2001:db9::1")


EVIL_NEXT = [
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "\\\\evil.example",
    "/\r\n/evil.example",
    "/\x01/evil.example",
    "///evil.example",
    "http:/evil.example",
    "/ /evil.example",
    "evil.example",
    "/\u3000/evil.example",
    "/\\/evil.example",
]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_the_page_after_login_stays_on_this_site(client: FlaskClient, target: str) -> None:
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "trainer", "password": PASSWORD, "csrf_token": csrf(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_the_raw_attack_url_goes_to_the_sessions_page(client: FlaskClient) -> None:
    token = csrf(client)
    response = client.post(
        "/login?next=/%09/evil.example",
        data={"username": "trainer", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
    token = csrf(client)
    good = client.post(
        "/login?next=/sessions/s0%3Fx%3D1",
        data={"username": "trainer", "password": PASSWORD, "csrf_token": token},
    )
    assert good.headers["Location"] == "/sessions/s0?x=1", "a local path is kept"


def test_an_old_cookie_does_not_work_after_logout(app: Flask, client: FlaskClient) -> None:
    login(client)
    cookie = client.get_cookie("session")
    assert cookie is not None and client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    replay = app.test_client()
    replay.set_cookie("session", cookie.value)
    response = replay.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_password_ends_every_login(app: Flask, client: FlaskClient, engine: Engine) -> None:
    login(client)
    other = app.test_client()
    login(other)
    assert client.get("/").status_code == 200 and other.get("/").status_code == 200
    with session_factory(engine)() as db, db.begin():
        add_trainer(db, "trainer", "een-nieuw-wachtwoord")
    assert client.get("/").status_code == 302 and other.get("/").status_code == 302
    with session_factory(engine)() as db:
        rows = db.execute(select(LoginSession)).scalars().all()
    assert len(rows) == 2 and all(r.ended_at is not None for r in rows)
    assert all(len(r.id) == 64 for r in rows), "only a hash of the cookie's id is stored"


def test_the_cookie_carries_only_a_login_id(app: Flask, client: FlaskClient) -> None:
    login(client)
    cookie = client.get_cookie("session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data = serializer.loads(cookie.value)
    assert set(data) <= {"login", "csrf_token", "_permanent", "_flashes"}
    assert "trainer" not in data
