"""Typed, frozen persona model. See docs/personas.md for the file format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

SLUG = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
"""An id in a persona file: lower case letters, digits and _."""
BANDS = ("low", "mid", "high")
# Trust at or above these values puts the persona in the mid or high band.
BAND_THRESHOLDS = {"mid": 35.0, "high": 65.0}
# Replies every persona needs besides one per move:
#   nlu_fallback: the message could not be placed (confused, asks what is meant)
#   stilte: the message had no words at all (empty, only emoji or symbols)
#   te_lang: the message was far too long to take in at once
SPECIAL_REPLIES = ("nlu_fallback", "stilte", "te_lang")


def band_for(trust: float) -> str:
    if trust >= BAND_THRESHOLDS["high"]:
        return "high"
    if trust >= BAND_THRESHOLDS["mid"]:
        return "mid"
    return "low"


@dataclass(frozen=True)
class Effect:
    """How a move changes the persona's trust and stress (both 0-100 scales)."""

    trust: float = 0.0
    stress: float = 0.0


@dataclass(frozen=True)
class ReplySet:
    """Reply variants per trust band. A flat list in the file fills every band."""

    low: tuple[str, ...]
    mid: tuple[str, ...]
    high: tuple[str, ...]

    def for_band(self, band: str) -> tuple[str, ...]:
        variants: tuple[str, ...] = getattr(self, band)
        return variants

    @property
    def size(self) -> int:
        return len({*self.low, *self.mid, *self.high})


@dataclass(frozen=True)
class Condition:
    """When a reaction or the hidden need applies. Unset fields always match."""

    moves: frozenset[str] = frozenset()
    trust_below: float | None = None
    trust_at_least: float | None = None
    stress_at_least: float | None = None
    stress_below: float | None = None
    turn_at_most: int | None = None
    turn_at_least: int | None = None
    jargon: bool | None = None
    closed_streak_at_least: int | None = None
    earlier_moves: frozenset[str] = frozenset()
    """At least one of these moves must have been made earlier in the session."""
    not_earlier_moves: frozenset[str] = frozenset()
    """None of these moves was made earlier (e.g. going on as if understood, never checked)."""
    says: tuple[str, ...] = ()
    """The message holds one of these words or phrases (topic trigger syntax): what a
    move label cannot tell, such as pity ("zielig") inside an attempt at empathy."""
    concern_open: str | None = None
    """Holds while this concern has not been dealt with."""
    concern_resolved: str | None = None
    """Holds once this concern has been dealt with."""


@dataclass(frozen=True)
class Reaction:
    """A special, realistic reaction to a pitfall (or a good move at the right time).

    Reactions are checked in file order; the first one whose condition holds
    replaces the move's normal reply and effect for that turn.
    """

    id: str
    when: Condition
    effect: Effect
    replies: ReplySet


@dataclass(frozen=True)
class NeedElement:
    """One part of the hidden need, as a casemanager might name it afterwards."""

    id: str
    label: str
    """How the report names it (B1), e.g. "zijn dossier van toen inzien"."""
    triggers: tuple[str, ...]
    """Words that name it (topic trigger syntax: "dossier*", "vaste contactpersoon")."""
    phrases: tuple[str, ...]
    """Ways a casemanager might say it, for the similarity score (feedback.reflection)."""


@dataclass(frozen=True)
class HiddenNeed:
    """What the inwoner really needs, and what it takes to hear it."""

    summary: str
    unlock: Condition
    reveal: ReplySet
    reveal_effect: Effect
    hint: ReplySet | None = None
    """Said when the question is right but trust is not yet high enough."""
    elements: tuple[NeedElement, ...] = ()
    """The need in parts, to score the casemanager's reflection against."""


@dataclass(frozen=True)
class ConcernThoughts:
    acknowledge: ReplySet
    """When the casemanager dealt with the concern."""
    recall: ReplySet
    """When the inwoner brings a promise about it up again."""


@dataclass(frozen=True)
class Thoughts:
    """What the inwoner thinks, per reaction: shown after the session (and during it,
    outside exam mode), so the casemanager sees why it went as it went."""

    moves: dict[str, ReplySet]
    """Per move id and special reply: the thought behind the ordinary reply."""
    reactions: dict[str, ReplySet]
    """Per reaction id."""
    hidden_need: ReplySet
    """When the need comes out."""
    hint: ReplySet | None
    """When the right question comes before the moment (with `hidden_need.hint`)."""
    concerns: dict[str, ConcernThoughts]

    def lines_for(self, reaction: str | None, move: str, concern: str | None) -> ReplySet | None:
        """The thoughts behind what the engine chose (see PersonaEngine.respond)."""
        if reaction == "hidden_need":
            return self.hidden_need
        if reaction == "hint":
            return self.hint
        if reaction in ("concern", "recall") and concern in self.concerns:
            own = self.concerns[concern]
            return own.acknowledge if reaction == "concern" else own.recall
        if reaction is not None and reaction in self.reactions:
            return self.reactions[reaction]
        return self.moves.get(move)


@dataclass(frozen=True)
class Alternative:
    """A better sentence for a weak message, fitted to this inwoner and the moment."""

    try_: str
    why: str
    """The reason, in terms of this inwoner ("Marco vertrouwt je nog niet; ...")."""


@dataclass(frozen=True)
class Topic:
    """One subject of the inwoner's life: what touches it and what they say about it."""

    id: str
    fact: str
    """The truth in one line; the answers never contradict it."""
    triggers: tuple[str, ...]
    answers: ReplySet
    again: tuple[str, ...]
    """Said when the topic comes up again: refers back, same facts."""
    min_trust: float | None = None
    guarded: tuple[str, ...] = ()
    """Said instead of the answers while trust is below min_trust."""


@dataclass(frozen=True)
class Concern:
    """What presses on the inwoner until the casemanager deals with it."""

    id: str
    about: str
    triggers: tuple[str, ...]
    resolved_by: frozenset[str]
    acknowledge: tuple[str, ...]
    remind: tuple[str, ...]
    recall: tuple[str, ...]


@dataclass(frozen=True)
class Variant:
    """How the inwoner is different on the day: another mood, or one fact changed."""

    id: str
    label: str
    """What is different this time, in one B1 line for the report and the trainer."""
    start_trust: float | None = None
    start_stress: float | None = None
    opening: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    """Topics that replace the persona's topics with the same id."""


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    type: str
    age: int
    summary: str
    briefing: str
    opening: tuple[str, ...]
    start_trust: float
    start_stress: float
    effects: dict[str, Effect]
    reactions: tuple[Reaction, ...]
    hidden_need: HiddenNeed
    replies: dict[str, ReplySet]
    topics: tuple[Topic, ...] = ()
    concerns: tuple[Concern, ...] = ()
    thoughts: Thoughts | None = None
    focus_tips: tuple[str, ...] = ()
    """Tips (tips.yml ids) this inwoner is especially good to practise: progress suggests
    practising a weak tip with an inwoner who has it here."""
    alternatives: dict[str, dict[str, Alternative]] = field(default_factory=dict)
    """Per pitfall (feedback.yml flags' `alternative`), per trust band."""
    variants: tuple[Variant, ...] = ()
    variant: Variant | None = None
    """The variant this persona plays in a session (None: the persona as described)."""
    source: str = field(default="", compare=False)

    def effect_of(self, move: str) -> Effect:
        return self.effects.get(move, Effect())

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def concern(self, concern_id: str) -> Concern | None:
        return next((c for c in self.concerns if c.id == concern_id), None)

    def with_variant(self, variant_id: str | None) -> Persona:
        """This persona as the variant plays it; KeyError for a variant it does not have."""
        if variant_id is None:
            return self
        variant = next((v for v in self.variants if v.id == variant_id), None)
        if variant is None:
            raise KeyError(variant_id)
        replaced = {t.id: t for t in variant.topics}
        return replace(
            self,
            variant=variant,
            start_trust=self.start_trust if variant.start_trust is None else variant.start_trust,
            start_stress=(
                self.start_stress if variant.start_stress is None else variant.start_stress
            ),
            opening=variant.opening or self.opening,
            topics=tuple(replaced.get(t.id, t) for t in self.topics),
        )

    def alternative(self, pitfall: str, trust: float) -> Alternative | None:
        """The better sentence for this pitfall at this trust, if the file has one."""
        return self.alternatives.get(pitfall, {}).get(band_for(trust))
