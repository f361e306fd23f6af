"""Whole conversations through the real Rasa server and action server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from coach.play import load_script, play_script
from coach.stack import Stack
from gesprekscoach.rasa_client import RasaClient

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = sorted((ROOT / "tests/conversations").glob("*.yml"))


@pytest.mark.parametrize("path", CONVERSATIONS, ids=lambda p: p.stem)
def test_good_conversations_uncover_the_need_and_poor_ones_do_not(
    client: RasaClient, path: Path
) -> None:
    result = play_script(client, load_script(path), None, seed=1)
    expected = path.stem.endswith("_goed")
    assert result["hidden_need_found"] is expected, json.dumps(result, ensure_ascii=False)
    assert len(result["turns"]) == len(load_script(path).lines)
    for turn in result["turns"]:
        assert turn["reply"], turn
        assert 0 <= turn["trust"] <= 100 and 0 <= turn["stress"] <= 100
    if expected:
        assert result["hidden_need_turn"] is not None
        assert result["final_trust"] > result["turns"][0]["trust"]


def test_play_is_deterministic_for_a_seed(client: RasaClient) -> None:
    script = load_script(ROOT / "tests/conversations/samira_goed.yml")
    first = play_script(client, script, None, seed=11)
    second = play_script(client, script, None, seed=11)
    assert [t["reply"] for t in first["turns"]] == [t["reply"] for t in second["turns"]]
    assert first["opening"] == second["opening"]


def test_coach_play_cli_prints_one_json_object_per_file(stack: Stack, tmp_path: Path) -> None:
    script = tmp_path / "kort.yml"
    script.write_text(
        "persona: laaggeletterd\nlines:\n  - Goedemorgen, ik ben Eva van de gemeente.\n"
        "  - Wat zou u nu het meeste helpen?\n",
        encoding="utf-8",
    )
    scripts = (str(script), str(ROOT / "tests/conversations/marco_slecht.yml"))
    play = [sys.executable, "-m", "coach.main", "play", *scripts]
    out = subprocess.run(
        [*play, "--seed", "3", "--json", "--rasa-url", stack.settings.rasa_url],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "COACH_VAR_DIR": str(stack.settings.var_dir)},  # its channel token
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["persona"] for r in lines] == ["henk", "marco"]
    assert lines[0]["persona_type"] == "laaggeletterd"
    first = lines[0]["turns"][0]
    assert {"text", "move", "confidence", "reply", "trust", "stress"} <= set(first)
    assert first["move"] == "begroeten"
    assert {"hidden_need_found", "hidden_need_turn"} <= set(lines[0])


BAD_INPUTS = {
    "leeg": ("", "stilte"),
    "spaties": ("   \t  ", "stilte"),
    "alleen_emoji": ("😡😡😡👍", "stilte"),
    "vijfduizend_tekens": ("Ik wil u even uitleggen hoe het zit met de regels. " * 100, "te_lang"),
    "markup": ("<script>alert('hoi')</script>", None),
    "engels": ("Could you please send me the documents by Friday?", None),
    "gebrabbel": ("asdkj qwpoe zxmnv lkjhg", None),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_an_answer_in_character(client: RasaClient, name: str) -> None:
    text, kind = BAD_INPUTS[name]
    sender = f"test-bad-{name}"
    client.start_practice(sender, "marco", seed=2)
    reply = client.send(sender, text)
    assert reply.texts and reply.texts[0].strip(), name
    assert reply.payload["kind"] == "turn" and reply.payload["turn"] == 1
    if kind is not None:
        assert reply.payload["move"] == kind
    # The conversation goes on normally afterwards.
    after = client.send(sender, "Dat klinkt echt heel zwaar voor u.")
    assert after.payload["turn"] == 2 and after.payload["move"] == "empathie"


@pytest.mark.parametrize("name", ["gebrabbel", "engels"])
def test_unplaceable_message_confuses_the_persona(client: RasaClient, name: str) -> None:
    sender = f"test-fallback-{name}"
    client.start_practice(sender, "henk", seed=2)
    reply = client.send(sender, BAD_INPUTS[name][0])
    assert reply.payload["nlu_move"] == "nlu_fallback"
    assert reply.payload["move"] == "nlu_fallback"


def test_message_before_start_gets_a_clear_answer(client: RasaClient) -> None:
    reply = client.send("test-not-started", "Goedemorgen!")
    assert "nog geen oefengesprek" in reply.text
    assert reply.payload["error"] == "not_started"


def test_unknown_persona_gets_a_clear_answer(client: RasaClient) -> None:
    reply = client.start_practice("test-unknown", "koning_willem", seed=1)
    assert "ken ik niet" in reply.text and "marco" in reply.text


def test_after_stop_the_conversation_is_closed(client: RasaClient) -> None:
    sender = "test-closed"
    client.start_practice(sender, "samira", seed=1)
    end = client.stop_practice(sender)
    assert "is klaar" in end.text and end.payload["kind"] == "end"
    reply = client.send(sender, "Hallo?")
    assert "al afgelopen" in reply.text


def test_a_second_practice_in_one_conversation_is_a_session_of_its_own(
    client: RasaClient, stack: Stack
) -> None:
    """Starting again on the same conversation id must not overwrite or mix the first."""
    from gesprekscoach.storage.db import make_engine, session_factory
    from gesprekscoach.storage.models import PracticeSession

    sender = f"twice-{uuid.uuid4().hex[:8]}"
    client.start_practice(sender, "henk", 3)
    client.send(sender, "Goedemiddag meneer Visser, ik ben Eva van de gemeente.")
    client.send(sender, "Dat is toch gewoon uw eigen schuld.")
    client.start_practice(sender, "marco", 4)
    client.send(sender, "Wat heeft u nodig om verder te kunnen?")
    report = client.stop_practice(sender).payload["report"]
    quoted = str(report)
    assert "eigen schuld" not in quoted, "the report covers the second practice only"
    with session_factory(make_engine(stack.settings.database_url))() as db:
        first, second = db.get(PracticeSession, sender), db.get(PracticeSession, f"{sender}~2")
        assert first is not None and second is not None
        assert (first.persona_id, second.persona_id) == ("henk", "marco")
        assert [t.text for t in first.turns] == [
            "Goedemiddag meneer Visser, ik ben Eva van de gemeente.",
            "Dat is toch gewoon uw eigen schuld.",
        ]
        assert [t.text for t in second.turns] == ["Wat heeft u nodig om verder te kunnen?"]
        assert first.ended_at is None and second.ended_at is not None
