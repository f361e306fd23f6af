"""The learning loop through the real Rasa server and action server.

Going back is Rasa's own rewind: the persona's state (slots), the tracker and the
session log must all agree afterwards, with no orphan turns and no double counts,
and the tracker and the log keep a trace that it happened.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from sqlalchemy import select, text

from coach.chat import TerminalChat
from coach.play import load_script, play_script
from coach.stack import Stack
from gesprekscoach.domain import Catalogues
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import PracticeSession, RevertedTurn, TurnRecord

pytestmark = pytest.mark.stack

HELLO = "Goedemiddag meneer Jansen, ik ben Sanne van de gemeente."
DATA_TOO_SOON = "Wat is uw burgerservicenummer en uw IBAN?"
BETTER = "Hoe gaat het met u sinds die brief kwam?"


def tracker_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    """The conversation's events as Rasa's SQL tracker store keeps them."""
    engine = make_engine(stack.settings.database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT data FROM events WHERE sender_id = :s ORDER BY id")
            return [json.loads(row[0]) for row in connection.execute(query, {"s": sender})]
    finally:
        engine.dispose()


def turn_numbers(events: list[dict[str, Any]]) -> list[int]:
    """The turns of the conversation as Rasa applies it (rewinds taken into account)."""
    applied = Tracker("x", {}, {}, events, False, None, {}, None).applied_events()
    numbers = []
    for event in applied:
        custom = (event.get("data") or {}).get("custom") or {}
        payload = custom.get(PAYLOAD_KEY) if isinstance(custom, dict) else None
        if isinstance(payload, dict) and payload.get("kind") == "turn":
            numbers.append(int(payload["turn"]))
    return numbers


@dataclass
class Log:
    turns: list[TurnRecord]
    reverted: list[RevertedTurn]
    session: PracticeSession | None


def log_of(stack: Stack, session_id: str, turns: int, reverted: int, timeout: float = 30) -> Log:
    """What the session log holds for a session, once it has `turns` turns and `reverted`
    turns taken back (it writes in the background, in order)."""
    engine = make_engine(stack.settings.database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with session_factory(engine)() as db:
                where = TurnRecord.session_id == session_id
                rows = list(db.execute(select(TurnRecord).where(where)).scalars())
                gone = RevertedTurn.session_id == session_id
                back = list(db.execute(select(RevertedTurn).where(gone)).scalars())
                log = Log(
                    sorted(rows, key=lambda t: t.number), back, db.get(PracticeSession, session_id)
                )
                db.expunge_all()
            done = len(log.turns) >= turns and len(back) >= reverted
            if done or time.monotonic() > deadline:
                return log
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_terug_takes_the_last_message_back_everywhere(client: RasaClient, stack: Stack) -> None:
    sender = "loop-terug"
    client.start_practice(sender, "marco", seed=4)
    first = client.send(sender, HELLO).payload
    worse = client.send(sender, DATA_TOO_SOON).payload
    assert worse["turn"] == 2 and worse["trust"] < first["trust"]

    back = client.go_back(sender)
    assert back.payload["kind"] == "rewind", back.text
    assert back.payload["from_turn"] == 2 and back.payload["turn"] == 1
    assert back.payload["trust"] == first["trust"], "the inwoner stands as before message 2"
    assert "teruggenomen" in back.text

    again = client.send(sender, BETTER).payload
    assert again["turn"] == 2, "the next message takes the number of the one taken back"
    assert again["trust"] - again["trust_delta"] == pytest.approx(first["trust"])

    events = tracker_events(stack, sender)
    assert any(e.get("event") == "rewind" for e in events), "the tracker keeps the trace"
    assert turn_numbers(events) == [1, 2]

    log = log_of(stack, sender, turns=2, reverted=1)
    assert [t.text for t in log.turns] == [HELLO, BETTER], "no orphan turn, no double number"
    assert [(g.number, g.text, g.how) for g in log.reverted] == [(2, DATA_TOO_SOON, "terug")]

    end = client.stop_practice(
        sender, reflections=[("Hij wil weten wat er over hem in zijn dossier staat", None)]
    )
    assert end.payload["reverts"] == 1
    assert [t["turn"] for t in end.payload["thoughts"]] == [1, 2]
    assert all(t["thought"] for t in end.payload["thoughts"]), "every reaction has a thought"
    assert end.payload["report"]["reverts"] == 1
    reflection = end.payload["reflection"]
    assert reflection["text"].startswith("Hij wil") and 0 < reflection["score"] <= 1
    assert "Wat Marco dacht" in end.text and "Wat had Marco nodig?" in end.text


def test_starting_again_from_a_message_uses_the_same_seed(client: RasaClient, stack: Stack) -> None:
    sender = "loop-opnieuw"
    client.start_practice(sender, "henk", seed=7)
    lines = [
        "Goedemiddag meneer Visser, ik ben Sanne.",
        "Hoe gaat het met u?",
        "Conform de beschikking dient u uw inkomsten te retourneren.",
        "Heeft u de brief bij u?",
    ]
    replies = [client.send(sender, line) for line in lines]
    back = client.start_again_from(sender, 2)
    assert back.payload["kind"] == "rewind" and back.payload["turns"] == 3
    assert back.payload["trust"] == replies[0].payload["trust"]
    # Same seed, same state: the same message gets the same answer as the first time.
    same = client.send(sender, lines[1])
    assert same.text == replies[1].text and same.payload["turn"] == 2
    assert turn_numbers(tracker_events(stack, sender)) == [1, 2]
    log = log_of(stack, sender, turns=2, reverted=3)
    assert [t.number for t in log.turns] == [1, 2]
    assert sorted(g.number for g in log.reverted) == [2, 3, 4]
    assert {g.how for g in log.reverted} == {"opnieuw"}
    assert log.session is not None and log.session.reverts == 1

    refused = client.start_again_from(sender, 9)
    assert refused.payload == {"kind": "error", "error": "no_such_turn", "last": 2}


def test_exam_mode_has_no_going_back_and_no_tips(client: RasaClient) -> None:
    sender = "loop-examen"
    client.start_practice(sender, "samira", seed=1, hints=False)
    turn = client.send(sender, "Hallo Samira, hoe gaat het met je?").payload
    assert turn["thought"], "logged for the report, not shown in exam mode by the clients"
    for reply in (
        client.go_back(sender),
        client.ask_tip(sender),
        client.start_again_from(sender, 1),
    ):
        assert reply.payload["kind"] == "error" and reply.payload["error"] == "exam_mode"
        assert "examenstand" in reply.text
    after = client.send(sender, "Wat heb je nodig?").payload
    assert after["turn"] == 2, "a refused command took nothing back"


def test_a_tip_fits_the_moment_and_is_counted(client: RasaClient, stack: Stack) -> None:
    sender = "loop-tip"
    client.start_practice(sender, "henk", seed=2)
    client.send(sender, "Goedemiddag meneer Visser.")
    tip = client.ask_tip(sender)
    assert tip.payload["kind"] == "tip" and tip.payload["tips_asked"] == 1
    assert "Henk" in tip.text or "meneer Visser" in tip.text
    client.send(sender, "Wat heeft u nodig?")
    assert client.ask_tip(sender).payload["tips_asked"] == 2
    # Going back past a tip keeps the count: the tip was asked.
    assert client.go_back(sender).payload["kind"] == "rewind"
    end = client.stop_practice(sender)
    assert end.payload["tips_asked"] == 2 and end.payload["reverts"] == 1
    assert end.payload["reflection"] is None, "no answer: skipped"
    assert "Je sloeg de vraag over" in end.text


def test_a_werkatelier_without_going_back(client: RasaClient) -> None:
    sender = "loop-atelier"
    client.start_practice(sender, "marco", seed=3, undo=False)
    client.send(sender, HELLO)
    refused = client.go_back(sender)
    assert refused.payload["error"] == "undo_off" and "begeleider" in refused.text
    assert client.ask_tip(sender).payload["kind"] == "tip", "tips stay on outside exam mode"


def test_play_takes_a_line_back_and_scores_the_reflection(
    client: RasaClient, tmp_path: Path
) -> None:
    script = tmp_path / "terug.yml"
    script.write_text(
        yaml.safe_dump(
            {
                "persona": "marco",
                "reflection": "Marco wil zijn dossier inzien en één vaste contactpersoon.",
                "lines": [HELLO, DATA_TOO_SOON, "/terug", BETTER],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    result = play_script(client, load_script(script), None, seed=5)
    assert [t["text"] for t in result["turns"]] == [HELLO, BETTER]
    assert [t["text"] for t in result["reverted_turns"]] == [DATA_TOO_SOON]
    assert result["reverts"] == 1
    assert all(t["thought"] for t in result["turns"])
    reflection = result["reflection"]
    assert set(reflection) >= {"text", "score", "named", "missed"}
    assert reflection["score"] > 0.3 and reflection["named"]


def chat_output(
    client: RasaClient,
    catalogues: Catalogues,
    capsys: pytest.CaptureFixture[str],
    script: list[str],
    hints: bool = True,
) -> str:
    lines = iter(script)
    chat = TerminalChat(client, catalogues, ask=lambda prompt: next(lines), hints=hints)
    assert chat.run("marco", seed=6) == 0
    return str(capsys.readouterr().out)


def test_the_terminal_chat_goes_back_gives_tips_and_asks_for_the_reflection(
    client: RasaClient, catalogues: Catalogues, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat_output(
        client,
        catalogues,
        capsys,
        [HELLO, DATA_TOO_SOON, "/terug", BETTER, "/tip", "/opnieuw twee", "/stop", ""],
    )
    assert "Bericht 2 is teruggenomen" in out
    assert "💭 Marco denkt:" in out, "thoughts show outside exam mode"
    assert "💡" in out and "Probeer" in out
    assert "Typ /opnieuw en het nummer van een bericht" in out
    assert "wat denk je dat Marco nodig heeft?" in out
    assert "Je sloeg de vraag over" in out and "Wat Marco dacht, bericht voor bericht" in out


def test_the_terminal_chat_in_exam_mode_shows_no_thoughts(
    client: RasaClient, catalogues: Catalogues, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat_output(
        client, catalogues, capsys, [HELLO, "/terug", "/stop", "Een vaste contactpersoon."], False
    )
    conversation, _, report = out.partition("wat denk je dat Marco nodig heeft?")
    assert "💭" not in conversation and "examenstand" in conversation
    assert "Marco dacht:" in report, "after the session the thoughts are shown"
