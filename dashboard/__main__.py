"""`python -m dashboard`: the review dashboard for trainers, served by waitress.

`coach review` and `coach serve` start it like this, so the CLI never imports Flask.
"""

from __future__ import annotations

import argparse
import logging
import sys

from flask import Flask

from dashboard import serving
from dashboard.app import create_app, secret_key
from gesprekscoach.domain import default_catalogues
from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.storage.migrate import upgrade
from gesprekscoach.storage.service import spool_path


def review_app(settings: Settings) -> Flask:
    """The dashboard on the settings' database (migrated first) and the default catalogues."""
    upgrade(settings.database_url)
    catalogues = default_catalogues()
    return create_app(
        settings.database_url,
        secret_key(settings.var_dir, settings.secret_key),
        move_ids=catalogues.moves.ids,
        move_labels={m.id: m.label for m in catalogues.moves.moves.values()},
        tip_themes=catalogues.tips.theme_of,
        secure_cookies=settings.secure_cookies,
        spool=spool_path(settings),
    )


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.review_port)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    server = serving.create_server(review_app(settings), args.host, args.port)
    print(f"Reviewdashboard: http://{args.host}:{args.port}/ (stoppen met Ctrl-C)", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
