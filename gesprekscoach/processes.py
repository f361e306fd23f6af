"""Running the Rasa command line tools as child processes, with visible progress.

Rasa takes tens of seconds to import TensorFlow and load a model; a person
waiting at the terminal should see that something is happening.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def python() -> str:
    """The interpreter of this environment (the project's .venv)."""
    return sys.executable


def quiet_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for Rasa processes: no telemetry (no traffic off this machine), less noise."""
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONWARNINGS": "ignore",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    env.update(extra or {})
    return env


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Ticker:
    """Prints `message ... N s` every few seconds until stopped."""

    def __init__(self, message: str, every: float = 10.0) -> None:
        self.message = message
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            say(f"    {self.message} ... {time.monotonic() - self.started:.0f} s")

    def __enter__(self) -> Ticker:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=1)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def run_logged(
    args: Sequence[str],
    *,
    cwd: Path,
    log_path: Path,
    message: str,
    env: dict[str, str] | None = None,
    on_line: Callable[[str], None] | None = None,
) -> tuple[int, float]:
    """Run a command to completion with its output in a log file; return (code, seconds)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log, Ticker(message) as ticker:
        proc = subprocess.Popen(
            list(args),
            cwd=cwd,
            env=env or quiet_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        code = proc.wait()
        return code, ticker.elapsed
