"""`coach cluster up` for real: two Rasa replicas and two action servers behind a real nginx,
one Redis and one PostgreSQL of this test's own, the Telegram bot in webhook mode behind the
balancer (against the loopback fake Bot API).

One cluster for the whole file (starting one costs a minute or more on two cores), so the
tests run in order: PostgreSQL stopped and started again, then a replica killed, last.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import text

from bot import texts
from bot.app import Webhook
from coach.cluster import Cluster
from coach.lockstore import KEY_PREFIX
from coach.servers import Server
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.rasa_client import RasaClient, parse_messages
from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.service import spool_path
from tests.conftest import ROOT, free_port
from tests.stack.concurrent import (
    QUESTIONS,
    Sent,
    assert_one_at_a_time_in_order,
    post,
    tracker_texts,
)
from tests.stack.logged import logged_texts
from tests.telegram.fake_bot_api import FakeBotAPI

pytestmark = pytest.mark.stack
TOKEN = "123:ABC"
WEBHOOK = "https://coach.example.nl/telegram"
TEXTS = ("sendMessage", "editMessageText")


@dataclass
class OwnPostgres:
    """A PostgreSQL server of this file alone (scripts/postgres.sh on its own port and
    folder), so stopping it never touches the shared test server."""

    port: int
    folder: Path
    url: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "COACH_PG_PORT": str(self.port),
            "COACH_PG_DIR": str(self.folder),
            "COACH_PG_DB": "cluster_test",
        }

    def start(self) -> str:
        command = ["bash", str(ROOT / "scripts" / "postgres.sh")]
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=300, check=True
        )
        self.url = done.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self, mode: str = "fast") -> None:
        pg_ctl = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
        args = [pg_ctl, "-D", str(self.folder), "-m", mode, "-w", "stop"]
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *args]
        subprocess.run(args, capture_output=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    port = free_port()
    server = OwnPostgres(port, Path(f"/tmp/gesprekscoach-pg-cluster-{port}"))
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


@pytest.fixture(scope="module")
def cluster(
    own_postgres: OwnPostgres,
    fake_api: FakeBotAPI,
    model: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    env = {
        **os.environ,
        "DATABASE_URL": own_postgres.url,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "COACH_VAR_DIR": str(tmp_path_factory.mktemp("cluster")),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake_api.base_url,
        "TELEGRAM_WEBHOOK_URL": WEBHOOK,
    }
    env.pop("REDIS_URL", None)  # as on a fresh machine: the cluster starts its own Redis
    with Cluster(load_settings(env), model, replicas=2, bot=True) as running:
        yield running


def base_url(server: Server) -> str:
    return server.health_url.split("/webhooks/")[0] if server.health_url else ""


def channel_upstreams(cluster: Cluster) -> list[str]:
    """Which server(s) answered each practice message, from nginx's access log."""
    log = cluster.settings.log_dir / f"balancer-access-{cluster.plan.public_port}.log"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    found = [line for line in lines if " /webhooks/coach/webhook " in line]
    return [line.split("upstream=")[1].split(" status=")[0] for line in found]


def test_the_cluster_runs_behind_nginx_with_its_own_redis_and_postgresql(
    cluster: Cluster, own_postgres: OwnPostgres
) -> None:
    assert cluster.balancer.alive() and len(cluster.replicas) == 2 and len(cluster.actions) == 2
    assert cluster.redis is not None and cluster.redis.alive(), "a Redis of its own"
    assert cluster.database_url == own_postgres.url
    assert cluster.ready_seconds is not None
    health = requests.get(f"{cluster.url}/webhooks/coach/", timeout=10)
    assert health.ok and health.json()["ready"], "the practice channel answers via nginx"
    login = requests.get(f"{cluster.url}/login", timeout=10)
    assert login.status_code == 200 and "<form" in login.text, "the dashboard, via nginx"
    lines = "\n".join(cluster.addresses())
    assert cluster.url in lines and "Rasa-replica 2" in lines and "PostgreSQL" in lines


def test_one_conversation_through_the_balancer_ends_with_a_report(cluster: Cluster) -> None:
    client = RasaClient.for_settings(cluster.settings, metadata={"channel": "terminal"})
    assert client.base_url == cluster.url, "the settings' Rasa address is the balancer"
    before = len(channel_upstreams(cluster))
    client.start_practice("c-talk", "henk", seed=1)
    texts_sent = ["Goedemiddag meneer Visser.", "Hoe gaat het nu met u?", "Wat heeft u nodig?"]
    numbers = [client.send("c-talk", t).payload["turn"] for t in texts_sent]
    assert numbers == [1, 2, 3]
    end = client.stop_practice("c-talk")
    assert end.payload["kind"] == "end" and end.payload.get("report"), "a report at the end"
    assert_one_at_a_time_in_order(cluster.database_url, "c-talk", texts_sent)
    served = set(channel_upstreams(cluster)[before:])
    replicas = {f"127.0.0.1:{port}" for port in cluster.plan.replicas}
    assert served == replicas, "nginx sent the conversation's messages to both replicas"


def test_telegram_reaches_the_bot_through_the_balancer(
    cluster: Cluster, fake_api: FakeBotAPI
) -> None:
    assert fake_api.webhook is not None and fake_api.webhook["url"] == WEBHOOK
    secret = Webhook.for_token(TOKEN, WEBHOOK, "127.0.0.1", 0).secret
    url = f"{cluster.url}/telegram"
    chat = 5151

    def deliver(update: dict[str, Any]) -> None:
        """What Telegram does: post the update to the public address, with the secret."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        assert requests.post(url, json=update, headers=headers, timeout=30).status_code == 200

    def said(needle: str, timeout: float = 60) -> bool:
        """The bot sent or edited a message to the chat with this text."""

        def found(calls: list[dict[str, Any]]) -> bool:
            written = [c["params"].get("text", "") for c in calls if c["method"] in TEXTS]
            return any(needle in str(line) for line in written)

        return fake_api.wait_for(lambda _: found(fake_api.sent(chat)), timeout)

    refused = requests.post(url, json=fake_api.text_update(chat, "/start"), timeout=30)
    assert refused.status_code == 403, "without Telegram's secret the bot refuses"
    deliver(fake_api.text_update(chat, "/start"))
    assert said("Doe je mee?")
    deliver(fake_api.push_callback(chat, "consent:ja"))
    assert said(texts.CHOOSE)
    deliver(fake_api.push_callback(chat, "persona:henk"))
    assert said("Je oefent met Henk")
    # The inwoner's opening came from Rasa, which the bot reaches through the balancer too.
    opened = lambda _: not fake_api.messages(chat)[-1].startswith("Je oefent")  # noqa: E731
    assert fake_api.wait_for(opened, 60)
    count = len(fake_api.messages(chat))
    deliver(fake_api.text_update(chat, "Hoe gaat het met u, meneer Visser?"))
    assert fake_api.wait_for(lambda _: len(fake_api.messages(chat)) > count, 60)


def send_while_queued(
    cluster: Cluster, targets: list[str], sender: str, lines: tuple[str, ...]
) -> tuple[list[Sent], int]:
    """Each message to the next target as soon as the one before holds its lock ticket.

    Not send_at_once's fixed 30 ms: a replica busy with a turn reads a new request only
    when its event loop is free, so a message sent 30 ms later to the other replica may
    really arrive first. Waiting for the ticket (in Redis) makes the arrival order the
    sending order while the messages still queue behind each other. Returns what was
    sent and the most tickets seen waiting at once.
    """
    token = channel_token(cluster.settings)
    red = redis.Redis.from_url(cluster.redis_url)
    key = f"{KEY_PREFIX}:lock:{sender}"
    sent = [Sent(line) for line in lines]
    done = [threading.Event() for _ in lines]

    def tickets() -> set[str]:
        raw = red.get(key)
        return set(json.loads(raw)["tickets"]) if raw else set()

    def one(i: int) -> None:
        answer = post(targets[i % len(targets)], token, sender, {"message": lines[i]})
        sent[i].status = answer.status_code
        if answer.ok:
            sent[i].reply = parse_messages(answer.json()).text
        done[i].set()

    seen, most = tickets(), 0
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(lines))]
    for i, thread in enumerate(threads):
        thread.start()
        deadline = time.monotonic() + 30
        while not done[i].is_set() and time.monotonic() < deadline:
            now = tickets()
            most = max(most, len(now))
            if now - seen:  # a ticket not there before: this message's
                seen |= now
                break
            time.sleep(0.002)
    for thread in threads:
        thread.join(timeout=120)
    red.close()
    return sent, most


def test_one_conversation_sent_at_once_to_both_replicas_and_the_balancer(
    cluster: Cluster,
) -> None:
    token = channel_token(cluster.settings)
    sender = "c-burst"
    start = {"command": "start", "persona": "henk", "seed": 3}
    assert post(cluster.url, token, sender, {"control": start}).ok
    targets = [base_url(cluster.replicas[0]), base_url(cluster.replicas[1]), cluster.url]
    sent, most = send_while_queued(cluster, targets, sender, QUESTIONS)
    assert [s.status for s in sent] == [200] * len(QUESTIONS)
    assert all(s.reply for s in sent)
    assert most >= 3, "the messages were in flight at once, waiting for each other"
    assert_one_at_a_time_in_order(cluster.database_url, sender, QUESTIONS)


def waiting_on_a_lock(url: str, timeout: float = 30) -> bool:
    """A query of the cluster waits for a table lock (seen from another connection)."""
    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                ).scalar_one()
            if waiting:
                return True
            time.sleep(0.05)
        return False
    finally:
        engine.dispose()


def test_postgresql_down_mid_turn_refuses_spools_and_catches_up(
    cluster: Cluster, own_postgres: OwnPostgres
) -> None:
    """The outage comes after the turn was read and before it was logged: the moment a
    session log write can get lost. A lock on the turns table holds the write there."""
    token = channel_token(cluster.settings)
    sender, first, message = "c-pg", "Hoe gaat het nu met u?", "Wat heeft u nodig?"
    start = {"command": "start", "persona": "henk", "seed": 1}
    assert post(cluster.url, token, sender, {"control": start}).ok
    assert post(cluster.url, token, sender, {"message": first}).ok
    spool = spool_path(cluster.settings)
    assert not spool.exists()
    body = {"message": message, "message_id": "c-pg-outage"}
    answer: list[requests.Response] = []
    holder = make_engine(cluster.database_url)
    conn = holder.connect()
    try:
        conn.begin()
        conn.execute(text("LOCK TABLE turns IN ACCESS EXCLUSIVE MODE"))
        sending = threading.Thread(
            target=lambda: answer.append(post(cluster.url, token, sender, body))
        )
        sending.start()
        assert waiting_on_a_lock(cluster.database_url), "the turn's log write waits"
        own_postgres.stop("fast")  # the outage: every connection goes, the lock with it
        sending.join(timeout=120)
    finally:
        with contextlib.suppress(Exception):
            conn.close()
        holder.dispose()
    try:
        assert answer and answer[0].status_code == 503, "refused, not answered"
        assert answer[0].json()["error"] == "storage"
        deadline = time.monotonic() + 30
        while not spool.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert spool.exists() and message in spool.read_text(encoding="utf-8"), "spooled"
    finally:
        own_postgres.start()
    # Nothing half-stored: neither the tracker nor the session log has the refused turn yet.
    stored = tracker_texts(cluster.database_url, sender)
    assert [t for t in stored if not t.startswith("/")] == [first]
    assert [t for _, t in logged_texts(cluster.database_url, sender, want=1)] == [first]
    again = post(cluster.url, token, sender, body)
    deadline = time.monotonic() + 60
    while again.status_code in (502, 503, 504) and time.monotonic() < deadline:
        time.sleep(1)  # what the client does: the same message, the same id, again
        again = post(cluster.url, token, sender, body)
    assert again.ok, again.text
    assert parse_messages(again.json()).payload["turn"] == 2, "the next turn, once"
    assert_one_at_a_time_in_order(cluster.database_url, sender, [first, message])
    deadline = time.monotonic() + 30
    while spool.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not spool.exists(), "the spool was replayed"


def test_a_replica_killed_mid_conversation_loses_no_message(cluster: Cluster) -> None:
    killed = cluster.replicas[0]
    senders = ["c-kill-1", "c-kill-2", "c-kill-3"]
    lines = [f"{q} ({n})" for n, q in enumerate(QUESTIONS[:8], 1)]
    answered: dict[str, list[int]] = {s: [] for s in senders}
    errors: list[BaseException] = []
    before = len(channel_upstreams(cluster))

    def talk(sender: str) -> None:
        client = RasaClient.for_settings(cluster.settings)  # as a chat does: retries included
        try:
            client.start_practice(sender, "samira", seed=5)
            for line in lines:  # no pause: most of the time each replica has one in hand
                answered[sender].append(client.send(sender, line).payload["turn"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=talk, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while sum(map(len, answered.values())) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert killed.pid is not None
    os.killpg(killed.pid, signal.SIGKILL)  # mid-conversation: messages are in flight
    for thread in threads:
        thread.join(timeout=240)
    assert not killed.alive() and cluster.replicas[1].alive()
    assert not errors, f"every message answered: {errors!r}"
    for sender in senders:
        assert answered[sender] == list(range(1, len(lines) + 1)), "numbered without a gap"
        assert_one_at_a_time_in_order(cluster.database_url, sender, lines)
    dead = f"127.0.0.1:{cluster.plan.replicas[0]}"
    after = channel_upstreams(cluster)[before:]
    assert any(u.startswith(dead + ", ") for u in after), "nginx moved a message on"
    assert after[-1] == f"127.0.0.1:{cluster.plan.replicas[1]}", "the rest went on replica 2"
