"""Variants through the real Rasa server and action server: the seed picks the same one
every time, the session log and the report name it, the terminal chat varies it."""

from __future__ import annotations

import pytest

from coach.chat import TerminalChat
from coach.stack import Stack
from gesprekscoach.domain import Catalogues
from gesprekscoach.personas import variants
from gesprekscoach.rasa_client import RasaClient
from tests.stack.test_learning_loop import log_of

pytestmark = pytest.mark.stack
HELLO = "Goedemiddag mevrouw, ik ben Sanne van de gemeente."


def test_a_variant_is_chosen_by_seed_and_logged(
    client: RasaClient, stack: Stack, catalogues: Catalogues
) -> None:
    samira = catalogues.personas.get("samira")
    seed = next(s for s in range(100) if variants.choose(samira, s) is not None)
    wanted = variants.choose(samira, seed)
    first = client.start_practice("variant-a", "samira", seed, variant="willekeurig")
    again = client.start_practice("variant-b", "samira", seed, variant="willekeurig")
    assert first.payload["variant"] == again.payload["variant"] == wanted
    assert first.text == again.text, "the same seed, the same opening"
    replies = [client.send(sender, HELLO).text for sender in ("variant-a", "variant-b")]
    assert replies[0] == replies[1]
    end = client.stop_practice("variant-a")
    label = next(v.label for v in samira.variants if v.id == wanted)
    assert end.payload["report"]["variant_label"] == label
    assert f"Deze keer: {label}" in end.text
    log = log_of(stack, "variant-a", turns=1, reverted=0)
    assert log.session is not None and log.session.variant == wanted
    plain = client.start_practice("variant-c", "samira", seed)
    assert plain.payload["variant"] is None, "no variant unless a client asks"


def test_an_unknown_variant_is_refused_and_nothing_starts(client: RasaClient) -> None:
    reply = client.start_practice("variant-d", "henk", 3, variant="dronken")
    assert reply.payload["error"] == "unknown_variant"
    assert "Die variant van Henk ken ik niet" in reply.text
    assert client.send("variant-d", "Hallo?").payload.get("error") == "not_started"


def test_the_terminal_chat_meets_another_henk_each_time(
    client: RasaClient, stack: Stack, catalogues: Catalogues, capsys: pytest.CaptureFixture[str]
) -> None:
    henk = catalogues.personas.get("henk")
    met: list[str | None] = []
    for _ in range(3):
        lines = iter(["Goedemiddag meneer Visser.", "/stop", ""])
        chat = TerminalChat(
            client,
            catalogues,
            ask=lambda prompt, it=lines: next(it),
            recent=lambda p: met[::-1][:2],
        )
        assert chat.run("henk") == 0
        log = log_of(stack, chat.sender, turns=1, reverted=0)
        assert log.session is not None
        met.append(log.session.variant)
    assert len(set(met)) == 3, f"three sessions, three different Henks: {met}"
    assert all(v in {x.id for x in henk.variants} for v in met)
    capsys.readouterr()
