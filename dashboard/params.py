"""Path ids and query parameters checked before use: an odd value is the visitor's
mistake (400 with a short Dutch message, or 404), never a server error (500).

Every int in a dashboard path is a database id, so the app's "int" converter only
matches 1..2**31-1 (PostgreSQL's integer) with at most ten digits; anything else
finds no page (404). A NUL character anywhere is refused (PostgreSQL cannot store
it), and so is a single field longer than any form of the dashboard needs.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map

from dashboard.queries import Filters

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
MAX_FIELD = 64 * 1024
"""Characters in one query parameter or form field (a comment keeps 5000)."""
FILTER_KEYS = ("casemanager", "persona", "from", "to", "workshop", "comments")
"""The session list's filters: the only parameters its links carry on."""
_PAGE = re.compile(r"-?\d{1,9}")


class BadParameter(BadRequest):
    """A parameter the dashboard cannot use; the description is shown, in Dutch."""


class IdConverter(IntegerConverter):
    """A database id in a path: 1..2**31-1, else no route matches (404)."""

    regex = r"\d{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_number(args: Any) -> int:
    """The list's page: absent means 1, below 1 counts as 1, beyond MAX_PAGE is refused."""
    raw = (args.get("page") or "").strip()
    if not raw:
        return 1
    if not _PAGE.fullmatch(raw) or int(raw) > MAX_PAGE:
        raise BadParameter(f"Het paginanummer moet een heel getal van 1 tot {MAX_PAGE} zijn.")
    return max(int(raw), 1)


def filter_args(args: Any) -> dict[str, str]:
    """The filters to carry into the list's links; nothing else reaches url_for."""
    return {key: str(args.get(key)) for key in FILTER_KEYS if args.get(key)}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from(args: Any) -> Filters:
    """The session list's filters; an odd date is no filter, long text is cut short."""
    return Filters(
        casemanager=(args.get("casemanager") or "").strip()[:80],
        persona=(args.get("persona") or "").strip()[:40],
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to")),
        workshop=(args.get("workshop") or "").strip()[:20],
        has_comments=args.get("comments") == "1",
    )


def _check(pairs: Any, what: str) -> None:
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            raise BadParameter(f"Het verzoek bevat een ongeldig teken in de {what}.")
        if len(value) > MAX_FIELD:
            raise RequestEntityTooLarge()


def check_request() -> None:
    """Refuse NUL characters in the path, the query and the form, and oversized fields."""
    if "\x00" in request.path:
        raise BadParameter("Het adres bevat een ongeldig teken.")
    _check(request.args.items(multi=True), "zoekopdracht")
    if request.method in ("POST", "PUT", "PATCH"):
        _check(request.form.items(multi=True), "formuliervelden")


def install(app: Flask) -> None:
    """Before any route is added: the bounded id converter and the request check."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_request)
