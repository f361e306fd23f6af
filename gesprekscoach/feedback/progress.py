"""A casemanager's progress: which tips they showed, session by session, and what to
practise next.

`progress` gives the raw series for the chart. `weighted_progress` gives a score
per tip and a suggestion:

- A tip's score is the weighted share of the ended sessions where it came up
  (credited 1, flagged 0; not applicable does not count) in which it was
  credited. The k-th most recent of those sessions weighs DECAY**k (0.6): the
  latest counts most, because it shows what the casemanager does now, yet one
  conversation with one inwoner is a small sample, so older ones still count
  (with 0.6 the latest is 40% of the weight of a long history, the three
  latest about 80%). Flagged long ago and credited three times since gives
  0.90; the reverse 0.10.
- What to practise: the weakest tip (score below STRONG), a tip flagged in the
  latest session first, then the lowest score, then the one with more
  evidence. Once every tip that came up is fine, a tip that never came up is
  the gap, if an inwoner lists it in `focus_tips` (a tip no conversation
  touches, such as being pro-active, is no gap to practise here).
- With whom: an inwoner whose `focus_tips` list that tip, the one practised
  least (fewest sessions, then longest ago); when none lists it, the inwoner
  practised least.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gesprekscoach.feedback.report import CREDITED, FLAGGED
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.personas import PersonaCatalogue
from gesprekscoach.personas.model import Persona
from gesprekscoach.storage.models import PracticeSession

DECAY = 0.6
STRONG = 0.75
"""A tip scoring this or more is going well."""


def _credited(report: dict[str, Any] | None) -> set[str]:
    tips = (report or {}).get("tips") or []
    return {str(t.get("id")) for t in tips if t.get("status") == CREDITED}


def progress(sessions: Iterable[PracticeSession], tip_ids: tuple[str, ...]) -> dict[str, list[int]]:
    """Per tip, 1 when shown (credited) in each ended session, oldest first."""
    ended = sorted((s for s in sessions if s.report), key=lambda s: s.started_at)
    shown = [_credited(s.report) for s in ended]
    return {tip_id: [int(tip_id in tips) for tips in shown] for tip_id in tip_ids}


@dataclass(frozen=True)
class TipProgress:
    tip: str
    heading: str
    score: float | None
    """0-1, weighted towards recent sessions; None: never came up."""
    sessions: int
    """Ended sessions in which it came up (credited or flagged)."""
    last: str | None
    """Its status in the most recent session where it came up."""


@dataclass(frozen=True)
class Progress:
    tips: tuple[TipProgress, ...]
    practise_tip: str | None
    practise_persona: str | None
    """A persona id."""
    advice: str
    """One or two B1 sentences: what to practise next, with whom, why."""
    sessions: int

    def tip(self, tip_id: str) -> TipProgress:
        return next(t for t in self.tips if t.tip == tip_id)


def _statuses(report: dict[str, Any] | None) -> dict[str, str]:
    """Tip id to credited or flagged, from a stored report (lenient)."""
    tips = (report or {}).get("tips") if isinstance(report, dict) else None
    out: dict[str, str] = {}
    for entry in tips if isinstance(tips, list) else ():
        if isinstance(entry, dict) and entry.get("status") in (CREDITED, FLAGGED):
            out[str(entry.get("id"))] = str(entry["status"])
    return out


def weighted_score(statuses: Sequence[str]) -> float | None:
    """The score of a tip from its statuses, most recent first (see the module docstring)."""
    if not statuses:
        return None
    weights = [DECAY**k for k in range(len(statuses))]
    credited = sum(w for w, s in zip(weights, statuses, strict=True) if s == CREDITED)
    return round(credited / sum(weights), 2)


def _ended(sessions: Iterable[PracticeSession]) -> list[PracticeSession]:
    """Ended sessions with a report, most recent first."""
    return sorted((s for s in sessions if s.report), key=lambda s: s.started_at, reverse=True)


def _practise_tip(
    tips: Sequence[TipProgress], latest: dict[str, str], practicable: frozenset[str]
) -> str | None:
    weak = [t for t in tips if t.score is not None and t.score < STRONG]
    if weak:
        order = {t.tip: i for i, t in enumerate(tips)}
        weakest = min(
            weak,
            key=lambda t: (latest.get(t.tip) != FLAGGED, t.score, -t.sessions, order[t.tip]),
        )
        return weakest.tip
    gap = next((t for t in tips if t.score is None and t.tip in practicable), None)
    return gap.tip if gap is not None else None


def _practise_persona(
    tip: str | None, personas: PersonaCatalogue, ended: Sequence[PracticeSession]
) -> Persona | None:
    everyone = list(personas)
    if not everyone:
        return None
    listing = [p for p in everyone if tip is not None and tip in p.focus_tips] or everyone
    count: dict[str, int] = {}
    latest: dict[str, datetime] = {}
    for s in ended:
        key = str(s.persona_id)
        count[key] = count.get(key, 0) + 1
        latest.setdefault(key, s.started_at)

    def least_practised(p: Persona) -> tuple[int, float, str]:
        when = latest.get(p.id)
        return (count.get(p.id, 0), when.timestamp() if when else float("-inf"), p.id)

    return min(listing, key=least_practised)


def _advice(
    chosen: TipProgress | None,
    persona: Persona | None,
    sessions: int,
    in_latest: bool,
) -> str:
    """Two B1 sentences: what to practise and why, then with whom and why."""
    name = persona.name.split()[0] if persona is not None else ""
    if sessions == 0:
        start = f" Begin bijvoorbeeld met {name}." if name else ""
        return f"Je hebt nog geen oefengesprek afgerond.{start}"
    if chosen is None:
        whom = f" Oefen nu eens met {name}: met {name} heb je het minst geoefend." if name else ""
        return f"Alle tips die in je gesprekken aan bod kwamen, gaan goed.{whom}"
    tip = f'de tip "{chosen.heading}"'
    if chosen.score is None:
        what = f"De andere tips gaan goed, maar {tip} kwam nog niet aan bod."
    elif chosen.last == FLAGGED and in_latest:
        what = f"In je laatste gesprek ging {tip} nog niet goed."
    elif chosen.last == FLAGGED:
        what = f"De laatste keer dat {tip} aan bod kwam, ging het nog niet goed."
    else:
        what = f"{tip[0].upper()}{tip[1:]} lukte de laatste keer wel, maar nog niet vaak genoeg."
    if not name:
        return what
    if persona is not None and chosen.tip in persona.focus_tips:
        return f"{what} Oefen het met {name}, want met {name} heb je die tip echt nodig."
    return f"{what} Oefen het met {name}: met {name} heb je het minst geoefend."


def weighted_progress(
    sessions: Iterable[PracticeSession], tips: TipCatalogue, personas: PersonaCatalogue
) -> Progress:
    """Per tip a score weighted towards recent sessions, and what to practise next."""
    ended = _ended(sessions)
    per_session = [_statuses(s.report) for s in ended]
    results = []
    for tip in tips.tips.values():
        statuses = [st[tip.id] for st in per_session if tip.id in st]
        results.append(
            TipProgress(
                tip=tip.id,
                heading=tip.heading,
                score=weighted_score(statuses),
                sessions=len(statuses),
                last=statuses[0] if statuses else None,
            )
        )
    latest = per_session[0] if per_session else {}
    practicable = frozenset(t for p in personas for t in p.focus_tips)
    practise = _practise_tip(results, latest, practicable) if ended else None
    persona = _practise_persona(practise, personas, ended)
    chosen = next((t for t in results if t.tip == practise), None)
    return Progress(
        tips=tuple(results),
        practise_tip=practise,
        practise_persona=persona.id if persona is not None else None,
        advice=_advice(chosen, persona, len(ended), practise in latest),
        sessions=len(ended),
    )
