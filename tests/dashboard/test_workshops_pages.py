"""The werkatelier pages through Flask's test client: access, CSRF, creating, opening and
closing, the beamer controls, the event stream and the report, checked against sessions
logged through the real domain core (tests/workshops/practise.py)."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Workshop
from gesprekscoach.workshops.figures import snapshot
from gesprekscoach.workshops.service import by_code
from tests.dashboard.conftest import csrf, login
from tests.dashboard.workshop_data import (
    HOSTILE_LINE,
    NAMES,
    logged_group,
    workshop_id,
    workshop_row,
)
from tests.workshops.conftest import new_workshop
from tests.workshops.practise import label


def stream_data(client: FlaskClient, ident: int, view: str) -> tuple[str, dict[str, Any]]:
    response = client.get(f"/werkateliers/{ident}/stream?view={view}&once=1")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    events = [block for block in body.split("\n\n") if block.strip()]
    assert len(events) == 1, body
    lines = events[0].split("\n")
    assert lines[0] == "event: snapshot" and lines[1].startswith("data: ") and len(lines) == 2
    return body, json.loads(lines[1].removeprefix("data: "))


def post(client: FlaskClient, path: str, data: dict[str, Any], token: bool = True) -> Any:
    form = {**data, "csrf_token": csrf(client, "/werkateliers/nieuw")} if token else data
    return client.post(path, data=form)


Group = tuple[int, str, list[dict[str, Any]]]


@pytest.fixture
def group(client: FlaskClient, engine: Engine, catalogues: Catalogues) -> Group:
    """A trainer logged in, and logged_group's workshop: its id, code and ended reports."""
    found = logged_group(engine, catalogues)
    login(client)
    return found


PAGES = [
    "",
    "/nieuw",
    "/{id}",
    "/{id}/live",
    "/{id}/beamer",
    "/{id}/stream?view=beamer",
    "/{id}/stream?view=live&once=1",
    "/{id}/verslag",
    "/{id}/verslag.csv",
]
POSTS = [
    ("/{id}/stand", {"status": "gesloten"}),
    ("/{id}/beamer-tip", {"tip": "CK-B3"}),
    ("/{id}/namen", {"show": "1"}),
    ("/{id}/terug-en-opnieuw", {"undo": "1"}),
]


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
    new = {"name": "X", "day": "2026-05-01", "persona": "henk", "form": "parallel", "minutes": "20"}
    token = csrf(client)
    for path, data in [*POSTS, ("/nieuw", new)]:
        response = client.post(
            "/werkateliers" + path.format(id=ident), data={**data, "csrf_token": token}
        )
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client)
    for path, data in [*POSTS, ("/nieuw", new)]:
        response = post(client, "/werkateliers" + path.format(id=ident), data, token=False)
        assert response.status_code == 400, path
    w = workshop_row(engine, ident)
    changed = (w.status, w.beamer_tip, w.show_names, w.allow_undo)
    assert changed == ("open", None, False, False), "nothing changed"
    with session_factory(engine)() as db:
        assert db.execute(select(func.count()).select_from(Workshop)).scalar_one() == 1


def test_create_a_workshop_and_see_its_code(client: FlaskClient, engine: Engine) -> None:
    login(client)
    assert "Werkateliers" in client.get("/").get_data(as_text=True), "a link in the menu"
    form = client.get("/werkateliers/nieuw").get_data(as_text=True)
    assert 'value="henk"' in form and 'value="samira"' in form and 'name="form"' in form
    response = post(
        client,
        "/werkateliers/nieuw",
        {
            "name": "Schulden, groep 2",
            "day": "2026-11-27",
            "persona": ["henk", "samira"],
            "form": "rondje",
            "hints": "1",
            "minutes": "30",
        },
    )
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
    [
        ({"name": "  "}, "Geef het werkatelier een naam."),
        ({"persona": []}, "Kies minstens één inwoner"),
        ({"persona": ["henk", "nobody"]}, "Deze inwoner ken ik niet: nobody."),
        ({"form": "groot"}, "Kies als vorm"),
        ({"minutes": "2"}, "tussen 5 en 240 minuten"),
        ({"minutes": "een half uur"}, "Geef de duur in hele minuten"),
        ({"day": "morgen"}, "Kies een geldige datum."),
    ],
)
def test_a_wrong_workshop_is_refused_in_dutch(
    client: FlaskClient, engine: Engine, change: dict[str, Any], message: str
) -> None:
    login(client)
    data = {
        "name": "Ochtendgroep",
        "day": "2026-11-27",
        "persona": ["henk"],
        "form": "parallel",
        "minutes": "20",
        **change,
    }
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


def test_beamer_controls(client: FlaskClient, engine: Engine, catalogues: Catalogues) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    login(client)
    post(client, f"/werkateliers/{ident}/beamer-tip", {"tip": "CK-B3"})
    post(client, f"/werkateliers/{ident}/namen", {"show": "1"})
    w = workshop_row(engine, ident)
    assert (w.beamer_tip, w.show_names) == ("CK-B3", True)
    assert "Voorbeelden verbergen" in client.get(f"/werkateliers/{ident}").get_data(True)
    post(client, f"/werkateliers/{ident}/beamer-tip", {"tip": ""})
    post(client, f"/werkateliers/{ident}/namen", {"show": "0"})
    w = workshop_row(engine, ident)
    assert (w.beamer_tip, w.show_names) == (None, False)
    response = post(client, f"/werkateliers/{ident}/beamer-tip", {"tip": "XX-9"})
    assert response.status_code == 400 and workshop_row(engine, ident).beamer_tip is None


def test_stream_counts_match_the_logged_sessions(
    client: FlaskClient, engine: Engine, catalogues: Catalogues, group: Group
) -> None:
    ident, code, reports = group
    response = client.get(f"/werkateliers/{ident}/stream?view=live&once=1")
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store", "names and messages: never stored"
    assert response.headers["X-Accel-Buffering"] == "no"
    _, data = stream_data(client, ident, "live")
    assert (data["joined"], data["running"], data["done"]) == (3, 1, 2)
    assert data["status"] == "open" and data["code"] == code
    assert data["beamer_tip"] is None and data["examples"] is None and data["show_names"] is False
    assert abs(data["sent_at"] - time.time()) < 30
    status = {p["name"]: (p["status"], p["turns"]) for p in data["participants"]}
    assert status == {
        label("Eva"): ("klaar", 5),
        label("Bram"): ("klaar", 4),
        label("Noor"): ("bezig", 3),
    }
    b2 = next(t for t in data["tips"] if t["id"] == "CK-B2")
    latest = [reports[1], reports[2]]  # Eva's second, Bram's only; Noor's is still running
    flagged = sum(
        next(t for t in r["tips"] if t["id"] == "CK-B2")["status"] == "flagged" for r in latest
    )
    assert flagged == 1 and b2["missed"] == flagged
    with session_factory(engine)() as db:
        expected = snapshot(db, by_code(db, code), catalogues)  # type: ignore[arg-type]
    assert data["version"] == expected.version
    assert data["needs_found"] == expected.needs_found
    assert data["tips"] == json.loads(json.dumps(expected.to_dict()["tips"]))


def test_the_beamer_stream_sends_names_only_when_switched_on(
    client: FlaskClient, group: Group
) -> None:
    ident, _, _ = group
    live_body, live = stream_data(client, ident, "live")
    shown = [label(name) for name in NAMES]  # the pseudonymous labels, never own names
    assert all(name in live_body for name in shown), "the facilitator's own page shows them"
    body, data = stream_data(client, ident, "beamer")
    for name in (*shown, *NAMES, "Sanne"):
        assert name not in body, f"{name} sent to the beamer"
    assert data["participants"] == [] and data["running"] == 1
    post(client, f"/werkateliers/{ident}/namen", {"show": "1"})
    body, data = stream_data(client, ident, "beamer")
    assert {p["name"] for p in data["participants"]} == set(shown)
    assert "Sanne" not in body, "a name in a sentence stays hidden"
    assert client.get(f"/werkateliers/{ident}/stream?view=alles&once=1").status_code == 400
    assert client.get("/werkateliers/999/stream?view=live&once=1").status_code == 404


def test_the_chosen_tip_goes_to_the_beamer_with_its_examples(
    client: FlaskClient, group: Group
) -> None:
    ident, _, _ = group
    post(client, f"/werkateliers/{ident}/beamer-tip", {"tip": "CK-H1"})
    _, data = stream_data(client, ident, "beamer")
    h1 = next(t for t in data["tips"] if t["id"] == "CK-H1")
    assert data["beamer_tip"] == "CK-H1"
    assert data["examples"] == {
        "id": "CK-H1",
        "heading": h1["heading"],
        "good": h1["good"],
        "poor": h1["poor"],
    }
    assert h1["good"] and "[naam]" in h1["good"][0], "Eva's introduction, anonymised"
    assert HOSTILE_LINE[0] in data["examples"]["poor"], "sent as it was typed: the page escapes"


def test_report_csv_matches_the_logged_sessions(
    client: FlaskClient, catalogues: Catalogues, group: Group
) -> None:
    ident, code, reports = group
    response = client.get(f"/werkateliers/{ident}/verslag.csv")
    assert response.mimetype == "text/csv"
    assert f"filename=werkatelier-{code}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    tips = {r[1]: r for r in rows if r and r[0] == "tip"}
    assert set(tips) == set(catalogues.tips.ids)
    latest = [reports[1], reports[2]]
    for tip_id, row in tips.items():
        statuses = [next(t for t in r["tips"] if t["id"] == tip_id)["status"] for r in latest]
        assert (int(row[4]), int(row[5])) == (
            statuses.count("credited"),
            statuses.count("flagged"),
        ), tip_id
        assert row[6] == "2", "two participants have ended a session"
    (compared,) = [r for r in rows if r and r[0] == "vergelijking"]
    assert compared[1:3] == ["Deelnemer 1", "2"]
    assert label("Eva") not in response.get_data(True)
    first_shown = sum(t["status"] == "credited" for t in reports[0]["tips"])
    last_shown = sum(t["status"] == "credited" for t in reports[1]["tips"])
    assert (int(compared[3]), int(compared[4])) == (first_shown, last_shown)


def test_report_page(client: FlaskClient, group: Group) -> None:
    ident, _, _ = group
    page = client.get(f"/werkateliers/{ident}/verslag").get_data(as_text=True)
    assert re.search(r'id="deelnemers">2<', page) and re.search(r'id="gesprekken">3<', page)
    assert "Wat het vaakst misging" in page and "Participatiewet" in page
    assert "Deelnemer 1" in page and "Afdrukken / PDF" in page and "@media print" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_live_and_beamer_pages(client: FlaskClient, engine: Engine, catalogues: Catalogues) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    login(client)
    live = client.get(f"/werkateliers/{ident}/live").get_data(as_text=True)
    assert f'data-stream="/werkateliers/{ident}/stream?view=live"' in live
    beamer = client.get(f"/werkateliers/{ident}/beamer").get_data(as_text=True)
    assert f'data-stream="/werkateliers/{ident}/stream?view=beamer"' in beamer
    assert "/static/workshop.js" in beamer and "Uitloggen" not in beamer, "no menu on the beamer"
    script = client.get("/static/workshop.js").get_data(as_text=True)
    assert "textContent" in script and "innerHTML" not in script
    assert client.get("/werkateliers/999/beamer").status_code == 404
