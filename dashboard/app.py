"""The review dashboard: an application factory, as Flask's own docs do it.

Every page but the login needs a logged-in trainer, whose login is kept on the
server (logins.py: logout ends it); password guessing is throttled per account
name and per address (throttle.py); every form carries a CSRF token (Flask-WTF);
everything a casemanager typed goes through Jinja's autoescaping, so a message
like <script> is shown as text. Headers, cookie flags and body limits: security.py;
odd parameters: params.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine

from dashboard import exports, params, queries, security, workshops
from dashboard.common import catalogues_of, download
from dashboard.throttle import LoginThrottle, Refused
from gesprekscoach import charts
from gesprekscoach.accounts import logins
from gesprekscoach.accounts import trainers as auth
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.progress import progress
from gesprekscoach.local_secrets import kept_secret
from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import Casemanager, Comment, LabelCorrection, TurnRecord
from gesprekscoach.workshops.erasure import erase_person

OPEN_ENDPOINTS = {"login", "static"}


def secret_key(var_dir: Path, configured: str = "") -> str:
    """COACH_SECRET_KEY, or a random key kept under var/ (never in the repository)."""
    return kept_secret(var_dir, "secret-key", configured)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _minutes(seconds: float) -> str:
    minutes = max(int(-(-seconds // 60)), 1)
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"


def filters_from(args: Any) -> queries.Filters:
    return queries.Filters(
        casemanager=(args.get("casemanager") or "").strip()[:80],
        persona=(args.get("persona") or "").strip()[:40],
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to")),
        workshop=(args.get("workshop") or "").strip()[:20],
        has_comments=args.get("comments") == "1",
    )


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
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=key,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=session_minutes),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
    )
    if secure_cookies is None:
        secure_cookies = load_settings().secure_cookies
    security.install(app, secure_cookies=secure_cookies)
    params.install(app)
    CSRFProtect(app)
    lifetime = timedelta(minutes=session_minutes)
    guard = throttle or LoginThrottle(clock=clock)
    themes = dict(tip_themes or {})
    db_engine = engine or make_engine(database_url)
    make_session = session_factory(db_engine)
    app.extensions["coach_engine"] = db_engine
    app.extensions["coach_sessions"] = make_session
    app.extensions["coach_catalogues"] = catalogues
    app.extensions["coach_throttle"] = guard
    app.extensions["coach_login_watch"] = lambda: logins.Watch(
        make_session, str(session.get("login", "")), lifetime, clock
    )
    app.register_blueprint(workshops.blueprint)

    @app.before_request
    def require_login() -> Any:
        g.db = make_session()
        g.trainer = None
        if request.endpoint == "static":
            return None  # style sheets and scripts: no login, no lookup
        token = session.get("login")
        if isinstance(token, str) and token:
            found = logins.resume(g.db, token, logins.at(clock()), lifetime)
            g.db.commit()
            if found.active is None:
                session.clear()  # ended, unknown or too old: the cookie alone is never trusted
                if found.expired:
                    flash("Je sessie is verlopen. Log opnieuw in.")
            else:
                g.trainer = {"id": found.active.trainer_id, "name": found.active.name}
        if request.endpoint not in OPEN_ENDPOINTS and not g.trainer:
            return redirect(url_for("login", next=request.full_path))
        return None

    @app.teardown_request
    def close_db(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "POST":
            username = request.form.get("username", "")
            try:
                ticket = guard.start(username, request.remote_addr)
            except Refused as refused:
                flash("Te veel mislukte inlogpogingen. Probeer het over "
                      f"{_minutes(refused.retry_after)} opnieuw.")  # fmt: skip
                retry = str(int(refused.retry_after) + 1)
                return render_template("login.html"), 429, {"Retry-After": retry}
            trainer = auth.check_login(g.db, username, request.form.get("password", ""))
            if trainer is None:
                flash("Gebruikersnaam of wachtwoord klopt niet.")
                return render_template("login.html"), 401
            guard.succeeded(ticket)
            now = logins.at(clock())
            logins.end(g.db, str(session.get("login", "")), now)  # a login replaced ends
            token = logins.start(g.db, int(trainer.id), now)
            g.db.commit()
            session.clear()
            session.permanent = True
            session["login"] = token
            target = security.safe_next(request.args.get("next"))
            return redirect(target or url_for("sessions"))
        return render_template("login.html")

    @app.post("/logout")
    def logout() -> Any:
        logins.end(g.db, str(session.get("login", "")), logins.at(clock()))
        g.db.commit()
        session.clear()
        flash("Je bent uitgelogd.")
        return redirect(url_for("login"))

    @app.get("/")
    def sessions() -> Any:
        filters = filters_from(request.args)
        page = params.page_number(request.args)
        rows, total = queries.list_sessions(g.db, filters, page)
        pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
        args = params.filter_args(request.args)
        return render_template("sessions.html", rows=rows, total=total, page=page,
                               pages=pages, filters=filters, args=args)  # fmt: skip

    @app.get("/sessions/<session_id>")
    def session_page(session_id: str) -> Any:
        row = queries.get_session(g.db, session_id)
        if row is None:
            abort(404)
        corrections = exports.latest_corrections(g.db, [t.id for t in row.turns])
        return render_template("session.html", s=row, corrections=corrections, moves=move_ids,
                               labels=move_labels or {})  # fmt: skip

    @app.post("/sessions/<session_id>/comments")
    def add_comment(session_id: str) -> Any:
        row = queries.get_session(g.db, session_id)
        text = (request.form.get("text") or "").strip()
        if row is None:
            abort(404)
        if not text:
            flash("Een lege opmerking is niet opgeslagen.")
            return redirect(url_for("session_page", session_id=session_id))
        turn_id = request.form.get("turn_id", type=int)
        if turn_id is not None and turn_id not in {t.id for t in row.turns}:
            abort(400)
        g.db.add(Comment(session_id=session_id, turn_id=turn_id, trainer_id=g.trainer["id"],
                         text=text[:5000]))  # fmt: skip
        g.db.commit()
        flash("Opmerking opgeslagen.")
        anchor = f"#beurt-{turn_id}" if turn_id else "#opmerkingen"
        return redirect(url_for("session_page", session_id=session_id) + anchor)

    @app.post("/turns/<int:turn_id>/move")
    def correct_move(turn_id: int) -> Any:
        turn = g.db.get(TurnRecord, turn_id)
        new_move = request.form.get("move", "")
        if turn is None:
            abort(404)
        if new_move not in move_ids:
            abort(400)
        g.db.add(LabelCorrection(turn_id=turn_id, trainer_id=g.trainer["id"],
                                 old_move=turn.move, new_move=new_move))  # fmt: skip
        g.db.commit()
        flash(f"Bericht {turn.number} is nu gelabeld als {new_move}.")
        return redirect(url_for("session_page", session_id=turn.session_id) + f"#beurt-{turn_id}")

    @app.get("/export/sessions.<fmt>")
    def export_sessions(fmt: str) -> Response:
        rows = queries.all_sessions(g.db, filters_from(request.args))
        if fmt == "csv":
            return download(exports.sessions_csv(rows), "text/csv", "sessies.csv")
        if fmt == "json":
            return download(exports.sessions_json(rows), "application/json", "sessies.json")
        abort(404)

    @app.get("/sessions/<session_id>/export.<fmt>")
    def export_session(session_id: str, fmt: str) -> Response:
        row = queries.get_session(g.db, session_id)
        if row is None:
            abort(404)
        if fmt == "csv":
            return download(exports.turns_csv(row), "text/csv", f"sessie-{session_id}.csv")
        if fmt == "json":
            return download(exports.sessions_json([row]), "application/json",
                            f"sessie-{session_id}.json")  # fmt: skip
        abort(404)

    @app.get("/casemanagers/<int:person_id>")
    def casemanager(person_id: int) -> Any:
        person = g.db.get(Casemanager, person_id)
        if person is None:
            abort(404)
        sessions = sorted(person.sessions, key=lambda s: s.started_at)
        per_tip = progress(sessions, tuple(themes))
        return render_template("casemanager.html", person=person, sessions=sessions,
                               per_tip=per_tip)  # fmt: skip

    @app.get("/casemanagers/<int:person_id>/progress.png")
    def progress_chart(person_id: int) -> Response:
        person = g.db.get(Casemanager, person_id)
        if person is None:
            abort(404)
        per_tip = progress(list(person.sessions), tuple(themes))
        return Response(charts.progress_png(per_tip, themes), mimetype="image/png")

    @app.route("/casemanagers/<int:person_id>/verwijderen", methods=["GET", "POST"])
    def erase(person_id: int) -> Any:
        person = g.db.get(Casemanager, person_id)
        if person is None:
            abort(404)
        if request.method == "POST":
            if (request.form.get("confirm") or "").strip() != person.display_name:
                flash("Typ de naam precies over om het verwijderen te bevestigen.")
                return render_template("erase.html", person=person), 400
            name = person.display_name
            count = erase_person(g.db, person_id, catalogues_of(app), spool)
            g.db.commit()
            flash(f"Alle gegevens van {name} zijn verwijderd ({count} sessies).")
            return redirect(url_for("sessions"))
        return render_template("erase.html", person=person)

    @app.get("/export/nlu.yml")
    def export_nlu() -> Response:
        return Response(
            exports.corrections_as_nlu(g.db),
            mimetype="application/x-yaml",
            headers={"Content-Disposition": "attachment; filename=correcties.yml"},
        )

    @app.get("/sessions/<session_id>/chart.png")
    def chart(session_id: str) -> Response:
        row = queries.get_session(g.db, session_id)
        if row is None:
            abort(404)
        png = charts.curve_png([t.trust for t in row.turns], [t.stress for t in row.turns],
                                row.hidden_need_turn)  # fmt: skip
        return Response(png, mimetype="image/png")

    return app
