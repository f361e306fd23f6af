"""Two Rasa replicas behind nginx on one machine, sharing one Redis and one PostgreSQL.

`coach cluster up` and the cluster tests and benchmark run this: the layout of
docs/scaling.md on loopback. Every server is a child started through
coach.processes, so Ctrl-C or SIGTERM stops them all; nothing restarts by
itself (a killed replica stays dead and nginx sends its traffic to the other).

    casemanagers, Telegram, trainers
                  |
          nginx (settings.rasa_port) ---- /webhooks/coach/ --> Rasa replica 1, 2
                  |                  \\--- /telegram -------> the bot (webhook mode)
                  |                   \\-- / ---------------> the review dashboard
          nginx (settings.action_port) <-- the replicas' action calls
                  \\--> action server 1, 2
    Redis: the conversations' locks.  PostgreSQL: trackers and session log.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import socket
import subprocess
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from coach.cluster_config import (
    BalancerPlan,
    balancer_server,
    bot_path,
    check_config,
    nginx_binary,
)
from coach.lockstore import redacted, redis_binary, redis_server
from coach.processes import free_port, python, say, stop_groups
from coach.servers import Server, StackError, wait_ready
from coach.stack import action_server, endpoints_file, rasa_server, shared_env
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.settings import Settings

MAX_REPLICAS = 8
CLUSTER_DB = "gesprekscoach_cluster"
LOCK_LIFETIME = 20
"""Seconds a conversation's lock ticket lives (Rasa's TICKET_LOCK_LIFETIME; its default is 60).

A replica killed while it handles a message leaves its ticket behind: the
conversation's next message waits until that ticket expires. It must still be
longer than a message waits in its conversation's queue plus its own handling.
"""


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _own_postgres_url() -> str:
    """The database scripts/postgres.sh makes for the cluster (its port, user and name)."""
    port = os.environ.get("COACH_PG_PORT") or "55432"
    return f"postgresql://coach@127.0.0.1:{port}/{CLUSTER_DB}"


def _port_taken(port: int) -> bool:
    """Something listens there (as nginx binds: connections in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Cluster:
    """Rasa replicas and action servers behind nginx, with one Redis and one PostgreSQL.

    The balancer listens on settings.rasa_port (practice channel, Telegram webhook,
    dashboard) and settings.action_port (the action servers, for the replicas), so a
    client of these settings, the bot included, talks to the cluster without knowing.
    """

    def __init__(
        self,
        settings: Settings,
        model: Path,
        replicas: int = 2,
        workers: int = 1,
        bot: bool = False,
    ) -> None:
        """workers: Sanic workers in each replica and action server; bot: the Telegram bot
        in webhook mode behind the balancer (needs TELEGRAM_BOT_TOKEN)."""
        if not 1 <= replicas <= MAX_REPLICAS:
            raise StackError(f"Het aantal replica's moet 1 tot {MAX_REPLICAS} zijn.")
        if settings.lock_store == "memory":
            raise StackError(
                "Een cluster kan de lock store niet in het geheugen hebben "
                "(COACH_LOCK_STORE=memory): elke replica had dan zijn eigen sloten, en twee "
                "berichten van één gesprek konden tegelijk verwerkt worden. Laat "
                "COACH_LOCK_STORE weg of zet REDIS_URL."
            )
        if bot and not settings.telegram_token:
            raise StackError("Zet TELEGRAM_BOT_TOKEN om de Telegram-bot in de cluster te starten.")
        self.own_database = not _is_postgres(settings.database_url)
        self.database_url = _own_postgres_url() if self.own_database else settings.database_url
        # Loopback only, and every child on the cluster's database.
        self.settings = dataclasses.replace(
            settings, host="127.0.0.1", database_url=self.database_url
        )
        self.model = model
        self.workers = workers
        self.url = f"http://127.0.0.1:{settings.rasa_port}"
        self.actions_url = f"http://127.0.0.1:{settings.action_port}/webhook"
        self.redis: Server | None = None
        self.redis_url = settings.redis_url
        if not self.redis_url:
            self.redis, self.redis_url = redis_server(self.settings)
        self.ready_seconds: float | None = None
        self._build(replicas, bot)

    def _env(self) -> dict[str, str]:
        """What every child shares: on several machines these must be the same everywhere."""
        from gesprekscoach.storage.service import pseudonym_salt

        settings = self.settings
        return {
            **shared_env(settings),
            "COACH_CHANNEL_TOKEN": channel_token(settings),
            "COACH_PSEUDONYM_SALT": pseudonym_salt(settings),
            "COACH_SECRET_KEY": _secret_key(settings),
            "COACH_SECURE_COOKIES": "1" if settings.secure_cookies else "0",
        }

    def _build(self, replicas: int, bot: bool) -> None:
        settings, env = self.settings, self._env()
        self.actions: list[Server] = []
        self.replicas: list[Server] = []
        for number in range(1, replicas + 1):
            port = free_port()
            server = action_server(settings, port, self.workers)
            server.env.update(env)
            server.label = f"actieserver {number} (poort {port})"
            self.actions.append(server)
        for number in range(1, replicas + 1):
            port = free_port()
            endpoints = endpoints_file(settings, self.redis_url, self.actions_url, port)
            server = rasa_server(settings, self.model, port, endpoints, self.workers)
            lifetime = os.environ.get("TICKET_LOCK_LIFETIME") or str(LOCK_LIFETIME)
            server.env.update({**env, "TICKET_LOCK_LIFETIME": lifetime})
            server.label = f"Rasa-replica {number} (poort {port})"
            self.replicas.append(server)
        logs = settings.log_dir
        dashboard_port = free_port()
        self.dashboard = Server(
            "dashboard",
            [python(), "-m", "dashboard", "--host", "127.0.0.1", "--port", str(dashboard_port)],
            f"http://127.0.0.1:{dashboard_port}/login",
            logs / f"dashboard-{dashboard_port}.log",
            env=env,
        )
        self.bot: Server | None = None
        webhook_url = settings.telegram_webhook_url or f"{self.url}/telegram"
        bot_port = free_port() if bot else None
        if bot_port is not None:
            # Settings may come from another environment than ours (tests): pass them on.
            bot_env = {
                **env,
                "TELEGRAM_BOT_TOKEN": settings.telegram_token,
                "TELEGRAM_API_URL": settings.telegram_api_url,
                "TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret,
                "TELEGRAM_WEBHOOK_URL": webhook_url,
                "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "TELEGRAM_WEBHOOK_PORT": str(bot_port),
                # Its Rasa client goes through the balancer: RASA_PORT is the balancer's.
                "RASA_PORT": str(settings.rasa_port),
            }
            self.bot = Server(
                "bot",
                [python(), "-m", "bot"],
                None,
                logs / f"bot-{bot_port}.log",
                env=bot_env,
                check=lambda: _listening(bot_port),
            )
        self.plan = BalancerPlan(
            public_port=settings.rasa_port,
            actions_port=settings.action_port,
            replicas=[_port_of(s) for s in self.replicas],
            actions=[_port_of(s) for s in self.actions],
            dashboard=dashboard_port,
            bot=bot_port,
            bot_path=bot_path(webhook_url),
        )
        self.balancer = balancer_server(settings, self.plan)

    @property
    def front_ends(self) -> list[Server]:
        return [self.dashboard, *([self.bot] if self.bot else [])]

    @property
    def stages(self) -> list[list[Server]]:
        """Start order: Redis, the back end together, the balancer, each front end."""
        own_redis = [[self.redis]] if self.redis else []
        back = [*self.actions, *self.replicas]
        return [*own_redis, back, [self.balancer], *([s] for s in self.front_ends)]

    @property
    def servers(self) -> list[Server]:
        return [server for stage in self.stages for server in stage]

    def start(self) -> Cluster:
        for port in (self.plan.public_port, self.plan.actions_port):
            if _port_taken(port):
                raise StackError(
                    f"Poort {port} is al in gebruik; de load balancer heeft hem nodig. Stop wat "
                    "daar draait, of kies andere poorten (RASA_PORT, ACTION_PORT)."
                )
        self._prepare()
        say("==> De servers starten (elke Rasa-replica laadt het model: 30-90 s)...")
        try:
            self.ready_seconds = sum(self._start_and_wait(stage) for stage in self.stages)
            say(f"==> Klaar na {self.ready_seconds:.0f} s.")
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare(self) -> None:
        """PostgreSQL up and migrated (once, before any server), Redis and nginx installed."""
        from gesprekscoach.storage.migrate import upgrade

        root = self.settings.root
        if self.own_database:
            _start_postgres(root, self.database_url)
        say(f"==> De database bijwerken (migraties): {_shown(self.database_url)}")
        upgrade(self.database_url)
        if self.redis is not None:
            self.redis.args[0] = redis_binary(root)
            folder = Path(self.redis.args[self.redis.args.index("--dir") + 1])
            folder.mkdir(parents=True, exist_ok=True)
        binary = nginx_binary(root)
        self.balancer.args[0] = binary
        config = Path(self.balancer.args[self.balancer.args.index("-c") + 1])
        problem = check_config(binary, config)
        if problem:
            raise StackError(f"De nginx-configuratie {config} klopt niet:\n{problem}")

    def _start_and_wait(self, servers: list[Server]) -> float:
        started = time.monotonic()
        try:
            for server in servers:
                server.start(self.settings.root)
            return self._wait(servers, started)
        except BaseException:
            self.stop()  # Ctrl-C or SIGTERM while loading: no server may outlive us
            raise

    def _wait(self, servers: list[Server], started: float) -> float:
        s = self.settings
        return wait_ready(servers, started, s.startup_timeout, s.log_dir, "De cluster start nog")

    def stop(self) -> None:
        """All at once within STOP_GRACE; the front ends and the balancer are told first."""
        stop_groups([server.proc for server in reversed(self.servers)])

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def addresses(self) -> list[str]:
        """What `coach cluster up` prints: where everything is (no passwords)."""
        lines = [
            f"Load balancer (nginx): {self.url} (oefenkanaal: /webhooks/coach/webhook)",
            *(f"  {s.title}: http://127.0.0.1:{_port_of(s)}" for s in self.replicas),
            f"Actieservers, via de balancer: {self.actions_url}",
            *(f"  {s.title}: http://127.0.0.1:{_port_of(s)}" for s in self.actions),
            f"Reviewdashboard: {self.url}/ (direct: http://127.0.0.1:{self.plan.dashboard}/)",
            f"Lock store (Redis): {redacted(self.redis_url)}",
            f"Database (PostgreSQL): {_shown(self.database_url)}",
        ]
        if self.bot is not None:
            webhook = self.bot.env["TELEGRAM_WEBHOOK_URL"]
            lines.append(f"Telegram-bot: webhook {webhook} (via de balancer op {self.url})")
        else:
            lines.append("Telegram-bot: uit (zet TELEGRAM_BOT_TOKEN om hem te starten).")
        return lines


def _port_of(server: Server) -> int:
    return int(server.args[server.args.index("--port") + 1])


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _secret_key(settings: Settings) -> str:
    from gesprekscoach.local_secrets import kept_secret

    return kept_secret(settings.var_dir, "secret-key", settings.secret_key)


def _start_postgres(root: Path, expected: str) -> None:
    """scripts/postgres.sh with a database of the cluster's own (it reuses a running server)."""
    env = {**os.environ, "COACH_PG_DB": CLUSTER_DB}
    say(f"==> PostgreSQL voor de cluster (scripts/postgres.sh, database {CLUSTER_DB})...")
    try:
        result = subprocess.run(
            ["bash", str(root / "scripts" / "postgres.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        result = subprocess.CompletedProcess([], 1, "", "scripts/postgres.sh duurde te lang")
    printed = result.stdout.strip().splitlines()[-1:] if result.returncode == 0 else []
    if printed != [expected]:
        raise StackError(
            "Een cluster heeft PostgreSQL nodig: twee Rasa-replica's en twee actieservers "
            "kunnen niet veilig tegelijk in één SQLite-bestand schrijven. PostgreSQL kon niet "
            "worden gestart. Zet DATABASE_URL op een PostgreSQL-server "
            f"(postgresql://...).\n{result.stderr[-800:]}"
        )


def cmd_cluster(args: argparse.Namespace) -> int:
    """`coach cluster up`: start, print the addresses, run until Ctrl-C or SIGTERM."""
    from coach.training import current_model, train
    from gesprekscoach.settings import load_settings

    settings = load_settings()
    model = current_model(settings) or train(settings).model
    cluster = Cluster(
        settings,
        model,
        replicas=args.replicas,
        workers=args.workers,
        bot=bool(settings.telegram_token),
    )
    with cluster:
        for line in cluster.addresses():
            say(line)
        say("Er wordt niets vanzelf herstart. Stoppen met Ctrl-C.")
        reported: set[int] = set()
        try:
            while True:
                for number, server in enumerate(cluster.servers):
                    if number not in reported and not server.alive():
                        reported.add(number)
                        say(f"Gestopt: {server.title} (zie {server.log_path}).")
                if not cluster.balancer.alive() or not any(s.alive() for s in cluster.replicas):
                    say("De cluster kan geen berichten meer aannemen; stoppen.")
                    return 1
                time.sleep(1)
        except KeyboardInterrupt:
            say("\nStoppen...")
            return 0
