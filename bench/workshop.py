"""`python -m bench.workshop`: a werkatelier of 30 casemanagers typing at once, with the
beamer view and the facilitator's live page connected.

The real stack (Rasa server, action server, session log on SQLite) and the real
dashboard (`coach review`, waitress, in its own process) on loopback. Each simulated
casemanager joins the workshop, practises one conversation over the REST channel
(1-3 s between messages) and stops it. Measured: turn latency as the casemanager
waits for the inwoner; and how long after a casemanager saw an answer the screens
showed it: the beamer's "running/done" counts (sessions started and ended), the
live page's message counts (every turn).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import REQUEST_TIMEOUT, Endpoint, load_scripts, percentile, send_turn
from bench.procs import kill_group, machine
from bench.runner import conversations_dir
from coach.play import Script
from coach.processes import free_port
from coach.stack import Stack
from coach.training import current_model, train
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.rasa_client import start_control
from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.workshops.service import WorkshopPlan, create_workshop, set_status

PASSWORD = "bench-wachtwoord-lang"


@dataclass
class Screen:
    """What one server-sent-events stream showed, and when it arrived (epoch seconds)."""

    seen: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def first_at(self, reached: Any) -> float | None:
        return next((t for t, data in self.seen if reached(data)), None)


@dataclass
class Acks:
    """When the casemanagers saw their answers (epoch seconds)."""

    started: list[float] = field(default_factory=list)
    turns: list[float] = field(default_factory=list)
    ended: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0


def throwaway_stack(tmp: str) -> tuple[dict[str, str], Settings, Path]:
    """Settings for a stack of its own: a temporary var/ and SQLite database, free ports."""
    env = {
        **os.environ,
        "COACH_VAR_DIR": tmp,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "REVIEW_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{Path(tmp) / 'coach.db'}",
    }
    settings = load_settings(env)
    return env, settings, current_model(settings) or train(settings).model


def prepare(url: str, personas: tuple[str, ...]) -> tuple[int, str]:
    with session_factory(make_engine(url))() as db, db.begin():
        plan = WorkshopPlan("Benchmark-werkatelier", date.today(), personas)
        workshop = create_workshop(db, plan, personas, None)
        set_status(db, workshop, "open")
        return int(workshop.id), str(workshop.code)


async def login(session: aiohttp.ClientSession, base: str) -> None:
    page = await (await session.get(f"{base}/login")).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    form = {"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
    response = await session.post(f"{base}/login", data=form)
    assert response.status == 200 and "Inloggen voor trainers" not in await response.text()


async def watch(session: aiohttp.ClientSession, url: str, screen: Screen) -> None:
    timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
    async with session.get(url, timeout=timeout) as response:
        assert response.status == 200, f"{url}: HTTP {response.status}"
        async for raw in response.content:
            line = raw.decode().strip()
            if line.startswith("data:"):
                screen.seen.append((time.time(), json.loads(line[5:])))
                screen.ready.set()


async def casemanager(
    rasa: Endpoint, code: str, n: int, persona: str, lines: list[str], acks: Acks, seed: int
) -> None:
    rng = random.Random(seed * 31 + n)
    meta = {
        "channel": "bench",
        "person": pseudonym("bench", f"deelnemer-{n}", "bench"),
        "workshop": code,
    }
    url, sender = rasa, f"bench-ws-{n}"
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.sleep(rng.uniform(0, 3))
        turn = await send_turn(session, url, sender, start_control(persona, n, True), meta)
        acks.started.append(time.time())
        acks.errors += turn.error is not None
        for text in lines:
            await asyncio.sleep(rng.uniform(1, 3))
            turn = await send_turn(session, url, sender, text, meta)
            if turn.error is not None:
                acks.errors += 1
                continue
            acks.latencies_ms.append(turn.ms)
            if turn.kind == "turn":  # not when the inwoner had already ended the conversation
                acks.turns.append(time.time())
        turn = await send_turn(session, url, sender, {"command": "stop"}, meta)
        acks.ended.append(time.time())
        acks.errors += turn.error is not None


def practice_lines(scripts: list[Script], persona: str, n: int, turns: int) -> list[str]:
    """One practice's lines: the persona's scripts, one after another, without restarting."""
    own = [s for s in scripts if s.persona == persona] or scripts
    lines = [line for i in range(len(own)) for line in own[(n + i) % len(own)].lines]
    return lines[:turns]


def delays(acks: list[float], screen: Screen, count: Any) -> list[float]:
    """For the k-th acknowledged event: when the screen first showed at least k of them."""
    out = []
    for k, acked in enumerate(sorted(acks), 1):
        shown = screen.first_at(lambda data, k=k: count(data) >= k)
        if shown is not None:
            out.append(max(0.0, shown - acked) * 1000)
    return out


def turns_shown(data: dict[str, Any]) -> int:
    """The turns the live page counted over all participants."""
    return sum(p["turns"] for p in data.get("participants") or [])


def stats(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "max_ms": round(max(values), 1) if values else None,
    }


async def run(args: argparse.Namespace, rasa: Endpoint, review: str, wid: int, code: str) -> dict:
    scripts = load_scripts(conversations_dir(load_settings().root))
    personas = ("henk",)
    acks, beamer, live = Acks(), Screen(), Screen()

    def player(n: int) -> Coroutine[Any, Any, None]:
        persona = personas[n % len(personas)]
        lines = practice_lines(scripts, persona, n, args.turns)
        return casemanager(rasa, code, n, persona, lines, acks, args.seed)

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as trainer:
        await login(trainer, review)
        stream = f"{review}/werkateliers/{wid}/stream"
        watchers = [
            asyncio.ensure_future(watch(trainer, f"{stream}?view=beamer", beamer)),
            asyncio.ensure_future(watch(trainer, f"{stream}?view=live", live)),
        ]
        await asyncio.wait_for(asyncio.gather(beamer.ready.wait(), live.ready.wait()), 30)
        began = time.monotonic()
        await asyncio.gather(*(player(n) for n in range(args.users)))
        wall = time.monotonic() - began
        await asyncio.sleep(3)  # the screens catch up
        for w in watchers:
            if w.done() and w.exception() is not None:
                raise RuntimeError(f"a screen's stream broke off: {w.exception()!r}")
            w.cancel()
    started = delays(acks.started, beamer, lambda d: d["running"] + d["done"])
    ended = delays(acks.ended, beamer, lambda d: d["done"])
    turns = delays(acks.turns, live, turns_shown)
    return {
        "users": args.users,
        "turns_per_user": args.turns,
        "think_seconds": [1, 3],
        "wall_seconds": round(wall, 1),
        "errors": acks.errors,
        "turn_latency": stats(acks.latencies_ms),
        "beamer_delay_start": stats(started),
        "beamer_delay_end": stats(ended),
        "live_delay_turn": stats(turns),
        "beamer_updates": len(beamer.seen),
        "live_updates": len(live.seen),
        "names_on_beamer": any("Deelnemer" in json.dumps(d) for _, d in beamer.seen),
        "series": {  # for a closer look: what the live page showed when, and the answers
            "live": [
                (round(t, 3), turns_shown(d), round(d.get("sent_at", 0), 3)) for t, d in live.seen
            ],
            "turn_acks": [round(t, 3) for t in sorted(acks.turns)],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workshop")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ws-") as tmp:
        env, settings, model = throwaway_stack(tmp)
        with Stack(settings, model) as stack:
            wid, code = prepare(settings.database_url, ("henk",))
            coach = [sys.executable, "-m", "coach.main"]
            subprocess.run(
                [*coach, "trainer", "add", "bench", "--password-stdin"],
                env=env,
                input=PASSWORD,
                text=True,
                check=True,
                capture_output=True,
            )
            review = subprocess.Popen(
                [*coach, "review", "--port", env["REVIEW_PORT"]],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                base = f"http://127.0.0.1:{env['REVIEW_PORT']}"
                _wait_http(f"{base}/login")
                print(
                    f"==> Werkatelier {code}: {args.users} casemanagers, {args.turns} turns "
                    "each, beamer and live page connected...",
                    flush=True,
                )
                rasa = Endpoint.coach(stack.settings.rasa_url, channel_token(stack.settings))
                results = asyncio.run(run(args, rasa, base, wid, code))
            finally:
                kill_group(review)
            results["turns_logged"] = _logged(settings.database_url, code)
            logs = "".join(p.read_text(errors="replace") for p in (Path(tmp) / "log").glob("*"))
            results["writes_retried"] = logs.count("opnieuw op de achtergrond")
            spool = Path(tmp) / "spool" / "log.jsonl"
            results["spooled_writes"] = len(spool.read_text().splitlines()) if spool.exists() else 0
    results["machine"] = machine()
    print(render(results))
    out = args.out or load_settings().var_dir / "bench" / "workshop.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"(JSON: {out})")
    return 0 if not results["errors"] else 1


def _logged(url: str, code: str) -> int:
    from sqlalchemy import func, select

    from gesprekscoach.storage.models import PracticeSession, TurnRecord

    with session_factory(make_engine(url))() as db:
        turns = select(func.count(TurnRecord.id)).join(PracticeSession)
        return int(db.execute(turns.where(PracticeSession.workshop_code == code)).scalar_one())


def _wait_http(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the dashboard did not answer on {url}")


def render(r: dict[str, Any]) -> str:
    def row(name: str, s: dict[str, Any]) -> str:
        return f"| {name} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} |"

    lines = [
        f"Werkatelier: {r['users']} casemanagers x {r['turns_per_user']} turns, think 1-3 s, "
        f"{r['wall_seconds']} s, errors {r['errors']}",
        "| what | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        row("turn latency (casemanager waits for the inwoner)", r["turn_latency"]),
        row("beamer: a session started, shown", r["beamer_delay_start"]),
        row("beamer: a session ended, shown", r["beamer_delay_end"]),
        row("live page: a turn, shown", r["live_delay_turn"]),
        f"beamer updates {r['beamer_updates']}, live updates {r['live_updates']}, "
        f"names on the beamer: {'yes' if r['names_on_beamer'] else 'no'}; turns logged "
        f"{r.get('turns_logged')}, writes retried in the background {r.get('writes_retried')}, "
        f"spooled {r.get('spooled_writes')}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
