"""Looking back after a practice: the reflection beside the need, and what the inwoner thought.

The end of a practice shows, before the tips, what the casemanager said the inwoner
needed next to what they really needed (with the messages where it could have been
found), and the conversation with the inwoner's thought and the trust change beside
each message: why it went as it went.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gesprekscoach.feedback.reflection import Reflection, score_reflection
from gesprekscoach.personas.model import Persona
from gesprekscoach.turn import TurnEvent

QUOTE_CHARS = 90
"""A message quoted beside its thought is cut here: the whole text is in the transcript."""
ANSWER_CHARS = 400
"""The casemanager's own answer is shown whole, up to this (a wall of text is cut)."""


def score_all(persona: Persona, answers: Sequence[tuple[str, str | None]]) -> list[Reflection]:
    """Every answer scored against the hidden need; none at all means it was skipped."""
    need = persona.hidden_need
    if not answers:
        return [score_reflection(need, "")]
    return [score_reflection(need, text, person) for text, person in answers]


def _quote(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _numbers(moments: Sequence[int]) -> str:
    names = [str(n) for n in moments]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def reflection_text(
    persona: Persona, reflections: Sequence[Reflection], moments: Sequence[int]
) -> str:
    first = persona.name.split()[0]
    lines = [f"Wat had {first} nodig?"]
    answered = [r for r in reflections if not r.skipped]
    if not answered:
        lines.append("Je sloeg de vraag over.")
    for i, reflection in enumerate(answered, start=1):
        who = "Jij" if len(answered) == 1 else f"Antwoord {i}"
        score = f" ({reflection.score:.0%})" if reflection.score is not None else ""
        lines.append(f'{who}{score}: "{_quote(reflection.text, ANSWER_CHARS)}"')
        if reflection.named:
            lines.append(f"  Goed gezien: {'; '.join(reflection.named)}.")
        if reflection.missed:
            lines.append(f"  Gemist: {'; '.join(reflection.missed)}.")
    lines.append(f"Wat {first} echt nodig had: {persona.hidden_need.summary}")
    if moments:
        lines.append(f"Hier had je het kunnen horen: bericht {_numbers(moments)}.")
    return "\n".join(lines)


def _delta(value: float) -> str:
    return "±0" if round(value) == 0 else f"{value:+.0f}"


def thoughts_text(persona: Persona, turns: Sequence[TurnEvent]) -> str:
    """The conversation as finally held, with the trust change and the thought per message."""
    first = persona.name.split()[0]
    lines = [f"Wat {first} dacht, bericht voor bericht:"]
    for turn in turns:
        lines.append(
            f'{turn.number}. "{_quote(turn.text)}" (vertrouwen {_delta(turn.trust_delta)})'
        )
        if turn.thought:
            lines.append(f"   {first} dacht: {turn.thought}")
    return "\n".join(lines)


def thoughts_payload(turns: Sequence[TurnEvent]) -> list[dict[str, Any]]:
    return [
        {
            "turn": t.number,
            "text": t.text,
            "reply": t.reply,
            "thought": t.thought,
            "trust_delta": t.trust_delta,
            "trust": t.trust,
        }
        for t in turns
    ]
