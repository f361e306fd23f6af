"""Play a labelled script through the practice functions the actions call, without Rasa."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coach.play import load_script
from gesprekscoach import practice
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.transcript import turns_from_payloads
from gesprekscoach.protocol import PAYLOAD_KEY

CONVERSATIONS = Path(__file__).resolve().parents[1] / "conversations"


def play_labelled(
    catalogues: Catalogues, lines: list[tuple[str, str]], persona: str, hints: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(end payload, turn payloads) for (text, move) lines, as the action server makes them."""
    out = practice.start(catalogues, persona, seed=1, hints=hints)
    slots = dict(out.slots)
    pairs = []
    for text, move in lines:
        out = practice.turn(catalogues, slots, text, move, 0.9)
        slots.update(out.slots)
        pairs.append((out.payload[PAYLOAD_KEY], out.texts[0]))
    end = practice.end(catalogues, slots, turns_from_payloads(pairs))
    return end.payload[PAYLOAD_KEY] | {"texts": end.texts}, [p for p, _ in pairs]


def play_file(catalogues: Catalogues, name: str) -> dict[str, Any]:
    script = load_script(CONVERSATIONS / f"{name}.yml")
    lines = [(t, str(m)) for t, m in zip(script.lines, script.expected_moves, strict=True)]
    end, _ = play_labelled(catalogues, lines, str(script.persona))
    return end


def statuses(end: dict[str, Any]) -> dict[str, str]:
    return {t["id"]: t["status"] for t in end["report"]["tips"]}


def tip(end: dict[str, Any], tip_id: str) -> dict[str, Any]:
    return next(t for t in end["report"]["tips"] if t["id"] == tip_id)
