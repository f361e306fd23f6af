"""The session page looking back: thoughts and trust changes beside the messages, the
reflection beside the need, the turns taken back, better sentences; the list, the exports
and a casemanager's progress. Rows are written through the repository on a migrated
SQLite, as the action server writes them."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.engine import Engine

from dashboard import looking_back
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.progress import weighted_progress
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import PracticeSession
from gesprekscoach.storage.repository import pseudonym, pseudonym_label
from tests.dashboard.conftest import login
from tests.dashboard.looking_back_data import (
    AGAIN,
    BETTER_TRY,
    FIRST,
    HOSTILE_REFLECTION,
    HOSTILE_THOUGHT,
    NEED,
    SESSION,
    TAKEN_BACK,
    TAKEN_BACK_THOUGHT,
    log_session,
    reflection,
)


def page(client: FlaskClient, path: str = f"/sessions/{SESSION}") -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def turn_blocks(html: str) -> list[str]:
    """The conversation's message blocks, in order."""
    conversation = html.split("<h2>Gesprek</h2>", 1)[1]
    return conversation.split('<div class="turn" id="beurt-')[1:]


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_each_message_has_the_thought_and_trust_change_beside_it(
    client: FlaskClient, engine: Engine
) -> None:
    log_session(engine)
    login(client)
    blocks = turn_blocks(page(client))
    held = [FIRST[0], FIRST[1], *AGAIN]
    assert len(blocks) == 4, "the conversation as finally held: the message taken back is gone"
    changes = ["+3", "+5", "+7", "−8"]
    for block, line, delta in zip(blocks, held, changes, strict=True):
        text, _move, _before, _after, thought = line
        aside = block.split('<aside class="inside"', 1)[1].split("</aside>", 1)[0]
        assert str(escape(text)) in block.split("<aside", 1)[0]
        assert f"Vertrouwen {delta}</div>" in aside
        if thought:
            assert "Wat Marco dacht:" in aside and str(escape(thought)) in aside
        else:
            assert "dacht" not in aside
    assert TAKEN_BACK not in "".join(blocks).split('<details class="reverted"')[0]


def test_the_reflection_stands_beside_the_need_with_the_moments(
    client: FlaskClient, engine: Engine
) -> None:
    log_session(engine)
    login(client)
    html = page(client)
    found = section(html, '<h2 id="behoefte">Wat had Marco nodig?</h2>', "<h2>Gesprek</h2>")
    mine, need = found.split('aria-label="Wat Marco echt nodig had"')
    assert str(escape(HOSTILE_REFLECTION)) in mine and "67%" in mine
    assert "Goed gezien: vast contactpersoon" in mine
    assert "Gemist: oude dossier eerlijk bekijken" in mine
    assert NEED in need
    ids = re.findall(r'id="beurt-(\d+)"', html)
    links = re.findall(r'<a href="#beurt-(\d+)">bericht (\d+)</a>', need)
    assert links == [(ids[1], "2"), (ids[2], "3")], "sorted, each linked to its message"
    blocks = turn_blocks(html)
    marked = [i + 1 for i, b in enumerate(blocks) if "Hier was de behoefte te horen." in b]
    assert marked == [2, 3]


def test_turns_taken_back_are_a_collapsed_trace(client: FlaskClient, engine: Engine) -> None:
    log_session(engine)
    login(client)
    html = page(client)
    assert "1 keer teruggegaan · 2 keer om een tip gevraagd" in html
    trace = section(html, '<details class="reverted" id="teruggenomen">', "</details>")
    assert "<summary>Teruggenomen berichten (1)</summary>" in trace
    assert TAKEN_BACK in trace and str(escape(TAKEN_BACK_THOUGHT)) in trace
    assert "met /terug" in trace and "27-11-2026 10:15" in trace
    assert '<details class="reverted" id="teruggenomen" open' not in html


def test_better_sentences_and_a_tips_good_moment_and_slip(
    client: FlaskClient, engine: Engine
) -> None:
    log_session(engine)
    login(client)
    html = page(client)
    better = section(html, '<h2 id="betere-zinnen">Betere zinnen</h2>', "</table>")
    row = better.split('<tr class="better">', 1)[1]
    assert str(escape(BETTER_TRY)) in row and "de regels benadrukken" in row
    assert "Marco hoort regels als een verwijt." in row
    assert re.search(r'<a href="#beurt-\d+">4</a>', row), "linked to its message"
    tips = section(html, "<h2>Feedback op de tips</h2>", "</table>")
    ck_b3, ck_h1 = tips.split("<tr><td>")[1:]
    assert "Laten zien: 1 · ertegenin: 2,5" in ck_b3
    assert "Goed moment in bericht 3" in ck_b3 and "misser" not in ck_b3
    assert "Eén misser in bericht 4" in ck_h1 and "Goed moment" not in ck_h1


def test_hostile_thoughts_and_reflections_are_text(client: FlaskClient, engine: Engine) -> None:
    log_session(engine)
    login(client)
    html = page(client)
    for hostile in (HOSTILE_THOUGHT, HOSTILE_REFLECTION):
        assert hostile not in html
        assert str(escape(hostile)) in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_a_session_from_before_the_learning_loop_still_renders(client: FlaskClient) -> None:
    login(client)
    html = page(client, "/sessions/s0")
    assert "Wat had" not in html and "Teruggenomen" not in html and "Betere zinnen" not in html
    assert "0 keer teruggegaan · 0 keer om een tip gevraagd" in html
    assert len(turn_blocks(html)) == 2


def test_a_skipped_reflection_says_so(client: FlaskClient, engine: Engine) -> None:
    log_session(engine, reflections=[])
    login(client)
    html = page(client)
    assert "De vraag is overgeslagen." in html and NEED in html
    listing = page(client, "/?persona=marco")
    (row,) = [r for r in listing.split("<tr>") if f"/sessions/{SESSION}" in r]
    assert '<td class="reflection-score"></td>' in row


def test_every_member_of_a_round_is_shown_with_their_answer(
    client: FlaskClient, engine: Engine
) -> None:
    eva = pseudonym("telegram", "id-eva", "salt")  # Eva's row exists (she owns the session)
    stranger = "ab" * 32
    answers = [reflection("Een vast contactpersoon", 0.5, eva), reflection("Rust", 0.25, stranger)]
    log_session(engine, reflections=answers)
    login(client)
    found = section(page(client), "Wat had Marco nodig?", "<h2>Gesprek</h2>")
    assert "Wat de deelnemers dachten" in found
    first, second = found.split('<div class="answer">')[1:]
    assert "<strong>Eva</strong>" in first and "50%" in first
    assert f"<strong>{pseudonym_label('telegram', stranger)}</strong>" in second
    assert "25%" in second and stranger not in found, "a label, never the whole pseudonym"


def test_the_list_shows_the_reflection_score_and_reverts(
    client: FlaskClient, engine: Engine
) -> None:
    log_session(engine)
    login(client)
    listing = page(client, "/")
    assert "<th" in listing and ">Reflectie</th>" in listing and ">Terug</th>" in listing
    (row,) = [r for r in listing.split("<tr>") if f"/sessions/{SESSION}" in r]
    assert '<td class="reflection-score">67%</td>' in row
    assert '<td class="reverts">1</td>' in row
    (old,) = [r for r in listing.split("<tr>") if "/sessions/s0" in r]
    assert '<td class="reflection-score"></td>' in old and '<td class="reverts"></td>' in old


def test_the_json_export_carries_what_the_end_gave(client: FlaskClient, engine: Engine) -> None:
    log_session(engine)
    login(client)
    (data,) = json.loads(page(client, f"/sessions/{SESSION}/export.json"))
    assert data["reflection"]["text"] == HOSTILE_REFLECTION
    assert data["reflection"]["score"] == 0.67
    assert [r["named"] for r in data["reflections"]] == [["vast contactpersoon"]]
    assert data["reflection_score"] == 0.67 and data["hidden_need"] == NEED
    assert data["need_moments"] == [2, 3]
    assert (data["reverts"], data["tips_asked"]) == (1, 2)
    thoughts = data["thoughts"]
    assert [t["turn"] for t in thoughts] == [1, 2, 3, 4]
    assert [t["trust_delta"] for t in thoughts] == [3.0, 5.0, 7.0, -8.0]
    assert [t["thought"] for t in thoughts] == [line[4] for line in (*FIRST[:2], *AGAIN)]
    assert [t["thought"] for t in data["turns"]] == [t["thought"] for t in thoughts]
    (back,) = data["reverted_turns"]
    assert (back["number"], back["text"], back["how"]) == (3, TAKEN_BACK, "terug")
    assert back["thought"] == TAKEN_BACK_THOUGHT
    listing = {s["id"]: s for s in json.loads(page(client, "/export/sessions.json"))}
    old = listing["s0"]
    assert old["reflection"] is None and old["reflections"] == [] and old["need_moments"] == []
    assert [t["thought"] for t in old["turns"]] == ["", ""]
    assert listing[SESSION]["thoughts"] == thoughts


def csv_rows(client: FlaskClient, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(page(client, path), newline="")))


def test_the_csv_exports_carry_thought_score_reverts_and_tips_asked(
    client: FlaskClient, engine: Engine
) -> None:
    log_session(engine)
    login(client)
    rows = {r["sessie"]: r for r in csv_rows(client, "/export/sessions.csv")}
    ours = rows[SESSION]
    assert (ours["reflectie_procent"], ours["teruggegaan"], ours["tips_gevraagd"]) == (
        "67",
        "1",
        "2",
    )
    assert (rows["s0"]["reflectie_procent"], rows["s0"]["teruggegaan"]) == ("", "0")
    turns = csv_rows(client, f"/sessions/{SESSION}/export.csv")
    assert turns[0]["gedachte"] == "Ze klinkt vriendelijk."
    assert turns[2]["gedachte"] == AGAIN[0][4]


def test_the_casemanager_page_shows_weighted_progress_and_advice(
    client: FlaskClient, engine: Engine, catalogues: Catalogues
) -> None:
    log_session(engine)
    with session_factory(engine)() as db:
        session = db.get(PracticeSession, SESSION)
        assert session is not None
        person = session.casemanager_id
        expected = weighted_progress(
            session.casemanager.sessions, catalogues.tips, catalogues.personas
        )
    login(client)
    html = page(client, f"/casemanagers/{person}")
    assert f'<p class="advice" id="advies">{escape(expected.advice)}</p>' in html
    assert expected.practise_tip == "CK-B3", "flagged in the latest session"
    assert '<strong id="oefen-tip">CK-B3</strong>' in html
    table = section(html, '<table id="score-per-tip">', "</table>")
    ck_b3 = section(table, '<tr data-tip="CK-B3"', "</tr>")
    ck_h1 = section(table, '<tr data-tip="CK-H1"', "</tr>")
    assert "<td>0%</td><td>1</td>" in ck_b3 and "aandachtspunt" in ck_b3
    assert "<td>100%</td><td>1</td>" in ck_h1 and ">goed</td>" in ck_h1
    assert table.count("<tr data-tip=") == 2, "tips that never came up are counted, not listed"
    assert "reflectie 67% · 1 keer terug" in html


def test_the_helpers_read_stored_json_leniently() -> None:
    assert [looking_back.change(v) for v in (3.0, -8.4, 0.2, None)] == ["+3", "−8", "±0", ""]
    assert [looking_back.percent(v) for v in (0.666, 1, None, "x", True)] == [
        "67%",
        "100%",
        "",
        "",
        "",
    ]
    assert [looking_back.count(v) for v in (2, 2.0, 2.5, None)] == ["2", "2", "2,5", ""]
    odd: Any = {"reflections": "nee", "need": 3, "moments": [2, "x", True, -1, 2]}
    stored = looking_back.stored_reflection(odd)
    assert stored.asked and stored.reflections == () and stored.need == ""
    assert stored.moments == (2,)
    assert not looking_back.stored_reflection(None).asked
    skipped = {"reflections": [{"text": "", "score": None}, "x"], "moments": []}
    assert looking_back.stored_reflection(skipped).reflections == ()
    assert looking_back.better_sentences({"better": [{"turn": 2}, "x", None]}) == ()
