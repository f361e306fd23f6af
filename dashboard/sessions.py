"""The sessions: the filtered list, one session's transcript, its comments, label
corrections and its trust-and-stress curve.

A session page also looks back (looking_back.py): the inwoner's thought and the trust
change beside each message, the reflection beside the hidden need, the turns taken
back, and a better sentence per weak message.

Everything a casemanager typed goes through Jinja's autoescaping, so a message like
<script> is shown as text.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from dashboard import looking_back, params, queries
from dashboard.common import get_or_404
from dashboard.deps import deps
from gesprekscoach import charts
from gesprekscoach.storage.models import Comment, LabelCorrection, PracticeSession, TurnRecord

blueprint = Blueprint("sessions", __name__)
blueprint.add_app_template_filter(looking_back.change, "change")
blueprint.add_app_template_filter(looking_back.percent, "percent")
blueprint.add_app_template_filter(looking_back.count, "count")
COMMENT_LIMIT = 5000
"""Characters of a comment that are kept."""


def _session(session_id: str) -> PracticeSession:
    row = queries.get_session(g.db, session_id)
    if row is None:
        abort(404)
    return row


def _at_turn(session_id: str, anchor: str) -> Any:
    return redirect(url_for("sessions.detail", session_id=session_id) + anchor)


@blueprint.get("/")
def index() -> Any:
    filters = params.filters_from(request.args)
    page = params.page_number(request.args)
    rows, total = queries.list_sessions(g.db, filters, page)
    pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
    return render_template(
        "sessions.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        personas=list(deps().catalogues.personas),
        args=params.filter_args(request.args),
    )


@blueprint.get("/sessions/<session_id>")
def detail(session_id: str) -> Any:
    row = _session(session_id)
    corrections = queries.latest_corrections(g.db, [t.id for t in row.turns])
    given = deps()
    personas = given.catalogues.personas.personas
    stored = looking_back.stored_reflection(row.reflection)
    return render_template(
        "session.html",
        s=row,
        corrections=corrections,
        moves=given.move_ids,
        labels=given.move_labels,
        first_name=looking_back.first_name(row, personas),
        variant=looking_back.variant_label(row, personas),
        changes=looking_back.trust_changes(row.turns, looking_back.start_trust(row, personas)),
        numbers={t.number: t.id for t in row.turns},
        stored=stored,
        answers=looking_back.writers(g.db, row, stored),
        better=looking_back.better_sentences(row.report),
        moment=looking_back.moment,
        how_labels=looking_back.HOW_LABELS,
    )


@blueprint.post("/sessions/<session_id>/comments")
def add_comment(session_id: str) -> Any:
    row = _session(session_id)
    text = (request.form.get("text") or "").strip()
    if not text:
        flash("Een lege opmerking is niet opgeslagen.")
        return _at_turn(session_id, "")
    turn_id = request.form.get("turn_id", type=int)
    if turn_id is not None and turn_id not in {t.id for t in row.turns}:
        abort(400)
    comment = Comment(
        session_id=session_id,
        turn_id=turn_id,
        trainer_id=g.trainer["id"],
        text=text[:COMMENT_LIMIT],
    )
    g.db.add(comment)
    g.db.commit()
    flash("Opmerking opgeslagen.")
    return _at_turn(session_id, f"#beurt-{turn_id}" if turn_id else "#opmerkingen")


@blueprint.post("/turns/<int:turn_id>/move")
def correct_move(turn_id: int) -> Any:
    turn = get_or_404(TurnRecord, turn_id)
    new_move = request.form.get("move", "")
    if new_move not in deps().move_ids:
        abort(400)
    correction = LabelCorrection(
        turn_id=turn_id,
        trainer_id=g.trainer["id"],
        old_move=turn.move,
        new_move=new_move,
    )
    g.db.add(correction)
    g.db.commit()
    flash(f"Bericht {turn.number} is nu gelabeld als {new_move}.")
    return _at_turn(turn.session_id, f"#beurt-{turn_id}")


@blueprint.get("/sessions/<session_id>/chart.png")
def chart(session_id: str) -> Response:
    row = _session(session_id)
    trust = [t.trust for t in row.turns]
    stress = [t.stress for t in row.turns]
    png = charts.curve_png(trust, stress, row.hidden_need_turn)
    return Response(png, mimetype="image/png")
