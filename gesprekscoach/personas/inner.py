"""The learning-loop parts of a persona file: thoughts, the need in parts, alternatives.

Kept apart from the loader of the conversation itself (loader.py) because they
serve the feedback: what the inwoner thought at each turn, what the casemanager's
reflection is scored against, and the better sentence the report offers.
"""

from __future__ import annotations

from collections.abc import Iterable

from gesprekscoach.catalogue import Fields
from gesprekscoach.language.topics import normalise
from gesprekscoach.personas.model import (
    BANDS,
    SLUG,
    Alternative,
    Concern,
    ConcernThoughts,
    NeedElement,
    Reaction,
    ReplySet,
    Thoughts,
)

THOUGHT_MAX_CHARS = 240


def _lines(parent: Fields, key: str) -> tuple[str, ...]:
    lines = parent.texts(key)
    for line in lines:
        if len(line) > THOUGHT_MAX_CHARS:
            raise parent.error(key, f"a thought is one or two short sentences, not {len(line)}")
    return lines


def thought_set(parent: Fields, key: str) -> ReplySet:
    """A thought: a text or list for every band, or `{low, mid, high}` with a text or list each."""
    raw = parent.raw(key)
    if isinstance(raw, (str, list)):
        lines = _lines(parent, key)
        return ReplySet(lines, lines, lines)
    f = parent.sub(key)
    f.unknown_keys(set(BANDS))
    return ReplySet(*(_lines(f, band) for band in BANDS))


def _keyed(parent: Fields, key: str, wanted: Iterable[str], what: str) -> dict[str, ReplySet]:
    f = parent.sub(key)
    wanted = tuple(wanted)
    f.unknown_keys(set(wanted))
    for item in wanted:
        if not f.has(item):
            raise f.error(item, f"is missing: every {what} needs a thought")
    return {item: thought_set(f, item) for item in wanted}


def load_thoughts(
    top: Fields,
    reply_keys: Iterable[str],
    reactions: tuple[Reaction, ...],
    concerns: tuple[Concern, ...],
    has_hint: bool,
) -> Thoughts:
    """`thoughts:` of a persona file: one for every reply, reaction, need and concern."""
    f = top.sub("thoughts")
    f.unknown_keys({"moves", "reactions", "hidden_need", "hint", "concerns"})
    concern_thoughts: dict[str, ConcernThoughts] = {}
    if concerns:
        per_concern = f.sub("concerns")
        per_concern.unknown_keys({c.id for c in concerns})
        for concern in concerns:
            if not per_concern.has(concern.id):
                raise per_concern.error(concern.id, "is missing: every concern needs thoughts")
            c = per_concern.sub(concern.id)
            c.unknown_keys({"acknowledge", "recall"})
            concern_thoughts[concern.id] = ConcernThoughts(
                thought_set(c, "acknowledge"), thought_set(c, "recall")
            )
    if has_hint and not f.has("hint"):
        raise f.error("hint", "is required: the persona has a hidden_need.hint")
    return Thoughts(
        moves=_keyed(f, "moves", reply_keys, "move and special reply"),
        reactions=_keyed(f, "reactions", (r.id for r in reactions), "reaction")
        if reactions
        else {},
        hidden_need=thought_set(f, "hidden_need"),
        hint=thought_set(f, "hint") if has_hint else None,
        concerns=concern_thoughts,
    )


def load_elements(need: Fields) -> tuple[NeedElement, ...]:
    """`hidden_need.elements`: the need in two to five parts, each with words and phrases."""
    raw = need.raw("elements")
    if not isinstance(raw, list) or not 2 <= len(raw) <= 5:
        raise need.error("elements", "must be a list of 2 to 5 parts of the need")
    elements: list[NeedElement] = []
    for i, item in enumerate(raw):
        f = Fields(need.path, item, need.name(f"elements[{i}]"))
        f.unknown_keys({"id", "label", "triggers", "phrases"})
        element_id = f.text("id")
        if not SLUG.match(element_id):
            raise f.error("id", "must be lower case letters, digits and _")
        if any(e.id == element_id for e in elements):
            raise f.error("id", f"duplicate element id {element_id!r}")
        triggers = f.texts("triggers", min_items=2)
        for trigger in triggers:
            if not normalise(trigger):
                raise f.error("triggers", f"{trigger!r} has no letters or digits")
        elements.append(
            NeedElement(element_id, f.text("label"), triggers, f.texts("phrases", min_items=3))
        )
    return tuple(elements)


def load_alternatives(top: Fields) -> dict[str, dict[str, Alternative]]:
    """`alternatives:` per pitfall: `{low, mid, high}` each `{try, why}`, or one for all."""
    f = top.sub("alternatives")
    out: dict[str, dict[str, Alternative]] = {}
    for key in f.data:
        pitfall = str(key)
        if not SLUG.match(pitfall):
            raise f.error(pitfall, "must be lower case letters, digits and _")
        entry = f.sub(pitfall)
        if entry.has("try"):
            one = _alternative(entry)
            out[pitfall] = {band: one for band in BANDS}
            continue
        entry.unknown_keys(set(BANDS))
        out[pitfall] = {band: _alternative(entry.sub(band)) for band in BANDS}
    return out


def _alternative(f: Fields) -> Alternative:
    f.unknown_keys({"try", "why"})
    return Alternative(try_=f.text("try"), why=f.text("why"))
