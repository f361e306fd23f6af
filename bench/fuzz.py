"""`python -m bench.fuzz`: 10,000 hostile messages through the practice channel, bounded.

A throwaway stack (Rasa server, action server, SQLite session log in a temporary
var/) and N simulated clients on the channel every client uses. Each client
starts a practice (persona cycling marco, henk, samira) with its own sender id,
sends ~25 hostile messages (bench.hostile), stops, and starts again with a new
sender id. Every reply is checked against the channel's contract: typed text is
answered as a turn, whatever it looks like; an empty, too long or ill-formed
request is refused with a Dutch message; nothing gives a 5xx, an empty reply or
broken JSON. Afterwards the session log must hold exactly the turns and
sessions the clients saw answered, with no spool or quarantine left, and both
servers must still be running. Exit code 1 on any failure, so a regression shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.hostile import (
    CONTROL_ERROR,
    MAX_SENDER,
    REFUSED,
    SENDER_CHARS,
    TURN,
    TURN_OR_REFUSED,
    Case,
    Generator,
    Vocabulary,
    load_vocabulary,
)
from bench.load import PERSONAS, REQUEST_TIMEOUT, Endpoint, load_scripts, percentile, send_turn
from bench.procs import group_pids, machine, rss_mb
from bench.runner import conversations_dir
from bench.workshop import stats, throwaway_stack
from coach.stack import Stack
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.rasa_client import start_control
from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.repository import pseudonym

DUTCH = re.compile(r"\b(moet|je|een|de|het|geen|onbekend|stuur|bericht|kies|zijn|te|dit)\b", re.I)
"""A refusal's message is Dutch: it has one of the words every refusal text uses."""
FAILING = ("error", "empty_reply", "bad_json", "bad_refusal", "other_status")
WATCHED = (
    "Traceback",
    "Exception occurred",
    "ERROR",
    "CRITICAL",
    "quarantaine",
    "opnieuw op de achtergrond",
    "onbereikbaar",
)
"""Server log lines worth counting: failures, and session-log writes that were not direct."""
SAMPLES = 40
"""Failing requests kept whole in the JSON (to replay them); the rest are only counted."""


@dataclass(frozen=True)
class Reply:
    """What one request got back, classified."""

    outcome: str
    """answered, refused, other_reply, error, empty_reply, bad_json, bad_refusal, other_status."""
    status: int | None
    ms: float
    kind: str = ""
    detail: str = ""
    turn: int | None = None
    """The turn number of an answered turn (the payload's "turn")."""


@dataclass
class Tally:
    """Everything the clients saw; filled concurrently by the clients (one event loop)."""

    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    categories: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    unexpected: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answered: Counter[str] = field(default_factory=Counter)
    """Turns answered (payload kind "turn") per sender: what the session log must hold."""
    turns: dict[tuple[str, int], tuple[float, str, bytes]] = field(default_factory=dict)
    """(sender, turn number) of each answered turn: when, which category, the request."""
    category_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    started: set[str] = field(default_factory=set)
    ended: set[str] = field(default_factory=set)
    controls: Counter[str] = field(default_factory=Counter)
    samples: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0
    cut_short: bool = False

    def note(self, what: dict[str, Any]) -> None:
        self.failures += 1
        if len(self.samples) < SAMPLES:
            self.samples.append(what)


def classify(status: int, raw: bytes, ms: float) -> Reply:
    if status == 200:
        try:
            messages = json.loads(raw)
        except ValueError:
            return Reply("bad_json", status, ms, detail=raw[:300].decode(errors="replace"))
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            return Reply("bad_json", status, ms, detail=raw[:300].decode(errors="replace"))
        texts = [str(m["text"]) for m in messages if m.get("text") and str(m["text"]).strip()]
        payloads = [
            m["custom"][PAYLOAD_KEY]
            for m in messages
            if isinstance(m.get("custom"), dict) and isinstance(m["custom"].get(PAYLOAD_KEY), dict)
        ]
        payload = payloads[-1] if payloads else {}
        kind = str(payload.get("kind", ""))
        if not texts:
            return Reply("empty_reply", status, ms, kind, raw[:300].decode(errors="replace"))
        number = payload.get("turn")
        outcome = "answered" if kind == "turn" else "other_reply"
        turn = number if isinstance(number, int) else None
        return Reply(outcome, status, ms, kind, texts[-1][:200], turn)
    text = raw[:500].decode(errors="replace")
    if status >= 500:
        return Reply("error", status, ms, detail=text)
    if 400 <= status < 500:
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, str) and body.get("error") and DUTCH.search(message):
            return Reply("refused", status, ms, detail=message)
        return Reply("bad_refusal", status, ms, detail=text)
    return Reply("other_status", status, ms, detail=text)


async def probe(
    session: aiohttp.ClientSession, endpoint: Endpoint, case: Case, sender: str
) -> tuple[Reply, bytes]:
    """Post one hostile request as raw bytes (so it can be anything) and classify the answer."""
    body = case.body(sender)
    headers = {**endpoint.headers, "Content-Type": "application/json"}
    if case.auth is not None:
        headers.pop("Authorization")
        if case.auth:
            headers["Authorization"] = case.auth
    started = time.perf_counter()
    try:
        async with session.post(endpoint.url, data=body, headers=headers) as response:
            raw = await response.read()
            ms = (time.perf_counter() - started) * 1000.0
            return classify(response.status, raw, ms), body
    except asyncio.TimeoutError:
        detail = "timeout"
    except aiohttp.ClientError as exc:
        detail = f"connection: {type(exc).__name__}: {exc}"
    return Reply("error", None, (time.perf_counter() - started) * 1000.0, detail=detail), body


def as_expected(case: Case, reply: Reply) -> bool:
    if case.expect == TURN:
        return reply.outcome == "answered"
    if case.expect == TURN_OR_REFUSED:
        return reply.outcome == "answered" or (
            reply.outcome == "refused" and reply.status in case.statuses
        )
    if case.expect == CONTROL_ERROR:
        return reply.outcome == "other_reply" and reply.kind == "error"
    assert case.expect == REFUSED
    return reply.outcome == "refused" and reply.status in case.statuses


def sender_id(rng: random.Random, user: int, practice: int) -> str:
    """A valid sender id, unique in the run; odd characters and up to the length limit."""
    base = f"fuzz-{user}-{practice}-"
    size = MAX_SENDER if rng.random() < 0.2 else rng.randint(len(base) + 1, MAX_SENDER)
    return base + "".join(rng.choice(SENDER_CHARS) for _ in range(size - len(base)))


def record(tally: Tally, case: Case, sender: str, reply: Reply, body: bytes) -> None:
    tally.sent += 1
    tally.outcomes[reply.outcome] += 1
    tally.categories[case.category][reply.outcome] += 1
    if reply.outcome in ("answered", "refused"):
        tally.latencies[reply.outcome].append(reply.ms)
    if reply.status is not None:
        tally.category_ms[case.category].append(reply.ms)
    if reply.outcome == "answered":
        tally.answered[sender] += 1
        tally.turns[(sender, reply.turn or 0)] = (time.time(), case.category, body)
    expected = as_expected(case, reply)
    if not expected:
        tally.unexpected += 1
        tally.categories[case.category]["not_as_expected"] += 1
    if not expected or reply.outcome in FAILING:
        tally.note(
            {
                "category": case.category,
                "expected": case.expect,
                "sender": sender,
                "outcome": reply.outcome,
                "status": reply.status,
                "kind": reply.kind,
                "response": reply.detail,
                "auth": case.auth,
                "ms": round(reply.ms, 1),
                "body": body[:70_000].decode("utf-8", errors="backslashreplace"),
            }
        )


async def control(
    session: aiohttp.ClientSession,
    endpoint: Endpoint,
    sender: str,
    message: dict[str, Any],
    meta: dict[str, str],
    want: str,
    tally: Tally,
) -> bool:
    """A well-formed start or stop, as a real client sends it; it must give `want`."""
    turn = await send_turn(session, endpoint, sender, message, meta)
    ok = turn.error is None and turn.kind == want
    tally.controls[f"{message['command']}_{'ok' if ok else 'failed'}"] += 1
    if not ok:
        tally.note(
            {
                "category": f"control_{message['command']}",
                "sender": sender,
                "body": json.dumps(message),
                "error": turn.error,
                "kind": turn.kind,
                "response": turn.reply[:300],
            }
        )
    return ok


async def client(
    user: int,
    quota: int,
    args: argparse.Namespace,
    endpoint: Endpoint,
    generator: Generator,
    tally: Tally,
    deadline: float,
) -> None:
    """One simulated client: practices of ~25 hostile messages, each with a new sender id."""
    rng = random.Random(f"{args.seed}:{user}:plan")
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    sent, practice = 0, 0
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while sent < quota:
            if time.monotonic() >= deadline:
                tally.cut_short = True
                return
            sender = sender_id(rng, user, practice)
            persona = PERSONAS[(user + practice) % len(PERSONAS)]
            meta = {"channel": "fuzz", "person": pseudonym("fuzz", sender, "fuzz-salt")}
            start = start_control(persona, rng.randrange(2**31), rng.random() < 0.7)
            if await control(session, endpoint, sender, start, meta, "start", tally):
                tally.started.add(sender)
            for _ in range(min(rng.randint(20, 30), quota - sent)):
                if time.monotonic() >= deadline:
                    tally.cut_short = True
                    break
                case = generator.next()
                reply, body = await probe(session, endpoint, case, sender)
                record(tally, case, sender, reply, body)
                sent += 1
            if await control(session, endpoint, sender, {"command": "stop"}, meta, "end", tally):
                tally.ended.add(sender)
            practice += 1


async def progress(tally: Tally, total: int, began: float, every: float = 30.0) -> None:
    while True:
        await asyncio.sleep(every)
        wall = time.monotonic() - began
        print(
            f"    {wall:4.0f} s: {tally.sent}/{total} messages ({tally.sent / wall:.1f}/s), "
            f"failures so far {tally.failures}",
            flush=True,
        )


async def run(args: argparse.Namespace, endpoint: Endpoint, root: Path) -> tuple[Tally, float]:
    scripts = load_scripts(conversations_dir(root))
    vocabulary = load_vocabulary(root, [line for s in scripts for line in s.lines])
    tally = Tally()
    began = time.monotonic()
    deadline = began + args.time_limit
    quotas = [
        args.messages // args.users + (u < args.messages % args.users) for u in range(args.users)
    ]

    def user(u: int) -> Coroutine[Any, Any, None]:
        generator = Generator(vocabulary, f"{args.seed}:{u}", frozenset(args.skip))
        return client(u, quotas[u], args, endpoint, generator, tally, deadline)

    ticker = asyncio.ensure_future(progress(tally, args.messages, began))
    try:
        await asyncio.gather(*(user(u) for u in range(args.users)))
    finally:
        ticker.cancel()
    return tally, time.monotonic() - began


def read_log(url: str) -> dict[str, Any]:
    """What the session log holds now: turns per session, turn numbers, sessions, ended."""
    from sqlalchemy import select

    from gesprekscoach.storage.models import PracticeSession, TurnRecord

    with session_factory(make_engine(url))() as db:
        numbers = db.execute(select(TurnRecord.session_id, TurnRecord.number)).all()
        sessions = db.execute(select(PracticeSession.id, PracticeSession.ended_at)).all()
    turns: Counter[str] = Counter()
    highest: dict[str, int] = {}
    for session, number in numbers:
        turns[str(session)] += 1
        highest[str(session)] = max(highest.get(str(session), 0), int(number))
    return {
        "turns": dict(turns),
        "numbers": {(str(s), int(n)) for s, n in numbers},
        "max_number": highest,
        "sessions": {str(s) for s, _ in sessions},
        "ended": {str(s) for s, e in sessions if e is not None},
    }


def wait_for_log(url: str, tally: Tally, spool: Path, seconds: float = 90.0) -> dict[str, Any]:
    """Poll until the log holds what the clients saw, or stops changing (10 s), or a deadline."""
    want = (sum(tally.answered.values()), len(tally.started), len(tally.ended))
    deadline = time.monotonic() + seconds
    last: tuple[int, int, int] | None = None
    steady_since = time.monotonic()
    while True:
        log = read_log(url)
        now = (sum(log["turns"].values()), len(log["sessions"]), len(log["ended"]))
        if now == want and not spool.exists():
            return log
        if now != last:
            last, steady_since = now, time.monotonic()
        if time.monotonic() - steady_since > 10 or time.monotonic() > deadline:
            return log
        time.sleep(0.5)


def compare(tally: Tally, log: dict[str, Any]) -> dict[str, Any]:
    """The session log against what the clients saw answered: it must match exactly."""
    senders = set(tally.answered) | set(log["turns"])
    per_session = [
        {"session": s, "answered": tally.answered.get(s, 0), "logged": log["turns"].get(s, 0)}
        for s in sorted(senders)
        if tally.answered.get(s, 0) != log["turns"].get(s, 0)
    ]
    gaps = [s for s, n in log["turns"].items() if log["max_number"][s] != n]
    missing = sorted(
        (when, key, category, body)
        for key, (when, category, body) in tally.turns.items()
        if key not in log["numbers"]
    )
    extra = sorted(log["numbers"] - set(tally.turns))
    return {
        "turns_answered": sum(tally.answered.values()),
        "turns_logged": sum(log["turns"].values()),
        "sessions_mismatched": per_session[:20],
        "sessions_mismatched_count": len(per_session),
        "sessions_with_numbering_gaps": len(gaps),
        "sessions_started": len(tally.started),
        "sessions_logged": len(log["sessions"]),
        "sessions_logged_not_started": sorted(log["sessions"] - tally.started)[:10],
        "sessions_ended": len(tally.ended),
        "sessions_ended_logged": len(log["ended"]),
        "turns_missing_from_log": len(missing),
        "turns_logged_not_answered": [list(k) for k in extra[:20]],
        # The earliest answered turns the log does not hold: the first is the likeliest cause.
        "first_missing": [
            {
                "at": time.strftime("%H:%M:%S", time.localtime(when))
                + f".{int(when % 1 * 1000):03d}",
                "sender": key[0],
                "turn": key[1],
                "category": category,
                "body": body[: 70_000 if i < 5 else 300].decode("utf-8", errors="backslashreplace"),
            }
            for i, (when, key, category, body) in enumerate(missing[:20])
        ],
    }


def scan_logs(folder: Path) -> dict[str, Any]:
    """Watched lines in the servers' logs, and each distinct traceback once: its last frames."""
    counts: Counter[str] = Counter()
    tracebacks: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in folder.glob("*") if p.is_file()):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for i, line in enumerate(lines):
            counts.update(w for w in WATCHED if w in line)
            if not line.startswith("Traceback"):
                continue
            # The traceback ends at its first line that is not indented.
            after = range(i + 1, len(lines))
            end = next((j for j in after if lines[j][:1] not in (" ", "")), len(lines) - 1)
            block = lines[i : end + 1]
            kind = re.sub(r"'\\u[0-9a-f]{4}'|\d+", "#", lines[end])  # the same error, any input
            seen = tracebacks.setdefault(kind, {"count": 0, "log": path.name})
            seen["count"] += 1
            seen["last_frames"] = block[-7:]
    return {"counts": dict(counts), "tracebacks": list(tracebacks.values())[:20]}


def check(stack: Stack, settings: Settings, tally: Tally) -> dict[str, Any]:
    """After the load: are the servers alive, what did the log keep, what is left over."""
    alive = {s.name: s.alive() for s in stack.servers}
    ready = {s.name: s.alive() and s.ready() for s in stack.servers}
    spool = settings.var_dir / "spool" / "log.jsonl"
    quarantine = spool.with_name("quarantine.jsonl")
    began = time.monotonic()
    log = wait_for_log(settings.database_url, tally, spool)
    result = compare(tally, log)
    result.update(
        {
            "log_wait_seconds": round(time.monotonic() - began, 1),
            "spool_lines": _lines(spool),
            "quarantine_lines": _lines(quarantine),
            "spool_file": spool.exists(),
            "quarantine_file": quarantine.exists(),
            "alive": alive,
            "ready": ready,
            "alive_after_log_wait": {s.name: s.alive() for s in stack.servers},
            "rss_mb_end": {s.name: round(rss_mb(s.pid)) for s in stack.servers},
            "server_log": scan_logs(settings.log_dir),
        }
    )
    return result


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a server's process group has used so far.

    Load-independent where wall time is not: on a shared machine the messages per
    second say how busy the others are; CPU per message says what a message costs.
    """
    total = 0
    for p in group_pids(pid) if pid else set():
        try:
            raw = Path(f"/proc/{p}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def _lines(path: Path) -> int:
    """Lines in a spool or quarantine file (0 when it is missing, or present but empty)."""
    return (
        len(path.read_text(encoding="utf-8", errors="replace").splitlines()) if path.exists() else 0
    )


def verdict(r: dict[str, Any]) -> list[str]:
    """Why the run failed; empty when it did not."""
    o, c = r["outcomes"], r["checks"]
    why = [f"{o[k]} {k}" for k in FAILING if o.get(k)]
    if r["not_as_expected"]:
        why.append(f"{r['not_as_expected']} not as expected")
    if r["controls"].get("start_failed") or r["controls"].get("stop_failed"):
        why.append("a start or stop failed")
    if c["turns_answered"] != c["turns_logged"] or c["sessions_mismatched_count"]:
        why.append(f"turns answered {c['turns_answered']} != logged {c['turns_logged']}")
    if c["sessions_started"] != c["sessions_logged"] or c["sessions_logged_not_started"]:
        why.append(f"sessions started {c['sessions_started']} != logged {c['sessions_logged']}")
    if c["sessions_ended"] != c["sessions_ended_logged"]:
        why.append(f"sessions ended {c['sessions_ended']} != {c['sessions_ended_logged']} logged")
    if c["sessions_with_numbering_gaps"]:
        why.append(f"{c['sessions_with_numbering_gaps']} sessions with gaps in turn numbers")
    if c["spool_file"] or c["quarantine_file"]:
        why.append(
            f"spool ({c['spool_lines']} lines) or quarantine ({c['quarantine_lines']} "
            "lines) file left"
        )
    if r["crashed"]:
        why.append("a server crashed")
    return why


def render(r: dict[str, Any]) -> str:
    o, c, lat = r["outcomes"], r["checks"], r["latency"]
    rows = []
    for name, n in sorted(r["categories"].items()):
        other = sum(v for k, v in n.items() if k not in ("answered", "refused", "not_as_expected"))
        ms = r["category_latency"].get(name, {})
        rows.append(
            f"| {name} | {n.get('answered', 0) + n.get('refused', 0) + other} | "
            f"{n.get('answered', 0)} | {n.get('refused', 0)} | {other} | "
            f"{n.get('not_as_expected', 0)} | {ms.get('p50_ms')} | {ms.get('p95_ms')} |"
        )
    logs = c["server_log"]["counts"]
    match = c["turns_answered"] == c["turns_logged"] and not c["sessions_mismatched_count"]
    cut_short = "  CUT SHORT by the time limit" if r["cut_short"] else ""
    lines = [
        f"Fuzz: {r['sent']}/{r['messages']} hostile messages (seed {r['seed']}), {r['users']} "
        f"clients, {r['practices']} practices, {r['wall_seconds']} s "
        f"({r['messages_per_second']}/s){cut_short}",
        f"answered {o.get('answered', 0)}, refused {o.get('refused', 0)}, other replies "
        f"{o.get('other_reply', 0)}, errors {o.get('error', 0)}, empty replies "
        f"{o.get('empty_reply', 0)}, bad JSON {o.get('bad_json', 0)}, bad refusals "
        f"{o.get('bad_refusal', 0)}; not as expected {r['not_as_expected']}; start/stop "
        f"{r['controls']}",
        f"latency answered p50 {lat['answered']['p50_ms']} ms, p95 {lat['answered']['p95_ms']} "
        f"ms; refused p50 {lat['refused']['p50_ms']} ms, p95 {lat['refused']['p95_ms']} ms",
        "| category | n | answered | refused | other | not as expected | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        f"turns answered {c['turns_answered']}, logged {c['turns_logged']} "
        f"({'match' if match else 'MISMATCH'}: {c['turns_missing_from_log']} missing, "
        f"{len(c['turns_logged_not_answered'])} never answered); sessions started "
        f"{c['sessions_started']}, logged {c['sessions_logged']}; ended {c['sessions_ended']}, "
        f"logged {c['sessions_ended_logged']}; log settled in {c['log_wait_seconds']} s",
        f"spool file {'YES' if c['spool_file'] else 'no'}, quarantine file "
        f"{'YES' if c['quarantine_file'] else 'no'}; server log: {logs.get('ERROR', 0)} ERROR, "
        f"{logs.get('Traceback', 0)} tracebacks, {logs.get('opnieuw op de achtergrond', 0)} "
        "writes retried",
        f"crashes: {'YES' if r['crashed'] else 'no'} (alive {c['alive']}); memory MB "
        f"{r['rss_mb_start']} -> {c['rss_mb_end']}",
        f"CPU ms per request {r['cpu_ms_per_request']} (requests incl. start/stop): at most "
        f"~{r['requests_per_second_cpu_bound']}/s with a free core per server; load average "
        f"at start {r['machine']['loadavg_at_start']}",
    ]
    if c["first_missing"]:
        first = c["first_missing"][0]
        lines.append(
            f"first turn missing from the log: {first['sender']} turn {first['turn']} "
            f"({first['category']}, {first['at']}): {first['body'][:160]}"
        )
    for seen in c["server_log"]["tracebacks"][:5]:
        frames = " | ".join(x.strip() for x in seen["last_frames"][-3:])
        lines.append(f"traceback x{seen['count']} in {seen['log']}: {frames}")
    for sample in r["failures"][:3]:
        lines.append(f"failed request ({sample['category']}): {json.dumps(sample)[:300]}")
    if r.get("logs_kept_in"):
        lines.append(f"server logs kept in {r['logs_kept_in']}")
    lines.append("RESULT: " + ("OK" if not r["failed"] else "FAILED: " + "; ".join(r["failed"])))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fuzz",
        description="Hostile messages through the practice channel, bounded.",
    )
    parser.add_argument("--messages", type=int, default=10_000, help="hostile messages (10000)")
    parser.add_argument("--users", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the hostile messages (7)")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=1200.0,
        help="seconds of sending before the run is cut short (1200)",
    )
    parser.add_argument(
        "--skip",
        default="",
        type=lambda v: [c for c in v.split(",") if c],
        help="categories not to send, comma-separated (to look past a known bug)",
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON file (var/bench/fuzz.json)")
    args = parser.parse_args(argv)
    if args.messages < 1 or not 1 <= args.users <= 200 or args.time_limit <= 0:
        parser.error("--messages >= 1, --users 1-200 and a positive --time-limit, please")
    known = Generator(Vocabulary((), (), ("x",)), 0).categories
    if set(args.skip) - set(known):
        parser.error(f"--skip takes these categories: {', '.join(known)}")
    main_var = load_settings().var_dir
    results: dict[str, Any] = {
        "messages": args.messages,
        "users": args.users,
        "seed": args.seed,
        "time_limit_s": args.time_limit,
        "skipped": args.skip,
        "machine": machine(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as tmp:
        _env, settings, model = throwaway_stack(tmp)
        began = time.monotonic()
        with Stack(settings, model) as stack:
            results["ready_seconds"] = round(stack.ready_seconds or 0, 1)
            results["rss_mb_start"] = {s.name: round(rss_mb(s.pid)) for s in stack.servers}
            cpu = {s.name: cpu_seconds(s.pid) for s in stack.servers}
            cpu["client"] = time.process_time()
            endpoint = Endpoint.coach(settings.rasa_url, channel_token(settings))
            print(
                f"==> {args.messages} hostile messages from {args.users} clients "
                f"(time limit {args.time_limit:.0f} s)...",
                flush=True,
            )
            tally, wall = asyncio.run(run(args, endpoint, settings.root))
            used = {s.name: cpu_seconds(s.pid) - cpu[s.name] for s in stack.servers}
            used["client"] = time.process_time() - cpu["client"]
            results["checks"] = check(stack, settings, tally)
        results["total_seconds"] = round(time.monotonic() - began, 1)
        lat = {k: stats(tally.latencies[k]) for k in ("answered", "refused")}
        checks = results["checks"]
        requests = max(1, tally.sent + sum(tally.controls.values()))
        alive = [*checks["alive"].values(), *checks["alive_after_log_wait"].values()]
        # What one core per server could do: the busier server sets the pace.
        busiest = max(used["rasa"], used["actions"], 1e-9)
        results.update(
            {
                "sent": tally.sent,
                "cut_short": tally.cut_short or tally.sent < args.messages,
                "wall_seconds": round(wall, 1),
                "messages_per_second": round(tally.sent / wall, 1) if wall else 0.0,
                "practices": tally.controls["start_ok"] + tally.controls["start_failed"],
                "outcomes": dict(tally.outcomes),
                "not_as_expected": tally.unexpected,
                "categories": {k: dict(v) for k, v in tally.categories.items()},
                "controls": dict(tally.controls),
                "latency": lat,
                "category_latency": {
                    k: {"p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
                    for k, v in tally.category_ms.items()
                },
                "crashed": not all(alive),
                "failures": tally.samples,
                "cpu_seconds": {k: round(v, 1) for k, v in used.items()},
                "cpu_ms_per_request": {k: round(v * 1000 / requests, 1) for k, v in used.items()},
                "requests_per_second_cpu_bound": round(requests / busiest, 1),
            }
        )
        results["failed"] = verdict(results)
        if results["failed"]:  # the throwaway var/ goes; keep its logs to read the failure
            kept = main_var / "bench" / "fuzz-logs"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(settings.log_dir, kept)
            if (settings.var_dir / "spool").exists():
                shutil.copytree(settings.var_dir / "spool", kept / "spool")
            results["logs_kept_in"] = str(kept)
    print(render(results))
    out = args.out or main_var / "bench" / "fuzz.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(results, indent=1, ensure_ascii=False),
        encoding="utf-8",
        errors="backslashreplace",
    )
    print(f"(JSON: {out})")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
