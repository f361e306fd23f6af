"""Which topics of the inwoner's life a message touches.

A small matcher of our own over the trigger words in the persona file, rather
than Rasa entities with lookup tables: topics belong to one persona (Marco's
"Daan", Samira's "Noor"), are read from the persona file at run time so that
adding a topic needs no retraining, and must tolerate chat typos ("zoon" as
"zon" is too short to guess, but "dochtre" is "dochter"). Matching is on whole
words, case and accents ignored, a trailing `*` matches any ending, plurals
and diminutives match without a star ("schuld" finds "schulden"), and a
word of five letters or more may be one edit away, as long as the typed word
is no Dutch word of its own (wordfreq: "regel" is not a typo of "regen") and
starts with the same letter ("iets" is not "fiets").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import wordfreq

_WORD = re.compile(r"[a-z0-9]+")
FUZZY_MIN_LENGTH = 5
# Dutch endings a trigger may carry without being written out (plural, diminutive,
# inflection): "schuld" finds "schulden", "broer" finds "broertje".
SUFFIXES = frozenset({"s", "en", "n", "e", "je", "tje", "pje", "jes", "tjes", "er", "ers", "es"})
INFLECT_MIN_LENGTH = 4
# A token at least this common in Dutch (wordfreq's Zipf scale: 3 is about once
# in a million words) is a word in its own right, not a typo.
KNOWN_WORD_ZIPF = 2.5


def normalise(text: str) -> str:
    """Lower case, accents off, only letters, digits and single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain))


def _one_edit_apart(a: str, b: str) -> bool:
    """Levenshtein distance of at most one (a swap of two neighbours counts as one)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


@lru_cache(maxsize=65536)
def is_dutch_word(token: str) -> bool:
    """A word Dutch writers use (wordfreq), so not a typo of another one: "regel" is not "regen"."""
    return wordfreq.zipf_frequency(token, "nl") >= KNOWN_WORD_ZIPF


@lru_cache(maxsize=65536)
def _reads_as_dutch(token: str) -> bool:
    nl = wordfreq.zipf_frequency(token, "nl")
    return nl >= KNOWN_WORD_ZIPF and nl >= wordfreq.zipf_frequency(token, "en") - 1.0


CODE_TOKEN = re.compile(r"^/\w|\w_\w|[{}<>]|\w\(")


def dutch_share(text: str) -> float:
    """The share of words that are Dutch rather than English or nothing at all (0-1).

    "asdkj qwpoe" and "Could you send me the documents?" score near 0; chat
    Dutch with a typo or two ("hoe gaat t met je dochtre") well above one half.
    """
    # A command, an identifier or markup ("/vraag_wat_nodig", '{"seed":1}', "<b>") is
    # not Dutch speech, however Dutch its letters are once the punctuation is gone.
    raw = text.split()
    speech = " ".join(t for t in raw if not CODE_TOKEN.search(t))
    code = len(raw) - len(speech.split())
    tokens = [t for t in normalise(speech).split() if not t.isdigit()]
    total = len(tokens) + code
    return sum(_reads_as_dutch(t) for t in tokens) / total if total else 0.0


def _typo_of(token: str, word: str) -> bool:
    """A chat typo of a longer word: one edit away, same first letter, and no word of its own."""
    return (
        min(len(word), len(token)) >= FUZZY_MIN_LENGTH
        and token[0] == word[0]
        and not token.isdigit()
        and _one_edit_apart(token, word)
        and not is_dutch_word(token)
    )


def _inflected(token: str, word: str) -> bool:
    """A plural, diminutive or inflected form of the word: "schulden", "zoontje", "kindje"."""
    return (
        len(word) >= INFLECT_MIN_LENGTH
        and token.startswith(word)
        and token[len(word) :] in SUFFIXES
    )


@dataclass(frozen=True)
class _Pattern:
    words: tuple[str, ...]
    prefix: bool
    """The last word may go on (trigger written with a trailing *)."""

    @property
    def weight(self) -> int:
        return max(1, sum(len(w) >= 4 for w in self.words))

    def matches_at(self, tokens: list[str], start: int) -> bool:
        if start + len(self.words) > len(tokens):
            return False
        for offset, word in enumerate(self.words):
            token = tokens[start + offset]
            last = offset == len(self.words) - 1
            if last and self.prefix:
                if not token.startswith(word):
                    return False
            elif token != word and not _inflected(token, word) and not _typo_of(token, word):
                return False
        return True


@lru_cache(maxsize=4096)
def _pattern(trigger: str) -> _Pattern | None:
    prefix = trigger.strip().endswith("*")
    words = tuple(normalise(trigger).split())
    return _Pattern(words, prefix) if words else None


@dataclass(frozen=True)
class _Text:
    """A message read once for matching: its words, their stems, and its possible typos."""

    tokens: tuple[str, ...]
    words: frozenset[str]
    stems: frozenset[str]
    """Each word without a Dutch ending it may carry ("schulden" -> "schuld")."""
    typos: tuple[str, ...]
    """Words of five letters or more that are no Dutch word: the only typo candidates."""

    @classmethod
    def read(cls, text: str) -> _Text:
        tokens = tuple(normalise(text).split())
        stems = {
            t[: -len(suffix)]
            for t in tokens
            for suffix in SUFFIXES
            if t.endswith(suffix) and len(t) - len(suffix) >= INFLECT_MIN_LENGTH
        }
        typos = tuple(
            t
            for t in set(tokens)
            if len(t) >= FUZZY_MIN_LENGTH and not t.isdigit() and not is_dutch_word(t)
        )
        return cls(tokens, frozenset(tokens), frozenset(stems), typos)

    def has(self, pattern: _Pattern) -> bool:
        if len(pattern.words) == 1:
            word = pattern.words[0]
            if pattern.prefix:
                return any(t.startswith(word) for t in self.words)
            return (
                word in self.words
                or (len(word) >= INFLECT_MIN_LENGTH and word in self.stems)
                or any(_typo_of(t, word) for t in self.typos)
            )
        fixed = pattern.words[:-1] if pattern.prefix else pattern.words
        if not self.typos and any(w not in self.words and w not in self.stems for w in fixed):
            return False  # a word of the phrase is missing: no need to look for the phrase
        tokens = list(self.tokens)
        return any(pattern.matches_at(tokens, i) for i in range(len(tokens)))


def _score(text: _Text, triggers: Iterable[str]) -> int:
    score = 0
    for trigger in triggers:
        pattern = _pattern(trigger)
        if pattern and text.has(pattern):
            score += pattern.weight
    return score


def hits(text: str, triggers: Iterable[str]) -> int:
    """How strongly the triggers occur in the text (0: not at all).

    A trigger counts for its words of four letters or more (at least 1), so
    "hoeveel bijstand" names the amount more clearly than "bijstand" names the
    income, while "in de buurt" weighs no more than "familie".
    """
    return _score(_Text.read(text), triggers)


def touched(text: str, subjects: Iterable[tuple[str, tuple[str, ...]]]) -> tuple[str, ...]:
    """The ids of the subjects (id, triggers) the text touches, most triggers first."""
    read = _Text.read(text)
    scored = [(_score(read, triggers), i, sid) for i, (sid, triggers) in enumerate(subjects)]
    return tuple(sid for n, _, sid in sorted(scored, key=lambda s: (-s[0], s[1])) if n)
