"""The end-of-session report: every tip credited, flagged or not applicable, with evidence.

Data-driven: the move catalogue says which tips each good move shows, and
data/catalogues/feedback.yml adds the flags and credits that depend on timing,
language or the conversation as a whole, and how they are weighed (weighing.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gesprekscoach.feedback.alternatives import BetterTurn, better_turns, suggestion
from gesprekscoach.feedback.measures import Measures, measure
from gesprekscoach.feedback.rules import FeedbackRules
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.feedback.weighing import (
    CREDITED,
    FLAGGED,
    NOT_APPLICABLE,
    Evidence,
    collect,
    holds,
    weigh,
)
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.personas.model import Persona
from gesprekscoach.turn import TurnEvent

__all__ = [
    "CREDITED",
    "FLAGGED",
    "NOT_APPLICABLE",
    "BetterTurn",
    "Evidence",
    "Point",
    "Report",
    "TipResult",
    "build_report",
    "holds",
]

WORK_ON = 3
WENT_WELL = 3
TRY_NEXT_TIME = "Probeer de volgende keer: "


@dataclass(frozen=True)
class TipResult:
    id: str
    heading: str
    theme: str
    status: str
    evidence: tuple[Evidence, ...]
    """Credited: the messages that showed it; flagged: those that went against it."""
    text: str = ""
    """Why it was flagged, or what was good; empty when the tip did not come up."""
    try_: str = ""
    """For a flagged tip: the sentence to try next time."""
    weight: float = 0.0
    """The heaviest flag's own weight (0 when none fired)."""
    shown: float = 0.0
    """Weighted count of the messages that showed the tip (feedback.yml, weighing)."""
    against: float = 0.0
    """Weighted count of the messages (and whole-conversation flags) that went against it."""
    good_moment: Evidence | None = None
    """For a flagged tip that was also shown: the best moment."""
    slip: Evidence | None = None
    """For a credited tip that was also gone against: the worst moment."""

    @property
    def advice(self) -> str:
        """The text with the sentence to try, as the report says it."""
        return f'{self.text} {TRY_NEXT_TIME}"{self.try_}"' if self.try_ else self.text


@dataclass(frozen=True)
class Point:
    """One thing that went well, or one to work on."""

    tip: str
    heading: str
    text: str
    evidence: Evidence | None
    try_: str = ""
    good_moment: Evidence | None = None
    """For a point to work on: the message where it did go well."""
    slip: Evidence | None = None
    """For a point that went well: the message where it went wrong once."""


@dataclass(frozen=True)
class Report:
    persona_id: str
    persona_name: str
    tips: tuple[TipResult, ...]
    went_well: tuple[Point, ...]
    work_on: tuple[Point, ...]
    measures: Measures
    better: tuple[BetterTurn, ...] = ()
    """Per flagged message: a better sentence for this inwoner at that moment."""
    reverts: int = 0
    """How often the casemanager went back (/terug, opnieuw vanaf bericht N)."""
    tips_asked: int = 0
    """How often the casemanager asked for a tip (/tip)."""
    variant: str | None = None
    variant_label: str | None = None
    """What was different about the inwoner this session (a mood or one fact)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "persona": self.persona_id,
            "persona_name": self.persona_name,
            "tips": [_tip_dict(t) for t in self.tips],
            "went_well": [asdict(p) for p in self.went_well],
            "work_on": [asdict(p) for p in self.work_on],
            "measures": self.measures.to_dict(),
            "better": [asdict(b) for b in self.better],
            "reverts": self.reverts,
            "tips_asked": self.tips_asked,
            "variant": self.variant,
            "variant_label": self.variant_label,
        }

    def status(self, tip_id: str) -> str:
        return next(t.status for t in self.tips if t.id == tip_id)


def _tip_dict(tip: TipResult) -> dict[str, Any]:
    return {
        "id": tip.id,
        "heading": tip.heading,
        "theme": tip.theme,
        "status": tip.status,
        "evidence": [asdict(e) for e in tip.evidence],
        "advice": tip.advice,
        "shown": tip.shown,
        "against": tip.against,
        "good_moment": asdict(tip.good_moment) if tip.good_moment else None,
        "slip": asdict(tip.slip) if tip.slip else None,
    }


def build_report(
    *,
    moves: MoveCatalogue,
    tips: TipCatalogue,
    rules: FeedbackRules,
    persona_id: str,
    persona_name: str,
    turns: list[TurnEvent],
    start_trust: float,
    start_stress: float,
    hidden_need_turn: int | None,
    persona: Persona | None = None,
    reverts: int = 0,
    tips_asked: int = 0,
) -> Report:
    """The report of a conversation as finally held.

    `persona` gives the better sentences fitted to this inwoner (its `alternatives:`);
    without it, the flags' own. `reverts` and `tips_asked` are only counted and shown.
    """
    found = collect(moves, tips.ids, rules, turns, persona_name.split()[0])

    results: list[TipResult] = []
    for tip in tips.tips.values():
        hits = found.flags_of(tip.id)
        w = weigh(found.credits[tip.id], hits, found.turns, rules.weighing)
        base = (tip.id, tip.heading, tip.theme, w.status)
        if w.status == FLAGGED and w.heaviest is not None:
            # The heaviest first, so the quote and the text are of the same message.
            heaviest = w.heaviest
            ordered = sorted(
                hits, key=lambda h: (h != heaviest, -h.flag.weight, h.evidence.turn or 0)
            )
            evidence = tuple(dict.fromkeys(h.evidence for h in ordered))
            try_, _ = suggestion(heaviest, persona, tips)
            weight = max(h.flag.weight for h in hits)
            text = heaviest.evidence.note
            results.append(
                TipResult(
                    *base,
                    evidence,
                    text,
                    try_,
                    weight,
                    w.shown,
                    w.against,
                    good_moment=w.good_moment,
                )
            )
        elif w.status == CREDITED:
            credited = tuple(found.credits[tip.id])
            weight = max((h.flag.weight for h in hits), default=0.0)
            results.append(
                TipResult(*base, credited, tip.good, "", weight, w.shown, w.against, slip=w.slip)
            )
        else:
            results.append(TipResult(*base, ()))

    return Report(
        persona_id=persona_id,
        persona_name=persona_name,
        tips=tuple(results),
        went_well=_went_well(results),
        work_on=_work_on(results),
        measures=measure(turns, start_trust, start_stress, hidden_need_turn),
        better=better_turns(found.hits, persona, tips),
        reverts=reverts,
        tips_asked=tips_asked,
        variant=persona.variant.id if persona and persona.variant else None,
        variant_label=persona.variant.label if persona and persona.variant else None,
    )


def _work_on(results: list[TipResult]) -> tuple[Point, ...]:
    """The flagged tips gone against most, net of how often they were shown."""
    flagged = sorted(
        (r for r in results if r.status == FLAGGED),
        key=lambda r: (r.shown - r.against, -r.weight, min((e.turn or 0) for e in r.evidence)),
    )
    return tuple(
        Point(r.id, r.heading, r.text, _first_quote(r.evidence), r.try_, good_moment=r.good_moment)
        for r in flagged[:WORK_ON]
    )


def _went_well(results: list[TipResult]) -> tuple[Point, ...]:
    """The credited tips shown most, net of a slip."""
    credited = sorted(
        (r for r in results if r.status == CREDITED),
        key=lambda r: (r.against - r.shown, -len(r.evidence)),
    )
    return tuple(
        Point(r.id, r.heading, r.evidence[0].note, r.evidence[0], slip=r.slip)
        for r in credited[:WENT_WELL]
    )


def _first_quote(evidence: tuple[Evidence, ...]) -> Evidence | None:
    """The first evidence that quotes a message (not the conversation as a whole)."""
    return next((e for e in evidence if e.turn is not None), None)
