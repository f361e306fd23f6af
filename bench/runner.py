"""One server under test: warm it up, load it phase by phase, watch its memory.

The same function drives our stack and the reference bot, so both get the
same users, lines, seeds and concurrency, and their figures are comparable.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bench.load import Endpoint, Phase, run_phase, warm_up
from bench.procs import ProcessPeaks, RssPeak, rss_mb
from coach.play import Script


def phases_for(users: int, turns: int | None) -> list[Phase]:
    """The two bounded phases: a realistic werkatelier, then all-out saturation."""
    werk_turns = turns or 15
    sat_turns = turns or 25
    return [
        Phase(
            "werkatelier",
            users,
            werk_turns,
            think=(1.0, 3.0),
            time_limit=60.0 + werk_turns * 5.0,
        ),
        Phase(
            "saturation",
            users,
            sat_turns,
            think=(0.0, 0.0),
            time_limit=60.0 + users * sat_turns * 0.5,
        ),
    ]


def _round(value: float) -> float:
    return round(value, 1)


async def _bench(
    endpoint: Endpoint,
    servers: dict[str, int | None],
    phases: list[Phase],
    scripts: list[Script],
    seed: int,
    tag: str,
) -> dict[str, Any]:
    warmup_errors, warmup_sample = await warm_up(endpoint, scripts, tag)
    idle = {name: _round(rss_mb(pid)) for name, pid in servers.items()}
    peaks = {name: RssPeak(pid) for name, pid in servers.items()}
    per_process = ProcessPeaks(servers)

    def sample() -> None:
        for peak in peaks.values():
            peak.sample()
        per_process.sample()

    results: dict[str, Any] = {}
    for phase in phases:
        print(
            f"    {tag}: phase {phase.name} ({phase.users} users x {phase.turns} turns)...",
            flush=True,
        )
        result = await run_phase(endpoint, phase, scripts, seed, tag, on_tick=sample)
        results[phase.name] = result.summary()
    sample()
    after = {name: _round(rss_mb(pid)) for name, pid in servers.items()}
    memory = {
        name: {
            "idle_mb": idle[name],
            "peak_mb": _round(peaks[name].peak_mb),
            "after_mb": after[name],
        }
        for name in servers
    }
    memory["total"] = {
        key: _round(sum(m[key] for m in memory.values()))
        for key in ("idle_mb", "peak_mb", "after_mb")
    }
    return {
        "processes": per_process.summary(),
        "warmup_errors": warmup_errors,
        "warmup_sample": warmup_sample,
        "phases": results,
        "memory": memory,
    }


def bench_server(
    endpoint: Endpoint,
    servers: dict[str, int | None],
    phases: list[Phase],
    scripts: list[Script],
    seed: int,
    tag: str,
) -> dict[str, Any]:
    """Warm up, run every phase and return the figures (memory per server process group)."""
    return asyncio.run(_bench(endpoint, servers, phases, scripts, seed, tag))


def conversations_dir(root: Path) -> Path:
    return root / "tests" / "conversations"
