"""The yardstick: a stock `rasa init` assistant, created, trained and run here.

Without it our latencies and memory figures have no scale: is 600 MB a lot
for Rasa? The init bot is what every Rasa project starts from. It has no
action server, so its memory is the Rasa process (group) alone.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import requests

from bench.procs import kill_group, run_timed
from coach.processes import python, quiet_env, say

INIT_TIMEOUT = 1800.0
TRAIN_TIMEOUT = 1800.0


class ReferenceBot:
    """`rasa init --no-prompt` in a temp dir, served with `rasa run --enable-api` on loopback."""

    def __init__(self, workdir: Path, log_dir: Path, port: int, startup_timeout: float) -> None:
        self.workdir = workdir
        self.log_dir = log_dir
        self.port = port
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _cache_env(self, name: str) -> dict[str, str]:
        """A fresh, empty Rasa training cache, so training is really done, not restored."""
        return {
            "RASA_CACHE_DIRECTORY": tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir.parent)
        }

    def create(self) -> float:
        """Scaffold and train the init bot; return seconds (scaffold + training)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        say(f"==> Reference: rasa init in {self.workdir} (it trains; a few minutes)...")
        return run_timed(
            [python(), "-m", "rasa", "init", "--no-prompt", "--init-dir", str(self.workdir)],
            cwd=self.workdir,
            log_path=self.log_dir / "bench-reference-init.log",
            timeout=INIT_TIMEOUT,
            env=self._cache_env("cache-init"),
        )

    def train(self) -> float:
        """Time `rasa train` alone, as our training is timed: empty cache, fresh output."""
        say("==> Reference: timing a separate `rasa train` (empty cache)...")
        return run_timed(
            [python(), "-m", "rasa", "train", "--out", str(self.workdir / "models-timed")],
            cwd=self.workdir,
            log_path=self.log_dir / "bench-reference-train.log",
            timeout=TRAIN_TIMEOUT,
            env=self._cache_env("cache-train"),
        )

    def _ready(self) -> bool:
        try:
            response = requests.get(f"{self.url}/status", timeout=2)
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (requests.RequestException, ValueError):
            return False

    def start(self) -> float:
        """Start `rasa run` and wait (bounded) until /status shows a loaded model."""
        if self._ready():
            raise RuntimeError(f"something already answers on {self.url}")
        log_path = self.log_dir / "bench-reference-run.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        say(f"==> Reference: rasa run on {self.url} ...")
        started = time.monotonic()
        rasa_run = [python(), "-m", "rasa", "run", "--enable-api"]
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [*rasa_run, "-i", "127.0.0.1", "-p", str(self.port), "-m", "models"],
                cwd=self.workdir,
                env=quiet_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        while not self._ready():
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"reference rasa run exited ({self.proc.returncode}); see {log_path}"
                )
            if time.monotonic() - started > self.startup_timeout:
                raise RuntimeError(f"reference not ready after {self.startup_timeout:.0f} s")
            time.sleep(0.5)
        self.ready_seconds = time.monotonic() - started
        say(f"==> Reference ready after {self.ready_seconds:.0f} s.")
        return self.ready_seconds

    def stop(self) -> None:
        if self.proc is not None:
            kill_group(self.proc)
