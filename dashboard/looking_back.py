"""Looking back at a session, as the session page and the JSON export show it.

What the inwoner thought and how trust moved beside every message, the reflection(s)
beside the hidden need, and a better sentence per weak message. Everything is read
leniently from stored JSON: a session from before the learning loop (no thoughts, no
reflection) or a field of an odd type still renders, with what is there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gesprekscoach.feedback.reflection import Reflection
from gesprekscoach.storage.models import Casemanager, PracticeSession, RevertedTurn, TurnRecord
from gesprekscoach.storage.repository import pseudonym_label
from gesprekscoach.storage.service import GROUP_CHANNEL_SUFFIX

PITFALL_LABELS = {
    "oordelen": "een oordeel",
    "regels_benadrukken": "de regels benadrukken",
    "doorverwijzen": "doorverwijzen",
    "info_opvragen": "te vroeg om gegevens vragen",
    "belofte": "een belofte die je niet kunt waarmaken",
    "jargon": "moeilijke woorden",
    "niet_b1": "geen eenvoudige taal",
    "verhoor": "veel gesloten vragen achter elkaar",
    "behoefte": "niet vragen wat de inwoner nodig heeft",
}
"""The pitfalls of data/catalogues/feedback.yml (`alternative:`), in the trainers' words."""
HOW_LABELS = {"terug": "met /terug", "opnieuw": "opnieuw vanaf een eerder bericht"}


def _number(value: Any) -> float | None:
    """A finite number from stored JSON, else None (a bool is no number here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def first_name(session: PracticeSession, personas: Mapping[str, Any]) -> str:
    """The inwoner's first name ("Marco"); the persona id when the persona is gone."""
    persona = personas.get(str(session.persona_id))
    name = str(getattr(persona, "name", "") or "").split()
    return name[0] if name else str(session.persona_id).capitalize()


def played(session: PracticeSession, personas: Mapping[str, Any]) -> Any:
    """The persona as the session played it (its variant); None when the persona is gone."""
    persona = personas.get(str(session.persona_id))
    if persona is None or not session.variant:
        return persona
    try:
        return persona.with_variant(str(session.variant))
    except KeyError:  # the variant left the file since
        return persona


def variant_label(session: PracticeSession, personas: Mapping[str, Any]) -> str | None:
    """What was different about the inwoner this session, in words; None: nothing."""
    if not session.variant:
        return None
    report = session.report if isinstance(session.report, dict) else {}
    label = report.get("variant_label")
    if isinstance(label, str) and label:
        return label
    variant = getattr(played(session, personas), "variant", None)
    return str(variant.label) if variant is not None else str(session.variant)


def start_trust(session: PracticeSession, personas: Mapping[str, Any]) -> float | None:
    """Trust before the first message: the report's curve, else the persona's start."""
    measures = (session.report or {}).get("measures") if isinstance(session.report, dict) else None
    curve = measures.get("trust_curve") if isinstance(measures, dict) else None
    if isinstance(curve, list) and curve and _number(curve[0]) is not None:
        return _number(curve[0])
    return _number(getattr(played(session, personas), "start_trust", None))


def trust_changes(turns: Iterable[TurnRecord], start: float | None) -> dict[int, float | None]:
    """Per message number, how much trust rose (+) or fell (-) by it; None when unknown."""
    changes: dict[int, float | None] = {}
    before = start
    for turn in sorted(turns, key=lambda t: t.number):
        after = float(turn.trust)
        changes[int(turn.number)] = round(after - before, 1) if before is not None else None
        before = after
    return changes


def thoughts(session: PracticeSession, start: float | None) -> list[dict[str, Any]]:
    """The conversation as finally held, as the end payload's "thoughts"."""
    changes = trust_changes(session.turns, start)
    return [
        {
            "turn": int(t.number),
            "text": t.text,
            "reply": t.reply,
            "thought": t.thought or "",
            "trust_delta": changes.get(int(t.number)),
            "trust": t.trust,
        }
        for t in session.turns
    ]


@dataclass(frozen=True)
class Stored:
    """session.reflection read back: {"reflections": [...], "need": ..., "moments": [...]}."""

    asked: bool
    """False for a session that has no reflection data (not ended, or from before)."""
    reflections: tuple[Reflection, ...]
    """The answers given; none when the question was skipped."""
    need: str
    moments: tuple[int, ...]

    @property
    def first(self) -> Reflection | None:
        return self.reflections[0] if self.reflections else None


def stored_reflection(data: Any) -> Stored:
    if not isinstance(data, dict):
        return Stored(False, (), "", ())
    raw = data.get("reflections")
    found = (Reflection.from_dict(r) for r in (raw if isinstance(raw, list) else ()))
    answers = tuple(r for r in found if r is not None and not r.skipped)
    moments = data.get("moments")
    numbers = (_whole(m) for m in (moments if isinstance(moments, list) else ()))
    need = data.get("need")
    return Stored(
        asked=True,
        reflections=answers,
        need=need if isinstance(need, str) else "",
        moments=tuple(sorted({n for n in numbers if n is not None and n > 0})),
    )


@dataclass(frozen=True)
class Answer:
    """One reflection and who wrote it, as the dashboard names people."""

    reflection: Reflection
    who: str | None


def writers(db: Session, session: PracticeSession, stored: Stored) -> tuple[Answer, ...]:
    """The answers with their writers: a casemanager's label by pseudonym, never more."""
    persons = {r.person for r in stored.reflections if r.person}
    rows = db.execute(
        select(Casemanager.channel_hash, Casemanager.display_name).where(
            Casemanager.channel_hash.in_(sorted(persons))
        )
    ).all()
    names = {str(key): str(name) for key, name in rows}
    channel = str(session.channel).removesuffix(GROUP_CHANNEL_SUFFIX)

    def who(person: str | None) -> str | None:
        return (names.get(person) or pseudonym_label(channel, person)) if person else None

    return tuple(Answer(r, who(r.person)) for r in stored.reflections)


@dataclass(frozen=True)
class Better:
    """A better sentence for a weak message (the report's "better")."""

    turn: int | None
    text: str
    pitfall: str
    try_: str
    why: str


def better_sentences(report: Any) -> tuple[Better, ...]:
    raw = report.get("better") if isinstance(report, dict) else None
    out = []
    for entry in raw if isinstance(raw, list) else ():
        if not isinstance(entry, dict) or not entry.get("try_") and not entry.get("try"):
            continue
        pitfall = str(entry.get("pitfall") or "")
        out.append(
            Better(
                turn=_whole(entry.get("turn")),
                text=str(entry.get("text") or ""),
                pitfall=PITFALL_LABELS.get(pitfall, pitfall.replace("_", " ")),
                try_=str(entry.get("try_") or entry.get("try") or ""),
                why=str(entry.get("why") or ""),
            )
        )
    return tuple(out)


def moment(value: Any) -> dict[str, Any] | None:
    """A tip's good moment or slip (an evidence dict), or None."""
    if not isinstance(value, dict):
        return None
    return {
        "turn": _whole(value.get("turn")),
        "text": str(value.get("text") or ""),
        "note": str(value.get("note") or ""),
    }


def reverted_dict(row: RevertedTurn) -> dict[str, Any]:
    return {
        "number": row.number,
        "text": row.text,
        "move": row.move,
        "reply": row.reply,
        "trust": row.trust,
        "thought": row.thought or "",
        "how": row.how,
        "reverted_at": row.reverted_at.isoformat() if row.reverted_at else None,
    }


def change(value: float | None) -> str:
    """A trust change as a trainer reads it: +3, −5, ±0; empty when unknown."""
    if value is None:
        return ""
    rounded = round(value)
    if rounded == 0:
        return "±0"
    return f"+{rounded}" if rounded > 0 else f"−{-rounded}"


def percent(value: Any) -> str:
    """0.67 as 67%; empty when there is no score."""
    number = _number(value)
    return "" if number is None else f"{round(100 * number)}%"


def count(value: Any) -> str:
    """A count or a weighted sum: 3, or 1,5 (Dutch decimal comma)."""
    number = _number(value)
    if number is None:
        return ""
    if number == int(number):
        return str(int(number))
    return f"{number:.1f}".replace(".", ",")
