"""Split a chat message into its acts: the sentences and clauses that each do one thing.

"Goedemiddag mevrouw. Wat is uw BSN?" is a greeting and a data request; "Dat
klinkt zwaar, hoe gaat het nu met de kinderen?" is empathy and a question.
Each act is classified on its own, so a question after a greeting is not lost.

The rules are deliberately plain: sentence ends, and inside a sentence a comma,
semicolon or dash before a new question or before "maar". A fragment of one
word stays with its neighbour ("Oké, wat is uw BSN?" is one act), as do the
parts of abbreviations and numbers ("bijv.", "1.500").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from gesprekscoach.language.topics import dutch_share
from gesprekscoach.moves import PITFALLS, order_acts


def _entries(text: str) -> frozenset[str]:
    """A word list written as one text, comma-separated: long lists stay a few lines long."""
    return frozenset(entry.strip() for entry in text.split(","))


# Abbreviations that end in a full stop without ending the sentence.
ABBREVIATIONS = _entries(
    "bijv, bv, bijvoorbeeld, o.a, oa, d.w.z, dwz, m.b.t, mbt, i.v.m, ivm, mevr, mw, dhr, hr, nr, "
    "evt, ca, etc, enz, z.s.m, zsm, t.a.v, tav, a.s, jl, blz, min, max, incl, excl, resp, ong, "
    "dr, drs, ing, mr, st, str, tel"
)
QUESTION_WORDS = _entries(
    "hoe, wat, waarom, wanneer, waar, wie, welke, welk, hoeveel, hoezo, waarover, waarmee, "
    "waardoor, waarvoor, wat voor"
)
# Verbs that open a yes/no question ("Heeft u ...?", "Kun je ...?").
QUESTION_VERBS = _entries(
    "heeft, hebt, heb, hebben, bent, ben, is, zijn, kunt, kun, kan, kunnen, wilt, wil, willen, "
    "zou, zoudt, zullen, zal, mag, mogen, moet, moeten, doet, doe, doen, gaat, ga, gaan, woont, "
    "woon, werkt, werk, weet, weten, vindt, vind, snapt, snap, begrijpt, begrijp, krijgt, krijg, "
    "komt, kom, had, hadden, was, waren, kent, ken, heet, zit, zitten, staat, slaapt, voelt, "
    "voel, denkt, denk, lukt, betaalt, speelt, rijdt, zie, ziet, hoor, hoort, mist"
)
# A greeting of one word is an act of its own ("Hoi! Wat is je BSN?").
GREETINGS = _entries(
    "hoi, hallo, hey, hee, hai, dag, goedemorgen, goedemiddag, goedenavond, welkom, goeiemorgen, "
    "goeiemiddag, moi, joe, hoihoi"
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…])(?=[A-Z])|\s*\n+\s*")
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;]|\s[-–—])\s+")
# Tag questions ask to confirm what went before ("..., klopt dat?"): part of that act.
TAG_QUESTIONS = _entries(
    "klopt dat, klopt dat zo, klopt het, toch, he, hè, of niet, ja, oke, oké, goed, "
    "zie ik dat goed, begrijp ik dat goed, heb ik dat goed, is dat zo, snap je, weet je, weet u, "
    "wilt u dat, wil je dat, is dat goed, vindt u dat goed, vind je dat goed, "
    "is dat oké, is dat oke"
)
# A clause opened by one of these is not finished at its comma ("Als u wilt, kunnen we ...").
SUBORDINATORS = _entries(
    "als, wanneer, omdat, zodra, nadat, voordat, zodat, terwijl, hoewel, indien, mocht, mits, "
    "tenzij, toen, sinds, doordat"
)
_WORD = re.compile(r"[\w']+", re.UNICODE)


@dataclass(frozen=True)
class Act:
    text: str
    is_question: bool


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def opens_question(text: str) -> bool:
    """Does this clause start the way a Dutch question starts?"""
    tokens = words(text)
    if not tokens:
        return False
    first = tokens[0]
    if first in QUESTION_WORDS or " ".join(tokens[:2]) in QUESTION_WORDS:
        return True
    # "En hoe ...", "Maar wat ...", "Dus u heeft ...?"
    if first in ("en", "maar", "dus", "of", "ok", "oke", "oké") and len(tokens) > 1:
        return tokens[1] in QUESTION_WORDS or tokens[1] in QUESTION_VERBS
    return first in QUESTION_VERBS


def is_question(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or (opens_question(stripped) and not stripped.endswith("."))


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    buffer = ""
    for piece in _SENTENCE_END.split(text.strip()):
        if not piece:
            continue
        buffer = f"{buffer} {piece}".strip() if buffer else piece
        last = words(buffer)[-1:] if words(buffer) else []
        ends_abbreviation = (
            bool(last)
            and buffer.endswith(".")
            and (
                last[0] in ABBREVIATIONS
                or re.search(r"\b[a-z]\.$", buffer.lower()) is not None
                or re.search(r"\d\.$", buffer) is not None
            )
        )
        if not ends_abbreviation:
            parts.append(buffer)
            buffer = ""
    if buffer:
        parts.append(buffer)
    return parts


def is_tag_question(text: str) -> bool:
    return " ".join(words(text)) in TAG_QUESTIONS


def _clauses(sentence: str) -> list[str]:
    """Split a sentence where a new question starts after a clause ("Dat is zwaar, hoe ...?")."""
    pieces = _CLAUSE_BREAK.split(sentence)
    if len(pieces) == 1:
        return [sentence]
    asks = sentence.rstrip().endswith("?")
    clauses: list[str] = [pieces[0]]
    for piece in pieces[1:]:
        first = words(piece)[:1]
        # A question word starts a question; a verb does only in a sentence that asks.
        starts_new = (
            bool(first)
            and (first[0] in QUESTION_WORDS or (asks and opens_question(piece)))
            and not is_tag_question(piece)
        )
        if words(clauses[-1])[:1] and words(clauses[-1])[0] in SUBORDINATORS:
            starts_new = False
        if starts_new and len(words(piece)) >= 2 and len(words(clauses[-1])) >= 2:
            clauses.append(piece)
        else:
            clauses[-1] = f"{clauses[-1]}, {piece}"
    return clauses


def split_acts(text: str) -> list[Act]:
    """The acts of a message in order; a message without a break is one act."""
    acts: list[str] = []
    for sentence in _sentences(text):
        for clause in _clauses(sentence):
            if words(clause) and words(clause)[0] in GREETINGS and len(words(clause)) == 1:
                acts.append(clause)
            elif acts and (
                (len(words(clause)) < 2 and not clause.strip().endswith("?"))
                or is_tag_question(clause)
            ):
                # A lone "Oké." or "Hoi!" goes with the act before it...
                acts[-1] = f"{acts[-1]} {clause}"
            elif (
                acts
                and len(words(acts[-1])) < 2
                and words(acts[-1])[:1] != []
                and (words(acts[-1])[0] not in GREETINGS)
            ):
                # ...or, at the start, with the act after it.
                acts[-1] = f"{acts[-1]} {clause}"
            else:
                acts.append(clause)
    cleaned = [a.strip() for a in acts if words(a)]
    if not cleaned:
        return [Act(text.strip(), is_question(text))] if text.strip() else []
    return [Act(a, is_question(a)) for a in cleaned]


@dataclass(frozen=True)
class LabelledAct:
    text: str
    move: str
    confidence: float


# Below this share of Dutch words an act is not understood, however sure the
# classifier is (character n-grams find something in anything).
MIN_DUTCH_SHARE = 0.5
# What a question can be when the classifier is unsure which: a clear
# question is a question, never "not understood".
QUESTION_MOVES = frozenset(
    {
        "open_vraag",
        "gesloten_vraag",
        "doorvragen",
        "vraag_wat_nodig",
        "vraag_zelf_doen",
        "vraag_benadering",
        "info_opvragen",
        "check_begrip",
    }
)


def label_acts(
    text: str,
    classify: Callable[[list[str]], list[dict[str, float]]],
    threshold: float,
    fallback: str,
    act_threshold: float = 0.4,
) -> tuple[LabelledAct, ...]:
    """Each act of the message with its move, the main act first.

    `classify` gives the move probabilities of each text. An act below the
    threshold is `fallback`, unless it is a question: then the likeliest kind
    of question. Acts that could not be placed are dropped when another act
    could, and so is a statement the classifier is unsure of (below
    `act_threshold`) beside a clear act: "Fijn dat u er bent" after an
    introduction is part of the greeting, not a move of its own. The order is
    that of gesprekscoach.moves.order_acts.
    """
    acts = split_acts(text) or [Act(text, False)]
    texts = [a.text for a in acts]
    labelled: list[LabelledAct] = []
    for act, probabilities in zip(acts, classify(texts), strict=True):
        move, confidence = max(probabilities.items(), key=lambda kv: kv[1])
        if dutch_share(act.text) < MIN_DUTCH_SHARE:
            # Gibberish or another language: the inwoner cannot place it either.
            move = fallback
        elif confidence < threshold:
            kinds = {m: p for m, p in probabilities.items() if m in QUESTION_MOVES}
            if act.is_question and kinds:
                move, confidence = max(kinds.items(), key=lambda kv: kv[1])
            else:
                move = fallback
        labelled.append(LabelledAct(act.text, move, round(confidence, 4)))
    placed = [a for a in labelled if a.move != fallback] or labelled[:1]
    questions = {a.text for act, a in zip(acts, labelled, strict=True) if act.is_question}
    if any(a.confidence >= act_threshold for a in placed):
        placed = [a for a in placed if a.confidence >= act_threshold or a.text in questions]
    if acts[0].text == text and len(acts) > 1 and labelled[0] in placed:
        whole = labelled[0]
        order = (
            whole.move,
            *(m for m in order_acts([a.move for a in placed[1:]]) if m != whole.move),
        )
    else:
        order = order_acts([a.move for a in placed])
    # A question move leads only when it was asked: "Stuurt u de papieren maar op, dan
    # hoort u van ons. Dag." asks for papers, but as a whole it ends the conversation.
    leading = [a for a in placed if order and a.move == order[0]]
    asks_first = any(a.move in QUESTION_MOVES and a.text in questions for a in leading)
    if len(acts) > 1 and not asks_first:
        # No question leads: what the message as a whole does is its main act
        # when the classifier is sure of it ("Vier maanden zonder geld. Dat had
        # nooit zo mogen gaan. Ik snap dat u op uw hoede bent." is empathy, though
        # one sentence alone reads as a judgement); the acts add what else it did.
        whole_move, sure = max(classify([text])[0].items(), key=lambda kv: kv[1])
        if sure >= act_threshold and dutch_share(text) >= MIN_DUTCH_SHARE:
            # The whole message is not a pitfall, so neither is one sentence of it.
            if whole_move not in PITFALLS:
                placed = [a for a in placed if a.move not in PITFALLS]
            placed = [LabelledAct(text, whole_move, round(sure, 4)), *placed]
            kept = {a.move for a in placed}
            order = (whole_move, *(m for m in order if m != whole_move and m in kept))
    best = {m: max((a for a in placed if a.move == m), key=lambda a: a.confidence) for m in order}
    return tuple(best[m] for m in order)
