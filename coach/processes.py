"""Running the Rasa command line tools as child processes, with visible progress.

Rasa takes tens of seconds to import TensorFlow and load a model; a person
waiting at the terminal should see that something is happening.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any


def python() -> str:
    """The interpreter of this environment (the project's .venv)."""
    return sys.executable


_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()


def _ephemeral_low() -> int:
    """Where the kernel starts picking ports for outgoing connections (Linux: 32768)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port that is free now and that this process has not handed out before.

    Not `bind(0)`: that may return the same port to two calls in a row (a stack
    then starts Rasa and the action server on one port), and it picks from the
    ephemeral range, where any outgoing connection can take the port before the
    server binds it. Never a fixed port either: other stacks may run beside us.
    """
    low = max(_ephemeral_low(), 12000)
    rng = random.SystemRandom()
    with _HANDED_OUT_LOCK:
        for _ in range(500):
            port = rng.randrange(10000, low)
            if port in _HANDED_OUT:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError("Geen vrije poort gevonden op 127.0.0.1.")


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
    """Run a command to completion with its output in a log file; return (code, seconds).

    Interrupted (Ctrl-C, SIGTERM), the command is stopped too rather than left running.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log, Ticker(message) as ticker:
        proc = spawn(
            args,
            cwd=cwd,
            env=env or quiet_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.write(line)
                if on_line is not None:
                    on_line(line.rstrip("\n"))
            code = proc.wait()
        finally:
            stop_groups([proc])
        return code, ticker.elapsed


# --- Child process groups, and stopping them within a fixed budget ---------------------------
#
# A service manager or test sends SIGTERM and expects the process gone, with everything it
# started, within a few seconds. The pieces below guarantee that: every server is recorded
# the moment it exists, stopping is bounded, and a watchdog ends the process if anything
# else (the bot's shutdown, a database lock) hangs.

STOP_GRACE = 8.0
"""Seconds all servers together get to stop after SIGTERM, before SIGKILL."""
REAP_WAIT = 2.0
"""Seconds to wait for killed servers to be gone."""
TERM_AFTER = 5.0
"""After a stop signal: SIGTERM to the servers the normal exit path has not reached yet."""
EXIT_AFTER = 15.0
"""After a stop signal: SIGKILL the servers and exit, whatever still hangs (budget: 20 s)."""

_children: dict[int, subprocess.Popen[Any]] = {}  # by pid, which is also the process group
_terminated: set[int] = set()  # pids that were sent SIGTERM already
_spawn_lock = threading.Lock()  # the watchdog's last act waits for a child being started


class _SignalState:
    stop_signals: frozenset[int] = frozenset()
    stopping: int | None = None  # the first stop signal
    pending: int | None = None  # a signal that waits for the end of a shielded block
    shield_depth = 0
    watchdog_fd: int | None = None


_state = _SignalState()


class _Shielded:
    """A block that signals do not interrupt; a signal that came in is raised at its end."""

    def __enter__(self) -> None:
        _state.shield_depth += 1

    def __exit__(self, *exc: object) -> None:
        _state.shield_depth -= 1
        if not _state.shield_depth:
            _raise_pending()


def shielded() -> _Shielded:
    """Starting and recording a child, or stopping them, is never cut in half by a signal."""
    return _Shielded()


def _raise_pending() -> None:
    signum, _state.pending = _state.pending, None
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    if signum is not None:
        raise SystemExit(128 + signum)


def _on_signal(signum: int, frame: object) -> None:
    """Raise once per stop: a second SIGTERM must not break off the cleanup of the first."""
    if _state.watchdog_fd is not None:  # also when the wakeup fd was taken over by others
        with contextlib.suppress(OSError):
            os.write(_state.watchdog_fd, bytes([signum]))
    if _state.stopping is not None:
        return
    if signum in _state.stop_signals:
        _state.stopping = signum
    _state.pending = signum
    if not _state.shield_depth:
        _raise_pending()


def exit_on_signals(stop: Sequence[int], interrupt: Sequence[int] = ()) -> None:
    """Stop signals end the process cleanly and within EXIT_AFTER seconds; main thread only.

    Interrupt signals (Ctrl-C in the chat) raise KeyboardInterrupt as usual, but not in the
    middle of starting or stopping a server.
    """
    _state.stop_signals = _state.stop_signals | frozenset(stop)
    for signum in (*stop, *interrupt):
        signal.signal(signum, _on_signal)
    if _state.watchdog_fd is None:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        # The C-level handler writes here even while the main thread is stuck in C code
        # (a database lock, DNS), where no Python signal handler can run.
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        _state.watchdog_fd = write_fd
        threading.Thread(
            target=_watchdog, args=(read_fd,), name="exit-watchdog", daemon=True
        ).start()


def _watchdog(read_fd: int) -> None:
    """Once a stop signal came: the servers get SIGTERM, then SIGKILL, and the process ends."""
    signum = 0
    while signum not in _state.stop_signals:
        data = os.read(read_fd, 64)
        signum = next((s for s in data if s in _state.stop_signals), 0)
    started = time.monotonic()
    time.sleep(TERM_AFTER)
    for proc in list(_children.values()):
        if proc.returncode is None:
            _signal_group(proc, signal.SIGTERM)
    time.sleep(max(0.0, started + EXIT_AFTER - time.monotonic()))
    _spawn_lock.acquire(timeout=REAP_WAIT)  # a child being started is recorded first
    for proc in list(_children.values()):
        if proc.returncode is None:
            _signal_group(proc, signal.SIGKILL)
    with contextlib.suppress(OSError):
        if select.select([], [2], [], 0)[1]:  # never block on a full stderr pipe
            os.write(2, b"Stoppen duurde te lang: de servers zijn hard gestopt.\n")
    os._exit(128 + signum)


def spawn(args: Sequence[str], **popen: Any) -> subprocess.Popen[Any]:
    """Start a child in a process group of its own, recorded here from the moment it exists.

    Its own group: our Ctrl-C reaches us, not the child, and stopping reaches all it started.
    """
    popen.setdefault("stdin", subprocess.DEVNULL)
    with shielded(), _spawn_lock:
        if _state.stopping is not None:
            raise SystemExit(128 + _state.stopping)  # no new children once stopping began
        proc = subprocess.Popen(list(args), start_new_session=True, **popen)
        _children[proc.pid] = proc
    return proc


def _signal_group(proc: subprocess.Popen[Any], signum: int) -> None:
    if signum == signal.SIGTERM:
        if proc.pid in _terminated:
            return
        _terminated.add(proc.pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)
        if signum == signal.SIGTERM:
            os.killpg(proc.pid, signal.SIGCONT)  # a stopped (SIGSTOP) server acts on it too


def _wait_all(procs: Iterable[subprocess.Popen[Any]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))


def stop_groups(procs: Iterable[subprocess.Popen[Any] | None], grace: float = STOP_GRACE) -> None:
    """SIGTERM to all groups at once, one shared deadline, then SIGKILL: never unbounded."""
    with shielded():
        known = [proc for proc in procs if proc is not None]
        live = [proc for proc in known if proc.poll() is None]
        for proc in live:
            _signal_group(proc, signal.SIGTERM)
        _wait_all(live, grace)
        for proc in live:  # also what is left of a group whose leader has gone
            _signal_group(proc, signal.SIGKILL)
        _wait_all(live, REAP_WAIT)
        for proc in known:
            if proc.returncode is not None:
                _children.pop(proc.pid, None)
                _terminated.discard(proc.pid)


def stop_all() -> None:
    """Stop every child still running: the last line of defence on the way out."""
    stop_groups(list(_children.values()))
