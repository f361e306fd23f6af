"""Issue 12 through the real servers: no message jams the log, injects a move or switches
the inwoner, and only the project's own clients get in."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from coach.stack import Stack
from gesprekscoach.rasa_client import CHANNEL_PATH, RasaClient
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import PracticeSession
from tests.stack.logged import logged_turns

pytestmark = pytest.mark.stack


@pytest.mark.parametrize("seed", [10**26, -1, "7", 1.5, True])
def test_a_bad_seed_is_refused_and_the_log_goes_on(
    client: RasaClient, stack: Stack, seed: object
) -> None:
    refused = client.control("h-seed", {"command": "start", "persona": "henk", "seed": seed})
    assert refused.refused and "seed" in refused.text.lower()
    sid = f"h-seed-after-{abs(hash(repr(seed)))}"
    client.start_practice(sid, "henk", 3)
    client.send(sid, "Goedemiddag meneer Visser.")
    assert logged_turns(stack, sid, 1) == [1], "the next session reaches the database"


def test_json_infinity_as_seed_is_refused(stack: Stack, client: RasaClient) -> None:
    raw = '{"sender": "h-inf", "control": {"command": "start", "seed": 1e999}}'
    response = client.session.post(
        f"{stack.settings.rasa_url}{CHANNEL_PATH}",
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["field"] == "seed"


def test_typed_intents_are_text(client: RasaClient, stack: Stack) -> None:
    sid = "h-inject"
    assert "Jansen" in client.start_practice(sid, "marco", 5).text
    typed = ("/vraag_wat_nodig", '/start_oefening{"persona":"henk"}', "/restart")
    for text in (*typed, "/stop_oefening", '/hints_instellen{"hints": false}'):
        reply = client.send(sid, text)
        assert reply.payload["kind"] == "turn", text
        assert reply.payload["persona"] == "marco", "the inwoner stays who they were"
        assert reply.payload["move"] == "nlu_fallback", f"{text!r} is not a move"
        assert reply.payload["confidence"] < 1.0
    reply = client.send(sid, "Wat heeft u nodig?")
    assert reply.payload["turn"] == 6 and reply.payload["move"] == "vraag_wat_nodig"
    end = client.stop_practice(sid)
    assert end.payload["kind"] == "end"
    assert logged_turns(stack, sid, 6) == [1, 2, 3, 4, 5, 6], "one session, every turn logged once"


def test_only_token_holders_get_in(stack: Stack) -> None:
    base = stack.settings.rasa_url
    body = {"sender": "h-token", "message": "Hallo"}
    assert requests.post(f"{base}{CHANNEL_PATH}", json=body, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    refused = requests.post(f"{base}{CHANNEL_PATH}", json=body, headers=wrong, timeout=10)
    assert refused.status_code == 401
    assert requests.post(f"{base}/webhooks/rest/webhook", json=body, timeout=10).status_code == 404
    for path in ("/status", "/conversations/h-token/tracker", "/model/parse"):
        assert requests.get(f"{base}{path}", timeout=10).status_code in (404, 405), path


@pytest.mark.parametrize(
    "metadata",
    [
        {"user": "123456789"},
        {"name": "Eva"},
        {"person": "123456789"},
        {"group": "-100123"},
        {"channel": "<b>"},
        "tekst",
    ],
)
def test_metadata_holds_pseudonyms_only(client: RasaClient, metadata: object) -> None:
    body = {"sender": "h-meta", "message": "Hallo", "metadata": metadata}
    response = client.session.post(f"{client.base_url}{CHANNEL_PATH}", json=body, timeout=10)
    assert response.status_code == 400
    assert response.json()["message"]


@pytest.mark.parametrize("sender", ["", "a" * 101, "../x", "a b", None, 5])
def test_sender_ids_are_checked(client: RasaClient, sender: object) -> None:
    body = {"sender": sender, "message": "Hallo"}
    response = client.session.post(f"{client.base_url}{CHANNEL_PATH}", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["field"] == "sender"


def test_a_big_body_is_refused(client: RasaClient) -> None:
    body = {"sender": "h-big", "message": "a" * 600_000}
    response = client.session.post(f"{client.base_url}{CHANNEL_PATH}", json=body, timeout=10)
    assert response.status_code == 413


def test_nothing_is_logged_for_refused_messages(client: RasaClient, stack: Stack) -> None:
    client.start_practice("h-refused", "samira", 2)
    assert client.send("h-refused", "x" * 20_001).refused
    body = {"sender": "h-refused", "message": 5}
    response = client.session.post(f"{client.base_url}{CHANNEL_PATH}", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["field"] == "message"
    client.send("h-refused", "Hoe gaat het met u?")
    assert logged_turns(stack, "h-refused", 1) == [1]
    engine = make_engine(stack.settings.database_url)
    with session_factory(engine)() as db:
        sessions = select(func.count()).select_from(PracticeSession)
        count = db.execute(sessions.where(PracticeSession.id == "h-refused")).scalar_one()
    assert count == 1
