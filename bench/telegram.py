"""`python -m bench.telegram`: the werkatelier through Telegram, the way it is used.

30 casemanagers, each in a private chat with the bot, type at once: the real bot
(python-telegram-bot, long polling) against the loopback fake Bot API of the tests,
the real Rasa server and action server behind it. Latency is from a message
reaching the Bot API until the inwoner's answer is sent to that chat. Run twice:
with the bot's per-chat ordered concurrency, and with python-telegram-bot's
default of one update at a time, to show what the former buys a room.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.load import load_scripts, percentile
from bench.procs import machine
from bench.runner import conversations_dir
from bench.workshop import practice_lines, prepare, throwaway_stack
from bot import texts
from bot.app import build_application
from bot.bridge import RasaBridge
from coach.stack import Stack
from gesprekscoach.domain import default_catalogues
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.service import pseudonym_salt
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.running_bot import RunningBot

OWN_WORDS = (texts.COACH, texts.SLOW_DOWN, texts.RASA_DOWN, texts.TOO_LONG)
OPENING_SKIP = (*OWN_WORDS, "Je doet mee", "Je oefent met")


def wait_for_answer(
    fake: FakeBotAPI, chat: int, start: int, skip: tuple[str, ...] = OWN_WORDS, limit: float = 60
) -> tuple[float, int]:
    """When the inwoner's next line went out to the chat (the bot's own lines skipped),
    and the index after it."""
    deadline = time.time() + limit
    index = start
    while time.time() < deadline:
        for call in fake.wait_chat_calls(chat, index, deadline - time.time()):
            index += 1
            text = str(call["params"].get("text") or "")
            if call["method"] == "sendMessage" and not text.startswith(skip):
                return float(call["at"]), index
    raise TimeoutError(f"chat {chat}: no answer in {limit:.0f} s")


def casemanager(
    fake: FakeBotAPI,
    chat: int,
    code: str,
    lines: list[str],
    seed: int,
    latencies: list[float],
    errors: list[str],
) -> None:
    rng = random.Random(seed * 31 + chat)
    name = f"Deelnemer{chat}"
    try:
        time.sleep(rng.uniform(0, 3))
        fake.push_command(chat, f"/join {code}", first_name=name)
        _, index = wait_for_answer(fake, chat, 0)  # the consent question
        fake.push_callback(chat, f"consent:ja:{code}", first_name=name)
        _, index = wait_for_answer(fake, chat, index, OPENING_SKIP)  # the inwoner opens
        for text in lines:
            time.sleep(rng.uniform(1, 3))
            pushed = time.time()
            fake.push_text(chat, text, first_name=name)
            answered, index = wait_for_answer(fake, chat, index)
            latencies.append((answered - pushed) * 1000)
        fake.push_command(chat, "/stop", first_name=name)
        _, index = wait_for_answer(fake, chat, index)  # "Wat denk je dat ... nodig heeft?"
        fake.push_command(chat, "/stop", first_name=name)  # a second /stop skips it
        wait_for_answer(fake, chat, index)
    except Exception as exc:  # noqa: BLE001 - counted and reported
        errors.append(f"{chat}: {exc}")


def run_once(
    stack: Stack, code: str, users: int, turns: int, seed: int, concurrent: bool
) -> dict[str, Any]:
    scripts = load_scripts(conversations_dir(load_settings().root))
    latencies: list[float] = []
    errors: list[str] = []
    with FakeBotAPI() as fake:
        bridge = RasaBridge(RasaClient.for_settings(stack.settings, retries=0, timeout=60))
        app = build_application(
            "123:BENCH",
            bridge,
            default_catalogues(),
            pseudonym_salt(stack.settings),
            make_engine(stack.settings.database_url),
            base_url=fake.base_url,
            concurrent=concurrent,
        )
        with RunningBot(app):
            base = 900_000 if concurrent else 800_000
            threads = []
            for n in range(users):
                lines = practice_lines(scripts, "henk", n, turns)
                args = (fake, base + n, code, lines, seed, latencies, errors)
                threads.append(threading.Thread(target=casemanager, args=args))
            began = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - began
    processing = (
        "per chat in order, chats side by side"
        if concurrent
        else "one update at a time (python-telegram-bot's default)"
    )
    return {
        "processing": processing,
        "users": users,
        "turns_per_user": turns,
        "wall_seconds": round(wall, 1),
        "answered": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:3],
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"machine": machine(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="bench-tg-") as tmp:
        _, settings, model = throwaway_stack(tmp)
        with Stack(settings, model) as stack:
            _, code = prepare(settings.database_url, ("henk",))
            for concurrent in (True, False):
                print(
                    f"==> Telegram, {args.users} chats at once, "
                    f"{'concurrent' if concurrent else 'sequential'} updates...",
                    flush=True,
                )
                results["runs"].append(
                    run_once(stack, code, args.users, args.turns, args.seed, concurrent)
                )
    print("| bot processes updates | answered | p50 ms | p95 ms | max ms | errors |")
    print("|---|---|---|---|---|---|")
    for r in results["runs"]:
        print(
            f"| {r['processing']} | {r['answered']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['max_ms']} | {r['errors']} |"
        )
    out = args.out or load_settings().var_dir / "bench" / "telegram.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"(JSON: {out})")
    return 0 if not any(r["errors"] for r in results["runs"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
