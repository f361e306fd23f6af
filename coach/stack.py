"""Start and stop the servers behind a client: actions, Rasa, and for `serve` the rest.

`coach chat`, `coach play`, `coach serve`, the tests and the benchmark all use
this, so the servers are started the same way everywhere: on loopback, with
their logs under var/log/, and stopped cleanly when the client is done.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from sqlalchemy.engine import make_url

from coach.lockstore import (
    lock_store_config,
    plan_lock_store,
    redacted,
    redis_binary,
    redis_server,
)
from coach.processes import python, say, stop_groups
from coach.servers import Server, StackError, wait_ready
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.settings import Settings


def tracker_store_config(database_url: str) -> dict[str, object]:
    """Rasa's SQL tracker store in the same database as the session log."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    # Rasa's SQL store, but one that owns up to failures (coach_channel.tracker_store).
    config: dict[str, object] = {
        "type": "coach_channel.tracker_store.CoachTrackerStore",
        "dialect": backend,
        "db": url.database,
    }
    if backend == "sqlite":
        # A locked database: give up after 2 s (the client keeps the message), not 5 x 3.
        config["query"] = {"timeout": "2"}
    else:
        # Rasa calls the host "url" in its SQL tracker store settings.
        config.update(
            {
                "url": url.host or "127.0.0.1",
                "port": url.port or 5432,
                "username": url.username,
                "password": url.password,
            }
        )
    return config


def endpoints_file(
    settings: Settings,
    redis_url: str | None = None,
    action_url: str | None = None,
    port: int | None = None,
) -> Path:
    """An endpoints.yml for one Rasa server: its action server, tracker store and lock store.

    redis_url: lock with Redis (None: Rasa's in-memory lock, one process only).
    """
    port = port or settings.rasa_port
    path = settings.var_dir / "run" / f"endpoints-{port}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    base = yaml.safe_load((settings.root / "endpoints.yml").read_text(encoding="utf-8")) or {}
    base["action_endpoint"] = {"url": action_url or settings.action_url}
    # Conversations live in a database, not in the Rasa process, so a practice
    # session survives a restart of the Rasa server.
    base["tracker_store"] = tracker_store_config(settings.database_url)
    if redis_url:
        base["lock_store"] = lock_store_config(redis_url)
    path.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    return path


def shared_env(settings: Settings) -> dict[str, str]:
    """Children read their settings from the environment, as this process did."""
    return {
        "DATABASE_URL": settings.database_url,
        "COACH_VAR_DIR": str(settings.var_dir),
        "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port),
    }


def action_server(settings: Settings, port: int, workers: int = 1) -> Server:
    """The Rasa SDK action server running actions/, with `workers` Sanic workers."""
    return Server(
        "actions",
        [python(), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        f"http://{settings.host}:{port}/health",
        settings.log_dir / f"actions-{port}.log",
        env={
            "SANIC_HOST": settings.host,
            "ACTION_SERVER_SANIC_WORKERS": str(workers),
            **shared_env(settings),
        },
    )


def rasa_server(
    settings: Settings, model: Path, port: int, endpoints: Path, workers: int = 1
) -> Server:
    """`rasa run` with the practice channel (API off), with `workers` Sanic workers."""
    options = {
        "--interface": settings.host,
        "--port": str(port),
        "--model": str(model),
        "--endpoints": str(endpoints),
        "--credentials": str(settings.root / "credentials.yml"),
    }
    return Server(
        "rasa",
        [python(), "-m", "rasa", "run", *(w for pair in options.items() for w in pair)],
        f"http://{settings.host}:{port}/webhooks/coach/",
        settings.log_dir / f"rasa-{port}.log",
        # Rasa's HTTP API stays off; clients hold this token for the practice channel.
        env={
            "COACH_CHANNEL_TOKEN": channel_token(settings),
            "SANIC_WORKERS": str(workers),
            **shared_env(settings),
        },
        workers=workers,
    )


class Stack:
    """The action server and the Rasa server for one model, on loopback.

    workers > 1: that many Sanic workers in each, locking conversations in Redis
    (REDIS_URL, or a Redis this stack starts).
    """

    def __init__(
        self, settings: Settings, model: Path, front_ends: bool = False, workers: int = 1
    ) -> None:
        """front_ends: also the dashboard and (with a token) the bot, as `coach serve` runs."""
        self.settings = settings
        self.model = model
        self.workers = workers
        planned = plan_lock_store(settings, workers)  # refuses N > 1 without a shared lock
        self.redis: Server | None = None
        self.redis_url = planned
        if planned == "":
            self.redis, self.redis_url = redis_server(settings)
        logs = settings.log_dir
        shared = shared_env(settings)
        self.actions = action_server(settings, settings.action_port, workers)
        endpoints = endpoints_file(settings, self.redis_url)
        self.rasa = rasa_server(settings, model, settings.rasa_port, endpoints, workers)
        self.front_ends: list[Server] = []
        if front_ends:
            port = str(settings.review_port)
            self.front_ends.append(
                Server(
                    "dashboard",
                    [python(), "-m", "dashboard", "--host", settings.host, "--port", port],
                    f"http://{settings.host}:{port}/login",
                    logs / f"dashboard-{port}.log",
                    env=shared,
                )
            )
            if settings.telegram_token:
                self.front_ends.append(
                    Server("bot", [python(), "-m", "bot"], None, logs / "bot.log", env=shared)
                )
        self.ready_seconds: float | None = None

    @property
    def servers(self) -> tuple[Server, ...]:
        own_redis = (self.redis,) if self.redis else ()
        return (*own_redis, self.actions, self.rasa, *self.front_ends)

    @property
    def stages(self) -> list[list[Server]]:
        """The servers in the order they start: Redis, the back end together, each front end."""
        own_redis = [[self.redis]] if self.redis else []
        return [*own_redis, [self.actions, self.rasa], *([server] for server in self.front_ends)]

    def start(self) -> Stack:
        settings = self.settings
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        for server in self.servers:
            if server.ready():
                raise StackError(
                    f"Poort al in gebruik: er draait al iets op {server.health_url}. "
                    "Stop dat eerst, of kies andere poorten "
                    "(RASA_PORT, ACTION_PORT, REVIEW_PORT)."
                )
        from gesprekscoach.storage.migrate import upgrade

        say("==> De database bijwerken (migraties)...")
        upgrade(settings.database_url)
        if self.redis is not None:
            self.redis.args[0] = redis_binary(settings.root)
            folder = Path(self.redis.args[self.redis.args.index("--dir") + 1])
            folder.mkdir(parents=True, exist_ok=True)
            say(f"==> Lock store: Redis op {self.redis_url} (gestart voor {self.workers} workers)")
        elif self.redis_url:
            say(f"==> Lock store: Redis op {redacted(self.redis_url)}")
        say("==> De servers starten (Rasa laadt het model: 30-60 s)...")
        try:
            # In order, each ready before the next: the bot opens its menu to casemanagers
            # only when Rasa can answer them and the dashboard can show their sessions.
            self.ready_seconds = sum(self._start_and_wait(stage) for stage in self.stages)
            say(f"==> Klaar na {self.ready_seconds:.0f} s.")
        except BaseException:
            self.stop()  # a signal just after the servers were ready: still no server left
            raise
        return self

    def revive(self) -> bool:
        """Restart any server that died; True when all are ready again."""
        dead = [server for server in self.servers if not server.alive()]
        if not dead:
            return all(server.ready() for server in self.servers)
        names = " en ".join(s.title for s in dead)
        say(f"==> Niet meer bereikbaar: {names}. Opnieuw starten...")
        try:
            self._start_and_wait(dead)
        except StackError as exc:
            say(str(exc))
            return False
        return True

    def _start_and_wait(self, servers: list[Server]) -> float:
        started = time.monotonic()
        try:
            for server in servers:
                server.start(self.settings.root)
            return self._wait(servers, started)
        except BaseException:
            # Ctrl-C or SIGTERM while loading: no server may outlive us.
            self.stop()
            raise

    def _wait(self, servers: list[Server], started: float) -> float:
        s = self.settings
        return wait_ready(servers, started, s.startup_timeout, s.log_dir, "Rasa laadt nog")

    def stop(self) -> None:
        """All servers at once within STOP_GRACE, so SIGTERM to exit fits in 20 s."""
        # Rasa is told first, so it stops taking messages before the action server goes.
        stop_groups([server.proc for server in reversed(self.servers)])

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:  # a signal between start() and the with block taking over
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
