"""The review dashboard's application factory, as Flask's tutorial (flaskr) builds one.

create_app configures the app, puts what the routes need in one `Deps` (deps.py) and
registers one small blueprint per area:

- auth.py: login and logout, and the login check before every request;
- sessions.py: the session list, one session, comments, label corrections, its curve;
- casemanagers.py: a casemanager's progress page and chart, and erasing them;
- exports.py: the CSV, JSON and NLU downloads;
- workshops.py: the werkatelier pages; stream.py: their live streams.

Every form carries a CSRF token (Flask-WTF). Headers, cookie flags and body limits:
security.py; odd parameters: params.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine

from dashboard import auth, casemanagers, exports, params, security, sessions, stream, workshops
from dashboard.deps import Deps, install
from dashboard.throttle import LoginThrottle
from gesprekscoach.domain import Catalogues, default_catalogues
from gesprekscoach.local_secrets import kept_secret
from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine, session_factory

BLUEPRINTS = (
    auth.blueprint,
    sessions.blueprint,
    casemanagers.blueprint,
    exports.blueprint,
    workshops.blueprint,
    stream.blueprint,
)
"""auth first: its login check runs after the CSRF check, before any other hook."""


def secret_key(var_dir: Path, configured: str = "") -> str:
    """COACH_SECRET_KEY, or a random key kept under var/ (never in the repository)."""
    return kept_secret(var_dir, "secret-key", configured)


def create_app(
    database_url: str,
    key: str,
    *,
    move_ids: tuple[str, ...] = (),
    move_labels: dict[str, str] | None = None,
    tip_themes: dict[str, str] | None = None,
    session_minutes: int = 8 * 60,
    engine: Engine | None = None,
    clock: Callable[[], float] = time.time,
    catalogues: Catalogues | None = None,
    secure_cookies: bool | None = None,
    throttle: LoginThrottle | None = None,
    spool: Path | None = None,
) -> Flask:
    """The dashboard; secure_cookies None: COACH_SECURE_COOKIES from the settings.

    `spool`: the session log's spool, so an erasure also removes writes waiting there.
    """
    lifetime = timedelta(minutes=session_minutes)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=key,
        PERMANENT_SESSION_LIFETIME=lifetime,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
    )
    if secure_cookies is None:
        secure_cookies = load_settings().secure_cookies
    security.install(app, secure_cookies=secure_cookies)
    params.install(app)
    CSRFProtect(app)
    given = Deps(
        make_session=session_factory(engine or make_engine(database_url)),
        catalogues=catalogues or default_catalogues(),
        throttle=throttle or LoginThrottle(clock=clock),
        clock=clock,
        lifetime=lifetime,
        move_ids=move_ids,
        move_labels=dict(move_labels or {}),
        tip_themes=dict(tip_themes or {}),
        spool=spool,
    )
    install(app, given)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
