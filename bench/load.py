"""Simulated casemanagers on the practice channel, and what they measure.

Each user is its own aiohttp session with its own sender id, posting to
/webhooks/coach/webhook exactly like `coach chat` does, so a turn's latency is
the wall-clock time a real client waits for the inwoner's answer. The `rasa
init` reference has no practice channel: it gets the same messages on REST.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp

from coach.play import Script, load_script
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.rasa_client import CHANNEL_PATH, start_control

PERSONAS = ("marco", "henk", "samira")
REQUEST_TIMEOUT = 30.0
"""Seconds a turn may take before it counts as a timeout (a person would give up)."""


Message = str | dict[str, Any]
"""Typed text, or a control command (start, stop) for the practice channel."""


@dataclass(frozen=True)
class Endpoint:
    """Where the simulated clients post: our practice channel, or a plain REST channel."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    rest: bool = False

    @classmethod
    def coach(cls, base_url: str, token: str) -> Endpoint:
        return cls(f"{base_url}{CHANNEL_PATH}", {"Authorization": f"Bearer {token}"})

    @classmethod
    def rest_channel(cls, base_url: str) -> Endpoint:
        return cls(f"{base_url}/webhooks/rest/webhook", rest=True)

    def body(self, sender: str, message: Message) -> dict[str, Any]:
        if self.rest:
            if isinstance(message, str):
                return {"sender": sender, "message": message}
            # The reference reads commands the old way, as "/intent{...}" text.
            intent = {"start": "start_oefening", "stop": "stop_oefening"}[message["command"]]
            entities = {k: v for k, v in message.items() if k != "command"}
            return {"sender": sender, "message": f"/{intent}{json.dumps(entities)}"}
        # As every client of the practice channel: a message id, so a resend is handled once.
        key = "message" if isinstance(message, str) else "control"
        return {"sender": sender, key: message, "message_id": uuid.uuid4().hex}


@dataclass(frozen=True)
class Phase:
    """One bounded load pattern: how many users, how many turns, how long they think."""

    name: str
    users: int
    turns: int
    think: tuple[float, float]
    time_limit: float
    long: bool = False
    """One practice of `turns` messages per user, to see whether a turn costs more later on."""


@dataclass
class PhaseResult:
    """Latencies of successful turns and errors by kind, for one phase on one server."""

    phase: Phase
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    wall_seconds: float = 0.0
    timed_out: bool = False
    by_message: dict[int, list[float]] = field(default_factory=dict)
    """Latencies by the message's place in the user's messages (1 = the first)."""

    def median_between(self, first: int, last: int) -> float | None:
        values = [ms for n in range(first, last + 1) for ms in self.by_message.get(n, [])]
        return percentile(values, 50)

    def summary(self) -> dict[str, Any]:
        ok = len(self.latencies_ms)
        by_ten = {}
        if self.phase.long:
            by_ten = {
                f"{low}-{low + 9}": self.median_between(low, low + 9)
                for low in range(1, self.phase.turns + 1, 10)
            }
        return {
            "median_ms_at_5th": self.median_between(3, 7) if self.phase.long else None,
            "median_ms_at_60th": self.median_between(56, 60) if self.phase.long else None,
            "median_ms_by_ten_messages": by_ten,
            "users": self.phase.users,
            "turns_per_user": self.phase.turns,
            "think_seconds": list(self.phase.think),
            "turns_sent": self.sent,
            "turns_ok": ok,
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(self.errors),
            "p50_ms": percentile(self.latencies_ms, 50),
            "p95_ms": percentile(self.latencies_ms, 95),
            "p99_ms": percentile(self.latencies_ms, 99),
            "max_ms": round(max(self.latencies_ms), 1) if ok else None,
            "turns_per_second": round(ok / self.wall_seconds, 2) if self.wall_seconds else 0.0,
            "wall_seconds": round(self.wall_seconds, 2),
            "hit_time_limit": self.timed_out,
        }


def percentile(values: list[float], pct: float) -> float | None:
    """Linear-interpolated percentile (the usual definition); None for no data."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return round(value, 1)


def load_scripts(folder: Path) -> list[Script]:
    scripts = [load_script(path) for path in sorted(folder.glob("*.yml"))]
    if not scripts:
        raise RuntimeError(f"no conversation scripts in {folder}")
    return scripts


def user_messages(
    scripts: list[Script], user: int, turns: int, seed: int, long: bool = False
) -> list[Message]:
    """The ``turns`` messages of one simulated casemanager.

    Persona cycles marco, henk, samira; the user plays that persona's scripts
    (cycling) and starts a new practice whenever a script is finished, as a
    casemanager in a werkatelier does. Every message, the start too, is a turn.
    """
    persona = PERSONAS[user % len(PERSONAS)]
    own = [s for s in scripts if s.persona == persona] or scripts
    if long:  # one practice: the start, then the persona's lines one after the other
        lines = [line for script in own for line in script.lines]
        first: list[Message] = [start_control(persona, seed + 1000 * user)]
        return first + [lines[i % len(lines)] for i in range(turns - 1)]
    order: Iterator[Script] = itertools.islice(
        itertools.cycle(own), user // len(PERSONAS) % len(own), None
    )
    messages: list[Message] = []
    for practice, script in enumerate(order):
        if len(messages) >= turns:
            break
        messages.append(start_control(persona, seed + 1000 * user + practice))
        messages.extend(script.lines)
    return messages[:turns]


class Turn(NamedTuple):
    """One message and what the client got back."""

    ms: float
    error: str | None
    reply: str = ""
    kind: str = ""
    """What the action server made of it: "turn", "start", "end", "error"..."""


async def send_turn(
    session: aiohttp.ClientSession,
    endpoint: Endpoint,
    sender: str,
    message: Message,
    metadata: dict[str, str] | None = None,
) -> Turn:
    """Post one message and time it until the whole answer is read."""
    started = time.perf_counter()
    payload = endpoint.body(sender, message)
    if metadata:
        payload["metadata"] = metadata

    def since() -> float:
        return (time.perf_counter() - started) * 1000.0

    try:
        async with session.post(endpoint.url, json=payload, headers=endpoint.headers) as response:
            body = await response.read()
            elapsed = since()
            if response.status != 200:
                return Turn(elapsed, f"http_{response.status}")
            messages = json.loads(body)
    except asyncio.TimeoutError:
        return Turn(since(), "timeout")
    except aiohttp.ClientError:
        return Turn(since(), "connection")
    except ValueError:
        return Turn(since(), "bad_json")
    if not isinstance(messages, list):
        return Turn(elapsed, "bad_json")
    texts = [str(m["text"]) for m in messages if isinstance(m, dict) and m.get("text")]
    if not texts and not any(isinstance(m, dict) and m.get("custom") for m in messages):
        return Turn(elapsed, "empty_reply")
    payloads = [
        m["custom"][PAYLOAD_KEY]
        for m in messages
        if isinstance(m, dict)
        and isinstance(m.get("custom"), dict)
        and isinstance(m["custom"].get(PAYLOAD_KEY), dict)
    ]
    kinds = [str(p.get("kind", "")) for p in payloads]
    return Turn(elapsed, None, " / ".join(texts), kinds[-1] if kinds else "")


async def _user(
    endpoint: Endpoint,
    sender: str,
    messages: list[Message],
    think: tuple[float, float],
    rng: random.Random,
    result: PhaseResult,
    deadline: float,
) -> None:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        if think[1] > 0:  # people do not all press Enter in the same millisecond
            await asyncio.sleep(rng.uniform(0, think[1]))
        for i, text in enumerate(messages):
            if time.monotonic() >= deadline:
                return
            if i and think[1] > 0:
                await asyncio.sleep(rng.uniform(*think))
            result.sent += 1
            turn = await send_turn(session, endpoint, sender, text)
            if turn.error is None:
                result.latencies_ms.append(turn.ms)
                result.by_message.setdefault(i + 1, []).append(turn.ms)
            else:
                result.errors[turn.error] += 1


async def run_phase(
    endpoint: Endpoint,
    phase: Phase,
    scripts: list[Script],
    seed: int,
    tag: str,
    on_tick: Callable[[], object] | None = None,
) -> PhaseResult:
    """Run all users of a phase concurrently, bounded by the phase's time limit.

    ``on_tick`` is called about twice a second while the load runs (memory sampling).
    """
    result = PhaseResult(phase)
    started = time.monotonic()
    deadline = started + phase.time_limit
    users = [
        _user(
            endpoint,
            f"bench-{tag}-{phase.name}-{u}",
            user_messages(scripts, u, phase.turns, seed, phase.long),
            phase.think,
            random.Random(seed * 7919 + u),
            result,
            deadline,
        )
        for u in range(phase.users)
    ]
    load = asyncio.ensure_future(asyncio.gather(*users))
    # On Ctrl-C asyncio.run cancels the users; retrieve that so it is not logged as lost.
    load.add_done_callback(lambda f: None if f.cancelled() else f.exception())
    while not load.done():
        if on_tick is not None:
            on_tick()
        await asyncio.wait({load}, timeout=0.5)
        if time.monotonic() > deadline + REQUEST_TIMEOUT:
            result.timed_out = True
            load.cancel()
            break
    try:
        await load
    except asyncio.CancelledError:
        result.timed_out = True
    result.wall_seconds = time.monotonic() - started
    if result.sent < phase.users * phase.turns:
        result.timed_out = True
    return result


async def warm_up(
    endpoint: Endpoint, scripts: list[Script], tag: str, turns: int = 8
) -> tuple[int, list[dict[str, str]]]:
    """A few sequential turns so lazy loading is not billed to the first measured user.

    Returns the errors and the exchanges, so the results show what each bot answered.
    """
    messages = user_messages(scripts, 0, turns, seed=424242)
    timeout = aiohttp.ClientTimeout(total=120)
    errors = 0
    sample: list[dict[str, str]] = []
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for text in messages:
            turn = await send_turn(session, endpoint, f"bench-{tag}-warmup", text)
            errors += turn.error is not None
            shown = text if isinstance(text, str) else json.dumps(text)
            sample.append({"message": shown, "reply": turn.reply or f"<{turn.error}>"})
    return errors, sample
