"""Coaching during the conversation: a short tip beside the inwoner's answer."""

from __future__ import annotations

from gesprekscoach.feedback.report import holds
from gesprekscoach.feedback.rules import FeedbackRules
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.feedback.transcript import Turn


def hint_for(
    rules: FeedbackRules, tips: TipCatalogue, turns: list[Turn], persona_name: str
) -> str | None:
    """The first hint whose condition holds for the last turn, as shown to the casemanager."""
    if not turns:
        return None
    last = turns[-1]
    for hint in rules.hints:
        if hint.when.whole_conversation or not holds(hint.when, turns, len(turns) - 1):
            continue
        jargon = ", ".join(f"'{j['found']}' → {j['alternative']}" for j in last.jargon)
        text = hint.text.format(persona=persona_name.split()[0], jargon=jargon)
        return f"{text} ({hint.tip} {tips[hint.tip].heading})"
    return None
