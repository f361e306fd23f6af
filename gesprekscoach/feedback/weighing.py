"""Weighing the whole conversation per tip: how often shown, how often gone against, when.

One good message does not credit a tip in a conversation that goes against it
throughout, and one slip does not flag a tip the casemanager showed again and
again. data/catalogues/feedback.yml's header documents the rule and its numbers
(`weighing:`); this module applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gesprekscoach.engine.state import closed_streak
from gesprekscoach.feedback.rules import FeedbackRules, FlagRule, Weighing, When
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.turn import TurnEvent

CREDITED, FLAGGED, NOT_APPLICABLE = "credited", "flagged", "not_applicable"


@dataclass(frozen=True)
class Evidence:
    turn: int | None
    """The message number, or None for the conversation as a whole."""
    text: str
    """The casemanager's own words."""
    note: str
    """What it showed."""


@dataclass(frozen=True)
class Hit:
    """A flag that fired: on one message, or (turn None) on the conversation as a whole."""

    flag: FlagRule
    evidence: Evidence
    why: str
    """The flag's reason for this message, without what it did to trust."""
    trust: float
    """The inwoner's trust at that moment: before the message, or at the end."""


@dataclass(frozen=True)
class Found:
    """Everything the rules found in a conversation, before weighing."""

    credits: dict[str, list[Evidence]]
    """Per tip: every credit, in message order (a message may show a tip twice)."""
    hits: tuple[Hit, ...]
    """Every flag that fired, in message order, whole-conversation flags last."""
    turns: int

    def flags_of(self, tip: str) -> list[Hit]:
        return [h for h in self.hits if h.flag.tip == tip]


@dataclass(frozen=True)
class Weighed:
    """One tip after weighing."""

    status: str
    shown: float
    """Weighted sum: one per message that showed the tip, times its timing weight."""
    against: float
    """Weighted sum: per message the heaviest flag's weight / reference, times timing."""
    good_moment: Evidence | None
    """For a flagged tip that was also shown: its best message."""
    slip: Evidence | None
    """For a credited tip that was also gone against: its worst message."""
    heaviest: Hit | None
    """The flag that counts most against the tip, if any."""


def holds(when: When, turn: TurnEvent, streak: int, seen: Iterable[str] = ()) -> bool:
    """Whether a per-message condition holds for this turn.

    `streak` is the run of closed questions ending at it (engine.state.closed_streak);
    `seen` the moves of every earlier message (for `before_any`).
    """
    earlier = when.before_any.intersection(seen) or when.before_any.intersection(turn.all_moves)
    checks = (
        not when.moves or bool(when.moves.intersection(turn.all_moves)),
        not earlier,
        when.turn_at_most is None or turn.number <= when.turn_at_most,
        when.turn_at_least is None or turn.number >= when.turn_at_least,
        when.trust_below is None or turn.trust_before < when.trust_below,
        when.jargon is None or bool(turn.jargon) == when.jargon,
        when.not_b1 is None or (not turn.b1_ok and not turn.jargon) == when.not_b1,
        when.closed_streak_at_least is None or streak == when.closed_streak_at_least,
        when.closed_streak_from is None or streak >= when.closed_streak_from,
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


def collect(
    moves: MoveCatalogue,
    tip_ids: Iterable[str],
    rules: FeedbackRules,
    turns: list[TurnEvent],
    name: str,
) -> Found:
    """Every credit and flag in the conversation; `name` is the inwoner's first name."""
    credits: dict[str, list[Evidence]] = {tip: [] for tip in tip_ids}
    hits: list[Hit] = []
    main_moves = [turn.move for turn in turns]
    seen: set[str] = set()
    for i, turn in enumerate(turns):
        streak = closed_streak(main_moves[: i + 1])
        effect = _effect(turn, name)
        # Every act counts: empathy before a question is credited too.
        for move in (moves.moves.get(m) for m in turn.all_moves):
            if move is not None and move.polarity == "+":
                shown = Evidence(turn.number, turn.text, f"{move.label}.{effect}")
                for tip_id in move.tips:
                    credits[tip_id].append(shown)
        for credit in rules.credits:
            if not credit.when.whole_conversation and holds(credit.when, turn, streak, seen):
                note = _format(credit.note, name, turn) + effect
                credits[credit.tip].append(Evidence(turn.number, turn.text, note))
        for flag in rules.flags:
            if not flag.when.whole_conversation and holds(flag.when, turn, streak, seen):
                why = _format(flag.why, name, turn)
                evidence = Evidence(turn.number, turn.text, why + effect)
                hits.append(Hit(flag, evidence, why, turn.trust_before))
        seen.update(turn.all_moves)
    end_trust = turns[-1].trust if turns else 0.0
    for flag in rules.flags:
        if flag.when.whole_conversation and holds_overall(flag.when, turns):
            why = _format(flag.why, name, None)
            hits.append(Hit(flag, Evidence(None, "", why), why, end_trust))
    return Found(credits, tuple(hits), len(turns))


def shown_timing(turn: int, turns: int, w: Weighing) -> float:
    """A good move only in the last message, as the conversation closes, counts less."""
    closing = turns >= w.closing_min_turns and turn == turns
    return w.closing_shown if closing else 1.0


def against_timing(turn: int | None, w: Weighing) -> float:
    """A pitfall in the opening sets the tone and counts more; the whole conversation: 1."""
    opening = turn is not None and turn <= w.opening_messages
    return w.opening_against if opening else 1.0


def decide(shown: float, against: float, has_hits: bool, w: Weighing) -> str:
    """Credited when shown clearly outweighs gone-against; flagged otherwise, if it came up."""
    if shown > 0 and shown >= w.clearly * against:
        return CREDITED
    if has_hits:
        return FLAGGED
    return NOT_APPLICABLE


def weigh(credits: list[Evidence], hits: list[Hit], turns: int, w: Weighing) -> Weighed:
    """Weigh one tip's credits against its flags over the whole conversation."""
    shown_by_turn: dict[int, tuple[float, Evidence]] = {}
    for e in credits:
        if e.turn is not None and e.turn not in shown_by_turn:
            shown_by_turn[e.turn] = (shown_timing(e.turn, turns, w), e)
    worst_by_turn: dict[int | None, Hit] = {}
    for hit in hits:
        key = hit.evidence.turn
        if key not in worst_by_turn or hit.flag.weight > worst_by_turn[key].flag.weight:
            worst_by_turn[key] = hit
    against_by_turn = {
        key: against_timing(key, w) * hit.flag.weight / w.reference_weight
        for key, hit in worst_by_turn.items()
    }
    shown = round(sum(weight for weight, _ in shown_by_turn.values()), 2)
    against = round(sum(against_by_turn.values()), 2)
    status = decide(shown, against, bool(hits), w)
    heaviest = max(
        worst_by_turn.values(),
        key=lambda h: (against_by_turn[h.evidence.turn], -(h.evidence.turn or 0)),
        default=None,
    )
    best = max(shown_by_turn.items(), key=lambda kv: (kv[1][0], -kv[0]), default=None)
    good_moment = best[1][1] if best is not None and status == FLAGGED else None
    slip = heaviest.evidence if heaviest is not None and status == CREDITED else None
    return Weighed(status, shown, against, good_moment, slip, heaviest)
