"""What a workshop shows while it runs, and after: per tip, per participant, examples.

The unit is a participant's latest session in the workshop (in a round, the group's
session). Ended sessions count with their report; running ones with a report made
from their logged turns so far, so the beamer moves while people practise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gesprekscoach.domain import Catalogues
from gesprekscoach.practice import report_for
from gesprekscoach.storage.models import PracticeSession, TurnRecord, Workshop, WorkshopMember
from gesprekscoach.turn import Standing, TurnEvent
from gesprekscoach.workshops.anonymise import Anonymiser

EXAMPLES = 4


@dataclass(frozen=True)
class ParticipantRow:
    name: str
    status: str  # "wacht", "bezig" or "klaar"
    persona: str
    turns: int
    trust: float | None
    need_found: bool


@dataclass(frozen=True)
class TipFigure:
    id: str
    heading: str
    theme: str
    shown: int
    missed: int
    good: tuple[str, ...]
    poor: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    code: str
    name: str
    status: str
    joined: int
    running: int
    done: int
    needs_found: int
    tips: tuple[TipFigure, ...]
    participants: tuple[ParticipantRow, ...]
    ends_at: float | None = None
    """When the planned time is up (epoch seconds), counted from opening; None when not open."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def version(self) -> str:
        """Changes whenever anything shown changes: the live views send only then."""
        raw = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(raw.encode()).hexdigest()[:12]


def workshop_sessions(db: Session, code: str) -> list[PracticeSession]:
    turns = selectinload(PracticeSession.turns).selectinload(TurnRecord.author)
    query = (
        select(PracticeSession)
        .where(PracticeSession.workshop_code == code)
        .options(turns, selectinload(PracticeSession.casemanager))
        .order_by(PracticeSession.started_at)
    )
    return list(db.execute(query).scalars())


def report_of(session: PracticeSession, catalogues: Catalogues) -> dict[str, Any] | None:
    """The session's report: the stored one when ended, else one from its turns so far."""
    if session.ended_at is not None and session.report:
        return dict(session.report)
    return provisional_report(session, session.turns, catalogues)


def provisional_report(
    session: PracticeSession, records: Iterable[TurnRecord], catalogues: Catalogues
) -> dict[str, Any] | None:
    records = list(records)
    if not records or session.persona_id not in catalogues.personas.personas:
        return None
    persona = catalogues.personas.get(str(session.persona_id))
    turns: list[TurnEvent] = []
    opening = Standing(persona.start_trust, persona.start_stress)
    standing = opening
    for record in records:
        turns.append(record.to_event(persona.id, standing))
        standing = turns[-1].after
    need_turn = next((t.number for t in turns if t.hidden_need_revealed), None)
    report = report_for(catalogues, persona.id, turns, opening, need_turn)
    return report.to_dict()


def need_found(session: PracticeSession) -> bool:
    return bool(session.hidden_need_found) or any(t.hidden_need_revealed for t in session.turns)


def latest_per_participant(sessions: list[PracticeSession]) -> list[PracticeSession]:
    latest: dict[int, PracticeSession] = {}
    for s in sessions:  # in order of starting
        latest[int(s.casemanager_id)] = s
    return list(latest.values())


def members_of(db: Session, workshop: Workshop) -> list[WorkshopMember]:
    query = (
        select(WorkshopMember)
        .where(WorkshopMember.workshop_id == workshop.id)
        .options(selectinload(WorkshopMember.casemanager))
    )
    return list(db.execute(query).scalars())


def participant_names(members: list[WorkshopMember], sessions: list[PracticeSession]) -> set[str]:
    names = {str(s.casemanager.display_name) for s in sessions}
    names |= {str(t.author.display_name) for s in sessions for t in s.turns if t.author}
    names |= {str(m.casemanager.display_name) for m in members}
    return names


def tip_figures(
    reports: list[dict[str, Any]], catalogues: Catalogues, names: set[str]
) -> tuple[TipFigure, ...]:
    figures = []
    anonymise = Anonymiser(names)
    for tip in catalogues.tips.tips.values():
        shown = missed = 0
        good: list[str] = []
        poor: list[str] = []
        for report in reports:
            result = next((t for t in report.get("tips") or [] if t.get("id") == tip.id), None)
            if result is None:
                continue
            quoted = (e for e in result.get("evidence") or [] if e.get("turn") is not None)
            quotes = [anonymise(str(e["text"])) for e in quoted if e.get("text")]
            if result.get("status") == "credited":
                shown += 1
                good.extend(q for q in quotes if q not in good)
            elif result.get("status") == "flagged":
                missed += 1
                poor.extend(q for q in quotes if q not in poor)
        examples = (tuple(good[:EXAMPLES]), tuple(poor[:EXAMPLES]))
        figures.append(TipFigure(tip.id, tip.heading, tip.theme, shown, missed, *examples))
    return tuple(figures)


def snapshot(db: Session, workshop: Workshop, catalogues: Catalogues) -> Snapshot:
    sessions = workshop_sessions(db, str(workshop.code))
    units = latest_per_participant(sessions)
    members = members_of(db, workshop)
    names = participant_names(members, sessions)
    reports = [r for r in (report_of(s, catalogues) for s in units) if r]
    rows = []
    practising = {int(s.casemanager_id) for s in units}
    for s in units:
        last = s.turns[-1] if s.turns else None
        row = ParticipantRow(
            name=str(s.casemanager.display_name),
            status="klaar" if s.ended_at is not None else "bezig",
            persona=_persona_name(catalogues, str(s.persona_id)),
            turns=len(s.turns),
            trust=round(float(last.trust), 1) if last is not None else s.final_trust,
            need_found=need_found(s),
        )
        rows.append(row)
    for m in members:
        if int(m.casemanager_id) not in practising:
            rows.append(
                ParticipantRow(str(m.casemanager.display_name), "wacht", "", 0, None, False)
            )
    return Snapshot(
        code=str(workshop.code),
        name=str(workshop.name),
        status=str(workshop.status),
        joined=len({int(m.casemanager_id) for m in members} | practising),
        running=sum(s.ended_at is None for s in units),
        done=sum(s.ended_at is not None for s in units),
        needs_found=sum(need_found(s) for s in units),
        tips=tip_figures(reports, catalogues, names),
        participants=tuple(sorted(rows, key=lambda r: r.name.lower())),
        ends_at=ends_at(workshop),
    )


def _persona_name(catalogues: Catalogues, persona_id: str) -> str:
    """The persona's name, or its id when the catalogue no longer has it."""
    personas = catalogues.personas
    return personas.get(persona_id).name if persona_id in personas.personas else persona_id


def ends_at(workshop: Workshop) -> float | None:
    opened = workshop.opened_at
    if workshop.status != "open" or opened is None:
        return None
    if opened.tzinfo is None:  # SQLite gives back naive datetimes; they were stored in UTC
        opened = opened.replace(tzinfo=timezone.utc)
    return opened.timestamp() + 60 * int(workshop.minutes)
