"""Sending the messages of one conversation at once, and checking what was kept.

Used by the workers test and the cluster test: the messages go out with a
small stagger (their arrival order) to several servers or workers, and
afterwards the tracker and the session log must hold each of them exactly
once, in that order.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import requests
from sqlalchemy import text

from gesprekscoach.rasa_client import CHANNEL_PATH
from gesprekscoach.storage.db import make_engine
from tests.stack.logged import logged_texts

QUESTIONS = (
    "Hoe gaat het nu met u?",
    "Wat vindt u het lastigst op dit moment?",
    "Hoe gaat het met uw vrouw?",
    "Wie helpt u thuis met de post?",
    "Wat heeft u nodig om dit goed te regelen?",
    "Hoe ziet een gewone dag er voor u uit?",
    "Wat zou u helpen bij de aanvraag?",
    "Hoe was het werk vroeger?",
    "Wat maakt u nu het meest zorgen?",
    "Wie kan er met u meekijken?",
)


@dataclass
class Sent:
    text: str
    status: int = 0
    reply: str = ""


def post(base_url: str, token: str, sender: str, body: dict[str, object]) -> requests.Response:
    return requests.post(
        f"{base_url}{CHANNEL_PATH}",
        json={"sender": sender, "message_id": uuid.uuid4().hex, **body},
        headers={"Authorization": f"Bearer {token}", "Connection": "close"},
        timeout=120,
    )


def send_at_once(
    base_urls: Sequence[str], token: str, sender: str, texts: Sequence[str], stagger: float = 0.03
) -> list[Sent]:
    """Each text in its own thread, `stagger` seconds apart, to the servers in turn."""
    sent = [Sent(t) for t in texts]

    def one(i: int) -> None:
        time.sleep(i * stagger)
        answer = post(base_urls[i % len(base_urls)], token, sender, {"message": texts[i]})
        sent[i].status = answer.status_code
        if answer.ok:
            sent[i].reply = " ".join(m.get("text", "") for m in answer.json())

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return sent


def tracker_texts(database_url: str, sender: str) -> list[str]:
    """The user messages in Rasa's tracker store, in the order they were stored."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' "
                    "ORDER BY id"
                ),
                {"s": sender},
            ).scalars()
            return [json.loads(row)["text"] for row in rows]
    finally:
        engine.dispose()


def assert_one_at_a_time_in_order(
    database_url: str, sender: str, texts: Sequence[str], before: int = 0
) -> None:
    """Tracker and session log hold each text once, in arrival order, after `before` turns."""
    in_tracker = [t for t in tracker_texts(database_url, sender) if not t.startswith("/")]
    assert in_tracker[before:] == list(texts), "tracker: each message once, in arrival order"
    logged = logged_texts(database_url, sender, want=before + len(texts))
    assert [n for n, _ in logged] == list(range(1, before + len(texts) + 1)), "turn numbers"
    assert [t for _, t in logged][before:] == list(texts), "session log: once each, in order"
