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
from typing import Any

from gesprekscoach.language.acts import LabelledAct
from gesprekscoach.language.check import LanguageResult
from gesprekscoach.language.jargon import JargonHit

TURN = "turn"
HIDDEN_NEED = "hidden_need"


class PayloadError(ValueError):
    """A payload that is not a turn the converters can read; the message says which key."""


@dataclass(frozen=True)
class Standing:
    """How the inwoner stands towards the casemanager: trust and stress, 0-100."""

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
    input_kind: str = "text"
    reaction: str | None = None
    """Id of the special reaction that fired, if any ("hidden_need", "hint", "concern"...)."""
    mood: str = ""
    need_stage: str = "hidden"
    hidden_need_found: bool = False
    hidden_need_turn: int | None = None
    language: LanguageResult | None = None
    """The language check of the message (None in turns logged without one)."""
    coaching: tuple[str, ...] = ()
    """Hints shown during the conversation."""

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
        return self.after.trust - self.before.trust

    @property
    def stress_delta(self) -> float:
        return self.after.stress - self.before.stress

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
        return {
            "kind": TURN,
            "text": self.text,
            "reply": self.reply,
            "move": self.move,
            "moves": list(self.moves),
            "acts": [
                {"text": a.text, "move": a.move, "confidence": a.confidence} for a in self.acts
            ],
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
        PayloadError when the payload is not a turn or lacks its number, trust or stress.
        """
        if payload.get("kind") != TURN:
            raise PayloadError(f"not a turn payload: kind={payload.get('kind')!r}")
        trust, stress = _number(payload, "trust"), _number(payload, "stress")
        after = Standing(trust, stress)
        before = Standing(
            trust - _number(payload, "trust_delta", 0.0),
            stress - _number(payload, "stress_delta", 0.0),
        )
        language = payload.get("language")
        return cls(
            number=int(_number(payload, "turn")),
            persona=str(payload.get("persona") or ""),
            text=str(payload.get("text") or ""),
            reply=str(reply if reply is not None else payload.get("reply") or ""),
            move=str(payload.get("move")),
            before=before,
            after=after,
            moves=_strings(payload.get("moves")),
            acts=tuple(_act(a) for a in payload.get("acts") or () if isinstance(a, dict)),
            topics=_strings(payload.get("topics")),
            concern_resolved=_optional_str(payload.get("concern_resolved")),
            nlu_move=_optional_str(payload.get("nlu_move")),
            confidence=_number(payload, "confidence", 0.0),
            input_kind=str(payload.get("input_kind") or "text"),
            reaction=_optional_str(payload.get("reaction")),
            mood=str(payload.get("mood") or ""),
            need_stage=str(payload.get("need_stage") or "hidden"),
            hidden_need_found=bool(payload.get("hidden_need_found")),
            hidden_need_turn=_optional_int(payload.get("hidden_need_turn")),
            language=language_from_dict(language) if isinstance(language, dict) else None,
            coaching=_strings(payload.get("coaching")),
        )


def language_from_dict(data: dict[str, Any]) -> LanguageResult | None:
    """A language check as `LanguageResult.to_dict` wrote it; None for an empty dict."""
    if not data:
        return None
    flesch = data.get("flesch_douma")
    return LanguageResult(
        text=str(data.get("text") or ""),
        b1_ok=bool(data.get("b1_ok", True)),
        flesch_douma=float(flesch) if isinstance(flesch, (int, float)) else None,
        words=int(data.get("words") or 0),
        sentences=int(data.get("sentences") or 0),
        long_sentences=_strings(data.get("long_sentences")),
        rare_words=_strings(data.get("rare_words")),
        jargon=tuple(
            JargonHit(
                str(h.get("term", "")), str(h.get("alternative", "")), str(h.get("found", ""))
            )
            for h in data.get("jargon") or ()
            if isinstance(h, dict)
        ),
        reasons=_strings(data.get("reasons")),
    )


def _number(payload: dict[str, Any], key: str, default: float | None = None) -> float:
    value = payload.get(key)
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PayloadError(f"turn payload: {key!r} is not a number: {value!r}")
    return float(value)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _act(data: dict[str, Any]) -> LabelledAct:
    confidence = data.get("confidence")
    number = float(confidence) if isinstance(confidence, (int, float)) else 0.0
    return LabelledAct(str(data.get("text") or ""), str(data.get("move") or ""), number)
