"""`python -m bench`: train, start and load our stack and the `rasa init` reference.

Every server runs on a free loopback port in its own process group and is
stopped in a `finally`, also on Ctrl-C or SIGTERM, so no Rasa process
outlives the benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from bench.load import PERSONAS, REQUEST_TIMEOUT, Endpoint, load_scripts
from bench.procs import kill_own_children, machine
from bench.reference import ReferenceBot
from bench.report import render, write_json
from bench.runner import bench_server, conversations_dir, phases_for
from coach.processes import free_port
from coach.stack import Stack
from coach.training import current_model, train
from gesprekscoach.local_secrets import channel_token
from gesprekscoach.settings import Settings, load_settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the gesprekscoach stack against a stock `rasa init` assistant.",
    )
    parser.add_argument("--users", type=int, default=20, help="concurrent casemanagers (20)")
    parser.add_argument(
        "--turns",
        type=int,
        default=None,
        help="turns per user in both phases (default 15 werkatelier, 25 saturation)",
    )
    parser.add_argument("--skip-reference", action="store_true", help="only our stack")
    parser.add_argument("--skip-training", action="store_true", help="do not time training")
    parser.add_argument("--seed", type=int, default=7, help="seed for think times and personas")
    parser.add_argument("--out", type=Path, default=None, help="JSON file (var/bench/results.json)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 500:
        parser.error("--users must be between 1 and 500")
    if args.turns is not None and not 1 <= args.turns <= 1000:
        parser.error("--turns must be between 1 and 1000")
    return args


@contextlib.contextmanager
def fresh_training_cache(folder: Path) -> Iterator[None]:
    """Point Rasa's training cache at an empty folder, so training is not a cache restore.

    train() passes our environment to `rasa train`; without this, .rasa/cache
    from earlier runs would make the measured training seconds meaningless.
    """
    key = "RASA_CACHE_DIRECTORY"
    old = os.environ.get(key)
    os.environ[key] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def bench_ours(
    settings: Settings, tmp: Path, args: argparse.Namespace, results: dict[str, Any]
) -> None:
    ours: dict[str, Any] = results["ours"]
    trained: Path | None = None
    if not args.skip_training:
        print("==> Ours: training (empty cache, temp output dir)...", flush=True)
        cache = tmp / "cache-ours"
        cache.mkdir()
        with fresh_training_cache(cache):
            result = train(settings, force=True, out_dir=tmp / "models-ours")
        ours["train_seconds"] = round(result.seconds, 1)
        trained = result.model
    model = current_model(settings) or trained or train(settings).model
    ours["model"] = model.name
    stack = Stack(settings, model)
    try:
        stack.start()
        ours["ready_seconds"] = round(stack.ready_seconds or 0.0, 1)
        ours.update(
            bench_server(
                Endpoint.coach(settings.rasa_url, channel_token(settings)),
                {"rasa": stack.rasa.pid, "actions": stack.actions.pid},
                phases_for(args.users, args.turns),
                load_scripts(conversations_dir(settings.root)),
                args.seed,
                "ours",
            )
        )
    finally:
        stack.stop()


def bench_reference(
    settings: Settings, tmp: Path, args: argparse.Namespace, results: dict[str, Any]
) -> None:
    ref: dict[str, Any] = results["reference"]
    bot = ReferenceBot(tmp / "initbot", settings.log_dir, free_port(), settings.startup_timeout)
    try:
        ref["init_seconds"] = round(bot.create(), 1)
        if not args.skip_training:
            ref["train_seconds"] = round(bot.train(), 1)
        ref["ready_seconds"] = round(bot.start(), 1)
        ref.update(
            bench_server(
                Endpoint.rest_channel(bot.url),
                {"rasa": bot.pid},
                phases_for(args.users, args.turns),
                load_scripts(conversations_dir(settings.root)),
                args.seed,
                "reference",
            )
        )
    finally:
        bot.stop()


def notes(args: argparse.Namespace) -> list[str]:
    return [
        "latency = wall-clock time a client waits for POST /webhooks/coach/webhook "
        "(the reference: /webhooks/rest/webhook); "
        "percentiles and turns/s count successful turns only (200 with a non-empty reply).",
        "errors = non-200, timeouts (>"
        f"{REQUEST_TIMEOUT:.0f} s), connection errors and empty replies.",
        "each user has its own sender id and HTTP session, plays persona "
        f"{'/'.join(PERSONAS)} in turn and sends the script lines of tests/conversations/; "
        "the start message of each practice is a turn too.",
        "training = `rasa train` with an empty training cache into a temp dir, for both bots "
        "(reference: a separate `rasa train` after `rasa init`, which trains as well).",
        "our stack logs sessions and keeps Rasa's trackers in a fresh SQLite database per run.",
        "RSS = VmRSS summed over the server's process group and children; "
        "the reference has no action server.",
        "each server got 8 warm-up turns before measuring; the load generator runs on the "
        "same machine and shares its CPUs.",
        "werkatelier turns/s is set by the think time (the load people offer); "
        "saturation turns/s is the most the server handled with that many users.",
    ] + (["training not timed (--skip-training)."] if args.skip_training else [])


def late_notes(results: dict[str, Any]) -> list[str]:
    """Notes that depend on what happened: silent stock replies, other Rasa processes."""
    out = []
    ref_kinds: set[str] = set()
    for phase in (results["reference"].get("phases") or {}).values():
        ref_kinds |= set(phase.get("errors_by_kind") or {})
    if ref_kinds == {"empty_reply"}:
        out.append(
            "the reference's errors are all empty replies: its stock policy sometimes predicts "
            "action_listen for these (Dutch, off-domain) lines; the server did not fail."
        )
    others = results["machine"].get("other_rasa_processes_at_start")
    if others:
        out.append(
            f"{others} other Rasa process(es) were running at the start; figures may be skewed."
        )
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    out = args.out or load_settings().var_dir / "bench" / "results.json"
    tmp = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    # A fresh database each run: trackers of earlier runs (same sender ids) would make
    # every message load a longer conversation, and the figures drift from run to run.
    env = dict(os.environ)
    env.update(
        {
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "COACH_VAR_DIR": str(tmp / "var"),
            "DATABASE_URL": f"sqlite:///{tmp / 'var' / 'coach.db'}",
        }
    )
    settings = load_settings(env)
    results: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "options": {
            "users": args.users,
            "turns": args.turns,
            "seed": args.seed,
            "skip_reference": args.skip_reference,
            "skip_training": args.skip_training,
        },
        "ours": {},
        "reference": {},
        "notes": notes(args),
    }
    code = 0
    try:
        bench_ours(settings, tmp, args, results)
        if not args.skip_reference:
            bench_reference(settings, tmp, args, results)
    except KeyboardInterrupt as exc:
        results["error"] = f"interrupted ({str(exc) or 'Ctrl-C'})"
        code = 130
    except Exception as exc:  # report what we have, then fail
        results["error"] = f"{type(exc).__name__}: {exc}"
        code = 1
    finally:
        leftovers = kill_own_children()
        if leftovers:
            results.setdefault("notes", []).append(f"stopped leftover processes {leftovers}")
        shutil.rmtree(tmp, ignore_errors=True)
    results["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["notes"] += late_notes(results)
    write_json(results, out)
    print(render(results), flush=True)
    print(f"\nAll figures: {out}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
