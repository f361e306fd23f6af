"""Exports: sessions as CSV and JSON, corrections as Rasa NLU training data, charts."""

from __future__ import annotations

import io
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


def progress(sessions: list[PracticeSession], tip_ids: tuple[str, ...]) -> dict[str, list[int]]:
    """Per tip, 1 when shown (credited) in each ended session, oldest first."""
    ended = sorted((s for s in sessions if s.report), key=lambda s: s.started_at)
    out: dict[str, list[int]] = {}
    for tip_id in tip_ids:
        out[tip_id] = [
            int(any(t.get("id") == tip_id and t.get("status") == "credited"
                    for t in (s.report or {}).get("tips") or []))
            for s in ended
        ]  # fmt: skip
    return out


def progress_png(per_tip: dict[str, list[int]], themes_of: dict[str, str]) -> bytes:
    """How many of each theme's tips a casemanager showed, session by session."""
    fig = _figure(7, 3)
    ax = fig.subplots()
    sessions = len(next(iter(per_tip.values()), []))
    xs = list(range(1, sessions + 1))
    for theme in sorted(set(themes_of.values())):
        ids = [t for t, th in themes_of.items() if th == theme and t in per_tip]
        ys = [sum(per_tip[t][i] for t in ids) for i in range(sessions)]
        ax.plot(xs, ys, marker="o", label=theme)
    total = [sum(v[i] for v in per_tip.values()) for i in range(sessions)]
    ax.plot(xs, total, marker="s", color="black", linewidth=2, label="alle tips")
    ax.set_xlabel("sessie")
    ax.set_ylabel("tips laten zien")
    if xs:
        ax.set_xticks(xs)
    ax.legend(fontsize=8, loc="upper left")
    return _png(fig)


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


def _figure(width: float, height: float) -> Any:
    """A figure without pyplot's global state: the dashboard draws from several threads."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _png(fig: Any) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def curve_png(trust: list[float], stress: list[float], need_turn: int | None) -> bytes:
    fig = _figure(6, 2.6)
    ax = fig.subplots()
    turns = list(range(1, len(trust) + 1))
    ax.plot(turns, trust, marker="o", color="#1565c0", label="vertrouwen")
    ax.plot(turns, stress, marker="o", color="#ef6c00", label="spanning")
    if need_turn:
        ax.axvline(need_turn, color="#6a1b9a", linestyle="--", label="behoefte gevonden")
    ax.set_ylim(0, 100)
    ax.set_xlabel("bericht")
    ax.set_xticks(turns)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=8, frameon=False)
    return _png(fig)
