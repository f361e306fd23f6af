"""`coach simulate`: dry-run a persona on hand-labelled moves, without Rasa.

For persona authors: see at once how trust, stress, reactions and the hidden
need play out for a script whose lines carry their intended move.
"""

from __future__ import annotations

from coach.play import Script
from gesprekscoach.domain import Catalogues
from gesprekscoach.engine import Utterance
from gesprekscoach.personas import variants


def simulate(
    catalogues: Catalogues,
    script: Script,
    persona_key: str | None,
    seed: int,
    variant: str | None = None,
) -> str:
    """The script played on labelled moves; `variant` as in practice.start (KeyError: unknown)."""
    described = catalogues.personas.get(
        persona_key or script.persona or next(iter(catalogues.personas.personas))
    )
    engine = catalogues.engine(described.id, variants.resolve(described, variant, seed))
    name = engine.persona.name.split()[0]
    state, opening = engine.start(seed)
    out = [f"variant: {engine.persona.variant.label}"] if engine.persona.variant else []
    out += [f"[vertrouwen {state.trust:.0f} spanning {state.stress:.0f}] {name}: {opening}"]
    for text, move in zip(script.lines, script.expected_moves, strict=True):
        result = engine.respond(state, Utterance(text, move, 1.0))
        state = result.state
        jargon = f" jargon: {', '.join(h.term for h in result.jargon)}" if result.jargon else ""
        out.append(f"\njij ({result.move}{jargon}): {text}")
        out.append(
            f"[vertrouwen {state.trust:.0f} spanning {state.stress:.0f}"
            f" reactie {result.reaction or '-'}] {name}: {result.reply}"
        )
    found = f"ja, in bericht {state.hidden_need_turn}" if state.hidden_need_found else "nee"
    out.append(f"\nVerborgen behoefte gevonden: {found}")
    return "\n".join(out)
