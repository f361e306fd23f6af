"""Example sentences for the group, without who wrote them.

The beamer and the workshop report show casemanagers' own sentences to discuss;
a sentence like "Ik ben Sanne van de gemeente" would give the writer away. Names
of the workshop's participants, and any name after "ik ben", "ik heet" or "mijn
naam is", become "[naam]".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME = "[naam]"
_INTRODUCTION = re.compile(
    r"\b((?i:ik ben|ik heet|mijn naam is|u spreekt met|je spreekt met))\s+"
    r"([A-ZÀ-Ý][\w'-]+)(\s+[A-ZÀ-Ý][\w'-]+)?"
)
_PARTICLES = {"de", "den", "der", "van", "von", "het", "ten", "ter", "te", "in", "op", "la", "le"}


class Anonymiser:
    """Built once for a workshop's names (one pattern), then applied to many sentences."""

    def __init__(self, names: Iterable[str]) -> None:
        parts = {
            p
            for name in names
            for p in re.split(r"\s+", name.strip())
            if len(p) >= 2 and p.lower() not in _PARTICLES
        }
        alternatives = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
        self._names = (
            re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if alternatives else None
        )

    def __call__(self, text: str) -> str:
        out = _INTRODUCTION.sub(lambda m: f"{m.group(1)} {NAME}", text)
        return self._names.sub(NAME, out) if self._names is not None else out


def anonymise(text: str, names: Iterable[str]) -> str:
    return Anonymiser(names)(text)
