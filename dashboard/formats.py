"""What the downloads hold: sessions as CSV and JSON, corrections as Rasa NLU training data.

A session in JSON carries what the end of the practice gave (the reflection(s), the
messages where the need could have been heard, the thoughts with the trust change per
message, how often the casemanager went back or asked for a tip) and the turns taken
back, so an export says as much as the session page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import looking_back
from gesprekscoach.csvsafe import to_csv
from gesprekscoach.storage.models import LabelCorrection, PracticeSession, TurnRecord

T = TypeVar("T")
Columns = tuple[tuple[str, Callable[[T], Any]], ...]
"""A CSV's columns: each header (in Dutch) beside how a row gets its cell."""


def _tip_counts(report: dict[str, Any] | None) -> tuple[int, int]:
    tips = (report or {}).get("tips") or []
    credited = sum(t.get("status") == "credited" for t in tips)
    flagged = sum(t.get("status") == "flagged" for t in tips)
    return credited, flagged


def _language(t: TurnRecord) -> dict[str, Any]:
    return t.language or {}


SESSION_COLUMNS: Columns[PracticeSession] = (
    ("sessie", lambda s: s.id),
    ("casemanager", lambda s: s.casemanager.display_name),
    ("inwoner", lambda s: s.persona_id),
    ("type", lambda s: s.persona_type),
    ("variant", lambda s: s.variant or ""),
    ("kanaal", lambda s: s.channel),
    ("stand", lambda s: s.mode),
    ("werkatelier", lambda s: s.workshop_code or ""),
    ("begonnen", lambda s: s.started_at.isoformat()),
    ("geeindigd", lambda s: s.ended_at.isoformat() if s.ended_at else ""),
    ("berichten", lambda s: len(s.turns)),
    ("behoefte_gevonden", lambda s: "ja" if s.hidden_need_found else "nee"),
    ("behoefte_bericht", lambda s: s.hidden_need_turn or ""),
    ("vertrouwen_eind", lambda s: "" if s.final_trust is None else f"{s.final_trust:.0f}"),
    ("tips_goed", lambda s: _tip_counts(s.report)[0]),
    ("tips_aandacht", lambda s: _tip_counts(s.report)[1]),
    ("reflectie_procent", lambda s: looking_back.percent(s.reflection_score).rstrip("%")),
    ("teruggegaan", lambda s: s.reverts or 0),
    ("tips_gevraagd", lambda s: s.tips_asked or 0),
)
TURN_COLUMNS: Columns[TurnRecord] = (
    ("bericht", lambda t: t.number),
    ("tekst", lambda t: t.text),
    ("zet", lambda t: t.move),
    ("alle zetten", lambda t: " + ".join(t.moves or [t.move])),
    ("zekerheid", lambda t: f"{t.confidence:.3f}"),
    ("antwoord", lambda t: t.reply),
    ("vertrouwen", lambda t: f"{t.trust:.0f}"),
    ("spanning", lambda t: f"{t.stress:.0f}"),
    ("b1", lambda t: "ja" if _language(t).get("b1_ok", True) else "nee"),
    ("jargon", lambda t: "; ".join(j.get("found", "") for j in _language(t).get("jargon") or [])),
    ("coaching", lambda t: " | ".join(t.coaching or [])),
    ("gedachte", lambda t: t.thought or ""),
)


def _table(columns: Columns[T], rows: Iterable[T]) -> str:
    """The header, then one line of cells per row."""
    header = [name for name, _cell in columns]
    return to_csv([header, *([cell(row) for _name, cell in columns] for row in rows)])


def _turn_dict(t: TurnRecord) -> dict[str, Any]:
    return {
        "number": t.number,
        "text": t.text,
        "move": t.move,
        "moves": list(t.moves or [t.move]),
        "topics": list(t.topics or []),
        "confidence": t.confidence,
        "reply": t.reply,
        "trust": t.trust,
        "stress": t.stress,
        "language": t.language,
        "coaching": t.coaching,
        "thought": t.thought or "",
    }


def session_dict(
    s: PracticeSession, with_turns: bool = True, personas: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A session as JSON; `personas` (id to Persona) gives the first message's trust change."""
    data: dict[str, Any] = {
        "id": s.id,
        "casemanager": s.casemanager.display_name,
        "persona": s.persona_id,
        "persona_type": s.persona_type,
        "variant": s.variant,
        "channel": s.channel,
        "mode": s.mode,
        "workshop": s.workshop_code,
        "started_at": s.started_at.isoformat(),
        "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        "hidden_need_found": s.hidden_need_found,
        "hidden_need_turn": s.hidden_need_turn,
        "final_trust": s.final_trust,
        "report": s.report,
        "reverts": s.reverts or 0,
        "tips_asked": s.tips_asked or 0,
    }
    stored = looking_back.stored_reflection(s.reflection)
    first = stored.first
    data.update(
        {
            "reflection": first.to_dict() if first is not None else None,
            "reflections": [r.to_dict() for r in stored.reflections],
            "reflection_score": s.reflection_score,
            "hidden_need": stored.need or None,
            "need_moments": list(stored.moments),
        }
    )
    if with_turns:
        start = looking_back.start_trust(s, personas or {})
        data["turns"] = [_turn_dict(t) for t in s.turns]
        data["thoughts"] = looking_back.thoughts(s, start)
        data["reverted_turns"] = [looking_back.reverted_dict(r) for r in s.reverted]
    return data


def sessions_json(
    sessions: list[PracticeSession], personas: Mapping[str, Any] | None = None
) -> str:
    rows = [session_dict(s, personas=personas) for s in sessions]
    return json.dumps(rows, ensure_ascii=False, indent=1)


def sessions_csv(sessions: list[PracticeSession]) -> str:
    return _table(SESSION_COLUMNS, sessions)


def turns_csv(s: PracticeSession) -> str:
    return _table(TURN_COLUMNS, s.turns)


def corrections_as_nlu(db: Session) -> str:
    """All corrections as Rasa NLU YAML (version 3.1), ready to merge into data/nlu/."""
    rows = db.execute(
        select(TurnRecord.id, TurnRecord.text, LabelCorrection.new_move)
        .join(LabelCorrection, LabelCorrection.turn_id == TurnRecord.id)
        .order_by(LabelCorrection.created_at, LabelCorrection.id)
    ).all()
    latest: dict[int, tuple[str, str]] = {}
    for turn_id, text, move in rows:
        latest[turn_id] = (text, move)
    by_move: dict[str, list[str]] = {}
    for text, move in latest.values():
        line = " ".join(text.split())
        if line and line not in by_move.setdefault(move, []):
            by_move[move].append(line)
    out = ['version: "3.1"', "", "# Correcties van trainers uit het reviewdashboard.", "nlu:"]
    for move in sorted(by_move):
        out.append(f"- intent: {move}")
        out.append("  examples: |")
        out.extend(f"    - {line}" for line in by_move[move])
    return "\n".join(out) + "\n"
