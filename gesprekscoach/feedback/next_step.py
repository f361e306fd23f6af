"""/tip: one suggestion for the casemanager's next message.

The rules are data (data/catalogues/next_steps.yml, documented in its header):
an ordered list, each with conditions on the inwoner's current state (trust,
stress, where the hidden need stands, an open concern, a run of closed
questions, the last move, what was tried) and the move it suggests. The first
rule that holds and suggests a move not yet made in this conversation wins;
only when every rule that holds suggests a move already made is the first of
them taken anyway. The last rule has no conditions, so there is always a
suggestion.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping
from gesprekscoach.engine.state import NeedStage, PersonaState, closed_streak
from gesprekscoach.feedback.tips import TipCatalogue
from gesprekscoach.moves import MoveCatalogue
from gesprekscoach.personas.model import SLUG, Persona

PLACEHOLDERS = frozenset({"persona", "concern"})
NEED_STAGES = frozenset(stage.value for stage in NeedStage)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class StepWhen:
    """When a rule holds. Unset fields always hold."""

    trust_below: float | None = None
    trust_at_least: float | None = None
    stress_below: float | None = None
    stress_at_least: float | None = None
    need: frozenset[str] = frozenset()
    concern_open: bool | None = None
    closed_streak_at_least: int | None = None
    turn_at_least: int | None = None
    turn_at_most: int | None = None
    last: frozenset[str] = frozenset()
    tried: frozenset[str] = frozenset()
    not_tried: frozenset[str] = frozenset()

    @property
    def always(self) -> bool:
        return self == StepWhen()


@dataclass(frozen=True)
class StepRule:
    id: str
    tip: str
    move: str
    """The move the suggestion is: not suggested again once made, if another rule fits."""
    when: StepWhen
    text: str
    try_: str
    alternative: str | None = None
    """A pitfall key of the persona's `alternatives:` whose sentence to offer instead."""


@dataclass(frozen=True)
class NextSteps:
    rules: tuple[StepRule, ...]


@dataclass(frozen=True)
class Suggestion:
    tip: str
    """The tip id it serves."""
    text: str
    """Why now, naming the persona."""
    try_: str
    """A sentence to try."""
    rule: str = ""
    """The id of the rule that gave it."""

    def message(self) -> str:
        return f'{self.text} Probeer: "{self.try_}"'


def _tried(state: PersonaState) -> frozenset[str]:
    return state.earlier_moves


def open_concern(persona: Persona, state: PersonaState) -> str | None:
    """The first concern of the persona that nobody dealt with yet (its id)."""
    return next((c.id for c in persona.concerns if c.id not in state.resolved), None)


def holds(when: StepWhen, persona: Persona, state: PersonaState) -> bool:
    tried = _tried(state)
    last = state.moves[-1] if state.moves else None
    checks = (
        when.trust_below is None or state.trust < when.trust_below,
        when.trust_at_least is None or state.trust >= when.trust_at_least,
        when.stress_below is None or state.stress < when.stress_below,
        when.stress_at_least is None or state.stress >= when.stress_at_least,
        not when.need or state.need_stage.value in when.need,
        when.concern_open is None
        or (open_concern(persona, state) is not None) == when.concern_open,
        when.closed_streak_at_least is None
        or closed_streak(state.moves) >= when.closed_streak_at_least,
        when.turn_at_least is None or state.turn >= when.turn_at_least,
        when.turn_at_most is None or state.turn <= when.turn_at_most,
        not when.last or last in when.last,
        not when.tried or bool(when.tried & tried),
        not when.not_tried or not (when.not_tried & tried),
    )
    return all(checks)


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def suggest(steps: NextSteps, persona: Persona, state: PersonaState) -> Suggestion:
    """One suggestion for the next message, for the inwoner's state now."""
    fitting = [rule for rule in steps.rules if holds(rule.when, persona, state)]
    tried = _tried(state)
    rule = next((r for r in fitting if r.move not in tried), None) or (
        fitting[0] if fitting else steps.rules[-1]
    )
    concern = persona.concern(open_concern(persona, state) or "")
    first_name = persona.name.split()[0]
    text = rule.text.format(
        persona=first_name, concern=_first_sentence(concern.about) if concern else ""
    )
    try_ = rule.try_
    if rule.alternative:
        own = persona.alternative(rule.alternative, state.trust)
        if own is not None:
            try_ = own.try_
    return Suggestion(rule.tip, " ".join(text.split()), try_, rule.id)


def _moves(f: Fields, key: str, moves: MoveCatalogue) -> frozenset[str]:
    if not f.has(key):
        return frozenset()
    values = f.texts(key)
    for value in values:
        if value not in moves:
            raise f.error(key, f"unknown move {value!r}")
    return frozenset(values)


def _when(f: Fields, moves: MoveCatalogue) -> StepWhen:
    f.unknown_keys(
        {
            "trust_below",
            "trust_at_least",
            "stress_below",
            "stress_at_least",
            "need",
            "concern_open",
            "closed_streak_at_least",
            "turn_at_least",
            "turn_at_most",
            "last",
            "tried",
            "not_tried",
        }
    )

    def level(key: str) -> float | None:
        return f.number(key, low=0, high=100) if f.has(key) else None

    def count(key: str) -> int | None:
        return int(f.number(key, low=0, high=1000)) if f.has(key) else None

    need = f.texts("need") if f.has("need") else ()
    for stage in need:
        if stage not in NEED_STAGES:
            raise f.error("need", f"unknown stage {stage!r}; known: {', '.join(NEED_STAGES)}")
    concern_open = f.data.get("concern_open")
    if concern_open is not None and not isinstance(concern_open, bool):
        raise f.error("concern_open", "must be true or false")
    return StepWhen(
        trust_below=level("trust_below"),
        trust_at_least=level("trust_at_least"),
        stress_below=level("stress_below"),
        stress_at_least=level("stress_at_least"),
        need=frozenset(need),
        concern_open=concern_open,
        closed_streak_at_least=count("closed_streak_at_least"),
        turn_at_least=count("turn_at_least"),
        turn_at_most=count("turn_at_most"),
        last=_moves(f, "last", moves),
        tried=_moves(f, "tried", moves),
        not_tried=_moves(f, "not_tried", moves),
    )


def _text(f: Fields, concern_open: bool | None) -> str:
    text = f.text("text")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise f.error("text", f"braces do not match ({exc})") from exc
    unknown = names - PLACEHOLDERS
    if unknown:
        raise f.error("text", f"unknown placeholder(s) {sorted(unknown)}; known: persona, concern")
    if "concern" in names and concern_open is not True:
        raise f.error("text", "{concern} needs concern_open: true in the rule's when")
    return text


def load_next_steps(path: Path, moves: MoveCatalogue, tips: TipCatalogue) -> NextSteps:
    top = Fields(path, read_yaml_mapping(path))
    top.unknown_keys({"steps"})
    raw = top.raw("steps")
    if not isinstance(raw, list) or not raw:
        raise top.error("steps", "must be a non-empty list of rules")
    rules: list[StepRule] = []
    for i, item in enumerate(raw):
        f = Fields(path, item, f"steps[{i}]")
        f.unknown_keys({"id", "tip", "move", "when", "text", "try", "alternative"})
        rule_id = f.text("id")
        if not SLUG.match(rule_id):
            raise f.error("id", "must be lower case letters, digits and _")
        if any(r.id == rule_id for r in rules):
            raise f.error("id", f"duplicate rule id {rule_id!r}")
        tip = f.text("tip")
        if tip not in tips:
            raise f.error("tip", f"unknown tip {tip!r}")
        move = f.text("move")
        if move not in moves:
            raise f.error("move", f"unknown move {move!r}")
        when = _when(f.sub("when"), moves) if f.has("when") else StepWhen()
        alternative = f.text("alternative") if f.has("alternative") else None
        if alternative is not None and not SLUG.match(alternative):
            raise f.error("alternative", "must be a pitfall key: lower case letters, digits and _")
        rules.append(
            StepRule(
                rule_id, tip, move, when, _text(f, when.concern_open), f.text("try"), alternative
            )
        )
    if not rules[-1].when.always:
        last = f"steps[{len(rules) - 1}].when"
        raise CatalogueError(path, last, "the last rule must always hold")
    return NextSteps(tuple(rules))
