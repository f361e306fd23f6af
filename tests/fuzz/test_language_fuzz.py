"""The language check, the act splitter and the topic matcher, fed hostile text.

None of them may raise, whatever is typed; the check's result goes into every
turn's payload and into the database, so it must be strict JSON and stay in
proportion to the message.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from hypothesis import example, given, settings, target
from hypothesis import strategies as st

from gesprekscoach.language.acts import (
    MIN_DUTCH_SHARE,
    LabelledAct,
    label_acts,
    split_acts,
    words,
)
from gesprekscoach.language.check import LanguageResult
from gesprekscoach.language.topics import dutch_share, hits, normalise, touched
from gesprekscoach.moves import FALLBACK
from tests.fuzz.strategies import (
    HUGE,
    MOVE_IDS,
    catalogues,
    dutch_text,
    examples,
    hostile_text,
    long_text,
    wordless_then_sentence,
)

# Every part of the result is a piece of the message, once or twice over (the
# rare words again in the reasons); JSON escapes a control character to six
# characters. Far below this bound is fine; a result growing faster than the
# message (say, every sentence repeated per word) is not.
RESULT_CHARS_PER_CHAR = 24
RESULT_BASE_CHARS = 4096


def _strict_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


@settings(max_examples=examples(40))
@given(text=hostile_text())
@example(text="Wat heeft u nodig? " * 1000)
@example(text="Conform de beschikking dient u de inkomensafhankelijke bijdrage te voldoen. " * 20)
@example(text="\x00\u202e\u200b" * 5000)
@example(text="a\x01" * 10_000)
def test_check_never_raises_and_gives_strict_json_in_proportion(text: str) -> None:
    result = catalogues().language.check(text)
    assert isinstance(result, LanguageResult)
    data = result.to_dict()
    dumped = _strict_json(data)
    target(len(dumped) / (len(text) + 100), label="result characters per message character")
    assert json.loads(dumped) == data
    assert len(dumped) <= RESULT_CHARS_PER_CHAR * len(text) + RESULT_BASE_CHARS
    assert data["text"] == text
    assert result.b1_ok == (not result.reasons)
    assert result.sentences <= result.words
    assert (result.flesch_douma is None) == (result.words == 0)
    if result.flesch_douma is not None:
        assert math.isfinite(result.flesch_douma)
    assert sum(len(s) for s in result.long_sentences) <= len(text)
    assert len(result.rare_words) <= result.words
    assert len(set(result.rare_words)) == len(result.rare_words)
    for hit in result.jargon:
        assert hit.term and hit.alternative and hit.found


@settings(max_examples=examples(80))
@given(text=hostile_text(5000))
@example(text="ΑΣ.Β")  # final sigma: lower() depends on what follows
@example(text="Hoi! hoe gaat het met je?\n\n\nWat heeft u nodig; en waarom - wat nu?")
def test_split_acts_keeps_every_word_in_order(text: str) -> None:
    _check_split(text)


@settings(max_examples=examples(40))
@given(text=wordless_then_sentence)
@example(text="... Wat is dat?")
@example(text="?? Wat bedoelt u?")
@example(text="\U0001f60a\nHoe gaat het met u?")
def test_a_wordless_first_sentence_does_not_break_split_acts(text: str) -> None:
    _check_split(text)


def _check_split(text: str) -> None:
    acts = split_acts(text)
    assert all(a.text and a.text == a.text.strip() for a in acts)
    if not text.strip():
        assert acts == []
    else:
        assert acts, "a message with something in it has at least one act"

    # Splitting only cuts between words: every word of the message is in one act, in order.
    def folded(piece: str) -> list[str]:
        return [w.casefold() for w in words(piece)]

    assert [w for a in acts for w in folded(a.text)] == folded(text)


def _fake_classify(texts: list[str]) -> list[dict[str, float]]:
    """A stand-in classifier: probabilities over the real moves, fixed by each text's hash."""
    rows = []
    for text in texts:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        weights = [digest[i % len(digest)] + 1 for i in range(len(MOVE_IDS))]
        sharp = digest[0] % 4  # from flat to peaked, so both sides of the thresholds occur
        weights = [w**sharp for w in weights]
        total = sum(weights)
        rows.append({m: w / total for m, w in zip(MOVE_IDS, weights, strict=True)})
    return rows


@settings(max_examples=examples(80))
@given(
    text=st.one_of(hostile_text(5000), dutch_text),
    threshold=st.floats(min_value=0.0, max_value=1.0),
    act_threshold=st.floats(min_value=0.0, max_value=1.0),
)
@example(text="", threshold=0.2, act_threshold=0.4)
@example(text="Goedemiddag mevrouw. Wat is uw BSN?", threshold=0.2, act_threshold=0.4)
def test_label_acts_puts_one_act_per_move_main_act_first(
    text: str, threshold: float, act_threshold: float
) -> None:
    labelled = label_acts(text, _fake_classify, threshold, FALLBACK, act_threshold)
    assert labelled, "there is always a main act"
    assert all(isinstance(a, LabelledAct) for a in labelled)
    moves = [a.move for a in labelled]
    assert len(set(moves)) == len(moves), "one act per move"
    assert set(moves) <= {*MOVE_IDS, FALLBACK}
    assert all(0.0 <= a.confidence <= 1.0 for a in labelled)
    # Every act is the whole message or one of its acts as split.
    pieces = {text, *(a.text for a in split_acts(text))}
    assert all(a.text in pieces for a in labelled)
    # The fallback only leads when nothing could be placed.
    if labelled[0].move == FALLBACK:
        assert len(labelled) == 1
    if dutch_share(text) < MIN_DUTCH_SHARE and len(split_acts(text)) <= 1:
        assert moves == [FALLBACK]


@settings(max_examples=examples(50))
@given(
    text=st.one_of(hostile_text(5000), long_text(HUGE)),
    triggers=st.lists(st.one_of(dutch_text, hostile_text(40)), max_size=6),
)
@example(text="mijn dochtre en de shculden", triggers=["dochter", "schuld*", "*", "", " * "])
def test_topic_matching_never_raises(text: str, triggers: list[str]) -> None:
    assert 0.0 <= dutch_share(text) <= 1.0
    plain = normalise(text)
    assert plain == plain.strip() and "  " not in plain
    assert hits(text, triggers) >= 0
    subjects = [(f"s{i}", (trigger,)) for i, trigger in enumerate(triggers)]
    found = touched(text, subjects)
    assert set(found) <= {sid for sid, _ in subjects}
