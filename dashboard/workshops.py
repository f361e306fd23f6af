"""The werkatelier pages: prepare, open and close a workshop, follow it live, put it on
the beamer, and read its report afterwards.

The live page and the beamer update themselves from /stream (server-sent events,
the streams blueprint in stream.py). The facilitator's controls are forms on the
workshop's page, each a POST with a CSRF token like every form of the dashboard.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from dashboard.common import download, get_or_404
from dashboard.deps import deps
from gesprekscoach.storage.models import PracticeSession, Workshop, WorkshopMember
from gesprekscoach.workshops.figures import snapshot
from gesprekscoach.workshops.report import build_workshop_report, report_csv
from gesprekscoach.workshops.service import (
    WorkshopError,
    WorkshopPlan,
    create_workshop,
    set_allow_undo,
    set_status,
)

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


def _counts(column: Any, values: list[Any]) -> dict[Any, int]:
    """How many rows have each of these values in `column` (absent: none)."""
    query = select(column, func.count()).where(column.in_(values)).group_by(column)
    return dict(g.db.execute(query).all())


@blueprint.get("")
def index() -> Any:
    newest_first = (Workshop.day.desc(), Workshop.id.desc())
    workshops = g.db.scalars(select(Workshop).order_by(*newest_first).limit(LIST_LIMIT)).all()
    sessions = _counts(PracticeSession.workshop_code, [w.code for w in workshops])
    members = _counts(WorkshopMember.workshop_id, [w.id for w in workshops])
    return render_template(
        "workshops.html", workshops=workshops, sessions=sessions, members=members
    )


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
        name=(form.get("name") or "").strip(),
        day=day,
        persona_ids=tuple(dict.fromkeys(form.getlist("persona"))),
        form=form.get("form") or "",
        hints=form.get("hints") == "1",
        minutes=minutes,
        allow_undo=form.get("undo") == "1",
        vary_personas=form.get("vary") == "1",
    )


@blueprint.route("/nieuw", methods=["GET", "POST"])
def new() -> Any:
    personas = list(deps().catalogues.personas)

    def page(error: str | None = None) -> str:
        return render_template(
            "workshop_new.html",
            personas=personas,
            form=request.form if request.method == "POST" else None,
            error=error,
            today_iso=date.today().isoformat(),
        )

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
    workshop = get_or_404(Workshop, workshop_id)
    catalogues = deps().catalogues
    snap = snapshot(g.db, workshop, catalogues)
    personas = catalogues.personas.personas
    names = [personas[p].name if p in personas else p for p in workshop.persona_ids or []]
    return render_template("workshop.html", w=workshop, snap=snap, persona_names=names)


def _back(workshop: Workshop, anchor: str = "") -> Any:
    return redirect(url_for("workshops.detail", workshop_id=workshop.id) + anchor)


@blueprint.post("/<int:workshop_id>/stand")
def change_status(workshop_id: int) -> Any:
    workshop = get_or_404(Workshop, workshop_id)
    status = request.form.get("status", "")
    if status not in ("open", "gesloten"):
        abort(400)
    set_status(g.db, workshop, status)
    g.db.commit()
    if status == "open":
        flash("Het werkatelier is open: deelnemers kunnen nu meedoen.")
    else:
        flash("Het werkatelier is gesloten: nieuwe gesprekken tellen niet meer mee.")
    return _back(workshop)


@blueprint.post("/<int:workshop_id>/terug-en-opnieuw")
def allow_undo(workshop_id: int) -> Any:
    workshop = get_or_404(Workshop, workshop_id)
    try:
        set_allow_undo(workshop, request.form.get("undo") == "1")
    except WorkshopError as exc:
        flash(str(exc))
        return _back(workshop)
    g.db.commit()
    if workshop.allow_undo:
        flash("Deelnemers mogen nu terug en opnieuw, in gesprekken die ze vanaf nu beginnen.")
    else:
        flash("Deelnemers kunnen niet meer terug, in gesprekken die ze vanaf nu beginnen.")
    return _back(workshop)


@blueprint.post("/<int:workshop_id>/beamer-tip")
def choose_tip(workshop_id: int) -> Any:
    workshop = get_or_404(Workshop, workshop_id)
    tip = request.form.get("tip", "")
    if tip and tip not in deps().catalogues.tips:
        abort(400)
    workshop.beamer_tip = tip or None
    g.db.commit()
    if tip:
        flash(f"De beamer toont nu voorbeeldzinnen bij tip {tip}.")
    else:
        flash("De beamer toont weer het overzicht.")
    return _back(workshop, "#beamer")


@blueprint.post("/<int:workshop_id>/namen")
def show_names(workshop_id: int) -> Any:
    workshop = get_or_404(Workshop, workshop_id)
    workshop.show_names = request.form.get("show") == "1"
    g.db.commit()
    if workshop.show_names:
        flash("De beamer toont nu de namen van de deelnemers.")
    else:
        flash("De beamer toont geen namen meer.")
    return _back(workshop, "#beamer")


@blueprint.get("/<int:workshop_id>/live")
def live(workshop_id: int) -> Any:
    return render_template("workshop_live.html", w=get_or_404(Workshop, workshop_id))


@blueprint.get("/<int:workshop_id>/beamer")
def beamer(workshop_id: int) -> Any:
    return render_template("workshop_beamer.html", w=get_or_404(Workshop, workshop_id))


@blueprint.get("/<int:workshop_id>/verslag")
def report(workshop_id: int) -> Any:
    workshop = get_or_404(Workshop, workshop_id)
    catalogues = deps().catalogues
    result = build_workshop_report(g.db, workshop, catalogues)
    headings = {tip.id: tip.heading for tip in catalogues.tips.tips.values()}
    return render_template("workshop_report.html", w=workshop, report=result, headings=headings)


@blueprint.get("/<int:workshop_id>/verslag.csv")
def report_download(workshop_id: int) -> Response:
    workshop = get_or_404(Workshop, workshop_id)
    result = build_workshop_report(g.db, workshop, deps().catalogues)
    return download(report_csv(result), "text/csv", f"werkatelier-{workshop.code}.csv")
