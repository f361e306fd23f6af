"""Load persona YAML files into validated, frozen Persona objects.

Adding a persona is adding one file to data/personas/: the engine reads the
directory at start-up, so no code change and no retraining are needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping
from gesprekscoach.language.topics import normalise
from gesprekscoach.moves import FALLBACK, MoveCatalogue
from gesprekscoach.personas.inner import load_alternatives, load_elements, load_thoughts
from gesprekscoach.personas.model import (
    BANDS,
    SLUG,
    SPECIAL_REPLIES,
    Concern,
    Condition,
    Effect,
    HiddenNeed,
    Persona,
    Reaction,
    ReplySet,
    Topic,
)
from gesprekscoach.personas.variants import load_variants

TOP_FIELDS = {
    "id",
    "name",
    "type",
    "age",
    "summary",
    "briefing",
    "opening",
    "start",
    "effects",
    "reactions",
    "hidden_need",
    "replies",
    "topics",
    "concerns",
    "thoughts",
    "alternatives",
    "focus_tips",
    "variants",
}
CONDITION_FIELDS = {
    "moves",
    "trust_below",
    "trust_at_least",
    "stress_at_least",
    "stress_below",
    "turn_at_most",
    "turn_at_least",
    "jargon",
    "not_earlier_moves",
    "says",
    "closed_streak_at_least",
    "earlier_moves",
    "concern_open",
    "concern_resolved",
}
# Numbers in a topic's lines must be in its fact, so answers cannot contradict it.
_NUMBER = re.compile(
    r"\b(\d+|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien"
    r"|vijftien|zestien|zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|zestig"
    r"|zeventig|tachtig|negentig|honderd|duizend)\b",
    re.IGNORECASE,
)
MIN_VARIANTS_PER_BAND = 2
MIN_VARIANTS_FLAT = 3


def numbers_in(text: str) -> list[str]:
    return [n.lower() for n in _NUMBER.findall(text)]


def _effect(f: Fields) -> Effect:
    f.unknown_keys({"trust", "stress"})
    return Effect(
        trust=f.number("trust", low=-50, high=50, default=0.0),
        stress=f.number("stress", low=-50, high=50, default=0.0),
    )


def _replies(parent: Fields, key: str, *, min_per_band: int = MIN_VARIANTS_PER_BAND) -> ReplySet:
    raw = parent.raw(key)
    if isinstance(raw, list):
        flat_min = MIN_VARIANTS_FLAT if min_per_band >= MIN_VARIANTS_PER_BAND else min_per_band
        flat = parent.texts(key, min_items=flat_min)
        return ReplySet(flat, flat, flat)
    f = parent.sub(key)
    f.unknown_keys(set(BANDS))
    bands = {band: f.texts(band, min_items=min_per_band) for band in BANDS}
    return ReplySet(**bands)


def _move_set(f: Fields, key: str, known: set[str]) -> frozenset[str]:
    if not f.has(key):
        return frozenset()
    moves = f.texts(key)
    for move in moves:
        if move not in known:
            raise f.error(key, f"unknown move {move!r}")
    return frozenset(moves)


def _condition(f: Fields, known: set[str]) -> Condition:
    f.unknown_keys(CONDITION_FIELDS)

    def opt_num(key: str, low: float, high: float) -> float | None:
        return f.number(key, low=low, high=high) if f.has(key) else None

    def opt_int(key: str, low: int, high: int) -> int | None:
        value = opt_num(key, low, high)
        if value is not None and value != int(value):
            raise f.error(key, "must be a whole number")
        return None if value is None else int(value)

    jargon = f.data.get("jargon")
    if jargon is not None and not isinstance(jargon, bool):
        raise f.error("jargon", "must be true or false")
    return Condition(
        moves=_move_set(f, "moves", known),
        trust_below=opt_num("trust_below", 0, 100),
        trust_at_least=opt_num("trust_at_least", 0, 100),
        stress_at_least=opt_num("stress_at_least", 0, 100),
        stress_below=opt_num("stress_below", 0, 100),
        turn_at_most=opt_int("turn_at_most", 1, 1000),
        turn_at_least=opt_int("turn_at_least", 1, 1000),
        jargon=jargon,
        closed_streak_at_least=opt_int("closed_streak_at_least", 1, 100),
        earlier_moves=_move_set(f, "earlier_moves", known),
        not_earlier_moves=_move_set(f, "not_earlier_moves", known),
        says=_words(f, "says") if f.has("says") else (),
        concern_open=f.text("concern_open") if f.has("concern_open") else None,
        concern_resolved=f.text("concern_resolved") if f.has("concern_resolved") else None,
    )


def _triggers(f: Fields) -> tuple[str, ...]:
    return _words(f, "triggers")


def _words(f: Fields, key: str) -> tuple[str, ...]:
    """Words and phrases matched in a message (language/topics.py), each with letters."""
    words = f.texts(key)
    for word in words:
        if not normalise(word):
            raise f.error(key, f"{word!r} has no letters or digits")
    return words


def _items(top: Fields, key: str) -> list[Fields]:
    raw = top.data.get(key) or []
    if not isinstance(raw, list):
        raise top.error(key, "must be a list")
    items = [Fields(top.path, item, f"{key}[{i}]") for i, item in enumerate(raw)]
    seen: set[str] = set()
    for f in items:
        item_id = f.text("id")
        if not SLUG.match(item_id):
            raise f.error("id", "must be lower case letters, digits and _")
        if item_id in seen:
            raise f.error("id", f"duplicate id {item_id!r}")
        seen.add(item_id)
    return items


def _topic(f: Fields) -> Topic:
    f.unknown_keys({"id", "fact", "triggers", "answers", "again", "min_trust", "guarded"})
    fact = f.text("fact")
    topic = Topic(
        id=f.text("id"),
        fact=fact,
        triggers=_triggers(f),
        answers=_replies(f, "answers"),
        again=f.texts("again", min_items=2),
        min_trust=f.number("min_trust", low=0, high=100) if f.has("min_trust") else None,
        guarded=f.texts("guarded", min_items=2) if f.has("guarded") else (),
    )
    if topic.min_trust is not None and not topic.guarded:
        raise f.error("guarded", "is required with min_trust: what is said below that trust")
    told = set(numbers_in(fact))
    answers = topic.answers
    for line in (*answers.low, *answers.mid, *answers.high, *topic.again, *topic.guarded):
        unknown = [n for n in numbers_in(line) if n not in told]
        if unknown:
            raise f.error("answers", f"{line!r} says {unknown[0]!r}, which the fact does not")
    return topic


def _concern(f: Fields, known: set[str]) -> Concern:
    f.unknown_keys({"id", "about", "triggers", "resolved_by", "acknowledge", "remind", "recall"})
    resolved_by = _move_set(f, "resolved_by", known)
    if not resolved_by:
        raise f.error("resolved_by", "is required: which moves deal with the concern")
    return Concern(
        id=f.text("id"),
        about=f.text("about"),
        triggers=_triggers(f),
        resolved_by=resolved_by,
        acknowledge=f.texts("acknowledge", min_items=2),
        remind=f.texts("remind", min_items=2),
        recall=f.texts("recall", min_items=2),
    )


def _check_concern_names(
    path: Path, conditions: list[tuple[str, Condition]], ids: set[str]
) -> None:
    for where, condition in conditions:
        for field_name in ("concern_open", "concern_resolved"):
            value = getattr(condition, field_name)
            if value is not None and value not in ids:
                raise CatalogueError(path, f"{where}.{field_name}", f"unknown concern {value!r}")


def load_persona(path: Path, moves: MoveCatalogue) -> Persona:
    """Load and validate one persona file; raise CatalogueError naming the field."""
    top = Fields(path, read_yaml_mapping(path))
    top.unknown_keys(TOP_FIELDS)
    known = set(moves.ids) | {FALLBACK}
    effect_keys = known | set(SPECIAL_REPLIES)

    persona_id = top.text("id")
    if not SLUG.match(persona_id):
        raise top.error("id", "must be lower case letters, digits and _ (2-41 characters)")
    if persona_id != path.stem:
        raise top.error("id", f"must match the file name {path.stem!r}")
    persona_type = top.text("type")
    if not SLUG.match(persona_type):
        raise top.error("type", "must be lower case letters, digits and _")
    age = top.number("age", low=16, high=110)
    if age != int(age):
        raise top.error("age", "must be a whole number")

    start = top.sub("start")
    start.unknown_keys({"trust", "stress"})

    effects: dict[str, Effect] = {}
    effects_f = top.sub("effects")
    for move in effects_f.data:
        if move not in effect_keys:
            raise effects_f.error(str(move), "is not a known move or special reply")
        effects[str(move)] = _effect(effects_f.sub(str(move)))

    reactions: list[Reaction] = []
    raw_reactions = top.data.get("reactions") or []
    if not isinstance(raw_reactions, list):
        raise top.error("reactions", "must be a list")
    seen_ids: set[str] = set()
    for i, _ in enumerate(raw_reactions):
        f = Fields(path, raw_reactions[i], f"reactions[{i}]")
        f.unknown_keys({"id", "when", "effects", "replies"})
        rid = f.text("id")
        if rid in seen_ids:
            raise f.error("id", f"duplicate reaction id {rid!r}")
        seen_ids.add(rid)
        reactions.append(
            Reaction(
                id=rid,
                when=_condition(f.sub("when"), known),
                effect=_effect(f.sub("effects")) if f.has("effects") else Effect(),
                replies=_replies(f, "replies"),
            )
        )

    need = top.sub("hidden_need")
    need.unknown_keys({"summary", "unlock", "hint", "reveal", "elements"})
    unlock = _condition(need.sub("unlock"), known)
    if not unlock.moves:
        raise need.sub("unlock").error("moves", "is required: which moves can bring the need out")
    reveal = need.sub("reveal")
    reveal.unknown_keys({"replies", "effects"})
    hidden = HiddenNeed(
        summary=need.text("summary"),
        unlock=unlock,
        reveal=_replies(reveal, "replies", min_per_band=1),
        reveal_effect=_effect(reveal.sub("effects")) if reveal.has("effects") else Effect(),
        hint=_replies(need, "hint") if need.has("hint") else None,
        elements=load_elements(need),
    )

    replies_f = top.sub("replies")
    replies: dict[str, ReplySet] = {}
    for key in replies_f.data:
        if key not in known and key not in SPECIAL_REPLIES:
            raise replies_f.error(str(key), "is not a known move or special reply")
    for key in (*moves.ids, *SPECIAL_REPLIES):
        if not replies_f.has(key):
            raise replies_f.error(key, "is missing: every move needs replies")
        replies[key] = _replies(replies_f, key)

    topics = tuple(_topic(f) for f in _items(top, "topics"))
    concerns = tuple(_concern(f, known) for f in _items(top, "concerns"))
    _check_concern_names(
        path,
        [(f"reactions[{i}].when", r.when) for i, r in enumerate(reactions)]
        + [("hidden_need.unlock", unlock)],
        {c.id for c in concerns},
    )

    thoughts = load_thoughts(
        top, (*moves.ids, *SPECIAL_REPLIES), tuple(reactions), concerns, hidden.hint is not None
    )
    persona = Persona(
        id=persona_id,
        name=top.text("name"),
        type=persona_type,
        age=int(age),
        summary=top.text("summary"),
        briefing=top.text("briefing"),
        opening=top.texts("opening"),
        start_trust=start.number("trust", low=0, high=100),
        start_stress=start.number("stress", low=0, high=100),
        effects=effects,
        reactions=tuple(reactions),
        hidden_need=hidden,
        replies=replies,
        topics=topics,
        concerns=concerns,
        thoughts=thoughts,
        focus_tips=top.texts("focus_tips", min_items=1),
        alternatives=load_alternatives(top),
        source=str(path),
    )
    return replace(persona, variants=load_variants(top, persona, _topic, numbers_in))


@dataclass(frozen=True)
class PersonaCatalogue:
    personas: dict[str, Persona]

    def __iter__(self) -> Iterator[Persona]:
        return iter(self.personas.values())

    def __len__(self) -> int:
        return len(self.personas)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted({p.type for p in self.personas.values()}))

    def get(self, key: str) -> Persona:
        """Find a persona by id, or the first (by id) of a type."""
        key = key.strip().lower()
        if key in self.personas:
            return self.personas[key]
        of_type = [p for p in self.personas.values() if p.type == key]
        if of_type:
            return of_type[0]
        raise KeyError(key)


def load_personas(directory: Path, moves: MoveCatalogue) -> PersonaCatalogue:
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueError(directory, "", "no persona files (*.yml) found")
    personas: dict[str, Persona] = {}
    for path in sorted(files):
        persona = load_persona(path, moves)
        if persona.id in personas:
            raise CatalogueError(path, "id", f"duplicate persona id {persona.id!r}")
        personas[persona.id] = persona
    return PersonaCatalogue(dict(sorted(personas.items())))
