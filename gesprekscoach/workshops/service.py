"""Creating, opening and closing a workshop, and joining one with its code.

A join code is short enough to read off a projector and type on a phone: six
characters from an alphabet without look-alikes (no 0/O, 1/I/L), so a typo is
more likely to be an unknown code than someone else's workshop.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Workshop, utcnow
from gesprekscoach.storage.repository import Who, add_member, casemanager_for, workshop_by_code

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
FORMS = ("parallel", "rondje")
STATUSES = ("voorbereid", "open", "gesloten")
UNDO_NEEDS_HINTS = (
    "Terug en opnieuw kan alleen als de hints aan staan. Zonder hints is het een examen: "
    "dan kan niemand terug."
)


class WorkshopError(ValueError):
    """A wrong input for a workshop; the message is Dutch, for the trainer or casemanager."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """What someone typed, as a code: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-]", "", code or "").upper()[:20]


@dataclass(frozen=True)
class WorkshopPlan:
    name: str
    day: date
    persona_ids: tuple[str, ...]
    form: str = "parallel"
    hints: bool = True
    minutes: int = 20
    allow_undo: bool = False
    """Whether participants may go back (/terug, opnieuw vanaf bericht N); off unless chosen."""
    vary_personas: bool = False
    """Each participant meets a variant of the inwoner; off: everyone the same one."""

    def check(self, known_personas: tuple[str, ...]) -> None:
        if not self.name.strip():
            raise WorkshopError("Geef het werkatelier een naam.")
        if len(self.name) > 120:
            raise WorkshopError("De naam is te lang (hoogstens 120 tekens).")
        if not self.persona_ids:
            raise WorkshopError("Kies minstens één inwoner om mee te oefenen.")
        unknown = [p for p in self.persona_ids if p not in known_personas]
        if unknown:
            raise WorkshopError(f"Deze inwoner ken ik niet: {', '.join(unknown)}.")
        if self.form not in FORMS:
            raise WorkshopError("Kies als vorm 'parallel' of 'rondje'.")
        if not 5 <= self.minutes <= 240:
            raise WorkshopError("De duur moet tussen 5 en 240 minuten liggen.")
        if self.allow_undo and not self.hints:
            raise WorkshopError(UNDO_NEEDS_HINTS)


def create_workshop(
    db: Session, plan: WorkshopPlan, known_personas: tuple[str, ...], trainer_id: int | None
) -> Workshop:
    plan.check(known_personas)
    for _ in range(10):  # a clash among 31^6 codes is rare; try again if it happens
        workshop = Workshop(
            code=new_code(),
            name=plan.name.strip(),
            day=plan.day,
            persona_ids=list(plan.persona_ids),
            form=plan.form,
            hints=plan.hints,
            minutes=plan.minutes,
            allow_undo=plan.allow_undo,
            vary_personas=plan.vary_personas,
            status="voorbereid",
            show_names=False,
            trainer_id=trainer_id,
        )
        db.add(workshop)
        try:
            with db.begin_nested():
                db.flush()
            return workshop
        except IntegrityError:
            db.expunge(workshop)
    raise WorkshopError("Er kon geen unieke code worden gemaakt. Probeer het nog eens.")


def set_status(db: Session, workshop: Workshop, status: str) -> None:
    if status not in STATUSES:
        raise WorkshopError(f"Onbekende stand: {status}.")
    workshop.status = status
    if status == "open" and workshop.opened_at is None:
        workshop.opened_at = utcnow()
    if status == "gesloten":
        workshop.closed_at = utcnow()


def set_allow_undo(workshop: Workshop, allowed: bool) -> None:
    """The facilitator's choice; it counts for conversations started after it."""
    if allowed and not workshop.hints:
        raise WorkshopError(UNDO_NEEDS_HINTS)
    workshop.allow_undo = allowed


def by_code(db: Session, code: str) -> Workshop | None:
    return workshop_by_code(db, normalise(code))


def open_workshop(db: Session, code: str) -> Workshop:
    """The workshop to join with this code, or a clear Dutch reason why not."""
    if not normalise(code):
        raise WorkshopError("Typ de code van het werkatelier, bijvoorbeeld: /join K7M2QX")
    workshop = by_code(db, code)
    if workshop is None:
        raise WorkshopError(
            f"De code {normalise(code)} ken ik niet. Kijk goed: de code staat op het scherm "
            "van de trainer."
        )
    if workshop.status == "voorbereid":
        raise WorkshopError(f"'{workshop.name}' is nog niet open. Wacht op de trainer.")
    if workshop.status == "gesloten":
        raise WorkshopError(f"'{workshop.name}' is gesloten. Je kunt niet meer meedoen.")
    return workshop


def join(db: Session, code: str, who: Who) -> Workshop:
    """Join an open workshop (again, if already a member); raises WorkshopError otherwise."""
    workshop = open_workshop(db, code)
    add_member(db, int(workshop.id), int(casemanager_for(db, who).id))
    return workshop


@dataclass(frozen=True)
class WorkshopInfo:
    """What a chat front end needs to know of a workshop (no database session attached)."""

    code: str
    name: str
    persona_ids: tuple[str, ...]
    form: str
    hints: bool
    status: str
    allow_undo: bool = False
    vary_personas: bool = False

    @classmethod
    def of(cls, workshop: Workshop) -> WorkshopInfo:
        return cls(
            str(workshop.code),
            str(workshop.name),
            tuple(workshop.persona_ids or ()),
            str(workshop.form),
            bool(workshop.hints),
            str(workshop.status),
            bool(workshop.allow_undo),
            bool(workshop.vary_personas),
        )


def join_by_code(engine: Engine, code: str, who: Who | None) -> WorkshopInfo:
    """Join (a person) or check (a group: who=None) an open workshop; WorkshopError if not."""
    with session_factory(engine)() as db, db.begin():
        workshop = join(db, code, who) if who is not None else open_workshop(db, code)
        return WorkshopInfo.of(workshop)


def workshop_info(engine: Engine, code: str) -> WorkshopInfo | None:
    with session_factory(engine)() as db:
        workshop = by_code(db, code)
        return WorkshopInfo.of(workshop) if workshop is not None else None
