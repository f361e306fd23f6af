"""What the benchmark compares, side by side in one run.

- stock: an out-of-the-box `rasa init` assistant (one process, in-memory
  tracker and lock), on REST;
- ours-1: our stack as `coach serve` runs it, one Rasa and one action-server
  process;
- ours-2: `coach serve --workers 2`, locking conversations in Redis;
- cluster: `coach cluster up`, two replicas and two action servers behind
  nginx, one Redis.

Ours run on PostgreSQL (a fresh database each), as a production
installation does; the session log and Rasa's trackers share it.
"""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.load import Endpoint
from bench.reference import ReferenceBot
from coach.processes import free_port
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.storage.db import make_engine

TARGETS = ("stock", "ours-1", "ours-2", "cluster")
LABELS = {
    "stock": "rasa init (stock)",
    "ours-1": "ours, 1 worker",
    "ours-2": "ours, 2 workers",
    "cluster": "ours, cluster",
}


@dataclass
class Running:
    """A started target: where the load goes and which process groups to watch."""

    endpoint: Endpoint
    servers: dict[str, int | None]
    ready_seconds: float
    detail: str


def postgres_server(root: Path) -> str:
    """The loopback PostgreSQL of scripts/postgres.sh (installed and started when missing)."""
    done = subprocess.run(
        ["bash", str(root / "scripts" / "postgres.sh")],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[str]:
    """An empty database for one target, dropped afterwards."""
    database = f"bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(str(make_url(server_url).set(database="postgres")))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        yield str(make_url(server_url).set(database=database))
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def settings_for(base: Settings, tmp: Path, name: str, database_url: str) -> Settings:
    env = {
        "COACH_HOME": str(base.root),
        "COACH_MODEL_DIR": str(base.model_dir),
        "COACH_VAR_DIR": str(tmp / name),
        "DATABASE_URL": database_url,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "REVIEW_PORT": str(free_port()),
        "COACH_CHANNEL_TOKEN": base.channel_token or uuid.uuid4().hex,
        "COACH_STARTUP_TIMEOUT": str(int(base.startup_timeout)),
    }
    return load_settings(env)


@contextlib.contextmanager
def stock(
    tmp: Path, base: Settings, time_training: bool, figures: dict[str, float]
) -> Iterator[Running]:
    bot = ReferenceBot(tmp / "initbot", base.log_dir, free_port(), base.startup_timeout)
    try:
        figures["init_seconds"] = round(bot.create(), 1)
        if time_training:
            figures["train_seconds"] = round(bot.train(), 1)
        ready = bot.start()
        yield Running(Endpoint.rest_channel(bot.url), {"rasa": bot.pid}, ready, "1 process")
    finally:
        bot.stop()


@contextlib.contextmanager
def ours(settings: Settings, model: Path, workers: int) -> Iterator[Running]:
    from coach.stack import Stack

    with Stack(settings, model, workers=workers) as stack:
        servers = {"rasa": stack.rasa.pid, "actions": stack.actions.pid}
        if stack.redis is not None:
            servers["redis"] = stack.redis.pid
        yield Running(
            Endpoint.coach(settings.rasa_url, channel_token(settings)),
            servers,
            stack.ready_seconds or 0.0,
            f"{workers} Rasa + {workers} action-server worker(s), PostgreSQL"
            + (", Redis lock" if stack.redis_url else ""),
        )


@contextlib.contextmanager
def cluster(settings: Settings, model: Path) -> Iterator[Running]:
    from coach.cluster import Cluster

    with Cluster(settings, model, replicas=2) as running:
        servers: dict[str, int | None] = {}
        for i, server in enumerate(running.replicas, 1):
            servers[f"rasa-{i}"] = server.pid
        for i, server in enumerate(running.actions, 1):
            servers[f"actions-{i}"] = server.pid
        servers["nginx"] = running.balancer.pid
        if running.redis is not None:
            servers["redis"] = running.redis.pid
        yield Running(
            Endpoint.coach(running.url, channel_token(settings)),
            servers,
            running.ready_seconds or 0.0,
            "2 Rasa replicas + 2 action servers behind nginx, Redis lock, PostgreSQL",
        )
