"""`python -m bench.profile`: where a turn's time goes, by py-spy on the live servers.

Starts our stack (one worker, a fresh SQLite database), lets a few
casemanagers hold long practices without pausing, and samples the Rasa
server and the action server with py-spy meanwhile. Prints, per server, the
functions that take the largest share of the busy samples (inclusive, and
self), so a change to the turn path can be checked against the same table.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.load import Endpoint, load_scripts, send_turn, user_messages
from bench.runner import conversations_dir
from coach.processes import free_port
from coach.stack import Stack
from coach.training import current_model, train
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.settings import load_settings

IDLE = re.compile(r"\b(select|epoll_wait|poll|_wait|wait|sleep|get \(queue)")
LINE = re.compile(r":\d+\)")


def top(raw: Path, count: int) -> tuple[int, list[tuple[float, str]], list[tuple[float, str]]]:
    """Busy samples, and the top functions inclusive and self, from py-spy's raw output."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    busy = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        frames = [LINE.sub(")", frame) for frame in stack.split(";")]
        if IDLE.search(frames[-1]) and "site-packages/rasa/" not in frames[-1]:
            continue  # waiting for work, not working
        samples = int(number)
        busy += samples
        for frame in set(frames[1:]):
            inclusive[frame] += samples
        own[frames[-1]] += samples

    def shares(counter: collections.Counter[str]) -> list[tuple[float, str]]:
        return [(100.0 * n / max(busy, 1), f) for f, n in counter.most_common(count)]

    return busy, shares(inclusive), shares(own)


async def load(endpoint: Endpoint, users: int, turns: int) -> tuple[int, float]:
    scripts = load_scripts(conversations_dir(load_settings().root))

    async def one(user: int) -> int:
        messages = user_messages(scripts, user, turns, seed=11, long=True)
        answered = 0
        async with aiohttp.ClientSession() as session:
            for message in messages:
                turn = await send_turn(session, endpoint, f"profile-{user}", message)
                answered += turn.error is None
        return answered

    started = time.monotonic()
    done = await asyncio.gather(*(one(u) for u in range(users)))
    return sum(done), time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        print("py-spy ontbreekt: installeer de dev-afhankelijkheden (make setup).", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="coach-profile-"))
    env = {
        **os.environ,
        "COACH_VAR_DIR": str(tmp / "var"),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{tmp / 'var' / 'coach.db'}",
    }
    settings = load_settings(env)
    model = current_model(settings) or train(settings).model
    recorders: list[tuple[str, Path, subprocess.Popen[bytes]]] = []
    try:
        with Stack(settings, model) as stack:
            endpoint = Endpoint.coach(settings.rasa_url, channel_token(settings))
            asyncio.run(load(endpoint, 1, 8))  # warm up
            for name, pid in (("rasa", stack.rasa.pid), ("actions", stack.actions.pid)):
                out = tmp / f"{name}.txt"
                command = [spy, "record", "--pid", str(pid), "--format", "raw", "-o", str(out)]
                recorders.append(
                    (
                        name,
                        out,
                        subprocess.Popen(
                            [*command, "--nonblocking", "--rate", "200"],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        ),
                    )
                )
            time.sleep(1.0)
            ok, seconds = asyncio.run(load(endpoint, args.users, args.turns))
            for _, _, proc in recorders:
                proc.send_signal(2)  # py-spy writes its file on SIGINT
            for _, _, proc in recorders:
                proc.wait(timeout=60)
        print(
            f"{ok} turns in {seconds:.1f} s ({ok / seconds:.1f} turns/s), "
            f"{args.users} users x {args.turns} messages, no pauses"
        )
        for name, out, _ in recorders:
            busy, inclusive, own = top(out, args.top)
            print(f"\n== {name}: {busy} busy samples; inclusive")
            for share, frame in inclusive:
                print(f"{share:5.1f}%  {frame[:110]}")
            print(f"-- {name}: self")
            for share, frame in own[: args.top // 2]:
                print(f"{share:5.1f}%  {frame[:110]}")
        return 0
    finally:
        for _, _, proc in recorders:
            if proc.poll() is None:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
