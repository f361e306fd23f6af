"""A casemanager: the progress page with its chart, and erasing everything of theirs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from dashboard.common import get_or_404
from dashboard.deps import deps
from gesprekscoach import charts
from gesprekscoach.feedback.progress import progress
from gesprekscoach.storage.models import Casemanager
from gesprekscoach.workshops.erasure import erase_person

blueprint = Blueprint("casemanagers", __name__, url_prefix="/casemanagers")


@blueprint.get("/<int:person_id>")
def detail(person_id: int) -> Any:
    person = get_or_404(Casemanager, person_id)
    sessions = sorted(person.sessions, key=lambda s: s.started_at)
    per_tip = progress(sessions, tuple(deps().tip_themes))
    return render_template("casemanager.html", person=person, sessions=sessions, per_tip=per_tip)


@blueprint.get("/<int:person_id>/progress.png")
def chart(person_id: int) -> Response:
    person = get_or_404(Casemanager, person_id)
    themes = deps().tip_themes
    per_tip = progress(list(person.sessions), tuple(themes))
    return Response(charts.progress_png(per_tip, themes), mimetype="image/png")


@blueprint.route("/<int:person_id>/verwijderen", methods=["GET", "POST"])
def erase(person_id: int) -> Any:
    person = get_or_404(Casemanager, person_id)
    if request.method != "POST":
        return render_template("erase.html", person=person)
    if (request.form.get("confirm") or "").strip() != person.display_name:
        flash("Typ de naam precies over om het verwijderen te bevestigen.")
        return render_template("erase.html", person=person), 400
    name = person.display_name
    given = deps()
    count = erase_person(g.db, person_id, given.catalogues, given.spool)
    g.db.commit()
    flash(f"Alle gegevens van {name} zijn verwijderd ({count} sessies).")
    return redirect(url_for("sessions.index"))
