"""Entry point of the `coach` command (console script in pyproject.toml)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from gesprekscoach.catalogue import CatalogueError

MAX_SEED = 2**31 - 1


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach",
        description="gesprekscoach: oefen gesprekken met inwoners.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDO")

    chat = sub.add_parser("chat", help="een oefengesprek in de terminal")
    chat.add_argument("--persona", help="id of type van de inwoner (anders kies je zelf)")
    chat.add_argument("--seed", type=_seed, help="vaste seed voor herhaalbare antwoorden")
    chat.add_argument(
        "--variant",
        type=_variant,
        default="willekeurig",
        help="'willekeurig' (standaard: de inwoner is elke keer wat anders), 'geen', "
        "of de naam van een variant (zie coach personas)",
    )
    chat.add_argument("--rasa-url", help="gebruik een Rasa-server die al draait")
    chat.add_argument(
        "--no-hints", action="store_true", help="geen tips tijdens het gesprek (examenstand)"
    )
    chat.add_argument(
        "--workshop", metavar="CODE", help="meedoen aan een werkatelier met de code van de trainer"
    )

    sub.add_parser("personas", help="de inwoners waarmee je kunt oefenen")

    train = sub.add_parser("train", help="het model trainen (alleen als de data veranderd is)")
    train.add_argument("--force", action="store_true", help="ook trainen als het model actueel is")

    play = sub.add_parser("play", help="scripts met berichten afspelen via de echte servers")
    play.add_argument("files", nargs="+", type=Path, metavar="FILE")
    play.add_argument("--persona", help="id of type van de inwoner (gaat voor het script)")
    play.add_argument("--seed", type=_seed, default=1)
    play.add_argument(
        "--variant",
        type=_variant,
        help="'geen' (standaard), 'willekeurig' (volgens de seed) of de naam van een variant",
    )
    play.add_argument("--json", action="store_true", help="per bestand een JSON-object per regel")
    play.add_argument("--rasa-url", help="gebruik een Rasa-server die al draait")

    review = sub.add_parser("review", help="het reviewdashboard voor trainers starten")
    review.add_argument("--host", default="127.0.0.1")
    review.add_argument("--port", type=int, default=8080)

    trainer = sub.add_parser("trainer", help="trainersaccounts beheren")
    trainer.add_argument("action", choices=["add"])
    trainer.add_argument("username")
    trainer.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="lees het wachtwoord van standaardinvoer",
    )

    db = sub.add_parser("db", help="de database bijwerken (migraties)")
    db.add_argument("action", choices=["upgrade"], help="upgrade: naar de nieuwste versie")

    lang = sub.add_parser("language", help="taalcheck (B1, jargon) van berichten op stdin")
    lang.add_argument("--json", action="store_true", help="per regel een JSON-object")

    sim = sub.add_parser(
        "simulate", help="een persona uitproberen met gelabelde zetten, zonder Rasa"
    )
    sim.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sim.add_argument("--persona", help="id of type van de inwoner (gaat voor het script)")
    sim.add_argument("--seed", type=_seed, default=1)
    sim.add_argument("--variant", type=_variant, help="zoals bij coach play")

    serve = sub.add_parser(
        "serve", help="de Rasa-server en de actieserver starten en laten draaien"
    )
    serve.add_argument("--rasa-port", type=int, help="poort van de Rasa-server")
    serve.add_argument("--action-port", type=int, help="poort van de actieserver")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="aantal workers van de Rasa-server en van de actieserver (1-16; meer dan 1: "
        "gesprekken worden vergrendeld in Redis, REDIS_URL of een eigen Redis)",
    )
    cluster = sub.add_parser("cluster", help="Rasa-replica's achter nginx (docs/scaling.md)")
    cluster.add_argument("action", choices=["up"], help="up: starten en laten draaien")
    cluster.add_argument("--replicas", type=_replicas, default=2, help="Rasa-replica's (1-8)")
    cluster.add_argument("--workers", type=_workers, default=1, help="workers per server (1-16)")
    return parser


def cmd_personas() -> int:
    from gesprekscoach.domain import default_catalogues

    catalogues = default_catalogues()
    for p in catalogues.personas:
        print(f"{p.id:<12} {p.type:<14} {p.name} ({p.age}): {p.summary}")
        for v in p.variants:
            print(f"{'':<12} variant {v.id}: {v.label}")
    return 0


def cmd_train(force: bool) -> int:
    from coach.training import train
    from gesprekscoach.settings import load_settings

    train(load_settings(), force=force)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from coach.chat import TerminalChat
    from coach.stack_context import running_client
    from gesprekscoach.domain import default_catalogues
    from gesprekscoach.settings import load_settings

    catalogues = default_catalogues()  # a broken persona file fails before Rasa starts
    import getpass

    from gesprekscoach.storage.repository import pseudonym
    from gesprekscoach.storage.service import pseudonym_salt

    settings = load_settings()
    # The account name stays in this process: the server only sees its salted hash.
    who = {
        "channel": "terminal",
        "person": pseudonym("terminal", getpass.getuser(), pseudonym_salt(settings)),
    }
    hints, personas, undo, variant = not args.no_hints, (), None, args.variant
    if args.workshop:
        from gesprekscoach.workshops.service import WorkshopError

        try:
            info = _join_workshop(settings, args.workshop, who)
        except WorkshopError as err:
            print(err, file=sys.stderr)
            return 2
        print(f"Je doet mee aan het werkatelier '{info.name}'.")
        if info.form == "rondje":
            print("In dit werkatelier oefen je samen in de Telegram-groep van de trainer.")
            return 0
        who["workshop"] = info.code
        hints, personas = hints and info.hints, info.persona_ids
        undo = info.allow_undo
        variant = "willekeurig" if info.vary_personas else "geen"
    with running_client(settings, args.rasa_url, who) as running:
        chat = TerminalChat(
            running.client,
            catalogues,
            recover=running.recover,
            hints=hints,
            report_dir=settings.var_dir / "reports",
            personas=personas,
            undo=undo,
            variant=variant,
            recent=_recent_variants(settings, who["person"]),
        )
        return chat.run(args.persona, args.seed)


def _seed(raw: str) -> int:
    """--seed: a whole number from 0 to 2^31-1, or a clear message (argparse prints it)."""
    from gesprekscoach.control import ControlError, seed_value

    try:
        return seed_value(int(raw))
    except (ValueError, ControlError) as exc:
        message = str(exc) if isinstance(exc, ControlError) else "De seed moet een heel getal zijn."
        raise argparse.ArgumentTypeError(message) from exc


def _workers(raw: str) -> int:
    """--workers: 1 to 16."""
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 16:
        raise argparse.ArgumentTypeError("Het aantal workers moet een getal van 1 tot 16 zijn.")
    return int(raw)


def _replicas(raw: str) -> int:
    """--replicas: 1 to 8."""
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 8:
        raise argparse.ArgumentTypeError("Het aantal replica's moet een getal van 1 tot 8 zijn.")
    return int(raw)


def _variant(raw: str) -> str:
    """--variant: 'geen', 'willekeurig' or a variant's name (the server checks it exists)."""
    from gesprekscoach.control import ControlError, variant_value

    try:
        return str(variant_value(raw.strip().lower()))
    except ControlError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _recent_variants(settings: Any, person: str) -> Any:
    """The terminal user's last variants of a persona, from the session log (none if it
    cannot be read: a fresh machine has no database yet)."""
    from sqlalchemy.exc import SQLAlchemyError

    from gesprekscoach.storage.db import make_engine, session_factory
    from gesprekscoach.storage.repository import recent_variants

    def recent(persona_id: str) -> list[str | None]:
        engine = make_engine(settings.database_url)
        try:
            with session_factory(engine)() as db:
                return recent_variants(db, "terminal", person, persona_id)
        except SQLAlchemyError:
            return []
        finally:
            engine.dispose()

    return recent


def _join_workshop(settings: Any, code: str, who: dict[str, str]) -> Any:
    """Check the code and join (as the terminal's user) before any server starts."""
    from gesprekscoach.storage.db import make_engine
    from gesprekscoach.storage.migrate import upgrade
    from gesprekscoach.storage.service import pseudonym_salt, who_from
    from gesprekscoach.workshops.service import join_by_code

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        return join_by_code(engine, code, who_from("", who, pseudonym_salt(settings)))
    finally:
        engine.dispose()


def cmd_play(args: argparse.Namespace) -> int:
    from coach.play import emit, load_script, play_script
    from coach.stack_context import running_client
    from gesprekscoach.domain import default_catalogues
    from gesprekscoach.settings import load_settings

    catalogues = default_catalogues()
    scripts = [load_script(path) for path in args.files]  # all files checked before starting
    for script in scripts:
        key = args.persona or script.persona
        if key is not None:
            try:
                catalogues.personas.get(key)
            except KeyError:
                raise CatalogueError(script.path, "persona", f"unknown persona {key!r}") from None
    who = {"channel": "play"}
    with running_client(load_settings(), args.rasa_url, who) as running:
        for script in scripts:
            played = play_script(running.client, script, args.persona, args.seed, args.variant)
            emit(played, args.json)
    return 0


def cmd_review(host: str, port: int) -> int:
    """The dashboard in this terminal: `python -m dashboard` takes over the process."""
    import os

    from coach.processes import python

    args = [python(), "-m", "dashboard", "--host", host, "--port", str(port)]
    os.execv(args[0], args)
    return 0  # not reached: execv replaces this process


def cmd_trainer(username: str) -> int:
    from gesprekscoach.accounts.trainers import AccountError, add_trainer
    from gesprekscoach.settings import load_settings
    from gesprekscoach.storage.db import make_engine, session_factory
    from gesprekscoach.storage.migrate import upgrade

    password = sys.stdin.readline().rstrip("\n")
    settings = load_settings()
    upgrade(settings.database_url)
    try:
        with session_factory(make_engine(settings.database_url))() as db, db.begin():
            add_trainer(db, username, password)
    except AccountError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    print(f"Trainer {username.strip()!r} kan nu inloggen.")
    return 0


def cmd_db() -> int:
    from sqlalchemy.engine import make_url

    from gesprekscoach.settings import load_settings
    from gesprekscoach.storage.migrate import upgrade

    url = load_settings().database_url
    upgrade(url)
    print(f"Database bijgewerkt: {make_url(url).render_as_string(hide_password=True)}")
    return 0


def cmd_language(as_json: bool) -> int:
    import json

    from gesprekscoach.domain import default_catalogues

    checker = default_catalogues().language
    for line in sys.stdin:
        text = line.rstrip("\n")
        result = checker.check(text)
        if as_json:
            print(json.dumps(result.to_dict(), ensure_ascii=False), flush=True)
            continue
        verdict = "B1: ja" if result.b1_ok else "B1: nee (" + "; ".join(result.reasons) + ")"
        score = "-" if result.flesch_douma is None else f"{result.flesch_douma:.0f}"
        print(f"{text}\n  Flesch-Douma {score}, {verdict}")
        for hit in result.jargon:
            print(f"  '{hit.found}' -> {hit.alternative}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from coach.play import load_script
    from coach.simulate import simulate
    from gesprekscoach.domain import default_catalogues

    catalogues = default_catalogues()
    for path in args.files:
        print(f"# {path}")
        try:
            print(simulate(catalogues, load_script(path), args.persona, args.seed, args.variant))
        except KeyError as exc:
            print(f"Die inwoner of variant ken ik niet: {exc}.", file=sys.stderr)
            return 2
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from coach.lockstore import plan_lock_store
    from coach.processes import say
    from coach.stack import Stack
    from coach.training import current_model, train
    from gesprekscoach.settings import load_settings

    env = dict(os.environ)
    if args.rasa_port:
        env["RASA_PORT"] = str(args.rasa_port)
    if args.action_port:
        env["ACTION_PORT"] = str(args.action_port)
    settings = load_settings(env)
    plan_lock_store(settings, args.workers)  # refuse an unsafe lock store before training
    model = current_model(settings) or train(settings).model
    with Stack(settings, model, front_ends=True, workers=args.workers) as stack:
        each = f" ({args.workers} workers)" if args.workers > 1 else ""
        say(f"Rasa-server{each}: {settings.rasa_url} (oefenkanaal: /webhooks/coach/webhook)")
        say(f"Actieserver{each}: {settings.action_url}")
        say(f"Reviewdashboard: http://{settings.host}:{settings.review_port}/")
        if not settings.telegram_token:
            say("Telegram-bot: uit (zet TELEGRAM_BOT_TOKEN om hem te starten).")
        elif settings.telegram_webhook_url:
            where = f"{settings.telegram_webhook_listen}:{settings.telegram_webhook_port}"
            say(f"Telegram-bot: actief (webhook op {where}).")
        else:
            say("Telegram-bot: actief (long polling).")
        say("Stoppen met Ctrl-C.")
        try:
            while all(server.alive() for server in stack.servers):
                time.sleep(1)
            say("Een van de servers is gestopt; zie de logs in var/log/.")
            return 1
        except KeyboardInterrupt:
            say("\nStoppen...")
            return 0


def main(argv: list[str] | None = None) -> int:
    from coach.processes import exit_on_signals, stop_all

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # SIGTERM/SIGHUP: a normal exit, so the servers this process started stop too, and
    # within 20 s even if something hangs.
    exit_on_signals((signal.SIGTERM, signal.SIGHUP), interrupt=(signal.SIGINT,))
    args = _build_parser().parse_args(argv)
    if args.command in ("serve", "cluster"):
        exit_on_signals((signal.SIGINT,))  # Ctrl-C ends serve like SIGTERM does
    try:
        if args.command == "personas":
            return cmd_personas()
        if args.command == "train":
            return cmd_train(args.force)
        if args.command == "chat":
            return cmd_chat(args)
        if args.command == "play":
            return cmd_play(args)
        if args.command == "review":
            return cmd_review(args.host, args.port)
        if args.command == "trainer":
            return cmd_trainer(args.username)
        if args.command == "db":
            return cmd_db()
        if args.command == "language":
            return cmd_language(args.json)
        if args.command == "simulate":
            return cmd_simulate(args)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "cluster":
            from coach.cluster import cmd_cluster

            return cmd_cluster(args)
    except CatalogueError as exc:
        print(f"Fout in een databestand: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError) as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nAfgebroken.", file=sys.stderr)
        return 130
    finally:
        stop_all()  # any server a command left behind, e.g. after a signal at the wrong moment
    return 2


if __name__ == "__main__":
    sys.exit(main())
