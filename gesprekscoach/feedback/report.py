"""The end-of-session report: every tip credited, flagged or not applicable, with evidence.

Data-driven: the move catalogue says which tips each good move shows, and
data/catalogues/feedback.yml adds the flags and credits that depend on timing,
language or the conversation as a whole.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gesprekscoach.engine.state import closed_streak
from gesprekscoach.feedback.measures import Measures, measure
from gesprekscoach.feedback.rules import FeedbackRules, When
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.turn import TurnEvent

CREDITED, FLAGGED, NOT_APPLICABLE = "credited", "flagged", "not_applicable"
WORK_ON = 3
WENT_WELL = 3
TRY_NEXT_TIME = "Probeer de volgende keer: "


@dataclass(frozen=True)
class Evidence:
    turn: int | None
    """The message number, or None for the conversation as a whole."""
    text: str
    """The casemanager's own words."""
    note: str
    """What it showed."""


@dataclass(frozen=True)
class TipResult:
    id: str
    heading: str
    theme: str
    status: str
    evidence: tuple[Evidence, ...]
    text: str = ""
    """Why it was flagged, or what was good; empty when the tip did not come up."""
    try_: str = ""
    """For a flagged tip: the sentence to try next time."""
    weight: float = 0.0

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


@dataclass(frozen=True)
class Report:
    persona_id: str
    persona_name: str
    tips: tuple[TipResult, ...]
    went_well: tuple[Point, ...]
    work_on: tuple[Point, ...]
    measures: Measures

    def to_dict(self) -> dict[str, Any]:
        return {
            "persona": self.persona_id,
            "persona_name": self.persona_name,
            "tips": [_tip_dict(t) for t in self.tips],
            "went_well": [asdict(p) for p in self.went_well],
            "work_on": [asdict(p) for p in self.work_on],
            "measures": self.measures.to_dict(),
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
    }


def holds(when: When, turn: TurnEvent, streak: int) -> bool:
    """Whether a per-message condition holds for this turn.

    `streak` is the run of closed questions ending at it (engine.state.closed_streak).
    """
    checks = (
        not when.moves or bool(when.moves.intersection(turn.all_moves)),
        when.turn_at_most is None or turn.number <= when.turn_at_most,
        when.turn_at_least is None or turn.number >= when.turn_at_least,
        when.trust_below is None or turn.trust_before < when.trust_below,
        when.jargon is None or bool(turn.jargon) == when.jargon,
        when.not_b1 is None or (not turn.b1_ok and not turn.jargon) == when.not_b1,
        when.closed_streak_at_least is None or streak == when.closed_streak_at_least,
    )
    return all(checks)


def holds_overall(when: When, turns: list[TurnEvent]) -> bool:
    enough = when.min_turns is None or len(turns) >= when.min_turns
    return enough and not any(when.no_moves.intersection(t.all_moves) for t in turns)


def _format(text: str, persona: str, turn: TurnEvent | None) -> str:
    hits = turn.jargon if turn is not None else ()
    jargon = ", ".join(f"'{j.found}' (zeg liever: {j.alternative})" for j in hits)
    return text.format(persona=persona, jargon=jargon)


def _effect(turn: TurnEvent, persona: str) -> str:
    if round(turn.trust) == round(turn.trust_before):
        return ""
    return f" Het vertrouwen van {persona} ging van {turn.trust_before:.0f} naar {turn.trust:.0f}."


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
) -> Report:
    first_name = persona_name.split()[0]
    credits: dict[str, list[Evidence]] = {tip: [] for tip in tips.ids}
    flags: dict[str, list[tuple[float, str, Evidence]]] = {tip: [] for tip in tips.ids}
    try_for: dict[str, list[tuple[float, str]]] = {tip: [] for tip in tips.ids}

    main_moves = [turn.move for turn in turns]
    for i, turn in enumerate(turns):
        streak = closed_streak(main_moves[: i + 1])
        # Every act counts: empathy before a question is credited too.
        for move in (moves.moves.get(m) for m in turn.all_moves):
            if move is not None and move.polarity == "+":
                for tip_id in move.tips:
                    note = f"{move.label}.{_effect(turn, first_name)}"
                    credits[tip_id].append(Evidence(turn.number, turn.text, note))
        for credit in rules.credits:
            if not credit.when.whole_conversation and holds(credit.when, turn, streak):
                note = _format(credit.note, first_name, turn) + _effect(turn, first_name)
                credits[credit.tip].append(Evidence(turn.number, turn.text, note))
        for flag in rules.flags:
            if not flag.when.whole_conversation and holds(flag.when, turn, streak):
                why = _format(flag.why, first_name, turn) + _effect(turn, first_name)
                flags[flag.tip].append((flag.weight, why, Evidence(turn.number, turn.text, why)))
                if flag.try_:
                    try_for[flag.tip].append((flag.weight, flag.try_))
    for flag in rules.flags:
        if flag.when.whole_conversation and holds_overall(flag.when, turns):
            why = _format(flag.why, first_name, None)
            flags[flag.tip].append((flag.weight, why, Evidence(None, "", why)))
            if flag.try_:
                try_for[flag.tip].append((flag.weight, flag.try_))

    results: list[TipResult] = []
    for tip in tips.tips.values():
        tip_flags = sorted(flags[tip.id], key=lambda f: (-f[0], f[2].turn or 0))
        found = (tip.id, tip.heading, tip.theme)
        if tip_flags:
            weight, why, _ = tip_flags[0]
            evidence = tuple(dict.fromkeys(e for _, _, e in tip_flags))
            own = sorted(try_for[tip.id], key=lambda t: -t[0])
            try_sentence = own[0][1] if own else tip.try_[0]
            results.append(TipResult(*found, FLAGGED, evidence, why, try_sentence, weight))
        elif credits[tip.id]:
            results.append(TipResult(*found, CREDITED, tuple(credits[tip.id]), tip.good))
        else:
            results.append(TipResult(*found, NOT_APPLICABLE, ()))

    flagged = sorted(
        (r for r in results if r.status == FLAGGED),
        key=lambda r: (-r.weight, min((e.turn or 0) for e in r.evidence)),
    )
    work_on = tuple(
        Point(r.id, r.heading, r.text, _first_quote(r.evidence), r.try_) for r in flagged[:WORK_ON]
    )
    credited = sorted((r for r in results if r.status == CREDITED), key=lambda r: -len(r.evidence))
    went_well = tuple(
        Point(r.id, r.heading, r.evidence[0].note, r.evidence[0]) for r in credited[:WENT_WELL]
    )
    return Report(
        persona_id=persona_id,
        persona_name=persona_name,
        tips=tuple(results),
        went_well=went_well,
        work_on=work_on,
        measures=measure(turns, start_trust, start_stress, hidden_need_turn),
    )


def _first_quote(evidence: tuple[Evidence, ...]) -> Evidence | None:
    """The first evidence that quotes a message (not the conversation as a whole)."""
    return next((e for e in evidence if e.turn is not None), None)
