"""Ports, processes and memory: the operating-system side of the benchmark.

Everything here reads /proc directly, so memory figures need no extra
package and cover the whole process group a server runs in (Rasa may start
helper processes; counting only the parent would flatter it).
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from coach.processes import quiet_env


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, pgrp) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()  # the name may contain spaces
    return int(fields[1]), int(fields[2])


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def group_pids(pid: int) -> set[int]:
    """The process, its process group and all its descendants."""
    table = {p: st for p in _all_pids() if (st := _stat(p)) is not None}
    root = table.get(pid)
    if root is None:
        return set()
    pgid = root[1]
    found = {pid} | {p for p, (_, pg) in table.items() if pg == pgid}
    for _ in range(64):  # bounded: a process tree deeper than this does not occur
        more = {p for p, (ppid, _) in table.items() if ppid in found} - found
        if not more:
            break
        found |= more
    return found


def _vm_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0  # gone, or a kernel thread without VmRSS


def rss_mb(pid: int | None) -> float:
    """Resident memory (MB) of a server process with its group and children."""
    if pid is None:
        return 0.0
    return sum(_vm_rss_kb(p) for p in group_pids(pid)) / 1024.0


@dataclass
class RssPeak:
    """Tracks the highest resident memory seen for one server while load runs."""

    pid: int | None
    peak_mb: float = 0.0

    def sample(self) -> float:
        value = rss_mb(self.pid)
        self.peak_mb = max(self.peak_mb, value)
        return value


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared by forked workers are split between them,
    so adding up the processes of a server does not count its model twice."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return _vm_rss_kb(pid)


def _role(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    words = [a.decode(errors="replace") for a in args if a]
    if "rasa_sdk" in words:
        return "actions"
    if "rasa" in words and "run" in words:
        return "rasa"
    name = Path(words[0]).name if words else "?"
    if name.startswith(("redis-server", "nginx")):
        return name.split(":")[0].split()[0]
    return "rasa" if "rasa" in " ".join(words) else name


@dataclass
class ProcessPeaks:
    """The highest memory (PSS) of each process of some servers, sampled while load runs.

    A server with Sanic workers is a parent plus one process per worker; each is listed,
    so "memory per process" is read off, not divided out.
    """

    servers: dict[str, int | None]
    peaks: dict[int, tuple[str, str, float]] = field(default_factory=dict)

    def sample(self) -> None:
        for server, leader in self.servers.items():
            if leader is None:
                continue
            group = group_pids(leader)
            for pid in group:
                kb = _pss_kb(pid)
                if not kb:
                    continue
                stat = _stat(pid)
                role = _role(pid)
                if stat is not None and stat[0] in group and _role(stat[0]) == role:
                    role += " worker"
                old = self.peaks.get(pid, (server, role, 0.0))
                self.peaks[pid] = (server, role, max(old[2], kb / 1024.0))

    def summary(self) -> list[dict[str, object]]:
        return [
            {"server": server, "process": role, "pid": pid, "peak_mb": round(mb, 1)}
            for pid, (server, role, mb) in sorted(self.peaks.items())
        ]


def machine() -> dict[str, object]:
    """The machine the figures come from; they mean little without it."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    total_mb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                total_mb = int(line.split()[1]) / 1024.0
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count() or 0,
        "cpu_model": model,
        "mem_total_mb": round(total_mb),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "other_rasa_processes_at_start": len(rasa_processes()),
    }


def rasa_processes() -> list[int]:
    """Rasa servers and trainings running on this machine (others' too: they skew figures)."""
    found = []
    for pid in _all_pids():
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"-m" in args and (b"rasa" in args or b"rasa_sdk" in args):
            found.append(pid)
    return found


def run_timed(
    args: list[str], cwd: Path, log_path: Path, timeout: float, env: dict[str, str]
) -> float:
    """Run a Rasa command to completion in its own session and return its wall time.

    Its own session so it can be killed with everything it started if the
    benchmark is interrupted; bounded by ``timeout``.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=quiet_env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=timeout)
        finally:
            kill_group(proc)
    if code != 0:
        raise RuntimeError(f"{' '.join(args[1:4])} failed (exit {code}); see {log_path}")
    return time.monotonic() - started


def kill_group(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """Stop a process started in its own session, with its whole group."""
    if proc.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of a finished leader
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def kill_own_children() -> list[int]:
    """Last line of defence: terminate any process this benchmark started and left.

    Only direct children of this process (by pid), e.g. a `rasa train` whose
    parent loop was interrupted; servers are stopped by their owners first.
    """
    me = os.getpid()
    killed = []
    for pid in _all_pids():
        st = _stat(pid)
        if st is not None and st[0] == me:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
                killed.append(pid)
    deadline = time.monotonic() + 10
    while killed and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)
        if all(_stat(pid) is None or _is_zombie(pid) for pid in killed):
            break
        time.sleep(0.2)
    for pid in killed:
        if _stat(pid) is not None and not _is_zombie(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    return killed


def _is_zombie(pid: int) -> bool:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return raw[raw.rfind(")") + 2 :].split()[0] == "Z"
