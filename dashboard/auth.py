"""Login and logout, and the check before every request: no page without a trainer.

The login is kept on the server (gesprekscoach.accounts.logins; logout ends it), so
the cookie alone is never trusted; password guessing is throttled per account name
and per address (throttle.py). The check is the app's default, not a decorator per
route: a new page is closed unless its endpoint is in OPEN_ENDPOINTS, and
tests/dashboard/test_routes_guard.py holds every route of the app to that.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from dashboard import security
from dashboard.deps import deps
from dashboard.throttle import Refused
from gesprekscoach.accounts import logins
from gesprekscoach.accounts import trainers as auth

blueprint = Blueprint("auth", __name__)
OPEN_ENDPOINTS = frozenset({"auth.login", "static"})
"""What answers without a login: the login page itself, and the style sheets and scripts."""


def _minutes(seconds: float) -> str:
    minutes = max(int(-(-seconds // 60)), 1)
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"


@blueprint.before_app_request
def require_login() -> Any:
    """Open the request's database session, find its trainer, else send to the login page."""
    given = deps()
    g.db = given.make_session()
    g.trainer = None
    if request.endpoint == "static":
        return None  # style sheets and scripts: no login, no lookup
    token = session.get("login")
    if isinstance(token, str) and token:
        found = logins.resume(g.db, token, logins.at(given.clock()), given.lifetime)
        g.db.commit()
        if found.active is None:
            session.clear()  # ended, unknown or too old: the cookie alone is never trusted
            if found.expired:
                flash("Je sessie is verlopen. Log opnieuw in.")
        else:
            g.trainer = {"id": found.active.trainer_id, "name": found.active.name}
    if request.endpoint not in OPEN_ENDPOINTS and not g.trainer:
        return redirect(url_for("auth.login", next=request.full_path))
    return None


@blueprint.teardown_app_request
def close_db(_exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method != "POST":
        return render_template("login.html")
    given = deps()
    username = request.form.get("username", "")
    try:
        ticket = given.throttle.start(username, request.remote_addr)
    except Refused as refused:
        wait = _minutes(refused.retry_after)
        flash(f"Te veel mislukte inlogpogingen. Probeer het over {wait} opnieuw.")
        retry = str(int(refused.retry_after) + 1)
        return render_template("login.html"), 429, {"Retry-After": retry}
    trainer = auth.check_login(g.db, username, request.form.get("password", ""))
    if trainer is None:
        flash("Gebruikersnaam of wachtwoord klopt niet.")
        return render_template("login.html"), 401
    given.throttle.succeeded(ticket)
    now = logins.at(given.clock())
    logins.end(g.db, str(session.get("login", "")), now)  # a login replaced ends
    token = logins.start(g.db, int(trainer.id), now)
    g.db.commit()
    session.clear()
    session.permanent = True
    session["login"] = token
    target = security.safe_next(request.args.get("next"))
    return redirect(target or url_for("sessions.index"))


@blueprint.post("/logout")
def logout() -> Any:
    logins.end(g.db, str(session.get("login", "")), logins.at(deps().clock()))
    g.db.commit()
    session.clear()
    flash("Je bent uitgelogd.")
    return redirect(url_for("auth.login"))
