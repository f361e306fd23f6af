"""A session after the learning loop, logged through the repository as the action server
logs it: thoughts per message, one message taken back with /terug, a reflection, a
report with better sentences and a tip's good moment and slip."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Engine

from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.repository import (
    LoggedTurn,
    SessionEnd,
    SessionStart,
    TurnsReverted,
    Who,
    pseudonym,
    record_end,
    record_revert,
    record_start,
    record_turn,
)
from gesprekscoach.turn import Standing, TurnEvent

SESSION = "lb"
HOSTILE_THOUGHT = '<img src=x onerror="alert(1)"> Wat wil zij nou van mij?'
HOSTILE_REFLECTION = "<script>alert(2)</script> Rust, en één vast contactpersoon"
NEED = "Marco wil een vast contactpersoon en dat zijn oude dossier eerlijk bekeken wordt."
TAKEN_BACK = "Wat is uw BSN?"
TAKEN_BACK_THOUGHT = "Daar gaan we weer, meteen mijn gegevens."
BETTER_TRY = "Voordat we iets invullen: hoe kijkt u zelf naar deze brief?"
REVERTED_AT = datetime(2026, 11, 27, 10, 15, tzinfo=timezone.utc)
# (text, move, trust before, trust after, thought)
FIRST = [
    ("Goedemiddag, fijn dat u er bent.", "begroeten", 20.0, 23.0, "Ze klinkt vriendelijk."),
    ("Dat klinkt zwaar voor u.", "empathie", 23.0, 28.0, HOSTILE_THOUGHT),
    (TAKEN_BACK, "info_opvragen", 28.0, 18.0, TAKEN_BACK_THOUGHT),
]
AGAIN = [
    ("Wat heeft u nodig?", "vraag_wat_nodig", 28.0, 35.0, "Eindelijk vraagt iemand dat."),
    ("Conform de Participatiewet moet u dit retourneren.", "regels_benadrukken", 35.0, 27.0, ""),
]


def event(number: int, line: tuple[str, str, float, float, str]) -> TurnEvent:
    text, move, before, after, thought = line
    return TurnEvent(
        number=number,
        persona="marco",
        text=text,
        reply="Hm.",
        move=move,
        before=Standing(before, 50),
        after=Standing(after, 50),
        confidence=0.9,
        thought=thought,
    )


def reflection(text: str, score: float, person: str | None = None) -> dict[str, Any]:
    return {
        "text": text,
        "score": score,
        "named": ["vast contactpersoon"],
        "missed": ["oude dossier eerlijk bekijken"],
        "person": person,
        "skipped": False,
    }


def report() -> dict[str, Any]:
    """A report as feedback.report makes it, with the learning loop's fields."""
    good = {"turn": 3, "text": "Wat heeft u nodig?", "note": "Je vroeg wat Marco nodig had."}
    slip = {"turn": 4, "text": AGAIN[1][0], "note": "Hier benadrukte je de regels."}
    return {
        "tips": [
            {
                "id": "CK-B3",
                "heading": "Vraag wat de inwoner nodig heeft",
                "status": "flagged",
                "evidence": [{"turn": 4, "text": AGAIN[1][0], "note": "regels"}],
                "advice": "Vraag eerder wat hij nodig heeft.",
                "shown": 1,
                "against": 2.5,
                "good_moment": good,
                "slip": None,
            },
            {
                "id": "CK-H1",
                "heading": "Toon begrip",
                "status": "credited",
                "evidence": [{"turn": 2, "text": FIRST[1][0], "note": "empathie"}],
                "advice": "Goed gedaan.",
                "shown": 2,
                "against": 1,
                "good_moment": None,
                "slip": slip,
            },
        ],
        "better": [
            {
                "turn": 4,
                "text": AGAIN[1][0],
                "pitfall": "regels_benadrukken",
                "try_": BETTER_TRY,
                "why": "Marco hoort regels als een verwijt.",
            }
        ],
        "measures": {"trust_curve": [20.0, 23.0, 28.0, 35.0, 27.0]},
        "reverts": 1,
        "tips_asked": 2,
    }


def log_session(engine: Engine, reflections: list[dict[str, Any]] | None = None) -> None:
    """Three messages, the third taken back (/terug), two more; ended with a reflection."""
    answers = [reflection(HOSTILE_REFLECTION, 0.67)] if reflections is None else reflections
    with session_factory(engine)() as db, db.begin():
        who = Who("telegram", pseudonym("telegram", "id-eva", "salt"), "Eva")
        record_start(db, SessionStart(SESSION, who, "marco", "wantrouwend", "oefenen", 7))
        for number, line in enumerate(FIRST, 1):
            record_turn(db, LoggedTurn(SESSION, event(number, line)))
        record_revert(db, TurnsReverted(SESSION, 3, "terug", REVERTED_AT))
        for number, line in enumerate(AGAIN, 3):
            record_turn(db, LoggedTurn(SESSION, event(number, line)))
        stored = {"reflections": answers, "need": NEED, "moments": [3, 2]}
        scores = [a["score"] for a in answers if a.get("score") is not None]
        end = SessionEnd(
            SESSION,
            hidden_need_found=False,
            hidden_need_turn=None,
            final_trust=27.0,
            report=report(),
            reflection=stored,
            reflection_score=max(scores) if scores else None,
            reverts=1,
            tips_asked=2,
        )
        record_end(db, end)
