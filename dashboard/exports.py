"""Downloads: the filtered session list and one session as CSV or JSON, and the
trainers' label corrections as Rasa NLU training data (formats.py says what they hold)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, request

from dashboard import formats, params, queries
from dashboard.common import download
from dashboard.deps import deps

blueprint = Blueprint("exports", __name__)


@blueprint.get("/export/sessions.<fmt>")
def sessions(fmt: str) -> Response:
    rows = queries.all_sessions(g.db, params.filters_from(request.args))
    if fmt == "csv":
        return download(formats.sessions_csv(rows), "text/csv", "sessies.csv")
    if fmt == "json":
        body = formats.sessions_json(rows, deps().catalogues.personas.personas)
        return download(body, "application/json", "sessies.json")
    abort(404)


@blueprint.get("/sessions/<session_id>/export.<fmt>")
def session(session_id: str, fmt: str) -> Response:
    row = queries.get_session(g.db, session_id)
    if row is None:
        abort(404)
    name = f"sessie-{session_id}"
    if fmt == "csv":
        return download(formats.turns_csv(row), "text/csv", f"{name}.csv")
    if fmt == "json":
        body = formats.sessions_json([row], deps().catalogues.personas.personas)
        return download(body, "application/json", f"{name}.json")
    abort(404)


@blueprint.get("/export/nlu.yml")
def nlu() -> Response:
    return Response(
        formats.corrections_as_nlu(g.db),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": "attachment; filename=correcties.yml"},
    )
