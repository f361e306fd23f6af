"""The werkatelier pages through Flask's test client: access, CSRF, creating, opening and
closing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Workshop
from tests.review.conftest import csrf, login
from tests.review.workshop_data import workshop_id, workshop_row
from tests.workshops.conftest import new_workshop


def post(client: FlaskClient, path: str, data: dict[str, Any], token: bool = True) -> Any:
    form = {**data, "csrf_token": csrf(client, "/werkateliers/nieuw")} if token else data
    return client.post(path, data=form)


PAGES = ["", "/nieuw", "/{id}"]
POSTS = [("/{id}/stand", {"status": "gesloten"})]


@pytest.mark.parametrize("path", PAGES)
def test_every_workshop_page_needs_a_trainer(
    client: FlaskClient, engine: Engine, catalogues: Catalogues, path: str
) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    response = client.get("/werkateliers" + path.format(id=ident))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_posts_need_a_trainer_and_a_csrf_token(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    new = {"name": "X", "day": "2026-05-01", "persona": "henk", "form": "parallel",
           "minutes": "20"}  # fmt: skip
    token = csrf(client)
    for path, data in [*POSTS, ("/nieuw", new)]:
        response = client.post("/werkateliers" + path.format(id=ident), data={**data,
                               "csrf_token": token})  # fmt: skip
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client)
    for path, data in [*POSTS, ("/nieuw", new)]:
        response = post(client, "/werkateliers" + path.format(id=ident), data, token=False)
        assert response.status_code == 400, path
    w = workshop_row(engine, ident)
    assert (w.status, w.beamer_tip, w.show_names) == ("open", None, False), "nothing changed"
    with session_factory(engine)() as db:
        assert db.execute(select(func.count()).select_from(Workshop)).scalar_one() == 1


def test_create_a_workshop_and_see_its_code(client: FlaskClient, engine: Engine) -> None:
    login(client)
    assert "Werkateliers" in client.get("/").get_data(as_text=True), "a link in the menu"
    form = client.get("/werkateliers/nieuw").get_data(as_text=True)
    assert 'value="henk"' in form and 'value="samira"' in form and 'name="form"' in form
    response = post(client, "/werkateliers/nieuw", {
        "name": "Schulden, groep 2", "day": "2026-11-27", "persona": ["henk", "samira"],
        "form": "rondje", "hints": "1", "minutes": "30"})  # fmt: skip
    assert response.status_code == 302
    with session_factory(engine)() as db:
        w = db.execute(select(Workshop)).scalar_one()
    assert (w.name, str(w.day), w.persona_ids, w.form, w.hints, w.minutes, w.status) == (
        "Schulden, groep 2",
        "2026-11-27",
        ["henk", "samira"],
        "rondje",
        True,
        30,
        "voorbereid",
    )
    assert w.trainer_id is not None
    assert response.headers["Location"].endswith(f"/werkateliers/{w.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf'<div class="code" id="code">{w.code}</div>', page)
    assert f"Typ in Telegram: <strong>/join {w.code}</strong>" in page
    assert f"coach chat --workshop {w.code}" in page
    assert "Openen" in page and "is klaar" in page
    listing = client.get("/werkateliers").get_data(as_text=True)
    assert "Schulden, groep 2" in listing and w.code in listing


@pytest.mark.parametrize(
    ("change", "message"),
    [({"name": "  "}, "Geef het werkatelier een naam."),
     ({"persona": []}, "Kies minstens één inwoner"),
     ({"persona": ["henk", "nobody"]}, "Deze inwoner ken ik niet: nobody."),
     ({"form": "groot"}, "Kies als vorm"),
     ({"minutes": "2"}, "tussen 5 en 240 minuten"),
     ({"minutes": "een half uur"}, "Geef de duur in hele minuten"),
     ({"day": "morgen"}, "Kies een geldige datum.")],
)  # fmt: skip
def test_a_wrong_workshop_is_refused_in_dutch(
    client: FlaskClient, engine: Engine, change: dict[str, Any], message: str
) -> None:
    login(client)
    data = {"name": "Ochtendgroep", "day": "2026-11-27", "persona": ["henk"], "form": "parallel",
            "minutes": "20", **change}  # fmt: skip
    response = post(client, "/werkateliers/nieuw", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'role="alert">[^<]*' + re.escape(message), page), page
    if change.get("name") is None:
        assert 'value="Ochtendgroep"' in page, "what was typed stays"
    with session_factory(engine)() as db:
        assert db.execute(select(func.count()).select_from(Workshop)).scalar_one() == 0


def test_open_and_close(client: FlaskClient, engine: Engine, catalogues: Catalogues) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues, status="voorbereid"))
    login(client)
    response = post(client, f"/werkateliers/{ident}/stand", {"status": "open"})
    assert response.status_code == 302
    opened = workshop_row(engine, ident)
    assert opened.status == "open" and opened.opened_at is not None
    page = client.get(f"/werkateliers/{ident}").get_data(as_text=True)
    assert ">Sluiten</button>" in page and "deelnemers kunnen nu meedoen" in page
    post(client, f"/werkateliers/{ident}/stand", {"status": "gesloten"})
    closed = workshop_row(engine, ident)
    assert closed.status == "gesloten" and closed.closed_at is not None
    assert ">Opnieuw openen</button>" in client.get(f"/werkateliers/{ident}").get_data(True)
    assert post(client, f"/werkateliers/{ident}/stand", {"status": "voorbereid"}).status_code == 400
    assert post(client, "/werkateliers/999/stand", {"status": "open"}).status_code == 404
