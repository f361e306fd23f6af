"""Coaching during the conversation: a short tip beside the inwoner's answer."""

from __future__ import annotations

from collections.abc import Sequence

from gesprekscoach.engine.state import closed_streak
from gesprekscoach.feedback.report import holds
from gesprekscoach.feedback.rules import FeedbackRules
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.turn import TurnEvent


def hint_for(
    rules: FeedbackRules,
    tips: TipCatalogue,
    turn: TurnEvent,
    earlier_moves: Sequence[str],
    persona_name: str,
) -> str | None:
    """The first hint whose condition holds for this turn, as shown to the casemanager.

    `earlier_moves` are the main moves of the turns before it: all a hint needs of
    them is the streak of closed questions.
    """
    streak = closed_streak((*earlier_moves, turn.move))
    for hint in rules.hints:
        if hint.when.whole_conversation or not holds(hint.when, turn, streak):
            continue
        jargon = ", ".join(f"'{j.found}' → {j.alternative}" for j in turn.jargon)
        text = hint.text.format(persona=persona_name.split()[0], jargon=jargon)
        return f"{text} ({hint.tip} {tips[hint.tip].heading})"
    return None
