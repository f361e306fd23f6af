"""Feedback rules (data/catalogues/feedback.yml): flags, credits and coaching hints."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.moves import MoveCatalogue


@dataclass(frozen=True)
class When:
    moves: frozenset[str] = frozenset()
    no_moves: frozenset[str] = frozenset()
    min_turns: int | None = None
    turn_at_most: int | None = None
    turn_at_least: int | None = None
    trust_below: float | None = None
    jargon: bool | None = None
    not_b1: bool | None = None
    closed_streak_at_least: int | None = None

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
class FeedbackRules:
    flags: tuple[FlagRule, ...]
    credits: tuple[CreditRule, ...]
    hints: tuple[HintRule, ...]


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
        min_turns=opt_int("min_turns"),
        turn_at_most=opt_int("turn_at_most"),
        turn_at_least=opt_int("turn_at_least"),
        trust_below=f.number("trust_below", low=0, high=100) if f.has("trust_below") else None,
        jargon=opt_bool("jargon"),
        not_b1=opt_bool("not_b1"),
        closed_streak_at_least=opt_int("closed_streak_at_least"),
    )
    if when.no_moves and (when.moves or when.jargon or when.not_b1):
        raise f.error("no_moves", "cannot be combined with conditions on one message")
    return when


def load_rules(path: Path, moves: MoveCatalogue, tips: TipCatalogue) -> FeedbackRules:
    top = Fields(path, read_yaml_mapping(path))
    top.unknown_keys({"flags", "credits", "hints"})

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

    return FeedbackRules(
        flags=tuple(
            FlagRule(
                f.text("id"),
                f.text("tip"),
                _when(f.sub("when"), moves),
                f.text("why"),
                f.number("weight", low=0, high=100, default=5.0),
                f.text("try") if f.has("try") else None,
            )
            for f in entries("flags", {"why", "weight", "try"})
        ),
        credits=tuple(
            CreditRule(f.text("id"), f.text("tip"), _when(f.sub("when"), moves), f.text("note"))
            for f in entries("credits", {"note"})
        ),
        hints=tuple(
            HintRule(f.text("id"), f.text("tip"), _when(f.sub("when"), moves), f.text("text"))
            for f in entries("hints", {"text"})
        ),
    )
