"""`TurnEvent`: everything one casemanager message produced, as one typed object.

The action server makes it (`practice.turn`), sends it to clients as the JSON payload
of the persona's reply, and the session log, the transcript for feedback, the bot and
the CLI read it back. The payload is written and read here only (`to_payload`,
`from_payload`); nobody else indexes it by key.

Adding a logged field: a field here (with its payload key in both converters), a
column in `storage/models.py` (and its line in `TurnRecord.from_event`) and a
migration. `tests/test_turn.py` fails until the round trip and the row carry it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeGuard

from gesprekscoach.engine.inputs import InputKind
from gesprekscoach.engine.state import NeedStage
from gesprekscoach.language.acts import LabelledAct
from gesprekscoach.language.check import LanguageResult
from gesprekscoach.language.jargon import JargonHit
from gesprekscoach.protocol import TURN, kind_of

HIDDEN_NEED = "hidden_need"


class PayloadError(ValueError):
    """A payload that is not a turn the converters can read; `key` says where it failed."""

    def __init__(self, key: str, value: Any, wanted: str) -> None:
        super().__init__(f"turn payload: {key!r} is not {wanted}: {value!r}")
        self.key = key


@dataclass(frozen=True)
class Standing:
    """How the inwoner stands towards the casemanager: trust and stress, 0-100.

    The engine keeps both to one decimal (engine.clamp), which is what lets the
    payload carry only the change and still give the standing before back exactly.
    """

    trust: float
    stress: float


@dataclass(frozen=True)
class TurnEvent:
    number: int
    """The turn's number in the practice, from 1."""
    persona: str
    text: str
    """The casemanager's message, as stored (see control.storable)."""
    reply: str
    move: str
    """The main act the persona reacted to (a move id, nlu_fallback, stilte or te_lang)."""
    before: Standing
    after: Standing
    moves: tuple[str, ...] = ()
    """Every act's move, main act first (empty in turns logged before acts existed)."""
    acts: tuple[LabelledAct, ...] = ()
    topics: tuple[str, ...] = ()
    """The topics of the inwoner's life the reply spoke to."""
    concern_resolved: str | None = None
    nlu_move: str | None = None
    confidence: float = 0.0
    """NLU's confidence in the main act, to three decimals as clients get it."""
    input_kind: str = InputKind.NORMAL.value
    reaction: str | None = None
    """Id of the special reaction that fired, if any ("hidden_need", "hint", "concern"...)."""
    mood: str = ""
    need_stage: str = NeedStage.HIDDEN.value
    hidden_need_found: bool = False
    hidden_need_turn: int | None = None
    language: LanguageResult | None = None
    """The language check of the message (None in turns logged without one)."""
    coaching: tuple[str, ...] = ()
    """Hints shown during the conversation."""
    thought: str = ""
    """What the inwoner thought of the message (persona file `thoughts`): shown after the
    session, and during it only outside exam mode."""

    @property
    def trust(self) -> float:
        return self.after.trust

    @property
    def stress(self) -> float:
        return self.after.stress

    @property
    def trust_before(self) -> float:
        return self.before.trust

    @property
    def trust_delta(self) -> float:
        return round(self.after.trust - self.before.trust, 1)

    @property
    def stress_delta(self) -> float:
        return round(self.after.stress - self.before.stress, 1)

    @property
    def hidden_need_revealed(self) -> bool:
        return self.reaction == HIDDEN_NEED

    @property
    def all_moves(self) -> tuple[str, ...]:
        return self.moves or (self.move,)

    @property
    def jargon(self) -> tuple[JargonHit, ...]:
        return self.language.jargon if self.language else ()

    @property
    def b1_ok(self) -> bool:
        return self.language.b1_ok if self.language else True

    @property
    def words(self) -> int:
        return len(self.text.split())

    def to_payload(self) -> dict[str, Any]:
        """The JSON payload of the persona's reply (`coach` key), as clients receive it."""
        language = self.language.to_dict() if self.language else {}
        acts = [{"text": a.text, "move": a.move, "confidence": a.confidence} for a in self.acts]
        return {
            "kind": TURN,
            "text": self.text,
            "reply": self.reply,
            "move": self.move,
            "moves": list(self.moves),
            "acts": acts,
            "topics": list(self.topics),
            "concern_resolved": self.concern_resolved,
            "nlu_move": self.nlu_move,
            "confidence": round(self.confidence, 3),
            "input_kind": self.input_kind,
            "reaction": self.reaction,
            "trust_delta": self.trust_delta,
            "stress_delta": self.stress_delta,
            "jargon": language.get("jargon", []),
            "language": language,
            "coaching": list(self.coaching),
            "thought": self.thought,
            "persona": self.persona,
            "turn": self.number,
            "trust": self.after.trust,
            "stress": self.after.stress,
            "mood": self.mood,
            "need_stage": self.need_stage,
            "hidden_need_found": self.hidden_need_found,
            "hidden_need_turn": self.hidden_need_turn,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], reply: str | None = None) -> TurnEvent:
        """Read a turn payload back (from the tracker, the REST output or the spool).

        `reply` is the persona's text when the payload travelled beside it. Raises
        PayloadError when the payload is not a turn, or its number, move, trust or
        stress is missing or not a finite value; anything else missing takes its default
        (turns logged before acts or the language check existed).
        """
        if kind_of(payload) != TURN:
            raise PayloadError("kind", payload.get("kind"), repr(TURN))
        after = Standing(_number(payload, "trust"), _number(payload, "stress"))
        # The change is rounded to one decimal, as the standings are.
        before = Standing(
            round(after.trust - _number(payload, "trust_delta", 0.0), 1),
            round(after.stress - _number(payload, "stress_delta", 0.0), 1),
        )
        move = payload.get("move")
        if not isinstance(move, str):
            raise PayloadError("move", move, "a text")
        language = payload.get("language")
        acts = payload.get("acts")
        return cls(
            number=_integer(payload, "turn"),
            persona=str(payload.get("persona") or ""),
            text=str(payload.get("text") or ""),
            reply=str(reply if reply is not None else payload.get("reply") or ""),
            move=move,
            before=before,
            after=after,
            moves=_strings(payload.get("moves")),
            acts=tuple(_act(a) for a in acts if isinstance(a, dict)) if _listed(acts) else (),
            topics=_strings(payload.get("topics")),
            concern_resolved=_optional_str(payload.get("concern_resolved")),
            nlu_move=_optional_str(payload.get("nlu_move")),
            confidence=_loose_float(payload.get("confidence")),
            input_kind=str(payload.get("input_kind") or InputKind.NORMAL.value),
            reaction=_optional_str(payload.get("reaction")),
            mood=str(payload.get("mood") or ""),
            need_stage=str(payload.get("need_stage") or NeedStage.HIDDEN.value),
            hidden_need_found=bool(payload.get("hidden_need_found")),
            hidden_need_turn=_optional_int(payload.get("hidden_need_turn")),
            language=language_from_dict(language) if isinstance(language, dict) else None,
            coaching=_strings(payload.get("coaching")),
            thought=str(payload.get("thought") or ""),
        )


def language_from_dict(data: dict[str, Any]) -> LanguageResult | None:
    """A language check as `LanguageResult.to_dict` wrote it; None for an empty dict.

    Lenient: a value of the wrong type takes its default, so an odd stored check never
    stops a turn from being read.
    """
    if not data:
        return None
    flesch = data.get("flesch_douma")
    hits = data.get("jargon")
    return LanguageResult(
        text=str(data.get("text") or ""),
        b1_ok=bool(data.get("b1_ok", True)),
        flesch_douma=float(flesch) if _real(flesch) else None,
        words=_optional_int(data.get("words")) or 0,
        sentences=_optional_int(data.get("sentences")) or 0,
        long_sentences=_strings(data.get("long_sentences")),
        rare_words=_strings(data.get("rare_words")),
        jargon=tuple(_hit(h) for h in hits if isinstance(h, dict)) if _listed(hits) else (),
        reasons=_strings(data.get("reasons")),
    )


def _real(value: Any) -> TypeGuard[int | float]:
    """A JSON number (a bool is not one), however large: no int too big for a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, float) or abs(value) < 2**1023


def _number(payload: dict[str, Any], key: str, default: float | None = None) -> float:
    value = payload.get(key)
    if value is None and default is not None:
        return default
    if not _real(value) or not math.isfinite(value):
        raise PayloadError(key, value, "a finite number")
    return float(value)


def _integer(payload: dict[str, Any], key: str) -> int:
    """A whole number, kept exact (a float would round a turn number past 2**53)."""
    value = payload.get(key)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(key, value, "a whole number")
    return value


def _loose_float(value: Any) -> float:
    """A number as sent (even NaN, which a client may pass for confidence), else 0.0."""
    return float(value) if _real(value) else 0.0


def _listed(value: Any) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(value, (list, tuple))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if _listed(value) else ()


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _act(data: dict[str, Any]) -> LabelledAct:
    return LabelledAct(
        str(data.get("text") or ""),
        str(data.get("move") or ""),
        _loose_float(data.get("confidence")),
    )


def _hit(data: dict[str, Any]) -> JargonHit:
    return JargonHit(
        str(data.get("term", "")), str(data.get("alternative", "")), str(data.get("found", ""))
    )
