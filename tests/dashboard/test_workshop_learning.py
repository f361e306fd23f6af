"""Werkateliers and the learning loop: the facilitator allows going back (or not), and the
report compares each participant's first and last conversation with what to practise."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Workshop
from gesprekscoach.workshops.report import build_workshop_report
from gesprekscoach.workshops.service import UNDO_NEEDS_HINTS, join_by_code, workshop_info
from tests.dashboard.conftest import csrf, login
from tests.dashboard.workshop_data import logged_group, workshop_id, workshop_row
from tests.workshops.conftest import new_workshop

PLAN = {
    "name": "Middaggroep",
    "day": "2026-11-27",
    "persona": ["henk"],
    "form": "parallel",
    "minutes": "20",
}


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf(client, "/werkateliers/nieuw")})


def the_workshop(engine: Engine) -> Workshop:
    with session_factory(engine)() as db:
        return db.execute(select(Workshop)).scalar_one()


def test_the_form_offers_going_back_off_by_default(client: FlaskClient) -> None:
    login(client)
    form = client.get("/werkateliers/nieuw").get_data(as_text=True)
    box = form.split('name="undo"', 1)[1].split(">", 1)[0]
    assert "Deelnemers mogen terug en opnieuw" in form and "checked" not in box


@pytest.mark.parametrize(("ticked", "allowed"), [({}, False), ({"undo": "1"}, True)])
def test_a_new_workshop_keeps_the_choice(
    client: FlaskClient, engine: Engine, ticked: dict[str, str], allowed: bool
) -> None:
    login(client)
    response = post(client, "/werkateliers/nieuw", {**PLAN, "hints": "1", **ticked})
    assert response.status_code == 302
    workshop = the_workshop(engine)
    assert workshop.allow_undo is allowed
    info = workshop_info(engine, str(workshop.code))
    assert info is not None and info.allow_undo is allowed, "what a chat front end reads"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    shown = "toegestaan" if allowed else "niet toegestaan"
    assert f'Terug en opnieuw: <strong id="terug">{shown}</strong>' in page


def test_going_back_without_hints_is_refused_in_dutch(client: FlaskClient, engine: Engine) -> None:
    login(client)
    response = post(client, "/werkateliers/nieuw", {**PLAN, "undo": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and str(escape(UNDO_NEEDS_HINTS)) in page
    assert 'name="undo" value="1" checked' in page, "the choice stays ticked"
    with session_factory(engine)() as db:
        assert db.execute(select(Workshop)).first() is None


def test_the_facilitator_switches_it_on_and_off(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    code = new_workshop(engine, catalogues)
    ident = workshop_id(engine, code)
    login(client)
    path = f"/werkateliers/{ident}/terug-en-opnieuw"
    response = post(client, path, {"undo": "1"})
    assert response.status_code == 302 and workshop_row(engine, ident).allow_undo is True
    page = client.get(f"/werkateliers/{ident}").get_data(as_text=True)
    assert "mogen nu terug en opnieuw" in page and ">Niet meer toestaan</button>" in page
    assert join_by_code(engine, code, None).allow_undo is True
    post(client, path, {"undo": "0"})
    assert workshop_row(engine, ident).allow_undo is False
    assert ">Toestaan</button>" in client.get(f"/werkateliers/{ident}").get_data(as_text=True)


def test_an_exam_workshop_cannot_allow_it(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    with session_factory(engine)() as db, db.begin():
        workshop = db.get(Workshop, ident)
        assert workshop is not None
        workshop.hints = False
    login(client)
    page = client.get(f"/werkateliers/{ident}").get_data(as_text=True)
    assert "kan niet: de hints staan uit" in page and ">Toestaan</button>" not in page
    response = post(client, f"/werkateliers/{ident}/terug-en-opnieuw", {"undo": "1"})
    assert response.status_code == 302 and workshop_row(engine, ident).allow_undo is False
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert str(escape(UNDO_NEEDS_HINTS)) in page


def test_the_report_compares_first_and_last_with_what_to_practise(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident, _, _ = logged_group(engine, catalogues)
    with session_factory(engine)() as db:
        workshop = db.get(Workshop, ident)
        assert workshop is not None
        (compared,) = build_workshop_report(db, workshop, catalogues).comparisons
    login(client)
    page = client.get(f"/werkateliers/{ident}/verslag").get_data(as_text=True)
    table = page.split('<table id="vergelijking">', 1)[1].split("</table>", 1)[0]
    assert ">Beter en slechter</th>" in table and ">Nu oefenen</th>" in table
    assert compared.improved, "Eva's rushed first try against her good second one"
    change = table.split('<td class="change">', 1)[1].split("</td>", 1)[0]
    for tip in compared.improved:
        assert f">{tip}</span>" in change.split("Beter:", 1)[1]
    ahead = table.split('<td class="ahead">', 1)[1].split("</td>", 1)[0]
    assert str(escape(compared.advice)) in ahead
    if compared.practise_tip:
        assert f"<strong>{compared.practise_tip}</strong>" in ahead
    if compared.practise_persona:
        assert f"met {compared.practise_persona}" in ahead
