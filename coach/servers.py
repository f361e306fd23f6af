"""One server of a stack: a child process on loopback with its log, and how to tell it is ready."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from coach.processes import STOP_GRACE, Ticker, quiet_env, shielded, spawn, stop_groups

LABELS = {
    "rasa": "de Rasa-server",
    "actions": "de actieserver",
    "dashboard": "het reviewdashboard",
    "bot": "de Telegram-bot",
    "redis": "de lock store (Redis)",
    "balancer": "de load balancer (nginx)",
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
    workers: int = 1
    """Rasa with Sanic workers: ready once this many different workers said so."""
    check: Callable[[], bool] | None = None
    """Readiness for a server without HTTP (Redis): called instead of the health URL."""
    label: str = ""
    """How the messages name it; default from LABELS."""
    _ready_workers: set[int] = field(default_factory=set)

    def start(self, cwd: Path) -> None:
        stop_groups([self.proc])  # what is left of an earlier run, and forget it
        self._ready_workers.clear()
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

    @property
    def title(self) -> str:
        return self.label or LABELS[self.name]

    def ready(self) -> bool:
        if self.check is not None:
            return self.alive() and self.check()
        if self.health_url is None:
            return self.alive()
        try:
            # A new connection each time, so each try may reach another worker.
            response = requests.get(self.health_url, timeout=2, headers={"Connection": "close"})
        except requests.RequestException:
            return False
        if response.status_code != 200:
            return False
        if self.name == "rasa":  # the practice channel answers once the model is loaded
            body = response.json()
            if not body.get("ready"):
                return False
            if self.workers > 1:  # a worker still loading its model takes no connections
                self._ready_workers.add(int(body.get("worker") or 0))
                return len(self._ready_workers) >= self.workers
        return True

    def stop(self, timeout: float = STOP_GRACE) -> None:
        stop_groups([self.proc], grace=timeout)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def installed(root: Path, name: str, script: str, needed_for: str) -> str:
    """Path of a Debian server program; the project's script installs it when missing."""
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if found:
        return found
    result = subprocess.run(
        ["bash", str(root / "scripts" / script), "install"],
        capture_output=True,
        text=True,
        check=False,
    )
    path = result.stdout.strip().splitlines()[-1:] if result.returncode == 0 else []
    if not path:
        raise StackError(
            f"{needed_for}, maar {name} kon niet worden geïnstalleerd (scripts/{script}).\n"
            f"{result.stderr[-800:]}"
        )
    return path[0]


def wait_ready(
    servers: list[Server], started: float, timeout: float, log_dir: Path, waiting: str
) -> float:
    """Wait until every server is ready; seconds since `started`.

    A server that dies, or the time running out, raises StackError naming it and its log.
    """
    with Ticker(waiting, every=10.0):
        pending = list(servers)
        while pending:
            for server in list(pending):
                if not server.alive():
                    raise StackError(
                        f"{server.title[0].upper()}{server.title[1:]} stopte tijdens het "
                        f"starten. Laatste regels van {server.log_path}:\n{server.log_tail()}"
                    )
                if server.ready():
                    pending.remove(server)
            if pending and time.monotonic() - started > timeout:
                names = ", ".join(s.title for s in pending)
                raise StackError(
                    f"Na {timeout:.0f} s nog niet klaar: {names}. Zie de logs in {log_dir}."
                )
            time.sleep(0.5)
    return time.monotonic() - started
