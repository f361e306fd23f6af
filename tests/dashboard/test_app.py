"""The review dashboard through Flask's test client: access, CSRF, escaping, edits, export."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import (
    Casemanager,
    Comment,
    LabelCorrection,
    LoginSession,
    PracticeSession,
    Trainer,
    TurnRecord,
    Workshop,
    WorkshopMember,
)
from tests.dashboard.conftest import Clock, csrf, login
from tests.dashboard.workshop_data import workshop_id, workshop_row
from tests.workshops.conftest import new_workshop

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", "/sessions/s0", "/sessions/s0/chart.png", "/export/nlu.yml"])
def test_every_page_but_login_needs_a_trainer(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


COUNTED = (
    Comment,
    LabelCorrection,
    Workshop,
    WorkshopMember,
    Trainer,
    LoginSession,
    Casemanager,
    PracticeSession,
    TurnRecord,
)
"""The tables a dashboard form can add rows to, or remove them from."""
NEW_WORKSHOP = {
    "name": "X",
    "day": "2026-05-01",
    "persona": "henk",
    "form": "parallel",
    "minutes": "20",
}


def counts(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as db:
        return {
            model.__tablename__: db.execute(select(func.count()).select_from(model)).scalar_one()
            for model in COUNTED
        }


def first_turn(engine: Engine, session_id: str) -> TurnRecord:
    with session_factory(engine)() as db:
        query = select(TurnRecord).where(TurnRecord.session_id == session_id)
        turn = db.execute(query.order_by(TurnRecord.number)).scalars().first()
        assert turn is not None
        return turn


def casemanager_of(engine: Engine, session_id: str) -> int:
    with session_factory(engine)() as db:
        session = db.get(PracticeSession, session_id)
        assert session is not None
        return int(session.casemanager_id)


def test_posts_without_login_go_nowhere(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident = workshop_id(engine, new_workshop(engine, catalogues))
    turn_id, person_id = first_turn(engine, "s0").id, casemanager_of(engine, "s0")
    posts = [
        ("/sessions/s0/comments", {"text": "hoi", "turn_id": turn_id}),
        (f"/turns/{turn_id}/move", {"move": "doorvragen"}),
        ("/werkateliers/nieuw", NEW_WORKSHOP),
        (f"/werkateliers/{ident}/stand", {"status": "gesloten"}),
        (f"/casemanagers/{person_id}/verwijderen", {"confirm": "Eva"}),
        ("/logout", {}),
    ]
    before = counts(engine)
    token = csrf(client)
    for path, data in posts:
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    assert counts(engine) == before
    assert workshop_row(engine, ident).status == "open"
    login(client)  # the same forms from a trainer do add rows: it was the login that was missing
    token = csrf(client, "/")
    for path, data in posts[:3]:
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 302, path
    after = counts(engine)
    added = {
        table: after[table] - before[table] for table in after if after[table] != before[table]
    }
    assert added == {"comments": 1, "label_corrections": 1, "workshops": 1, "login_sessions": 1}


def test_wrong_password_is_refused(client: FlaskClient) -> None:
    response = login(client, "fout-wachtwoord")
    assert response.status_code == 401
    assert "klopt niet" in response.get_data(as_text=True)


def test_login_and_logout(client: FlaskClient) -> None:
    assert login(client).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert client.get("/").status_code == 302


def test_sessions_expire(client: FlaskClient, clock: Clock) -> None:
    login(client)
    assert client.get("/").status_code == 200
    clock.now += 61 * 60
    assert client.get("/").status_code == 302


def test_csrf_token_is_required(client: FlaskClient, engine: Engine) -> None:
    response = client.post("/login", data={"username": "trainer", "password": "x" * 12})
    assert response.status_code == 400
    login(client)
    response = client.post("/sessions/s0/comments", data={"text": "zonder token"})
    assert response.status_code == 400
    with session_factory(engine)() as db:
        assert db.execute(select(func.count()).select_from(Comment)).scalar_one() == 0


def test_session_list_filters(client: FlaskClient) -> None:
    login(client)
    page = client.get("/").get_data(as_text=True)
    assert "3 sessies" in page and "Eva" in page and "Bram" in page
    page = client.get("/?casemanager=eva").get_data(as_text=True)
    assert "2 sessies" in page and "Bram" not in page
    page = client.get("/?persona=samira").get_data(as_text=True)
    assert "1 sessie " in page
    page = client.get("/?comments=1").get_data(as_text=True)
    assert "0 sessies" in page
    page = client.get("/?from=2000-01-01&to=2000-01-02").get_data(as_text=True)
    assert "0 sessies" in page
    assert client.get("/?from=geen-datum&page=-4").status_code == 200


def test_transcript_is_escaped(client: FlaskClient) -> None:
    login(client)
    page = client.get("/sessions/s0").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "beschikking" in page and "Tip van de coach" in page


def test_comment_and_correction(client: FlaskClient, engine: Engine) -> None:
    login(client)
    turn_id = first_turn(engine, "s1").id
    token = csrf(client, "/sessions/s1")
    client.post(
        "/sessions/s1/comments",
        data={"text": "Mooie open vraag", "turn_id": turn_id, "csrf_token": token},
    )
    client.post(f"/turns/{turn_id}/move", data={"move": "doorvragen", "csrf_token": token})
    page = client.get("/sessions/s1").get_data(as_text=True)
    assert "Mooie open vraag" in page and "gecorrigeerd naar" in page
    assert (
        client.post(
            f"/turns/{turn_id}/move", data={"move": "bestaat_niet", "csrf_token": token}
        ).status_code
        == 400
    )
    with session_factory(engine)() as db:
        assert db.execute(select(func.count()).select_from(LabelCorrection)).scalar_one() == 1
    assert "1 sessie " in client.get("/?comments=1").get_data(as_text=True)


def test_nlu_export_is_rasa_training_data(
    client: FlaskClient, engine: Engine, tmp_path: Path
) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    login(client)
    token = csrf(client, "/sessions/s0")
    with session_factory(engine)() as db:
        ids = list(db.execute(select(TurnRecord.id).order_by(TurnRecord.id)).scalars())
    client.post(f"/turns/{ids[0]}/move", data={"move": "vraag_wat_nodig", "csrf_token": token})
    client.post(f"/turns/{ids[1]}/move", data={"move": "regels_benadrukken", "csrf_token": token})
    export = client.get("/export/nlu.yml").get_data(as_text=True)
    data = RasaYAMLReader().reads(export)
    assert {m.get("intent") for m in data.intent_examples} == {
        "vraag_wat_nodig",
        "regels_benadrukken",
    }
    path = tmp_path / "nlu" / "correcties.yml"
    path.parent.mkdir()
    path.write_text(export, encoding="utf-8")
    validate = [sys.executable, "-m", "rasa", "data", "validate"]
    domain = ["--domain", str(ROOT / "domain.yml")]
    data_files = ["--data", str(path.parent), str(ROOT / "data/rules.yml")]
    result = subprocess.run(
        [*validate, *domain, *data_files],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_chart_is_a_png(client: FlaskClient) -> None:
    login(client)
    response = client.get("/sessions/s0/chart.png")
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    assert client.get("/sessions/bestaat-niet").status_code == 404


def csv_rows(client: FlaskClient, path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(path).get_data(as_text=True))))


def test_exports_of_a_filtered_list_and_one_session(client: FlaskClient) -> None:
    login(client)
    rows = csv_rows(client, "/export/sessions.csv?casemanager=Eva")
    assert rows[0][:3] == ["sessie", "casemanager", "inwoner"] and len(rows) == 3
    assert {r[1] for r in rows[1:]} == {"Eva"}
    data = json.loads(client.get("/export/sessions.json").get_data(as_text=True))
    assert len(data) == 3 and all("turns" in s for s in data)
    one = json.loads(client.get("/sessions/s0/export.json").get_data(as_text=True))
    assert one[0]["turns"][0]["text"].startswith("<script>")
    turns = csv_rows(client, "/sessions/s0/export.csv")
    assert turns[0][0] == "bericht" and len(turns) == 3
    assert client.get("/export/sessions.xml").status_code == 404


def test_progress_page_and_chart(client: FlaskClient, engine: Engine) -> None:
    login(client)
    person_id = casemanager_of(engine, "s0")
    page = client.get(f"/casemanagers/{person_id}").get_data(as_text=True)
    assert "Voortgang van Eva" in page and "2 sessies" in page and "CK-B3" in page
    chart = client.get(f"/casemanagers/{person_id}/progress.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")


def test_erasure_needs_confirmation_and_removes_everything(
    client: FlaskClient, engine: Engine
) -> None:
    login(client)
    person_id = casemanager_of(engine, "s0")
    token = csrf(client, f"/casemanagers/{person_id}/verwijderen")
    client.post("/sessions/s0/comments", data={"text": "weg ermee", "csrf_token": token})
    wrong = client.post(
        f"/casemanagers/{person_id}/verwijderen", data={"confirm": "eva", "csrf_token": token}
    )
    assert wrong.status_code == 400
    done = client.post(
        f"/casemanagers/{person_id}/verwijderen",
        data={"confirm": "Eva", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Alle gegevens van Eva zijn verwijderd (2 sessies)" in done.get_data(as_text=True)
    with session_factory(engine)() as db:
        assert db.get(Casemanager, person_id) is None
        assert db.execute(select(func.count()).select_from(PracticeSession)).scalar_one() == 1
        assert db.execute(select(func.count()).select_from(TurnRecord)).scalar_one() == 2
        assert db.execute(select(func.count()).select_from(Comment)).scalar_one() == 0
    assert "Eva" not in client.get("/").get_data(as_text=True)
