"""The move catalogue: what a casemanager does in one message.

Move ids are Rasa intent names (the contract in shared/spec/moves.yml); the
project carries its own copy in data/catalogues/moves.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gesprekscoach.catalogue import CatalogueError, Fields, read_yaml_mapping

FALLBACK = "nlu_fallback"
POLARITIES = {"+", "-", "0"}
# Closed questions and data requests: a row of them feels like an interrogation.
CLOSED_MOVES = frozenset({"gesloten_vraag", "info_opvragen"})
# Asking what the inwoner needs, can do or wants: the heart of the communicatiekaart.
NEEDS_QUESTIONS = frozenset({"vraag_wat_nodig", "vraag_zelf_doen", "vraag_benadering"})
# The pitfalls: judging, hiding behind the rules, sending the inwoner elsewhere.
PITFALLS = frozenset({"oordelen", "regels_benadrukken", "doorverwijzen"})
# Which act of a message is its main act, the one the inwoner answers: a
# pitfall outranks a question or data request, which outranks an action or
# offer, which outranks a reflection, then small talk, then greeting and
# closing. Between acts of the same rank the later one is main (a message
# usually ends with what it asks).
MAIN_ACT_RANK = {
    **dict.fromkeys(sorted(PITFALLS), 6),
    # Among questions, the needs questions weigh most, and a follow-up makes the
    # whole message one ("Kunt u daar meer over vertellen? Wat maakt het zwaar?").
    **dict.fromkeys(("vraag_wat_nodig", "vraag_zelf_doen", "vraag_benadering"), 5.6),
    "doorvragen": 5.3,
    **dict.fromkeys(("open_vraag", "gesloten_vraag", "info_opvragen", "check_begrip"), 5),
    **dict.fromkeys(
        (
            "regie_nemen",
            "stappenplan",
            "belofte",
            "afspraak_maken",
            "huisbezoek",
            "intermediair",
            "clientondersteuning",
            "kanaal_afstemmen",
            "uitleg_eenvoudig",
        ),
        4,
    ),
    **dict.fromkeys(("empathie", "samenvatten", "geruststellen"), 3),
    "luchtig_contact": 2,
    **dict.fromkeys(("begroeten", "afsluiten"), 1),
}
# What the casemanager sees for input that is not a move.
SPECIAL_LABELS = {
    FALLBACK: "Niet herkend",
    "stilte": "Geen woorden",
    "te_lang": "Te lang bericht",
}


def order_acts(moves: list[str]) -> tuple[str, ...]:
    """The distinct moves of a message's acts (in message order), main act first.

    Unknown moves and the fallback rank lowest, so a clear act is never
    outranked by one that could not be placed.
    """
    distinct = list(dict.fromkeys(moves))
    if not distinct:
        return ()
    ranked = max(reversed(range(len(distinct))), key=lambda i: MAIN_ACT_RANK.get(distinct[i], 0))
    main = distinct[ranked]
    return (main, *(m for m in distinct if m != main))


@dataclass(frozen=True)
class Move:
    id: str
    label: str
    polarity: str
    tips: tuple[str, ...]


@dataclass(frozen=True)
class MoveCatalogue:
    moves: dict[str, Move]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.moves)

    def __contains__(self, move_id: object) -> bool:
        return move_id in self.moves

    def label(self, move_id: str | None) -> str:
        if move_id in self.moves:
            return self.moves[move_id].label
        return SPECIAL_LABELS.get(move_id or "", SPECIAL_LABELS[FALLBACK])


def load_moves(path: Path) -> MoveCatalogue:
    top = Fields(path, read_yaml_mapping(path))
    raw = top.raw("moves")
    if not isinstance(raw, dict) or not raw:
        raise top.error("moves", "must be a non-empty mapping of move id to move")
    moves: dict[str, Move] = {}
    for move_id, _ in raw.items():
        f = top.sub("moves").sub(str(move_id))
        polarity = str(f.raw("polarity"))
        if polarity not in POLARITIES:
            raise f.error("polarity", f"must be one of + - 0, got {polarity!r}")
        tips = f.texts("tips", min_items=0) if f.has("tips") else ()
        moves[str(move_id)] = Move(str(move_id), f.text("label"), polarity, tips)
    if FALLBACK in moves:
        raise CatalogueError(path, f"moves.{FALLBACK}", "is Rasa's own fallback, not a move")
    return MoveCatalogue(moves)
