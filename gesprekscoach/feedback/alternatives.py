"""A better sentence per weak message, fitted to the inwoner and the moment.

The persona file's `alternatives:` give one per pitfall and trust band; a flag in
data/catalogues/feedback.yml names its pitfall (`alternative:`). Without one in
the persona file, the flag's own sentence and reason are the fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.feedback.weighing import Hit
from gesprekscoach.personas.model import Persona


@dataclass(frozen=True)
class BetterTurn:
    """One flagged message with what could have been said instead, and why."""

    turn: int
    text: str
    """The casemanager's own words."""
    pitfall: str
    try_: str
    why: str


def suggestion(hit: Hit, persona: Persona | None, tips: TipCatalogue) -> tuple[str, str]:
    """(sentence to try, reason) for a flag that fired: the persona's own if it has one."""
    own = persona.alternative(hit.flag.alternative, hit.trust) if persona is not None else None
    if own is not None:
        return own.try_, own.why
    return hit.flag.try_ or tips[hit.flag.tip].try_[0], hit.why


def better_turns(
    hits: Iterable[Hit], persona: Persona | None, tips: TipCatalogue
) -> tuple[BetterTurn, ...]:
    """One entry per message that triggered a flag, for its heaviest flag, in message order.

    Every flagged message counts, also a slip in a tip that was credited after
    weighing: the better sentence is about the message, not the verdict on the tip.
    """
    heaviest: dict[int, Hit] = {}
    for hit in hits:
        turn = hit.evidence.turn
        if turn is None:
            continue
        if turn not in heaviest or hit.flag.weight > heaviest[turn].flag.weight:
            heaviest[turn] = hit
    out = []
    for turn in sorted(heaviest):
        hit = heaviest[turn]
        try_, why = suggestion(hit, persona, tips)
        out.append(BetterTurn(turn, hit.evidence.text, hit.flag.alternative, try_, why))
    return tuple(out)
