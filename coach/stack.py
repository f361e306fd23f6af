"""Start and stop the servers behind a client: actions, Rasa, and for `serve` the rest.

`coach chat`, `coach play`, `coach serve`, the tests and the benchmark all use
this, so the servers are started the same way everywhere: on loopback, with
their logs under var/log/, and stopped cleanly when the client is done.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml
from sqlalchemy.engine import make_url

from coach.processes import (
    STOP_GRACE,
    Ticker,
    python,
    quiet_env,
    say,
    shielded,
    spawn,
    stop_groups,
)
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.settings import Settings

LABELS = {
    "rasa": "de Rasa-server",
    "actions": "de actieserver",
    "dashboard": "het reviewdashboard",
    "bot": "de Telegram-bot",
}


class StackError(RuntimeError):
    """A server did not start; the message says which and where its log is."""


@dataclass
class Server:
    name: str
    args: list[str]
    health_url: str | None  # None: ready once running (the bot serves no HTTP of its own)
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    def start(self, cwd: Path) -> None:
        stop_groups([self.proc])  # what is left of an earlier run, and forget it
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log, shielded():
            # Shielded: a signal cannot fall between the start and self.proc, so a server
            # that exists is always one this stack stops.
            self.proc = spawn(
                self.args, cwd=cwd, env=quiet_env(self.env), stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ready(self) -> bool:
        if self.health_url is None:
            return self.alive()
        try:
            response = requests.get(self.health_url, timeout=2)
        except requests.RequestException:
            return False
        if response.status_code != 200:
            return False
        if self.name == "rasa":  # the practice channel answers once the model is loaded
            return bool(response.json().get("ready"))
        return True

    def stop(self, timeout: float = STOP_GRACE) -> None:
        stop_groups([self.proc], grace=timeout)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


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


def endpoints_file(settings: Settings) -> Path:
    """An endpoints.yml pointing Rasa at this stack's action server port."""
    path = settings.var_dir / "run" / f"endpoints-{settings.rasa_port}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    base = yaml.safe_load((settings.root / "endpoints.yml").read_text(encoding="utf-8")) or {}
    base["action_endpoint"] = {"url": settings.action_url}
    # Conversations live in a database, not in the Rasa process, so a practice
    # session survives a restart of the Rasa server.
    base["tracker_store"] = tracker_store_config(settings.database_url)
    path.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    return path


class Stack:
    """The action server and the Rasa server for one model, on loopback."""

    def __init__(self, settings: Settings, model: Path, front_ends: bool = False) -> None:
        """front_ends: also the dashboard and (with a token) the bot, as `coach serve` runs."""
        self.settings = settings
        self.model = model
        logs = settings.log_dir
        # Children read their settings from the environment, as this process did.
        shared = {
            "DATABASE_URL": settings.database_url,
            "COACH_VAR_DIR": str(settings.var_dir),
            "RASA_PORT": str(settings.rasa_port),
            "ACTION_PORT": str(settings.action_port),
        }
        self.actions = Server(
            "actions",
            [python(), "-m", "rasa_sdk", "--actions", "actions"]
            + ["--port", str(settings.action_port)],
            f"http://{settings.host}:{settings.action_port}/health",
            logs / f"actions-{settings.action_port}.log",
            env={"SANIC_HOST": settings.host, **shared},
        )
        rasa_options = {
            "--interface": settings.host,
            "--port": str(settings.rasa_port),
            "--model": str(model),
            "--endpoints": str(endpoints_file(settings)),
            "--credentials": str(settings.root / "credentials.yml"),
        }
        self.rasa = Server(
            "rasa",
            [python(), "-m", "rasa", "run", *(w for pair in rasa_options.items() for w in pair)],
            f"{settings.rasa_url}/webhooks/coach/",
            logs / f"rasa-{settings.rasa_port}.log",
            # Rasa's HTTP API stays off; clients hold this token for the practice channel.
            env={"COACH_CHANNEL_TOKEN": channel_token(settings), **shared},
        )
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
        return (self.actions, self.rasa, *self.front_ends)

    @property
    def stages(self) -> list[list[Server]]:
        """The servers in the order they start: the back end together, then each front end."""
        return [[self.actions, self.rasa], *([server] for server in self.front_ends)]

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
        names = " en ".join(LABELS[s.name] for s in dead)
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
        with Ticker("Rasa laadt nog", every=10.0):
            pending = list(servers)
            while pending:
                for server in list(pending):
                    if not server.alive():
                        self.stop()
                        raise StackError(
                            f"{LABELS[server.name][0].upper()}{LABELS[server.name][1:]} stopte "
                            "tijdens het starten. "
                            f"Laatste regels van {server.log_path}:\n{server.log_tail()}"
                        )
                    if server.ready():
                        pending.remove(server)
                if time.monotonic() - started > self.settings.startup_timeout:
                    self.stop()
                    raise StackError(
                        f"De servers waren na {self.settings.startup_timeout:.0f} s nog niet "
                        f"klaar. Zie de logs in {self.settings.log_dir}."
                    )
                time.sleep(0.5)
        return time.monotonic() - started

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
