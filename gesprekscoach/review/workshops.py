"""The werkatelier pages: prepare, open and close a workshop.

The facilitator's controls are forms on the workshop's page, each a POST with a
CSRF token like every form of the dashboard.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select

from gesprekscoach.review.common import catalogues_of
from gesprekscoach.storage.models import PracticeSession, Workshop, WorkshopMember
from gesprekscoach.workshops.figures import snapshot
from gesprekscoach.workshops.service import WorkshopError, WorkshopPlan, create_workshop, set_status

blueprint = Blueprint("workshops", __name__, url_prefix="/werkateliers")
STATUS_LABELS = {"voorbereid": "Voorbereid", "open": "Open", "gesloten": "Gesloten"}
FORM_LABELS = {
    "parallel": "Parallel: iedereen oefent in een eigen chat",
    "rondje": "Rondje: de groep voert samen één gesprek, om de beurt",
}
LIST_LIMIT = 200


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
