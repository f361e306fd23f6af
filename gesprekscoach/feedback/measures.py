"""Conversation measures in the spirit of MITI, the coding used to score counselling skill.

MITI counts open against closed questions, reflections against questions,
and how much the counsellor talks; we add what matters in these conversations:
when the needs question came, whether data was asked before trust was built,
and the inwoner's trust and stress over the turns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gesprekscoach.moves import CLOSED_MOVES, NEEDS_QUESTIONS
from gesprekscoach.turn import TurnEvent

# The needs questions are open questions too.
OPEN_QUESTIONS = frozenset({"open_vraag", "doorvragen", "check_begrip"}) | NEEDS_QUESTIONS
REFLECTIONS = frozenset({"empathie", "samenvatten"})
TRUST_BUILT = 50.0
"""Trust at which asking for data no longer counts as too early."""


@dataclass(frozen=True)
class Measures:
    turns: int
    questions: int
    open_question_share: float | None
    reflections: int
    reflections_per_question: float | None
    casemanager_word_share: float | None
    first_needs_question_turn: int | None
    data_before_trust: bool
    data_before_trust_turns: tuple[int, ...]
    plain_language_share: float | None
    trust_curve: tuple[float, ...]
    stress_curve: tuple[float, ...]
    hidden_need_found: bool
    hidden_need_turn: int | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("data_before_trust_turns", "trust_curve", "stress_curve"):
            data[key] = list(data[key])
        return data


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 2) if whole else None


def measure(
    turns: list[TurnEvent],
    start_trust: float,
    start_stress: float,
    hidden_need_turn: int | None,
) -> Measures:
    # Every act of a message counts: "Dat klinkt zwaar. Hoe gaat het nu?" is a
    # reflection and an open question.
    open_q = sum(len(OPEN_QUESTIONS.intersection(t.all_moves)) for t in turns)
    closed_q = sum(len(CLOSED_MOVES.intersection(t.all_moves)) for t in turns)
    questions = open_q + closed_q
    reflections = sum(len(REFLECTIONS.intersection(t.all_moves)) for t in turns)
    own_words = sum(t.words for t in turns)
    their_words = sum(len(t.reply.split()) for t in turns)
    needs = [t.number for t in turns if NEEDS_QUESTIONS.intersection(t.all_moves)]
    early_data = tuple(
        t.number for t in turns if "info_opvragen" in t.all_moves and t.trust_before < TRUST_BUILT
    )
    checked = [t for t in turns if t.language]
    return Measures(
        turns=len(turns),
        questions=questions,
        open_question_share=_ratio(open_q, questions),
        reflections=reflections,
        reflections_per_question=_ratio(reflections, questions),
        casemanager_word_share=_ratio(own_words, own_words + their_words),
        first_needs_question_turn=needs[0] if needs else None,
        data_before_trust=bool(early_data),
        data_before_trust_turns=early_data,
        plain_language_share=_ratio(sum(t.b1_ok for t in checked), len(checked)),
        trust_curve=(start_trust, *(t.trust for t in turns)),
        stress_curve=(start_stress, *(t.stress for t in turns)),
        hidden_need_found=hidden_need_turn is not None,
        hidden_need_turn=hidden_need_turn,
    )
