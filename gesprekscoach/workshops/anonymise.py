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


def anonymise(text: str, names: Iterable[str]) -> str:
    def introduction(match: re.Match[str]) -> str:
        return f"{match.group(1)} {NAME}"

    out = _INTRODUCTION.sub(introduction, text)
    parts = {p for name in names for p in re.split(r"\s+", name.strip())
             if len(p) >= 2 and p.lower() not in _PARTICLES}  # fmt: skip
    for part in sorted(parts, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", NAME, out, flags=re.IGNORECASE)
    return out
