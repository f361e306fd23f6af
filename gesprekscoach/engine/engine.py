"""How a persona reacts to a casemanager's move.

Pure and deterministic: the same persona, seed and messages always give the
same replies, so tests and trainers can replay a conversation exactly.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, replace

from gesprekscoach.engine.inputs import InputKind, classify_input, visible_text
from gesprekscoach.engine.state import NeedStage, PersonaState, Utterance, closed_streak
from gesprekscoach.engine.subjects import (
    PROMISE_MOVES,
    TOPIC_MOVES,
    find_subjects,
    recall_due,
    resolved_now,
)
from gesprekscoach.language.jargon import JargonHit, JargonLexicon
from gesprekscoach.language.topics import hits
from gesprekscoach.moves import FALLBACK, NEEDS_QUESTIONS
from gesprekscoach.personas.loader import numbers_in
from gesprekscoach.personas.model import (
    BANDS,
    Condition,
    Effect,
    Persona,
    Reaction,
    ReplySet,
    Topic,
    band_for,
)


def _flat(lines: tuple[str, ...]) -> ReplySet:
    return ReplySet(lines, lines, lines)


# The other acts of a message count for half: the main act is what was asked.
OTHER_ACT_WEIGHT = 0.5
# Empathy, reassurance, a summary or an explanation before a hard question
# softens it: the blow to trust and the rise in stress are halved.
SOFTENERS = frozenset({"empathie", "geruststellen", "samenvatten", "uitleg_eenvoudig"})
SOFTENING = 0.5
# Topic matching reads at most this much of a message (a wall of text is te_lang anyway).
MAX_SUBJECT_CHARS = 2000
# A good move repeated back to back wears off: each repeat within the last
# two turns halves its trust gain, as a person stops hearing a stock phrase.
REPEAT_WINDOW = 2
REPEAT_DAMPING = 0.5


def clamp(value: float) -> float:
    return max(0.0, min(100.0, round(value, 1)))


# Replies and thoughts said in about the last two turns: a thought is not repeated
# within them (each turn adds a reply, sometimes a second line, and a thought).
THOUGHT_MEMORY = 6


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
    """The main act the persona reacted to (a move id, nlu_fallback, stilte or te_lang)."""
    input_kind: InputKind
    reaction: str | None
    """Id of the special reaction that fired, if any ("hidden_need", "hint", "concern",
    "recall" or a persona's own)."""
    jargon: tuple[JargonHit, ...]
    trust_delta: float
    stress_delta: float
    hidden_need_revealed: bool
    moves: tuple[str, ...] = ()
    """Every act's move, main act first."""
    topics: tuple[str, ...] = ()
    """The topics of the inwoner's life the reply speaks to."""
    concern_resolved: str | None = None
    """The concern the casemanager dealt with in this message."""
    thought: str = ""
    """What the inwoner thinks of it (persona file `thoughts`), not said aloud."""


@dataclass(frozen=True)
class _Context:
    moves: frozenset[str]
    turn: int
    trust: float
    stress: float
    jargon: bool
    closed_streak: int
    earlier: frozenset[str]
    open_concerns: frozenset[str]
    text: str = ""


@dataclass(frozen=True)
class _Choice:
    """What the persona says this turn, before a variant is picked."""

    replies: ReplySet
    reaction: str | None = None
    topic: Topic | None = None
    tail: tuple[str, ...] = ()
    """Short lines of which one is added after the reply (a concern's reminder)."""


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
            variant=p.variant.id if p.variant else None,
        )
        return state, opening

    def respond(self, state: PersonaState, utterance: Utterance) -> TurnResult:
        p = self.persona
        kind = classify_input(utterance.text)
        if kind is InputKind.NORMAL:
            acts = tuple(m for m in utterance.all_moves if m in p.replies) or (FALLBACK,)
        else:
            acts = (kind.value,)
        move, others = acts[0], acts[1:]
        normal = kind is InputKind.NORMAL
        text = visible_text(utterance.text)[:MAX_SUBJECT_CHARS] if normal else ""
        jargon = tuple(self.lexicon.find(utterance.text or "")) if normal else ()
        turn = state.turn + 1

        effect = self._combined(self._damped(p.effect_of(move), move, state.moves), acts, state)
        trust, stress = clamp(state.trust + effect.trust), clamp(state.stress + effect.stress)
        open_concerns = frozenset(c.id for c in p.concerns if c.id not in state.resolved)
        ctx = _Context(
            moves=frozenset(acts),
            turn=turn,
            trust=trust,
            stress=stress,
            jargon=bool(jargon),
            closed_streak=closed_streak((*state.moves, move)),
            earlier=state.earlier_moves,
            open_concerns=open_concerns,
            text=text,
        )
        subjects = find_subjects(p, state, text, move)
        settled = resolved_now(p, state, acts, subjects) if normal else None
        if settled is not None:
            ctx = replace(ctx, open_concerns=open_concerns - {settled.id})

        need_stage, need_turn = state.need_stage, state.hidden_need_turn
        revealed = False
        need = p.hidden_need
        asks_for_need = (
            normal and bool(need.unlock.moves & ctx.moves) and not (state.hidden_need_found)
        )
        reaction = self._first_reaction(ctx) if normal else None
        if settled is not None and reaction is not None and reaction.effect.trust < 0:
            # The persona did not take it from you (a promise too early, a pitfall):
            # the concern stays open, and the reaction is what they say.
            settled, ctx = None, replace(ctx, open_concerns=open_concerns)
            reaction = self._first_reaction(ctx)
        recall = recall_due(p, state, acts, subjects) if normal and settled is None else None
        choice = _Choice(p.replies[move])
        if asks_for_need and self._holds(need.unlock, ctx):
            choice, revealed = _Choice(need.reveal, "hidden_need"), True
            need_stage, need_turn = NeedStage.FOUND, turn
            trust = clamp(trust + need.reveal_effect.trust)
            stress = clamp(stress + need.reveal_effect.stress)
        elif settled is not None and (reaction is None or reaction.when.concern_open):
            choice = _Choice(_flat(settled.acknowledge), "concern")
        elif reaction is not None:
            # A pitfall reaction replaces the move's own effect for this turn.
            r_effect = self._combined(reaction.effect, acts, state)
            trust = clamp(state.trust + r_effect.trust)
            stress = clamp(state.stress + r_effect.stress)
            choice = _Choice(reaction.replies, reaction.id)
            concern = p.concern(reaction.when.concern_open or "")
            if subjects.topics and move in TOPIC_MOVES and concern is not None:
                # Asked about her life while the concern presses: she answers, then returns to it.
                choice = _Choice(reaction.replies, reaction.id, subjects.topics[0], concern.remind)
            elif subjects.topics and move in TOPIC_MOVES and not reaction.when.jargon:
                # Understood, but it stings (one question too many, data too soon): a
                # curt answer about what was asked, and how it landed.
                tail = reaction.replies.for_band(band_for(trust))
                choice = _Choice(reaction.replies, reaction.id, subjects.topics[0], tail)
        elif (
            asks_for_need
            and need.hint is not None
            and not (subjects.topics and move not in NEEDS_QUESTIONS)
        ):
            # The right question, but not yet the moment: a signal to ask again.
            choice = _Choice(need.hint, "hint")
            need_stage = NeedStage.HINTED
        elif recall is not None:
            choice = _Choice(_flat(recall.recall), "recall")
        elif subjects.topics and move in TOPIC_MOVES:
            choice = _Choice(p.replies[move], None, subjects.topics[0])

        band = band_for(trust)
        said = state.said
        settled_ids = {*state.resolved, *([settled.id] if settled is not None else [])}
        settled_words = tuple(w for c in p.concerns if c.id in settled_ids for w in c.triggers)
        key = f"{move}:{choice.reaction}"
        parts: list[str] = []
        topics_told: list[str] = []
        if choice.topic is not None:
            for topic in (choice.topic, *subjects.topics[1:]):
                options = self._topic_replies(topic, state, trust, subjects.follow_up)
                if asks_a_number(text):
                    options = _with_numbers(options)
                topic_key = f"{key}:{topic.id}"
                line = self._pick(options, band, state, said, turn, topic_key, settled_words)
                parts.append(line)
                said = (*said, reply_id(line))
                topics_told.append(topic.id)
            if choice.tail:
                tail_key = f"{key}:tail"
                line = self._pick(
                    _flat(choice.tail), band, state, said, turn, tail_key, settled_words
                )
                parts.append(line)
        else:
            parts.append(self._pick(choice.replies, band, state, said, turn, key, settled_words))
        reply = _joined(parts)
        concern_id = settled.id if settled is not None else (recall.id if recall else None)
        thought = self._thought(choice.reaction, move, concern_id, band, state, turn)
        subject = topics_told[0] if topics_told else None
        if settled is not None:
            subject = settled.id
        elif reaction is not None and choice.reaction == reaction.id:
            # After "eerst de stroom", "ik regel het" is about the stroom.
            subject = reaction.when.concern_open or subject
        resolved, promised, recalled = state.resolved, state.promised, state.recalled
        if settled is not None:
            resolved = (*resolved, settled.id)
            if set(acts) & PROMISE_MOVES:
                promised = (*promised, settled.id)
        if choice.reaction == "recall" and recall is not None:
            recalled = (*recalled, recall.id)
        new_state = state.with_changes(
            turn=turn,
            trust=trust,
            stress=stress,
            need_stage=need_stage,
            hidden_need_turn=need_turn,
            moves=(*state.moves, move),
            also=(*state.also, *others),
            said=(
                *state.said,
                *(reply_id(part) for part in parts),
                *((reply_id(thought),) if thought else ()),
            ),
            curve=(*state.curve, (trust, stress)),
            told=tuple(dict.fromkeys((*state.told, *topics_told))),
            subject=subject,
            resolved=resolved,
            promised=promised,
            recalled=recalled,
        )
        return TurnResult(
            state=new_state,
            reply=reply,
            move=move,
            input_kind=kind,
            reaction=choice.reaction,
            jargon=jargon,
            trust_delta=round(trust - state.trust, 1),
            stress_delta=round(stress - state.stress, 1),
            hidden_need_revealed=revealed,
            moves=acts,
            topics=tuple(topics_told),
            concern_resolved=settled.id if settled is not None else None,
            thought=thought,
        )

    # -- internals --------------------------------------------------------

    def _thought(
        self,
        reaction: str | None,
        move: str,
        concern: str | None,
        band: str,
        state: PersonaState,
        turn: int,
    ) -> str:
        thoughts = self.persona.thoughts
        lines = thoughts.lines_for(reaction, move, concern) if thoughts else None
        if lines is None:
            return ""
        rng = random.Random(f"{state.persona_id}:{state.seed}:{turn}:thought")
        options = lines.for_band(band)
        fresh = [t for t in options if reply_id(t) not in state.said]
        if fresh:
            return rng.choice(fresh)
        line = rng.choice(options)
        # The same thought as a moment ago reads like a machine: say nothing new instead.
        return "" if reply_id(line) in state.said[-THOUGHT_MEMORY:] else line

    def _combined(self, main: Effect, acts: tuple[str, ...], state: PersonaState) -> Effect:
        """The main act's effect plus half of each other act's; a softener halves a blow."""
        trust, stress = main.trust, main.stress
        if SOFTENERS & set(acts[1:]):
            trust = trust * SOFTENING if trust < 0 else trust
            stress = stress * SOFTENING if stress > 0 else stress
        for other in acts[1:]:
            extra = self._damped(self.persona.effect_of(other), other, state.moves)
            trust += extra.trust * OTHER_ACT_WEIGHT
            stress += extra.stress * OTHER_ACT_WEIGHT
        return Effect(trust, stress)

    @staticmethod
    def _topic_replies(
        topic: Topic, state: PersonaState, trust: float, follow_up: bool
    ) -> ReplySet:
        """Guarded below the topic's trust; asked again, a line that refers back."""
        if topic.min_trust is not None and trust < topic.min_trust:
            return _flat(topic.guarded)
        if topic.id in state.told and not follow_up:
            fresh_again = [t for t in topic.again if reply_id(t) not in state.said]
            if fresh_again:
                return _flat(tuple(fresh_again))
        return topic.answers

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
            not c.moves or bool(c.moves & ctx.moves),
            c.trust_below is None or ctx.trust < c.trust_below,
            c.trust_at_least is None or ctx.trust >= c.trust_at_least,
            c.stress_at_least is None or ctx.stress >= c.stress_at_least,
            c.stress_below is None or ctx.stress < c.stress_below,
            c.turn_at_most is None or ctx.turn <= c.turn_at_most,
            c.turn_at_least is None or ctx.turn >= c.turn_at_least,
            c.jargon is None or ctx.jargon == c.jargon,
            c.closed_streak_at_least is None or ctx.closed_streak >= c.closed_streak_at_least,
            not c.earlier_moves or bool(c.earlier_moves & ctx.earlier),
            not (c.not_earlier_moves & ctx.earlier),
            not c.says or hits(ctx.text, c.says) > 0,
            c.concern_open is None or c.concern_open in ctx.open_concerns,
            c.concern_resolved is None or c.concern_resolved not in ctx.open_concerns,
        )
        return all(checks)

    @staticmethod
    def _pick(
        replies: ReplySet,
        band: str,
        state: PersonaState,
        said_ids: tuple[str, ...],
        turn: int,
        key: str,
        settled: tuple[str, ...] = (),
    ) -> str:
        """A variant not said before in this session; nearby bands before repeating.

        Within a band, variants that bring up a concern already dealt with
        (`settled`: its trigger words) come last: once the power is arranged,
        Samira stops talking about the cut-off where she has anything else to say.
        """
        rng = random.Random(f"{state.persona_id}:{state.seed}:{turn}:{key}")
        said = set(said_ids)
        order = [band] + sorted(
            (b for b in BANDS if b != band),
            key=lambda b: abs(BANDS.index(b) - BANDS.index(band)),
        )
        for candidate_band in order:
            fresh = [t for t in replies.for_band(candidate_band) if reply_id(t) not in said]
            current = [t for t in fresh if not hits(t, settled)] if settled else fresh
            if current or fresh:
                return rng.choice(current or fresh)
        # Everything has been said: repeat the one said longest ago.
        variants = replies.for_band(band)
        last_said = {rid: i for i, rid in enumerate(said_ids)}
        return min(variants, key=lambda t: (last_said.get(reply_id(t), -1), rng.random()))


def _joined(parts: list[str]) -> str:
    """Lines said in one reply, each ending as a sentence: chat-style lines without a full
    stop ("boeie") would otherwise run into the next one."""
    ends = (".", "!", "?", "…", ")", '"', "*")
    shown = [
        p if i == len(parts) - 1 or p.rstrip().endswith(ends) or not p[-1:].isalnum() else f"{p}."
        for i, p in enumerate(parts)
    ]
    return " ".join(shown)


# "Hoe oud is ...?", "Hoeveel ...?": a question that asks for a number or a time.
_NUMBER_QUESTION = re.compile(
    r"\b(hoe\s+(oud|lang|vaak|hoog|groot|laat|ver)|hoeveel|wanneer|welk\s+jaar|leeftijd)\b",
    re.IGNORECASE,
)


def asks_a_number(text: str) -> bool:
    return bool(_NUMBER_QUESTION.search(text or ""))


def _with_numbers(replies: ReplySet) -> ReplySet:
    """Per band, the lines that give the most numbers, when the band has any: asked how old
    the children are, "Hanna is acht, Daniel is zes" answers, "Twee. Hanna en Daniel" not."""

    def keep(lines: tuple[str, ...]) -> tuple[str, ...]:
        most = max((len(numbers_in(line)) for line in lines), default=0)
        return tuple(line for line in lines if len(numbers_in(line)) == most) if most else lines

    return ReplySet(keep(replies.low), keep(replies.mid), keep(replies.high))
