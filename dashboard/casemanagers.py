"""A casemanager: the progress page with its chart, and erasing everything of theirs.

The page shows per tip a score weighted towards recent sessions and what to practise
next, with which inwoner (feedback.progress.weighted_progress), as /voortgang does in
Telegram.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from dashboard.common import get_or_404
from dashboard.deps import deps
from gesprekscoach import charts
from gesprekscoach.feedback.progress import progress, weighted_progress
from gesprekscoach.storage.models import Casemanager
from gesprekscoach.workshops.erasure import erase_person

blueprint = Blueprint("casemanagers", __name__, url_prefix="/casemanagers")


@blueprint.get("/<int:person_id>")
def detail(person_id: int) -> Any:
    person = get_or_404(Casemanager, person_id)
    sessions = sorted(person.sessions, key=lambda s: s.started_at)
    given = deps()
    per_tip = progress(sessions, tuple(given.tip_themes))
    catalogues = given.catalogues
    ahead = weighted_progress(sessions, catalogues.tips, catalogues.personas)
    persona = catalogues.personas.personas.get(ahead.practise_persona or "")
    return render_template(
        "casemanager.html",
        person=person,
        sessions=sessions,
        per_tip=per_tip,
        ahead=ahead,
        practise_with=persona.name if persona is not None else None,
        status_labels={"credited": "goed", "flagged": "aandachtspunt"},
    )


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
