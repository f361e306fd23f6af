"""The werkatelier pages: prepare, open and close a workshop, follow it live, put it on
the beamer, and read its report afterwards.

The live page and the beamer update themselves from /stream (server-sent events,
see stream.py). The facilitator's controls are forms on the workshop's page, each a
POST with a CSRF token like every form of the dashboard.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from sqlalchemy import func, select

from dashboard import stream
from dashboard.common import catalogues_of, download, sessions_of
from gesprekscoach.storage.models import PracticeSession, Workshop, WorkshopMember
from gesprekscoach.workshops.figures import snapshot
from gesprekscoach.workshops.report import build_workshop_report, report_csv
from gesprekscoach.workshops.service import WorkshopError, WorkshopPlan, create_workshop, set_status

blueprint = Blueprint("workshops", __name__, url_prefix="/werkateliers")
STATUS_LABELS = {"voorbereid": "Voorbereid", "open": "Open", "gesloten": "Gesloten"}
FORM_LABELS = {
    "parallel": "Parallel: iedereen oefent in een eigen chat",
    "rondje": "Rondje: de groep voert samen één gesprek, om de beurt",
}
LIST_LIMIT = 200


@blueprint.record_once
def _install(state: BlueprintSetupState) -> None:
    stream.install(state.app)


@blueprint.app_context_processor
def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "form_labels": FORM_LABELS}


def _workshop(workshop_id: int) -> Workshop:
    workshop = g.db.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


@blueprint.get("")
def index() -> Any:
    workshops = g.db.execute(
        select(Workshop).order_by(Workshop.day.desc(), Workshop.id.desc()).limit(LIST_LIMIT)
    ).scalars().all()  # fmt: skip
    codes = [w.code for w in workshops]
    sessions = {code: n for code, n in g.db.execute(
        select(PracticeSession.workshop_code, func.count())
        .where(PracticeSession.workshop_code.in_(codes)).group_by(PracticeSession.workshop_code)
    )}  # fmt: skip
    members = {ident: n for ident, n in g.db.execute(
        select(WorkshopMember.workshop_id, func.count())
        .where(WorkshopMember.workshop_id.in_([w.id for w in workshops]))
        .group_by(WorkshopMember.workshop_id)
    )}  # fmt: skip
    return render_template("workshops.html", workshops=workshops, sessions=sessions,
                           members=members)  # fmt: skip


def _plan(form: Any) -> WorkshopPlan:
    """The plan from the form; a wrong date or duration is a WorkshopError like the rest."""
    try:
        day = date.fromisoformat(form.get("day") or "")
    except ValueError:
        raise WorkshopError("Kies een geldige datum.") from None
    try:
        minutes = int(form.get("minutes") or "")
    except ValueError:
        raise WorkshopError("Geef de duur in hele minuten, bijvoorbeeld 20.") from None
    return WorkshopPlan(
        name=(form.get("name") or "").strip(), day=day,
        persona_ids=tuple(dict.fromkeys(form.getlist("persona"))),
        form=form.get("form") or "", hints=form.get("hints") == "1", minutes=minutes,
    )  # fmt: skip


@blueprint.route("/nieuw", methods=["GET", "POST"])
def new() -> Any:
    personas = list(catalogues_of(current_app).personas)

    def page(error: str | None = None) -> str:
        form = request.form if request.method == "POST" else None
        return render_template("workshop_new.html", personas=personas, form=form, error=error,
                               today_iso=date.today().isoformat())  # fmt: skip

    if request.method == "GET":
        return page()
    try:
        plan = _plan(request.form)
        workshop = create_workshop(g.db, plan, tuple(p.id for p in personas), g.trainer["id"])
    except WorkshopError as exc:
        g.db.rollback()
        return page(str(exc)), 400
    g.db.commit()
    flash(f"Werkatelier '{workshop.name}' is klaar. Open het als iedereen er is.")
    return redirect(url_for("workshops.detail", workshop_id=workshop.id))


@blueprint.get("/<int:workshop_id>")
def detail(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    snap = snapshot(g.db, workshop, catalogues_of(current_app))
    personas = catalogues_of(current_app).personas.personas
    names = [personas[p].name if p in personas else p for p in workshop.persona_ids or []]
    return render_template("workshop.html", w=workshop, snap=snap, persona_names=names)


def _back(workshop: Workshop, anchor: str = "") -> Any:
    return redirect(url_for("workshops.detail", workshop_id=workshop.id) + anchor)


@blueprint.post("/<int:workshop_id>/stand")
def change_status(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    status = request.form.get("status", "")
    if status not in ("open", "gesloten"):
        abort(400)
    set_status(g.db, workshop, status)
    g.db.commit()
    flash("Het werkatelier is open: deelnemers kunnen nu meedoen." if status == "open"
          else "Het werkatelier is gesloten: nieuwe gesprekken tellen niet meer mee.")  # fmt: skip
    return _back(workshop)


@blueprint.post("/<int:workshop_id>/beamer-tip")
def choose_tip(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    tip = request.form.get("tip", "")
    if tip and tip not in catalogues_of(current_app).tips:
        abort(400)
    workshop.beamer_tip = tip or None
    g.db.commit()
    flash(f"De beamer toont nu voorbeeldzinnen bij tip {tip}." if tip
          else "De beamer toont weer het overzicht.")  # fmt: skip
    return _back(workshop, "#beamer")


@blueprint.post("/<int:workshop_id>/namen")
def show_names(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    workshop.show_names = request.form.get("show") == "1"
    g.db.commit()
    flash("De beamer toont nu de namen van de deelnemers." if workshop.show_names
          else "De beamer toont geen namen meer.")  # fmt: skip
    return _back(workshop, "#beamer")


@blueprint.get("/<int:workshop_id>/live")
def live(workshop_id: int) -> Any:
    return render_template("workshop_live.html", w=_workshop(workshop_id))


@blueprint.get("/<int:workshop_id>/beamer")
def beamer(workshop_id: int) -> Any:
    return render_template("workshop_beamer.html", w=_workshop(workshop_id))


@blueprint.get("/<int:workshop_id>/stream")
def events(workshop_id: int) -> Response:
    workshop = _workshop(workshop_id)
    view = request.args.get("view", "live")
    if view not in stream.VIEWS:
        abort(400)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    feed = stream.Feed(sessions_of(app), catalogues_of(app), stream.cache_of(app),
                       int(workshop.id), str(workshop.code), view)  # fmt: skip
    g.db.close()  # the stream polls with short sessions of its own
    disconnected = request.environ.get("waitress.client_disconnected")
    body = stream.events(
        feed, once=request.args.get("once") == "1",
        timing=app.config.get("COACH_STREAM_TIMING") or stream.Timing(),
        stop=stream.stop_event(app),
        gone=stream.either(disconnected if callable(disconnected) else bool,
                          app.extensions["coach_login_watch"]()),
    )  # fmt: skip
    try:  # the slot last: nothing can fail between taking it and Held giving it back
        give_back = stream.slots_of(app).take(int(g.trainer["id"]))
    except stream.Full as full:
        return Response(str(full), 429, mimetype="text/plain", headers={"Retry-After": "15"})
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(stream.Held(body, give_back), mimetype="text/event-stream", headers=headers)


@blueprint.get("/<int:workshop_id>/verslag")
def report(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    result = build_workshop_report(g.db, workshop, catalogues_of(current_app))
    return render_template("workshop_report.html", w=workshop, report=result)


@blueprint.get("/<int:workshop_id>/verslag.csv")
def report_download(workshop_id: int) -> Response:
    workshop = _workshop(workshop_id)
    result = build_workshop_report(g.db, workshop, catalogues_of(current_app))
    return download(report_csv(result), "text/csv", f"werkatelier-{workshop.code}.csv")
