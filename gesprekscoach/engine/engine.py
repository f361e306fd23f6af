"""How a persona reacts to a casemanager's move.

Pure and deterministic: the same persona, seed and messages always give the
same replies, so tests and trainers can replay a conversation exactly.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from gesprekscoach.engine.inputs import InputKind, classify_input
from gesprekscoach.engine.state import NeedStage, PersonaState, Utterance
from gesprekscoach.language.jargon import JargonHit, JargonLexicon
from gesprekscoach.moves import CLOSED_MOVES, FALLBACK
from gesprekscoach.personas.model import (
    BANDS,
    Condition,
    Effect,
    Persona,
    Reaction,
    ReplySet,
    band_for,
)

# A good move repeated back to back wears off: each repeat within the last
# two turns halves its trust gain, as a person stops hearing a stock phrase.
REPEAT_WINDOW = 2
REPEAT_DAMPING = 0.5


def clamp(value: float) -> float:
    return max(0.0, min(100.0, round(value, 1)))


def reply_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def mood(stress: float) -> str:
    """A one-word Dutch label of the persona's stress, for the chat's status line."""
    if stress >= 70:
        return "gestrest"
    if stress >= 40:
        return "gespannen"
    return "rustig"


@dataclass(frozen=True)
class TurnResult:
    state: PersonaState
    reply: str
    move: str
    """The move the persona reacted to (a move id, nlu_fallback, stilte or te_lang)."""
    input_kind: InputKind
    reaction: str | None
    """Id of the special reaction that fired, if any ("hidden_need", "hint" or a persona's own)."""
    jargon: tuple[JargonHit, ...]
    trust_delta: float
    stress_delta: float
    hidden_need_revealed: bool


@dataclass(frozen=True)
class _Context:
    move: str
    turn: int
    trust: float
    stress: float
    jargon: bool
    closed_streak: int
    earlier: frozenset[str]


class PersonaEngine:
    def __init__(self, persona: Persona, lexicon: JargonLexicon) -> None:
        self.persona = persona
        self.lexicon = lexicon

    # -- public API -------------------------------------------------------

    def start(self, seed: int) -> tuple[PersonaState, str]:
        p = self.persona
        rng = random.Random(f"{p.id}:{seed}:opening")
        opening = rng.choice(p.opening)
        state = PersonaState(
            persona_id=p.id,
            seed=seed,
            trust=p.start_trust,
            stress=p.start_stress,
            said=(reply_id(opening),),
            curve=((p.start_trust, p.start_stress),),
        )
        return state, opening

    def respond(self, state: PersonaState, utterance: Utterance) -> TurnResult:
        p = self.persona
        kind = classify_input(utterance.text)
        if kind is InputKind.NORMAL:
            move = utterance.move if utterance.move in p.replies else FALLBACK
        else:
            move = kind.value
        jargon = tuple(self.lexicon.find(utterance.text or "")) if kind is InputKind.NORMAL else ()
        turn = state.turn + 1
        closed_streak = 0
        if move in CLOSED_MOVES:
            closed_streak = 1
            for previous in reversed(state.moves):
                if previous not in CLOSED_MOVES:
                    break
                closed_streak += 1

        effect = self._damped(p.effect_of(move), move, state.moves)
        trust, stress = clamp(state.trust + effect.trust), clamp(state.stress + effect.stress)
        ctx = _Context(
            move, turn, trust, stress, bool(jargon), closed_streak, frozenset(state.moves)
        )

        need_stage, need_turn = state.need_stage, state.hidden_need_turn
        revealed = False
        reaction_id: str | None = None
        replies: ReplySet = p.replies[move]
        need = p.hidden_need
        asks_for_need = (
            kind is InputKind.NORMAL and move in need.unlock.moves and not state.hidden_need_found
        )
        if asks_for_need and self._holds(need.unlock, ctx):
            reaction_id, replies, revealed = "hidden_need", need.reveal, True
            need_stage, need_turn = NeedStage.FOUND, turn
            trust = clamp(trust + need.reveal_effect.trust)
            stress = clamp(stress + need.reveal_effect.stress)
        elif kind is InputKind.NORMAL and (reaction := self._first_reaction(ctx)) is not None:
            # A pitfall reaction replaces the move's own effect for this turn.
            reaction_id, replies = reaction.id, reaction.replies
            trust = clamp(state.trust + reaction.effect.trust)
            stress = clamp(state.stress + reaction.effect.stress)
        elif asks_for_need and need.hint is not None:
            # The right question, but not yet the moment: a signal to ask again.
            reaction_id, replies = "hint", need.hint
            need_stage = NeedStage.HINTED

        band = band_for(trust)
        text = self._pick(replies, band, state, turn, f"{move}:{reaction_id}")
        new_state = state.with_changes(
            turn=turn,
            trust=trust,
            stress=stress,
            need_stage=need_stage,
            hidden_need_turn=need_turn,
            moves=(*state.moves, move),
            said=(*state.said, reply_id(text)),
            curve=(*state.curve, (trust, stress)),
        )
        return TurnResult(
            state=new_state,
            reply=text,
            move=move,
            input_kind=kind,
            reaction=reaction_id,
            jargon=jargon,
            trust_delta=round(trust - state.trust, 1),
            stress_delta=round(stress - state.stress, 1),
            hidden_need_revealed=revealed,
        )

    # -- internals --------------------------------------------------------

    @staticmethod
    def _damped(effect: Effect, move: str, history: tuple[str, ...]) -> Effect:
        if effect.trust <= 0:
            return effect
        repeats = history[-REPEAT_WINDOW:].count(move)
        return Effect(effect.trust * REPEAT_DAMPING**repeats, effect.stress)

    def _first_reaction(self, ctx: _Context) -> Reaction | None:
        for reaction in self.persona.reactions:
            if self._holds(reaction.when, ctx):
                return reaction
        return None

    @staticmethod
    def _holds(c: Condition, ctx: _Context) -> bool:
        checks = (
            not c.moves or ctx.move in c.moves,
            c.trust_below is None or ctx.trust < c.trust_below,
            c.trust_at_least is None or ctx.trust >= c.trust_at_least,
            c.stress_at_least is None or ctx.stress >= c.stress_at_least,
            c.stress_below is None or ctx.stress < c.stress_below,
            c.turn_at_most is None or ctx.turn <= c.turn_at_most,
            c.turn_at_least is None or ctx.turn >= c.turn_at_least,
            c.jargon is None or ctx.jargon == c.jargon,
            c.closed_streak_at_least is None or ctx.closed_streak >= c.closed_streak_at_least,
            not c.earlier_moves or bool(c.earlier_moves & ctx.earlier),
        )
        return all(checks)

    @staticmethod
    def _pick(replies: ReplySet, band: str, state: PersonaState, turn: int, key: str) -> str:
        """A variant not said before in this session; nearby bands before repeating."""
        rng = random.Random(f"{state.persona_id}:{state.seed}:{turn}:{key}")
        said = set(state.said)
        order = [band] + sorted(
            (b for b in BANDS if b != band),
            key=lambda b: abs(BANDS.index(b) - BANDS.index(band)),
        )
        for candidate_band in order:
            fresh = [t for t in replies.for_band(candidate_band) if reply_id(t) not in said]
            if fresh:
                return rng.choice(fresh)
        # Everything has been said: repeat the one said longest ago.
        variants = replies.for_band(band)
        last_said = {rid: i for i, rid in enumerate(state.said)}
        return min(variants, key=lambda t: (last_said.get(reply_id(t), -1), rng.random()))
