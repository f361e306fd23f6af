"""`coach serve --workers 2` through the real stack: two Rasa workers and two action-server
workers on PostgreSQL, locking conversations in the Redis the stack starts itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.stack import Stack
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.settings import load_settings
from tests.conftest import ROOT, free_port, fresh_postgres
from tests.stack.concurrent import QUESTIONS, assert_one_at_a_time_in_order, post, send_at_once

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def workers_stack(
    postgres_server: str, model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    env = {
        **os.environ,
        "DATABASE_URL": fresh_postgres(postgres_server),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "COACH_VAR_DIR": str(tmp_path_factory.mktemp("workers")),
    }
    env.pop("REDIS_URL", None)  # as on a fresh machine: the stack starts its own Redis
    with Stack(load_settings(env), model, workers=2) as stack:
        yield stack


def start(stack: Stack, sender: str) -> None:
    token = channel_token(stack.settings)
    control = {"command": "start", "persona": "henk", "seed": 3}
    assert post(stack.settings.rasa_url, token, sender, {"control": control}).ok


def test_two_workers_each_with_its_model_and_a_redis_of_its_own(workers_stack: Stack) -> None:
    assert workers_stack.redis is not None and workers_stack.redis.alive()
    assert workers_stack.rasa.workers == 2
    assert len(workers_stack.rasa._ready_workers) == 2, "both Rasa workers said ready"


def test_one_conversation_sent_at_once_is_handled_one_turn_at_a_time(
    workers_stack: Stack,
) -> None:
    settings = workers_stack.settings
    start(workers_stack, "w-burst")
    sent = send_at_once([settings.rasa_url], channel_token(settings), "w-burst", QUESTIONS)
    assert [s.status for s in sent] == [200] * len(QUESTIONS)
    assert all(s.reply for s in sent)
    assert_one_at_a_time_in_order(settings.database_url, "w-burst", QUESTIONS)


def test_a_message_sent_twice_is_handled_once(workers_stack: Stack) -> None:
    settings = workers_stack.settings
    token = channel_token(settings)
    start(workers_stack, "w-twice")
    body = {"message": "Wat zou u nu het meeste helpen?", "message_id": "same-message-1"}
    first = post(settings.rasa_url, token, "w-twice", body)
    again = post(settings.rasa_url, token, "w-twice", body)
    assert first.ok and again.ok and first.json() == again.json()
    assert_one_at_a_time_in_order(settings.database_url, "w-twice", [body["message"]])


def test_without_redis_a_message_is_refused_and_nothing_is_kept(workers_stack: Stack) -> None:
    settings = workers_stack.settings
    token = channel_token(settings)
    start(workers_stack, "w-redis")
    first = "Hoe gaat het met u?"
    assert post(settings.rasa_url, token, "w-redis", {"message": first}).ok
    assert workers_stack.redis is not None
    workers_stack.redis.stop()
    try:
        refused = post(settings.rasa_url, token, "w-redis", {"message": "Wat heeft u nodig?"})
        assert refused.status_code == 503
        assert refused.json()["error"] == "lock_store"
        assert (
            "Redis" in refused.json()["message"] and "niets opgeslagen" in refused.json()["message"]
        )
        assert_one_at_a_time_in_order(settings.database_url, "w-redis", [first])
    finally:
        workers_stack.redis.start(settings.root)
        workers_stack._wait([workers_stack.redis], started=time.monotonic())
    later = "Wat heeft u nodig?"
    assert post(settings.rasa_url, token, "w-redis", {"message": later}).ok
    assert_one_at_a_time_in_order(settings.database_url, "w-redis", [first, later])


def test_more_workers_with_the_in_memory_lock_store_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "COACH_LOCK_STORE": "memory", "COACH_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "coach.main", "serve", "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "lock store" in result.stderr and "Redis" in result.stderr
    assert "tegelijk" in result.stderr, "says what could go wrong"
