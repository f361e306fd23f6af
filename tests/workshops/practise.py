"""Practise a conversation through the real domain core and the real session-log writes,
without the NLU (the move of each message is given), so workshop figures can be checked
against what was logged."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from gesprekscoach import practice
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.transcript import turns_from_payloads
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.storage.repository import pseudonym, pseudonym_label
from gesprekscoach.storage.service import writes_for
from gesprekscoach.storage.writer import apply

SALT = "workshop-salt"
GOOD = [
    ("Goedemiddag, ik ben Sanne van de gemeente. Fijn dat u er bent.", "begroeten"),
    ("Dat klinkt echt zwaar voor u.", "empathie"),
    ("Wat heeft u nodig om dit op te lossen?", "vraag_wat_nodig"),
    ("Kunt u daar meer over vertellen?", "doorvragen"),
    ("Wat heeft u nu het meest nodig van mij?", "vraag_wat_nodig"),
]
RUSHED = [
    ("Wat is uw BSN?", "info_opvragen"),
    ("Dat is toch gewoon uw eigen schuld.", "oordelen"),
    ("U moet de beschikking conform de Participatiewet retourneren.", "regels_benadrukken"),
]


def person(name: str) -> str:
    """The pseudonym the bot makes of a (made-up) Telegram id; the name itself is never sent."""
    return pseudonym("telegram", f"id-{name}", SALT)


def label(name: str) -> str:
    """How that person shows in reports and on the dashboard."""
    return pseudonym_label("telegram", person(name))


def meta(name: str, workshop: str | None = None, **extra: str) -> dict[str, str]:
    data = {"channel": "telegram", "person": person(name), **extra}
    if workshop:
        data["workshop"] = workshop
    return data


def practise(
    engine: Engine,
    catalogues: Catalogues,
    session_id: str,
    persona: str,
    lines: list[tuple[str, str]],
    metadata: dict[str, str] | list[dict[str, str]],
    end: bool = True,
) -> dict[str, Any]:
    """Run start, turns and (optionally) end; metadata per line for a round in a group."""
    per_line = metadata if isinstance(metadata, list) else [metadata] * len(lines)
    first = per_line[0] if per_line else (metadata if isinstance(metadata, dict) else {})
    out = practice.start(catalogues, persona, seed=7)
    slots = dict(out.slots)
    for write in writes_for(session_id, out.payload[PAYLOAD_KEY], first, SALT):
        apply(engine, write)
    pairs = []
    for (text, move), meta_ in zip(lines, per_line, strict=True):
        out = practice.turn(catalogues, slots, text, move, 0.95)
        slots.update(out.slots)
        payload = out.payload[PAYLOAD_KEY]
        pairs.append((payload, out.texts[0]))
        for write in writes_for(session_id, payload, meta_, SALT):
            apply(engine, write)
    if not end:
        return {}
    out = practice.end(catalogues, slots, turns_from_payloads(pairs))
    payload = out.payload[PAYLOAD_KEY]
    for write in writes_for(session_id, payload, first, SALT):
        apply(engine, write)
    return dict(payload["report"])
