"""The workshop report: the group's results per tip, the common pitfalls with example
sentences, and each participant's first session against their last.

Only ended sessions count. Per tip, each participant counts once (their latest
ended session), so who practised three times does not weigh three times.

First against last: per participant who practised twice or more, the tips that got
better (credited in the last session, not in the first) and worse (flagged in the
last, not in the first), and what to practise next (feedback.progress, weighted
over their sessions in this workshop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gesprekscoach.csvsafe import to_csv
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.progress import weighted_progress
from gesprekscoach.feedback.report import CREDITED, FLAGGED
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
    "beter",
    "slechter",
    "oefen_tip",
    "oefen_met",
    "advies",
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
    improved: tuple[str, ...] = ()
    """Tip ids credited in the last session and not in the first."""
    worsened: tuple[str, ...] = ()
    """Tip ids flagged in the last session and not in the first."""
    practise_tip: str | None = None
    practise_persona: str | None = None
    """The persona's name."""
    advice: str = ""


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


def _statuses(session: PracticeSession) -> dict[str, str]:
    tips = (session.report or {}).get("tips") or []
    return {str(t.get("id")): str(t.get("status")) for t in tips if isinstance(t, dict)}


def compare(who: str, runs: list[PracticeSession], catalogues: Catalogues) -> Comparison:
    """A participant's first session against their last, and what to practise next."""
    first, last = _statuses(runs[0]), _statuses(runs[-1])
    ids = catalogues.tips.ids
    improved = tuple(t for t in ids if last.get(t) == CREDITED and first.get(t) != CREDITED)
    worsened = tuple(t for t in ids if last.get(t) == FLAGGED and first.get(t) != FLAGGED)
    ahead = weighted_progress(runs, catalogues.tips, catalogues.personas)
    persona = catalogues.personas.personas.get(ahead.practise_persona or "")
    return Comparison(
        who=who,
        sessions=len(runs),
        first=_score(runs[0], catalogues),
        last=_score(runs[-1], catalogues),
        improved=improved,
        worsened=worsened,
        practise_tip=ahead.practise_tip,
        practise_persona=persona.name if persona is not None else None,
        advice=ahead.advice,
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
        comparisons.append(compare(who, runs, catalogues))
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
        ahead = [" ".join(c.improved), " ".join(c.worsened), c.practise_tip or ""]
        ahead += [c.practise_persona or "", c.advice]
        rows.append(["vergelijking", c.who, c.sessions, *tips, *trust, *ahead])
    return to_csv(rows)


def _num(value: Any) -> str:
    return "" if value is None else f"{float(value):.0f}"
