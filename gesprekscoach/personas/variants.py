"""Variants of a persona: per session another mood or one fact, chosen by seed.

A casemanager who meets the same inwoner again should not get a replay. The
file lists the variants (docs/personas.md); a seed picks one, so a session is
still reproducible, and `seed_for_another` lets a client draw a seed whose
variant differs from the ones this casemanager met last.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from gesprekscoach.catalogue import Fields
from gesprekscoach.personas.model import SLUG, Persona, Topic, Variant

NONE = "geen"
"""The control value for the persona as described, without a variant."""
RANDOM = "willekeurig"
"""The control value for a variant chosen by the seed."""
MAX_SEED = 2**31 - 1


def choose(persona: Persona, seed: int) -> str | None:
    """The variant this seed gives: one of the file's variants, or None when it has none.

    A string seed for Random is hashed the same in every process (unlike hash()).
    """
    if not persona.variants:
        return None
    return random.Random(f"variant:{persona.id}:{seed}").choice(persona.variants).id


def resolve(persona: Persona, wanted: str | None, seed: int) -> str | None:
    """The variant a start asks for: none, the seed's choice, or a named one (KeyError)."""
    if wanted in (None, NONE):
        return None
    if wanted == RANDOM:
        return choose(persona, seed)
    if not any(v.id == wanted for v in persona.variants):
        raise KeyError(wanted)
    return wanted


def seed_for_another(
    persona: Persona, recent: Collection[str | None], rng: random.Random, tries: int = 64
) -> int:
    """A fresh seed whose variant is not among the `recent` ones (when the file has others)."""
    seed = rng.randrange(MAX_SEED)
    left = {v.id for v in persona.variants} - set(recent)
    if not left:
        return seed
    for _ in range(tries):
        if choose(persona, seed) in left:
            return seed
        seed = rng.randrange(MAX_SEED)
    return seed


def load_variants(
    top: Fields,
    persona: Persona,
    load_topic: Callable[[Fields], Topic],
    numbers_in: Callable[[str], list[str]],
) -> tuple[Variant, ...]:
    """The file's `variants:`, each checked against the persona it changes."""
    if not top.has("variants"):
        return ()
    raw = top.raw("variants")
    if not isinstance(raw, list) or not raw:
        raise top.error("variants", "must be a non-empty list")
    seen: set[str] = set()
    variants = []
    for i, item in enumerate(raw):
        f = Fields(top.path, item, f"variants[{i}]")
        f.unknown_keys({"id", "label", "start", "opening", "topics"})
        variant = _variant(f, persona, load_topic)
        if variant.id in seen:
            raise f.error("id", f"duplicate variant id {variant.id!r}")
        seen.add(variant.id)
        _check_numbers(f, top.data, variant, persona, numbers_in)
        variants.append(variant)
    return tuple(variants)


def _variant(f: Fields, persona: Persona, load_topic: Callable[[Fields], Topic]) -> Variant:
    variant_id = f.text("id")
    if not SLUG.match(variant_id) or variant_id in (NONE, RANDOM):
        raise f.error("id", f"must be a slug other than {NONE!r} and {RANDOM!r}")
    trust = stress = None
    if f.has("start"):
        start = f.sub("start")
        start.unknown_keys({"trust", "stress"})
        trust = start.number("trust", low=0, high=100) if start.has("trust") else None
        stress = start.number("stress", low=0, high=100) if start.has("stress") else None
    topics = []
    raw_topics = f.data.get("topics") or []
    if not isinstance(raw_topics, list):
        raise f.error("topics", "must be a list of topics")
    known = {t.id for t in persona.topics}
    for j, item in enumerate(raw_topics):
        topic = load_topic(Fields(f.path, item, f.name(f"topics[{j}]")))
        if topic.id not in known:
            raise f.error(f"topics[{j}].id", f"the persona has no topic {topic.id!r} to replace")
        topics.append(topic)
    variant = Variant(
        id=variant_id,
        label=f.text("label"),
        start_trust=trust,
        start_stress=stress,
        opening=f.texts("opening", min_items=2) if f.has("opening") else (),
        topics=tuple(topics),
    )
    if variant.start_trust is None and variant.start_stress is None and not variant.topics:
        raise f.error("(top)", "changes nothing: give a start (mood) or topics (a fact)")
    return variant


def _check_numbers(
    f: Fields,
    data: Mapping[str, Any],
    variant: Variant,
    persona: Persona,
    numbers_in: Callable[[str], list[str]],
) -> None:
    """A number the variant takes out of a fact must not be said anywhere else in it."""
    replaced = {t.id for t in variant.topics}
    gone: set[str] = set()
    for topic in variant.topics:
        base = persona.topic(topic.id)
        if base is not None:
            gone |= set(numbers_in(base.fact)) - set(numbers_in(topic.fact))
    if not gone:
        return
    skip = {"variants", "triggers", "id"}
    if variant.opening:
        skip.add("opening")
    said = list(_texts(data, "", skip, replaced))
    said += [(f"opening[{k}]", line) for k, line in enumerate(variant.opening)]
    for where, text in said:
        left = sorted(gone & set(numbers_in(text)))
        if left:
            raise f.error(
                "topics",
                f"takes {left[0]!r} out of a fact, but {where} still says it: {text!r}",
            )


def _texts(data: Any, where: str, skip: set[str], topics: set[str]) -> Iterator[tuple[str, str]]:
    """Every text in the raw file with where it is, leaving out the replaced topics."""
    if isinstance(data, str):
        yield where, data
    elif isinstance(data, Mapping):
        if where.startswith("topics[") and data.get("id") in topics:
            return
        for key, value in data.items():
            if str(key) not in skip:
                yield from _texts(value, f"{where}.{key}" if where else str(key), skip, topics)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _texts(value, f"{where}[{i}]", skip, topics)


def labels(persona: Persona) -> dict[str, str]:
    """Variant id to label, for clients that let a trainer pick one."""
    return {v.id: v.label for v in persona.variants}
