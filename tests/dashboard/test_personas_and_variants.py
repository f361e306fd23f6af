"""Every inwoner in the dashboard's filter and workshop form; the variant of a session shown,
exported and chosen per werkatelier."""

from __future__ import annotations

import csv
import io
import json
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from gesprekscoach import practice
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Workshop
from gesprekscoach.storage.repository import SessionStart, Who, pseudonym, record_start
from tests.dashboard.conftest import csrf, login


def test_the_filter_and_the_workshop_form_offer_every_inwoner(
    client: FlaskClient, catalogues: Catalogues
) -> None:
    login(client)
    listing = client.get("/").get_data(as_text=True)
    form = client.get("/werkateliers/nieuw").get_data(as_text=True)
    for persona in catalogues.personas:
        assert f'<option value="{persona.id}"' in listing, persona.id
        assert f'name="persona" value="{persona.id}"' in form, persona.id
    assert len(re.findall(r'<option value="[a-z]', listing)) == len(catalogues.personas)


def test_the_filter_keeps_only_that_inwoner(client: FlaskClient, engine: Engine) -> None:
    login(client)
    rows = client.get("/?persona=marco").get_data(as_text=True)
    assert '<option value="marco" selected>' in rows
    assert ">marco <" in rows and ">henk <" not in rows
    odd = client.get("/?persona=<b>x</b>").get_data(as_text=True)
    assert "<b>x</b>" not in odd and "Geen sessies gevonden." in odd


def test_a_sessions_variant_is_shown_and_exported(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    henk = catalogues.personas.get("henk")
    variant = henk.variants[0]
    start = practice.start(catalogues, "henk", seed=3, variant=variant.id)
    assert start.payload[practice.PAYLOAD_KEY]["variant"] == variant.id
    who = Who("terminal", pseudonym("terminal", "Iris", "salt"), "Iris")
    with session_factory(engine)() as db, db.begin():
        record_start(
            db, SessionStart("sv", who, "henk", "laaggeletterd", "oefenen", 3, None, variant.id)
        )
    login(client)
    page = client.get("/sessions/sv").get_data(as_text=True)
    assert f"Deze keer: {variant.label}" in page
    assert f"· {variant.id}" in client.get("/?persona=henk").get_data(as_text=True)
    rows = list(
        csv.DictReader(io.StringIO(client.get("/export/sessions.csv").get_data(as_text=True)))
    )
    assert {r["sessie"]: r["variant"] for r in rows}["sv"] == variant.id
    data = json.loads(client.get("/export/sessions.json").get_data(as_text=True))
    assert {s["id"]: s["variant"] for s in data}["sv"] == variant.id


def test_a_workshop_can_give_each_participant_a_variant(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    login(client)
    everyone = list(catalogues.personas)
    form = {
        "name": "Zes inwoners",
        "day": "2026-12-01",
        "persona": [p.id for p in everyone],
        "form": "parallel",
        "hints": "1",
        "vary": "1",
        "minutes": "20",
        "csrf_token": csrf(client, "/werkateliers/nieuw"),
    }
    assert client.post("/werkateliers/nieuw", data=form).status_code == 302
    with session_factory(engine)() as db:
        w = db.execute(select(Workshop)).scalar_one()
        assert w.vary_personas is True and w.persona_ids == [p.id for p in everyone]
        ident = w.id
    page = client.get(f"/werkateliers/{ident}").get_data(as_text=True)
    assert "iedere deelnemer een eigen variant" in page
    for persona in everyone:
        assert persona.name in page
