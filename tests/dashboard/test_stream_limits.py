"""Open live and beamer streams are capped per trainer and in total, so they never take
all of waitress's threads: one trainer opening as many streams as there are threads
gets 429 for the extra ones, and every page, the login included, still answers. A
stream gives its slot back when the browser goes, at its end, or on logout."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from dashboard import serving
from dashboard.deps import deps_of
from dashboard.feed import Timing
from dashboard.slots import Full, Held, Limits, Slots
from gesprekscoach.domain import Catalogues
from tests.dashboard.conftest import artifact_on_failure, csrf, log_in, login
from tests.dashboard.servers import http_login, waitress_server
from tests.dashboard.workshop_data import workshop_id
from tests.workshops.conftest import new_workshop

__all__ = ["waitress_server"]  # the fixture, imported for pytest
QUICK = Timing(poll=0.05, heartbeat=30, lifetime=60)  # so only a noticed disconnect frees


def eventually(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_streams_over_the_cap_get_429_and_pages_still_answer(
    app: Flask, waitress_server: str, engine: Engine, catalogues: Catalogues
) -> None:
    app.config["COACH_STREAM_TIMING"] = QUICK
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    trainer = http_login(waitress_server)
    url = f"{waitress_server}/werkateliers/{ident}/stream?view=beamer"
    streams = [trainer.get(url, stream=True, timeout=5) for _ in range(serving.THREADS)]
    try:
        codes = [r.status_code for r in streams]
        assert codes == [200] * 4 + [429] * (serving.THREADS - 4)
        refused = streams[-1]
        assert refused.headers["Retry-After"] and "Sluit er een" in refused.text
        assert requests.get(waitress_server + "/login", timeout=5).status_code == 200
        assert trainer.get(waitress_server + "/", timeout=5).status_code == 200
        chunks, seen = streams[0].iter_content(chunk_size=None), b""
        while b"event: snapshot" not in seen and len(seen) < 100_000:
            seen += next(chunks)
        assert seen.startswith(b"retry: "), "the streams within the cap run"
    finally:
        for response in streams:
            response.close()
    slots = deps_of(app).streams.slots
    assert eventually(lambda: slots.count() == 0), "a closed connection gives its slot back"
    again = trainer.get(url, stream=True, timeout=5)
    assert again.status_code == 200
    again.close()


def test_the_total_cap_leaves_threads_for_pages(
    app: Flask, waitress_server: str, engine: Engine, catalogues: Catalogues
) -> None:
    assert Limits().total <= serving.THREADS // 2 and Limits().per_trainer < Limits().total
    app.config["COACH_STREAM_TIMING"] = QUICK
    deps_of(app).streams.slots.limits = Limits(per_trainer=4, total=3)
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    trainer = http_login(waitress_server)
    url = f"{waitress_server}/werkateliers/{ident}/stream?view=live"
    streams = [trainer.get(url, stream=True, timeout=5) for _ in range(4)]
    try:
        assert [r.status_code for r in streams] == [200, 200, 200, 429]
        assert "te veel live-pagina's" in streams[3].text
    finally:
        for response in streams:
            response.close()


def test_a_stream_gives_its_slot_back_at_its_end_and_at_logout(
    app: Flask, client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    login(client)
    slots = deps_of(app).streams.slots
    for _ in range(6):  # more than the cap: each once-stream ends and gives its slot back
        response = client.get(f"/werkateliers/{ident}/stream?view=live&once=1")
        assert response.status_code == 200 and b"event: snapshot" in response.data
    assert slots.count() == 0
    app.config["COACH_STREAM_TIMING"] = Timing(poll=0.01, heartbeat=0.05, lifetime=0.2)
    short = client.get(f"/werkateliers/{ident}/stream?view=live")
    assert short.data.startswith(b"retry: "), "ends after its lifetime"
    assert slots.count() == 0
    app.config["COACH_STREAM_TIMING"] = Timing(poll=0.01, heartbeat=0.05, lifetime=60)
    open_stream = client.get(f"/werkateliers/{ident}/stream?view=live", buffered=False)
    chunks = iter(open_stream.response)
    next(chunks)
    assert slots.count() == 1
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    ended = list(chunks)  # the login is checked again while the stream runs
    assert all(isinstance(c, bytes) for c in ended) and slots.count() == 0


def test_slots_and_held_bodies() -> None:
    slots = Slots(Limits(per_trainer=2, total=3))
    backs = [slots.take(1), slots.take(1), slots.take(2)]
    with pytest.raises(Full, match="2 live-pagina's"):
        slots.take(1)
    with pytest.raises(Full, match="te veel"):
        slots.take(3)
    backs[0]()
    backs[0]()  # twice is once
    assert slots.count(1) == 1 and slots.count() == 2
    body = Held(iter(["a", "b"]), slots.take(3))
    assert slots.count() == 3
    body.close()  # closed before it ever started
    assert slots.count() == 2
    body = Held(iter(["a"]), slots.take(3))
    assert list(body) == ["a"] and slots.count() == 2


def test_the_page_shows_why_its_stream_was_refused(
    app: Flask,
    live_server: str,
    page: Page,
    engine: Engine,
    catalogues: Catalogues,
    request: pytest.FixtureRequest,
) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    with artifact_on_failure(page, request.node.name):
        log_in(page, live_server)
        expect(page.get_by_role("heading", name="Oefensessies")).to_be_visible()
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        url = f"{live_server}/werkateliers/{ident}/stream?view=live"
        held = [requests.get(url, cookies=cookies, stream=True, timeout=5) for _ in range(4)]
        try:
            assert [r.status_code for r in held] == [200] * 4
            page.goto(f"{live_server}/werkateliers/{ident}/beamer")
            status = page.locator("#verbinding")
            expect(status).to_contain_text("Je hebt al 4 live-pagina's of beamers open")
            expect(status).to_have_class("verbinding kwijt")
        finally:
            for response in held:
                response.close()
