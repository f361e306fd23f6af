"""The workshop report: the group's results per tip, the common pitfalls with example
sentences, and each participant's first session against their last.

Only ended sessions count. Per tip, each participant counts once (their latest
ended session), so who practised three times does not weigh three times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gesprekscoach.csvsafe import to_csv
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.models import PracticeSession, Workshop
from gesprekscoach.workshops.figures import (
    TipFigure,
    latest_per_participant,
    members_of,
    need_found,
    participant_names,
    tip_figures,
    workshop_sessions,
)

PITFALLS = 5
# The header of the first-and-last comparison in the CSV sheet.
COMPARISON_COLUMNS = (
    "onderdeel",
    "deelnemer",
    "gesprekken",
    "eerste_tips_goed",
    "laatste_tips_goed",
    "eerste_tips_gemist",
    "laatste_tips_gemist",
    "eerste_vertrouwen",
    "laatste_vertrouwen",
)


@dataclass(frozen=True)
class SessionScore:
    started: str
    persona: str
    shown: int
    missed: int
    trust: float | None
    need_found: bool


@dataclass(frozen=True)
class Comparison:
    who: str
    sessions: int
    first: SessionScore
    last: SessionScore


@dataclass(frozen=True)
class WorkshopReport:
    code: str
    name: str
    day: date
    participants: int
    sessions: int
    needs_found: int
    tips: tuple[TipFigure, ...]
    pitfalls: tuple[TipFigure, ...]
    comparisons: tuple[Comparison, ...]

    def share(self, count: int) -> str:
        return f"{round(100 * count / self.participants)}%" if self.participants else "-"


def _score(session: PracticeSession, catalogues: Catalogues) -> SessionScore:
    tips = (session.report or {}).get("tips") or []
    persona = catalogues.personas.personas.get(str(session.persona_id))
    return SessionScore(
        started=session.started_at.strftime("%H:%M"),
        persona=persona.name if persona else str(session.persona_id),
        shown=sum(t.get("status") == "credited" for t in tips),
        missed=sum(t.get("status") == "flagged" for t in tips),
        trust=session.final_trust,
        need_found=need_found(session),
    )


def build_workshop_report(
    db: Session, workshop: Workshop, catalogues: Catalogues
) -> WorkshopReport:
    ended = [s for s in workshop_sessions(db, str(workshop.code)) if s.ended_at is not None]
    units = latest_per_participant(ended)
    names = participant_names(members_of(db, workshop), ended)
    figures = tip_figures([dict(s.report or {}) for s in units], catalogues, names)
    pitfalls = sorted((f for f in figures if f.missed), key=lambda f: (-f.missed, f.id))
    by_person: dict[int, list[PracticeSession]] = {}
    for s in ended:
        by_person.setdefault(int(s.casemanager_id), []).append(s)
    comparisons = []
    for number, runs in enumerate(r for r in by_person.values() if len(r) > 1):
        who = f"Deelnemer {number + 1}"
        if workshop.show_names:
            who = str(runs[0].casemanager.display_name)
        first, last = _score(runs[0], catalogues), _score(runs[-1], catalogues)
        comparisons.append(Comparison(who, len(runs), first, last))
    return WorkshopReport(
        code=str(workshop.code),
        name=str(workshop.name),
        day=workshop.day,
        participants=len(units),
        sessions=len(ended),
        needs_found=sum(need_found(s) for s in units),
        tips=figures,
        pitfalls=tuple(pitfalls[:PITFALLS]),
        comparisons=tuple(comparisons),
    )


def report_csv(report: WorkshopReport) -> str:
    """One sheet: the tips, then the first-and-last comparisons (column 'onderdeel')."""
    rows: list[list[Any]] = [
        ["onderdeel", "tip", "kop", "thema", "laten_zien", "gemist", "deelnemers"]
    ]
    for f in report.tips:
        rows.append(["tip", f.id, f.heading, f.theme, f.shown, f.missed, report.participants])
    rows.append([])
    rows.append(list(COMPARISON_COLUMNS))
    for c in report.comparisons:
        first, last = c.first, c.last
        tips = [first.shown, last.shown, first.missed, last.missed]
        trust = [_num(first.trust), _num(last.trust)]
        rows.append(["vergelijking", c.who, c.sessions, *tips, *trust])
    return to_csv(rows)


def _num(value: Any) -> str:
    return "" if value is None else f"{float(value):.0f}"
