"""Exports: sessions as CSV and JSON, corrections as Rasa NLU training data, charts."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gesprekscoach.csvsafe import to_csv
from gesprekscoach.storage.models import LabelCorrection, PracticeSession, TurnRecord

SESSION_COLUMNS = [
    "sessie", "casemanager", "inwoner", "type", "kanaal", "stand", "werkatelier", "begonnen",
    "geeindigd", "berichten", "behoefte_gevonden", "behoefte_bericht", "vertrouwen_eind",
    "tips_goed", "tips_aandacht",
]  # fmt: skip


def _tip_counts(report: dict[str, Any] | None) -> tuple[int, int]:
    tips = (report or {}).get("tips") or []
    return (sum(t.get("status") == "credited" for t in tips),
            sum(t.get("status") == "flagged" for t in tips))  # fmt: skip


def session_dict(s: PracticeSession, with_turns: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": s.id,
        "casemanager": s.casemanager.display_name,
        "persona": s.persona_id,
        "persona_type": s.persona_type,
        "channel": s.channel,
        "mode": s.mode,
        "workshop": s.workshop_code,
        "started_at": s.started_at.isoformat(),
        "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        "hidden_need_found": s.hidden_need_found,
        "hidden_need_turn": s.hidden_need_turn,
        "final_trust": s.final_trust,
        "report": s.report,
    }
    if with_turns:
        data["turns"] = [
            {"number": t.number, "text": t.text, "move": t.move,
             "moves": list(t.moves or [t.move]), "topics": list(t.topics or []),
             "confidence": t.confidence,
             "reply": t.reply, "trust": t.trust, "stress": t.stress, "language": t.language,
             "coaching": t.coaching}
            for t in s.turns
        ]  # fmt: skip
    return data


def sessions_json(sessions: list[PracticeSession]) -> str:
    return json.dumps([session_dict(s) for s in sessions], ensure_ascii=False, indent=1)


def sessions_csv(sessions: list[PracticeSession]) -> str:
    rows: list[list[Any]] = [SESSION_COLUMNS]
    for s in sessions:
        good, flagged = _tip_counts(s.report)
        rows.append([
            s.id, s.casemanager.display_name, s.persona_id, s.persona_type, s.channel, s.mode,
            s.workshop_code or "", s.started_at.isoformat(),
            s.ended_at.isoformat() if s.ended_at else "", len(s.turns),
            "ja" if s.hidden_need_found else "nee", s.hidden_need_turn or "",
            "" if s.final_trust is None else f"{s.final_trust:.0f}", good, flagged,
        ])  # fmt: skip
    return to_csv(rows)


def turns_csv(s: PracticeSession) -> str:
    rows: list[list[Any]] = [["bericht", "tekst", "zet", "alle zetten", "zekerheid", "antwoord",
                              "vertrouwen", "spanning", "b1", "jargon", "coaching"]]  # fmt: skip
    for t in s.turns:
        lang = t.language or {}
        rows.append([
            t.number, t.text, t.move, " + ".join(t.moves or [t.move]), f"{t.confidence:.3f}",
            t.reply, f"{t.trust:.0f}",
            f"{t.stress:.0f}", "ja" if lang.get("b1_ok", True) else "nee",
            "; ".join(j.get("found", "") for j in lang.get("jargon") or []),
            " | ".join(t.coaching or []),
        ])  # fmt: skip
    return to_csv(rows)


def latest_corrections(db: Session, turn_ids: list[int]) -> dict[int, str]:
    """The newest corrected move per turn."""
    if not turn_ids:
        return {}
    rows = db.execute(
        select(LabelCorrection.turn_id, LabelCorrection.new_move)
        .where(LabelCorrection.turn_id.in_(turn_ids))
        .order_by(LabelCorrection.created_at, LabelCorrection.id)
    )
    return {turn_id: move for turn_id, move in rows}


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
