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

from bench import targets
from bench.load import PERSONAS, REQUEST_TIMEOUT, Phase, load_scripts
from bench.procs import kill_own_children, machine
from bench.report import render, write_json
from bench.runner import bench_server, conversations_dir
from bench.targets import LABELS, TARGETS, Running
from coach.processes import free_port
from coach.training import current_model, train
from gesprekscoach.settings import Settings, load_settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark our stack (1 worker, 2 workers, a cluster) against a stock "
        "`rasa init` assistant, side by side in one run.",
    )
    parser.add_argument("--users", type=int, default=20, help="users at saturation (20)")
    parser.add_argument(
        "--workshop-users", type=int, default=30, help="users pausing 1-3 s in the werkatelier (30)"
    )
    parser.add_argument("--long-turns", type=int, default=60, help="messages of a long practice")
    parser.add_argument(
        "--targets",
        default=",".join(TARGETS),
        help=f"comma-separated, of {', '.join(TARGETS)} (default: all)",
    )
    parser.add_argument("--skip-reference", action="store_true", help="leave out the stock bot")
    parser.add_argument("--skip-training", action="store_true", help="do not time training")
    parser.add_argument("--seed", type=int, default=7, help="seed for think times and personas")
    parser.add_argument("--out", type=Path, default=None, help="JSON file (var/bench/results.json)")
    args = parser.parse_args(argv)
    for name in ("users", "workshop_users"):
        if not 1 <= getattr(args, name) <= 500:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and 500")
    if not 10 <= args.long_turns <= 200:
        parser.error("--long-turns must be between 10 and 200")
    chosen = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown or not chosen:
        parser.error(f"--targets: unknown {unknown}; choose from {', '.join(TARGETS)}")
    if args.skip_reference and "stock" in chosen:
        chosen.remove("stock")
    args.chosen = chosen
    return args


def phases(args: argparse.Namespace) -> list[Phase]:
    """Werkatelier (people pausing), saturation (capacity), and one long practice per user."""
    return [
        Phase("werkatelier", args.workshop_users, 15, (1.0, 3.0), 120.0),
        Phase("saturation", args.users, 25, (0.0, 0.0), 60.0 + args.users * 25 * 0.5),
        Phase("long", 4, args.long_turns, (0.3, 0.8), 60.0 + args.long_turns * 5.0, long=True),
    ]


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


def our_model(
    settings: Settings, tmp: Path, args: argparse.Namespace, figures: dict[str, Any]
) -> Path:
    """The current model; with training timed, also a training from an empty cache."""
    if not args.skip_training:
        print("==> Ours: training (empty cache, temp output dir)...", flush=True)
        cache = tmp / "cache-ours"
        cache.mkdir()
        with fresh_training_cache(cache):
            result = train(settings, force=True, out_dir=tmp / "models-ours")
        figures["train_seconds"] = round(result.seconds, 1)
    return current_model(settings) or train(settings).model


def started(
    name: str,
    settings: Settings,
    tmp: Path,
    args: argparse.Namespace,
    model: Path,
    pg_server: str,
    figures: dict[str, Any],
) -> contextlib.AbstractContextManager[Running]:
    if name == "stock":
        return targets.stock(tmp, settings, not args.skip_training, figures)
    stack = contextlib.ExitStack()
    url = stack.enter_context(targets.fresh_database(pg_server, name))
    own = targets.settings_for(settings, tmp, name, url)
    if name == "cluster":
        running = stack.enter_context(targets.cluster(own, model))
    else:
        running = stack.enter_context(targets.ours(own, model, int(name[-1])))

    @contextlib.contextmanager
    def holder() -> Iterator[Running]:
        with stack:
            yield running

    return holder()


def bench_target(
    name: str,
    settings: Settings,
    tmp: Path,
    args: argparse.Namespace,
    model: Path | None,
    pg_server: str,
    results: dict[str, Any],
) -> None:
    figures: dict[str, Any] = results["targets"].setdefault(name, {"label": LABELS[name]})
    print(f"==> {LABELS[name]}: starting...", flush=True)
    assert name == "stock" or model is not None
    with started(name, settings, tmp, args, model or Path(), pg_server, figures) as running:
        figures["ready_seconds"] = round(running.ready_seconds, 1)
        figures["layout"] = running.detail
        scripts = load_scripts(conversations_dir(settings.root))
        figures.update(
            bench_server(running.endpoint, running.servers, phases(args), scripts, args.seed, name)
        )


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
        "ours keep Rasa's trackers and the session log in a fresh PostgreSQL database per "
        "target (loopback, scripts/postgres.sh); the stock bot keeps them in memory.",
        "memory = peak PSS of each process while loaded (pages that forked workers share are "
        "split between them; a server with workers is a parent plus one process per worker); "
        "the stock bot has no action server.",
        "long = 4 users, each one practice of --long-turns messages with 0.3-0.8 s pauses: "
        "the median latency around the 5th (3rd-7th) and the 60th (56th-60th) message shows "
        "whether a turn costs more as the conversation grows.",
        "each server got 8 warm-up turns before measuring; the load generator runs on the "
        "same machine and shares its CPUs.",
        "werkatelier turns/s is set by the think time (the load people offer); "
        "saturation turns/s is the most the server handled with that many users.",
    ] + (["training not timed (--skip-training)."] if args.skip_training else [])


def late_notes(results: dict[str, Any]) -> list[str]:
    """Notes that depend on what happened: silent stock replies, other Rasa processes."""
    out = []
    ref_kinds: set[str] = set()
    for phase in (results["targets"].get("stock", {}).get("phases") or {}).values():
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
            "workshop_users": args.workshop_users,
            "long_turns": args.long_turns,
            "targets": args.chosen,
            "seed": args.seed,
            "skip_training": args.skip_training,
        },
        "targets": {},
        "notes": notes(args),
    }
    code = 0
    try:
        ours_chosen = [t for t in args.chosen if t != "stock"]
        model = None
        if ours_chosen:
            ours_figures = results["targets"].setdefault("ours-1", {"label": LABELS["ours-1"]})
            model = our_model(settings, tmp, args, ours_figures)
            results["model"] = model.name
        pg_server = targets.postgres_server(settings.root) if ours_chosen else ""
        for name in args.chosen:
            bench_target(name, settings, tmp, args, model, pg_server, results)
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
