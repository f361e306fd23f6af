"""The language check of every casemanager message (tip CK-B2: eenvoudig Nederlands, B1).

Built on libraries made for the job rather than home-made counting:
textstat's Flesch reading ease with language "nl" is the Flesch-Douma formula
(syllables via pyphen's Dutch hyphenation), wordfreq gives how common each
word is in Dutch, and the jargon lexicon names ambtelijke words with a plain
alternative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import textstat
import wordfreq

from gesprekscoach.language.jargon import JargonHit, JargonLexicon

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)
# B1 texts score about 60 or more on Flesch-Douma; under ten words the score
# swings too much to judge by, so short messages are judged on the rest.
MIN_FLESCH = 60.0
MIN_WORDS_FOR_FLESCH = 10
# Writing guides for B1 ("Direct duidelijk", Stichting Makkelijk Lezen) keep
# sentences under about 15-20 words.
MAX_SENTENCE_WORDS = 20
# Zipf frequency: 3 is about once per million words. Below 2.5 a B1 reader
# likely does not know the word (names and jargon are counted elsewhere).
RARE_ZIPF = 2.5
MAX_RARE_WORDS = 1


@dataclass(frozen=True)
class LanguageResult:
    text: str
    b1_ok: bool
    flesch_douma: float | None
    words: int
    sentences: int
    long_sentences: tuple[str, ...]
    rare_words: tuple[str, ...]
    jargon: tuple[JargonHit, ...]
    reasons: tuple[str, ...]
    """Why it is not plain enough, in Dutch for the casemanager."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "b1_ok": self.b1_ok,
            "flesch_douma": self.flesch_douma,
            "words": self.words,
            "sentences": self.sentences,
            "long_sentences": list(self.long_sentences),
            "rare_words": list(self.rare_words),
            "jargon": [
                {"term": h.term, "alternative": h.alternative, "found": h.found}
                for h in self.jargon
            ],
            "reasons": list(self.reasons),
        }


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text.strip()) if WORD.search(s)]


class LanguageChecker:
    def __init__(self, lexicon: JargonLexicon) -> None:
        self.lexicon = lexicon
        textstat.set_lang("nl")

    def _rare(self, sentences: list[str], jargon: tuple[JargonHit, ...]) -> tuple[str, ...]:
        covered = " ".join(hit.found.lower() for hit in jargon)
        rare: list[str] = []
        for sentence in sentences:
            for i, match in enumerate(WORD.finditer(sentence)):
                word = match.group(0)
                lower = word.lower()
                if len(word) < 4 or lower in covered or lower in rare:
                    continue
                if i > 0 and word[0].isupper():
                    continue  # a name
                if wordfreq.zipf_frequency(lower, "nl") < RARE_ZIPF:
                    rare.append(lower)
        return tuple(rare)

    def check(self, text: str) -> LanguageResult:
        sentences = split_sentences(text or "")
        words = WORD.findall(text or "")
        jargon = tuple(self.lexicon.find(text or ""))
        long_sentences = tuple(s for s in sentences if len(WORD.findall(s)) > MAX_SENTENCE_WORDS)
        rare = self._rare(sentences, jargon)
        flesch = round(float(textstat.flesch_reading_ease(text)), 1) if words else None

        reasons: list[str] = []
        if jargon:
            reasons.append("ambtelijke woorden: " + ", ".join(h.found for h in jargon))
        if long_sentences:
            reasons.append(f"zinnen van meer dan {MAX_SENTENCE_WORDS} woorden")
        if len(rare) > MAX_RARE_WORDS:
            reasons.append("weinig gebruikte woorden: " + ", ".join(rare))
        if flesch is not None and len(words) >= MIN_WORDS_FOR_FLESCH and flesch < MIN_FLESCH:
            reasons.append(f"moeilijk leesbaar (Flesch-Douma {flesch:.0f}, B1 is 60 of meer)")
        return LanguageResult(
            text=text,
            b1_ok=not reasons,
            flesch_douma=flesch,
            words=len(words),
            sentences=len(sentences),
            long_sentences=long_sentences,
            rare_words=rare,
            jargon=jargon,
            reasons=tuple(reasons),
        )
