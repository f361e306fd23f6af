"""Sorting raw chat input before the persona reacts to it.

Chat input can be anything: nothing at all, a row of emoji, a pasted
document, markup. The persona reacts to each as a person would, so the engine
first decides what kind of input it got.
"""

from __future__ import annotations

import re
from enum import Enum

TAG = re.compile(r"<[^>]{0,200}>")
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Past this many words a real inwoner stops following (a normal chat message
# is 5-40 words); 5,000 pasted characters is far beyond it.
TOO_LONG_WORDS = 120
TOO_LONG_CHARS = 1200


class InputKind(str, Enum):
    NORMAL = "normal"
    STILTE = "stilte"  # no words at all: empty, whitespace, emoji, symbols
    TE_LANG = "te_lang"  # far too long to take in at once


def visible_text(text: str) -> str:
    """The text without markup tags, as a person reading it would take it in."""
    return " ".join(TAG.sub(" ", text or "").split())


def classify_input(text: str | None) -> InputKind:
    plain = visible_text(text or "")
    words = WORD.findall(plain)
    if not words:
        return InputKind.STILTE
    if len(words) > TOO_LONG_WORDS or len(plain) > TOO_LONG_CHARS:
        return InputKind.TE_LANG
    return InputKind.NORMAL
