"""The casemanager's reflection at /stop: "Wat denk je dat [naam] nodig heeft?", scored.

The answer is scored against the parts of the hidden need (persona file
`hidden_need.elements`). A part counts as *named* when the answer

1. uses one of its trigger words (language.topics.hits: whole words, Dutch
   endings, `*` for any ending, a one-letter typo in longer words), or
2. has a clause (not a bare word in a list) that is closer to this part than to
   any other and close to its label or one of its phrases: cosine similarity of
   character n-grams (3-5 letters within words, TF-IDF weighted) of at least
   NAMED_SIMILARITY, with the small function words left out on both sides.

Why character n-grams: casemanagers answer in their own words, in chat Dutch,
with compounds ("contactpersoon", "fraudedossier"), inflection ("brieven",
"opgeschreven") and typos. Shared letter sequences catch those without a
model download, and a trainer can see why two sentences are close (they share
word parts). Whole-word overlap would miss "fraudedossier" against "dossier";
a sentence-embedding model would need a download and is hard to explain. The
IDF is fitted on the need's own phrases and the answer, so letter sequences
every phrase shares ("wil", "hem") weigh little. A clause counts only for the
part it is most like, so "onderzoek" in a clause about the old suspicion does not
also name the file. NAMED_SIMILARITY was set on 72 clauses as casemanagers write
them, six per part of the three shipped personas, and 24 about other things
(tests/feedback/reflection_answers.yml): no clause names a wrong part (the
closest wrong pair scores 0.40), and 46 of 72 name their own (triggers alone: 32).
The misses use words no file foresees ("mama" for "moeder", "gegevens" for
"dossier"); the report then lists that part as missed. The three inwoners of
issue 15 added 72 clauses (written from their summaries and part labels only)
and their parts' triggers and phrases were tuned on them, so those figures are
fitted; on 48 further clauses written after the tuning, 29 named their own part
(Yonas 14/16, Ingrid 8/16, Demi 7/16) and none a wrong one but a borderline one.

Score: the share of the parts named (each part counts the same: a trainer
reads "2 of 3 named"), times a *focus* factor against gaming. An answer that
lists keywords of every persona ("geld schulden dossier contact rust hulp")
hits some triggers of any need, but most of its words have nothing to do with
this one. Focus looks at the share of the answer's content words that relate
to this need (its triggers, phrases, labels and summary, with endings,
compounds and typos): nothing at FOCUS_NONE or below, full from FOCUS_FULL on,
in a straight line between. Answers of fewer than FOCUS_MIN_WORDS content words
are not judged on focus. In the test answers, a casemanager's own account of the
need has 0.9-1 of its content words related; a dump of every persona's keywords
0.2-0.3 (0.5 for Samira, whose need is about debts), and scores 0.25 at most.
A bare word in a list names a part only through its triggers. An answer that
copies the persona's summary scores high, which is fine: it is the need. Only
the first MAX_CHARS characters of an answer count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gesprekscoach.language.topics import hits, normalise
from gesprekscoach.personas.model import HiddenNeed, NeedElement, Persona
from gesprekscoach.turn import TurnEvent

MAX_CHARS = 2000
NAMED_SIMILARITY = 0.45
FOCUS_NONE = 0.25
FOCUS_FULL = 0.6
FOCUS_MIN_WORDS = 4
MIN_CLAUSE_WORDS = 3
# Letters two words must share at the start, or a longer word must contain, to be
# parts of one compound or forms of one word ("contact"/"contactpersoon").
SHARED_LETTERS = 5
HINT = "hint"
# In a need without parts, words of this length or more from its summary name it.
WHOLE_WORD = 7

# Dutch function words: they carry no part of a need, so they neither make two
# sentences similar nor count as content words of an answer.
_FUNCTION_WORDS = """
    de het een en of maar want dus omdat als dan dat die dit deze wat wie waar hoe
    waarom wanneer welke ik je jij u hij zij ze we wij jullie hun hen hem haar mij
    me mijn jouw uw zijn ons onze zich men er hier daar van in op aan met voor
    door naar uit bij om over onder tot tegen na te toe zonder tussen sinds is ben
    bent was waren wordt worden werd word heeft hebben heb had hadden kan kun kunt
    kunnen kon wil wilt willen wou zou zouden zal zullen moet moeten mag mogen gaat
    gaan ga doet doen doe niet geen wel ook nog al alleen zo heel erg echt even
    gewoon toch nu ja nee eigenlijk misschien denk denkt vind vindt dacht iets
    niets alles veel meer weinig graag nou hoor he eh denken volgens toen nodig weten
    weet wist steeds altijd nooit vooral allemaal komt komen krijgen krijgt iemand
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
_CLAUSE_BREAK = re.compile(r"[.!?;:,\n()]+|\s(?:en|maar|want|omdat|of)\s", re.IGNORECASE)


@dataclass(frozen=True)
class Reflection:
    """What the casemanager thought the inwoner needed, and which parts it names."""

    text: str
    """What the casemanager answered ("" = skipped)."""
    score: float | None
    """0-1; None when skipped."""
    named: tuple[str, ...]
    """Labels of the need's parts the answer names."""
    missed: tuple[str, ...]
    """Labels of the parts it does not."""
    person: str | None = None
    """The writer's pseudonym in a group round."""

    @property
    def skipped(self) -> bool:
        return self.score is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "score": self.score,
            "named": list(self.named),
            "missed": list(self.missed),
            "person": self.person,
            "skipped": self.skipped,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Reflection | None:
        """A stored reflection back; None when it is no reflection at all. Lenient:
        a value of the wrong type takes its default."""
        if not isinstance(data, dict):
            return None
        raw = data.get("score")
        score = None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
            score = float(raw)
        person = data.get("person")
        return cls(
            text=str(data.get("text") or ""),
            score=min(1.0, max(0.0, score)) if score is not None else None,
            named=_labels(data.get("named")),
            missed=_labels(data.get("missed")),
            person=str(person) if person is not None else None,
        )


def _labels(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()


def _content(text: str) -> list[str]:
    """The words of a text that can carry meaning: no function words, no numbers."""
    return [w for w in normalise(text).split() if w not in FUNCTION_WORDS and not w.isdigit()]


def _clauses(text: str) -> list[str]:
    """The answer's clauses, content words only. A bare word in a list ("kinderen,
    jeugdzorg, zelf") is left out: one word is a subject, not a need, and names a part
    only as one of its triggers. A short clause of a sentence ("wat er toen over hem is
    opgeschreven") stays."""
    out = []
    for part in _CLAUSE_BREAK.split(text):
        words = _content(part)
        if len(words) >= 2 or (words and len(normalise(part).split()) >= MIN_CLAUSE_WORDS):
            out.append(" ".join(words))
    return out


def _similarities(clauses: list[str], elements: Sequence[NeedElement]) -> list[float]:
    """Per part of the need, the best similarity of a clause that is closest to it.

    Each clause counts for the one part it is most like (its label or a phrase), so a
    clause about the old suspicion does not also name the file because both mention
    "onderzoek".
    """
    phrases = [
        (i, " ".join(_content(p))) for i, e in enumerate(elements) for p in (e.label, *e.phrases)
    ]
    phrases = [(i, p) for i, p in phrases if p]
    best = [0.0] * len(elements)
    if not clauses or not phrases:
        return best
    # Imported here: reading a stored Reflection (dashboard, bot) needs no scikit-learn.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectoriser.fit_transform([p for _, p in phrases] + clauses)
    scores = cosine_similarity(matrix[len(phrases) :], matrix[: len(phrases)])
    for row in scores:
        per_part = [0.0] * len(elements)
        for column, (element, _) in enumerate(phrases):
            per_part[element] = max(per_part[element], float(row[column]))
        closest = max(range(len(elements)), key=per_part.__getitem__)
        best[closest] = max(best[closest], per_part[closest])
    return best


def _whole(need: HiddenNeed) -> NeedElement:
    """A need not split into parts (a persona file without `elements`): one part, named by
    the summary's longer words (not names) and close to any of its clauses."""
    summary = need.summary.strip()
    label = re.split(r"(?<=[.!?])\s+", summary)[0]
    words = (w for w in re.findall(r"\w+", summary) if w.islower() and len(w) >= WHOLE_WORD)
    triggers = tuple(dict.fromkeys(w for w in words if w not in FUNCTION_WORDS))
    clauses = tuple(c.strip() for c in _CLAUSE_BREAK.split(summary) if c.strip())
    return NeedElement("behoefte", label, triggers, clauses)


def _with_typos(triggers: tuple[str, ...]) -> tuple[str, ...]:
    """The triggers, and each `word*` also as the plain word: topics.hits allows a typo
    in a plain word but not in a prefix, and "dosier" should still name "dossier*"."""
    return triggers + tuple(t.rstrip("*") for t in triggers if t.endswith("*"))


def _vocabulary(need: HiddenNeed) -> frozenset[str]:
    texts = [need.summary]
    for element in need.elements:
        texts.extend((element.label, *element.phrases, *element.triggers))
    return frozenset(w for text in texts for w in _content(text))


def _related(word: str, vocabulary: frozenset[str]) -> bool:
    """Whether a word of the answer is about this need: the same word, an inflection or
    typo of one (topics.hits), or a part of the same compound."""
    if word in vocabulary or hits(word, vocabulary):
        return True
    if len(word) < SHARED_LETTERS:
        return False
    return any(
        len(known) >= SHARED_LETTERS
        and (known[:SHARED_LETTERS] == word[:SHARED_LETTERS] or known in word or word in known)
        for known in vocabulary
    )


def focus(need: HiddenNeed, text: str) -> float:
    """How much of the answer is about this need (0-1); see the module docstring."""
    words = _content(text)
    if len(words) < FOCUS_MIN_WORDS:
        return 1.0
    vocabulary = _vocabulary(need)
    share = sum(_related(w, vocabulary) for w in words) / len(words)
    return min(1.0, max(0.0, (share - FOCUS_NONE) / (FOCUS_FULL - FOCUS_NONE)))


def score_reflection(need: HiddenNeed, text: str, person: str | None = None) -> Reflection:
    """Score an answer to "Wat denk je dat ... nodig heeft?"; empty text is a skip."""
    answer = text.strip()[:MAX_CHARS]
    elements = need.elements or (_whole(need),)
    if not answer or not normalise(answer):
        return Reflection("", None, (), tuple(e.label for e in elements), person)
    similar = _similarities(_clauses(answer), elements)
    named = [
        hits(answer, _with_typos(e.triggers)) > 0 or similar[i] >= NAMED_SIMILARITY
        for i, e in enumerate(elements)
    ]
    share = sum(named) / len(elements)
    return Reflection(
        text=answer,
        score=round(share * focus(need, answer), 2),
        named=tuple(e.label for e, hit in zip(elements, named, strict=True) if hit),
        missed=tuple(e.label for e, hit in zip(elements, named, strict=True) if not hit),
        person=person,
    )


def best_score(reflections: Iterable[Reflection]) -> float | None:
    """The best score among answers (a group round); None when everyone skipped."""
    scores = [r.score for r in reflections if r.score is not None]
    return max(scores) if scores else None


def need_moments(persona: Persona, turns: Sequence[TurnEvent]) -> tuple[int, ...]:
    """The message numbers where the need could have been found.

    Where the inwoner gave a signal (a hint), and where trust after the message had
    reached the need's unlock level while the need was still hidden and the message
    was not one of the moves that bring it out. Only before the need came out.
    """
    unlock = persona.hidden_need.unlock
    moments: list[int] = []
    for turn in turns:
        if turn.hidden_need_revealed or turn.hidden_need_found:
            break
        ready = unlock.trust_at_least is not None and turn.trust >= unlock.trust_at_least
        missed = ready and not unlock.moves.intersection(turn.all_moves)
        if turn.reaction == HINT or missed:
            moments.append(turn.number)
    return tuple(moments)
