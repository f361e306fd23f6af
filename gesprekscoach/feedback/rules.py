"""Feedback rules (data/catalogues/feedback.yml): flags, credits, coaching hints, weighing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.personas.model import Persona

PITFALLS = (
    "oordelen",
    "regels_benadrukken",
    "doorverwijzen",
    "info_opvragen",
    "belofte",
    "jargon",
    "niet_b1",
    "verhoor",
    "behoefte",
)
"""The keys a flag's `alternative:` may name: the persona files' `alternatives:` sections."""


@dataclass(frozen=True)
class When:
    moves: frozenset[str] = frozenset()
    no_moves: frozenset[str] = frozenset()
    before_any: frozenset[str] = frozenset()
    """None of these moves in this message or any earlier one."""
    min_turns: int | None = None
    turn_at_most: int | None = None
    turn_at_least: int | None = None
    trust_below: float | None = None
    jargon: bool | None = None
    not_b1: bool | None = None
    closed_streak_at_least: int | None = None
    """The message that makes exactly this many closed questions in a row (fires once)."""
    closed_streak_from: int | None = None
    """Every message of a run of closed questions from this one on (fires per message)."""

    @property
    def whole_conversation(self) -> bool:
        """Holds for the conversation as a whole (no single message is the evidence)."""
        return bool(self.no_moves)


# The keys a `when:` may have in feedback.yml: exactly the fields of When.
CONDITION_FIELDS = {field.name for field in fields(When)}


@dataclass(frozen=True)
class FlagRule:
    id: str
    tip: str
    when: When
    why: str
    weight: float
    alternative: str
    """The pitfall (PITFALLS) whose better sentence the persona file gives for this flag."""
    try_: str | None = None
    """A sentence to try that fits this pitfall better than the tip's own."""


@dataclass(frozen=True)
class CreditRule:
    id: str
    tip: str
    when: When
    note: str


@dataclass(frozen=True)
class HintRule:
    id: str
    tip: str
    when: When
    text: str


@dataclass(frozen=True)
class Weighing:
    """How shown and gone-against are weighed per tip (feedback.yml header explains why)."""

    opening_messages: int = 3
    """Messages 1..N are the opening."""
    opening_against: float = 1.5
    """A pitfall in the opening counts this much: it sets the tone."""
    closing_shown: float = 0.5
    """A good move in the last message counts this much: it comes too late to help."""
    closing_min_turns: int = 4
    """The last message is only 'the closing' in conversations of at least this many."""
    reference_weight: float = 7.0
    """A flag of this `weight` counts as one message; heavier flags count more."""
    clearly: float = 2.0
    """Credited when shown is at least this many times gone-against."""


@dataclass(frozen=True)
class FeedbackRules:
    flags: tuple[FlagRule, ...]
    credits: tuple[CreditRule, ...]
    hints: tuple[HintRule, ...]
    weighing: Weighing = Weighing()

    @property
    def pitfalls(self) -> dict[str, tuple[str, ...]]:
        """Each pitfall the flags name, with the ids of the flags that name it."""
        out: dict[str, tuple[str, ...]] = {}
        for flag in self.flags:
            out[flag.alternative] = (*out.get(flag.alternative, ()), flag.id)
        return out


def _when(f: Fields, moves: MoveCatalogue) -> When:
    f.unknown_keys(CONDITION_FIELDS)

    def move_set(key: str) -> frozenset[str]:
        if not f.has(key):
            return frozenset()
        values = f.texts(key)
        for value in values:
            if value not in moves:
                raise f.error(key, f"unknown move {value!r}")
        return frozenset(values)

    def opt_int(key: str) -> int | None:
        return int(f.number(key, low=1, high=1000)) if f.has(key) else None

    def opt_bool(key: str) -> bool | None:
        value = f.data.get(key)
        if value is not None and not isinstance(value, bool):
            raise f.error(key, "must be true or false")
        return value

    when = When(
        moves=move_set("moves"),
        no_moves=move_set("no_moves"),
        before_any=move_set("before_any"),
        min_turns=opt_int("min_turns"),
        turn_at_most=opt_int("turn_at_most"),
        turn_at_least=opt_int("turn_at_least"),
        trust_below=f.number("trust_below", low=0, high=100) if f.has("trust_below") else None,
        jargon=opt_bool("jargon"),
        not_b1=opt_bool("not_b1"),
        closed_streak_at_least=opt_int("closed_streak_at_least"),
        closed_streak_from=opt_int("closed_streak_from"),
    )
    if when.no_moves and (when.moves or when.jargon or when.not_b1 or when.before_any):
        raise f.error("no_moves", "cannot be combined with conditions on one message")
    return when


def _weighing(top: Fields) -> Weighing:
    f = top.optional_sub("weighing")
    if f is None:
        return Weighing()
    f.unknown_keys({field.name for field in fields(Weighing)})
    d = Weighing()

    def num(key: str, low: float, high: float) -> float:
        return f.number(key, low=low, high=high, default=float(getattr(d, key)))

    return Weighing(
        opening_messages=int(num("opening_messages", 0, 50)),
        opening_against=num("opening_against", 0, 10),
        closing_shown=num("closing_shown", 0, 10),
        closing_min_turns=int(num("closing_min_turns", 1, 1000)),
        reference_weight=num("reference_weight", 0.1, 100),
        clearly=num("clearly", 1, 10),
    )


def load_rules(path: Path, moves: MoveCatalogue, tips: TipCatalogue) -> FeedbackRules:
    top = Fields(path, read_yaml_mapping(path))
    top.unknown_keys({"flags", "credits", "hints", "weighing"})

    def entries(key: str, keys: set[str]) -> list[Fields]:
        raw = top.data.get(key) or []
        if not isinstance(raw, list):
            raise top.error(key, "must be a list")
        out = []
        for i, item in enumerate(raw):
            f = Fields(path, item, f"{key}[{i}]")
            f.unknown_keys(keys | {"id", "tip", "when"})
            tip = f.text("tip")
            if tip not in tips:
                raise f.error("tip", f"unknown tip {tip!r}")
            out.append(f)
        ids = [f.text("id") for f in out]
        if len(set(ids)) != len(ids):
            raise CatalogueError(path, key, "ids must be unique")
        return out

    def pitfall(f: Fields) -> str:
        value = f.text("alternative")
        if value not in PITFALLS:
            raise f.error("alternative", f"must be one of {', '.join(PITFALLS)}, got {value!r}")
        return value

    def hint(f: Fields) -> HintRule:
        when = _when(f.sub("when"), moves)
        if when.before_any:
            # A hint sees one message, not the conversation before it.
            raise f.error("when.before_any", "is for flags and credits, not hints")
        return HintRule(f.text("id"), f.text("tip"), when, f.text("text"))

    return FeedbackRules(
        flags=tuple(
            FlagRule(
                f.text("id"),
                f.text("tip"),
                _when(f.sub("when"), moves),
                f.text("why"),
                f.number("weight", low=0, high=100, default=5.0),
                pitfall(f),
                f.text("try") if f.has("try") else None,
            )
            for f in entries("flags", {"why", "weight", "try", "alternative"})
        ),
        credits=tuple(
            CreditRule(f.text("id"), f.text("tip"), _when(f.sub("when"), moves), f.text("note"))
            for f in entries("credits", {"note"})
        ),
        hints=tuple(hint(f) for f in entries("hints", {"text"})),
        weighing=_weighing(top),
    )


def check_alternatives(rules: FeedbackRules, personas: Iterable[Persona]) -> None:
    """Every persona has a better sentence for every pitfall a flag names.

    Raises CatalogueError naming the persona file and `alternatives.<pitfall>`.
    """
    needed = rules.pitfalls
    for persona in personas:
        for key in sorted(needed):
            if key not in persona.alternatives:
                flags = ", ".join(needed[key])
                raise CatalogueError(
                    persona.source,
                    f"alternatives.{key}",
                    f"is missing: data/catalogues/feedback.yml's flag(s) {flags} name it",
                )
