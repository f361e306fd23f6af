"""A server that dies mid-conversation: a clear message, nothing lost, and back on track."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from coach.chat import TerminalChat
from coach.stack import Server, Stack
from gesprekscoach.domain import Catalogues
from gesprekscoach.rasa_client import RasaClient, RasaUnavailable
from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.models import TurnRecord
from tests.conftest import free_port

pytestmark = pytest.mark.stack


@pytest.fixture
def own_stack(model: Path, tmp_path: Path) -> Iterator[Stack]:
    """A stack of its own, since these tests kill its servers."""
    env = dict(os.environ)
    env.update(
        {
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "COACH_VAR_DIR": str(tmp_path / "var"),
        }
    )
    with Stack(load_settings(env), model) as stack:
        yield stack


def kill(server: Server) -> None:
    assert server.proc is not None
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)


@pytest.mark.parametrize("which", ["rasa", "actions"])
def test_conversation_survives_a_server_restart(own_stack: Stack, which: str) -> None:
    client = RasaClient.for_settings(own_stack.settings, retries=0, timeout=20)
    sender = f"restart-{which}"
    client.start_practice(sender, "samira", seed=3)
    client.send(sender, "Hoi Samira, ik ben Lotte van schuldhulp.")
    before = client.send(sender, "Dat klinkt echt heel zwaar, met de kinderen erbij.").payload
    assert before["turn"] == 2

    kill(own_stack.rasa if which == "rasa" else own_stack.actions)
    with pytest.raises(RasaUnavailable):
        client.send(sender, "Ik bel vandaag zelf met je energieleverancier.")
    assert own_stack.revive()

    after = client.send(sender, "Ik bel vandaag zelf met je energieleverancier.").payload
    assert after["turn"] == 3, "the state before the crash is kept and the turn counted once"
    assert after["move"] == "regie_nemen"
    assert after["trust"] != before["trust"] or after["stress"] != before["stress"]
    assert logged_turns(own_stack, sender) == [1, 2, 3], "every turn logged exactly once"


def logged_turns(stack: Stack, sender: str, expect: int = 3) -> list[int]:
    """The turn numbers the action server wrote for `sender` (it writes in the background)."""
    engine = make_engine(stack.settings.database_url)
    deadline = time.monotonic() + 20
    query = select(TurnRecord.number).where(TurnRecord.session_id == sender)
    query = query.order_by(TurnRecord.number)
    try:
        while True:
            with engine.connect() as conn:
                numbers = [row[0] for row in conn.execute(query)]
            if len(numbers) >= expect or time.monotonic() > deadline:
                return numbers
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_terminal_chat_keeps_the_message_and_recovers(
    own_stack: Stack, catalogues: Catalogues, capsys: pytest.CaptureFixture[str]
) -> None:
    script = [
        "Goedemiddag meneer Visser, ik ben Sanne van de gemeente.",
        "KILL",
        "Wat heeft u op dit moment het meeste nodig?",
        "/stop",
        "Hij wil hulp bij het lezen van de brieven.",
    ]
    lines = iter(script)

    def ask(prompt: str) -> str:
        line = next(lines)
        if line == "KILL":
            kill(own_stack.rasa)
            return next(lines)
        return line

    client = RasaClient.for_settings(own_stack.settings, retries=0, timeout=20)
    chat = TerminalChat(client, catalogues, ask=ask, recover=own_stack.revive)
    assert chat.run("henk", seed=1) == 0
    out = capsys.readouterr().out
    assert "De oefenserver reageert niet" in out
    assert "Het oefengesprek met Henk Visser is klaar. Je stuurde 2 berichten." in out
    assert "Wat had Henk nodig?" in out and "Hij wil hulp bij het lezen" in out
