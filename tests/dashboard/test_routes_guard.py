"""No dashboard page is public by accident.

Every route in the app's URL map is walked: without a login, a GET is sent to the login
page and a POST (with a valid CSRF token) changes nothing in the database; the same
POST from a trainer does change it, so it was the missing login that stopped it.

Adding a page needs nothing here: it is walked like the others. A page that must be
public goes in PUBLIC with the reason, and in dashboard.auth.OPEN_ENDPOINTS.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from werkzeug.routing import Rule

from dashboard.auth import OPEN_ENDPOINTS
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Base, PracticeSession
from tests.dashboard.conftest import csrf, login
from tests.dashboard.workshop_data import workshop_id
from tests.workshops.conftest import new_workshop

PUBLIC = {
    "auth.login": "the way in: a visitor without a login must be able to log in",
    "static": "style sheets and scripts only, no data; the login page needs them",
}
LAST = ("casemanagers.erase", "auth.logout")
"""POSTs that end what the others need (the casemanager, the login): posted last."""


@pytest.fixture
def values(engine: Engine, catalogues: Catalogues) -> dict[str, Any]:
    """A real value for every argument in a dashboard path, and a form every POST accepts."""
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    with session_factory(engine)() as db:
        session = db.get(PracticeSession, "s0")
        assert session is not None
        person_id, turn_id = session.casemanager_id, session.turns[0].id
    path = {
        "session_id": "s0",
        "turn_id": turn_id,
        "person_id": person_id,
        "workshop_id": ident,
        "fmt": "csv",
    }
    form = {
        "text": "Een opmerking",
        "turn_id": turn_id,
        "move": "doorvragen",
        "status": "gesloten",
        "tip": "CK-B3",
        "show": "1",
        "confirm": "Eva",
        "name": "Ochtendgroep",
        "day": "2026-05-01",
        "persona": "henk",
        "form": "parallel",
        "minutes": "20",
        "hints": "1",
        "undo": "1",
    }
    return {"path": path, "form": form}


def _order(rule: Rule) -> tuple[int, str]:
    """The routes in LAST after all others, in LAST's order."""
    rank = LAST.index(rule.endpoint) + 1 if rule.endpoint in LAST else 0
    return rank, rule.rule


def guarded(app: Flask) -> list[Rule]:
    """Every route but the public ones."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC]
    return sorted(rules, key=_order)


def path_of(app: Flask, rule: Rule, values: dict[str, Any]) -> str:
    missing = set(rule.arguments) - set(values["path"])
    assert not missing, f"{rule.rule}: give {sorted(missing)} a real value in `values`"
    arguments = {name: values["path"][name] for name in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **arguments)


def sent_to_login(response: Any, path: str) -> bool:
    target = urlsplit(response.headers.get("Location", ""))
    came_from = parse_qs(target.query).get("next", [""])[0]
    return response.status_code == 302 and target.path == "/login" and came_from.startswith(path)


def database(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, as text: what a request must not change."""
    with engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


def test_the_public_endpoints_are_the_listed_ones(app: Flask, client: FlaskClient) -> None:
    assert set(PUBLIC) == OPEN_ENDPOINTS, "list each public endpoint here, with its reason"
    assert client.get("/login").status_code == 200
    assert client.get("/static/workshop.js").status_code == 200


def test_every_route_sends_a_visitor_to_the_login_page(
    app: Flask, client: FlaskClient, values: dict[str, Any]
) -> None:
    rules = guarded(app)
    assert len(rules) >= 20, "the walk finds the app's routes"
    for rule in rules:
        path = path_of(app, rule, values)
        response = client.get(path)
        assert sent_to_login(response, path), f"GET {path}: {response.status_code}"
        assert client.get(response.headers["Location"]).status_code == 200


def test_no_form_changes_anything_without_a_login(
    app: Flask, client: FlaskClient, engine: Engine, values: dict[str, Any]
) -> None:
    posts = [
        (rule, path_of(app, rule, values))
        for rule in guarded(app)
        if "POST" in (rule.methods or ())
    ]
    assert len(posts) >= 8, "the walk finds the app's forms"
    form = {**values["form"], "csrf_token": csrf(client)}
    before = database(engine)
    for _rule, path in posts:
        response = client.post(path, data=form)
        assert sent_to_login(response, path), f"POST {path}: {response.status_code}"
    assert database(engine) == before
    login(client)
    form["csrf_token"] = csrf(client, "/")
    for rule, path in posts:
        ahead = database(engine)
        response = client.post(path, data=form)
        assert response.status_code == 302 and not sent_to_login(response, path), path
        assert database(engine) != ahead, f"{rule.endpoint}: the form in `values` does nothing"
