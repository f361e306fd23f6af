"""Workshops: join codes, tagging sessions, the live figures, the report, and erasure,
checked against sessions logged through the real domain core and session log."""

from __future__ import annotations

from datetime import date, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Casemanager, PracticeSession, TurnRecord, WorkshopMember
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.storage.service import who_from
from gesprekscoach.workshops.anonymise import anonymise
from gesprekscoach.workshops.erasure import erase_person
from gesprekscoach.workshops.figures import snapshot
from gesprekscoach.workshops.report import build_workshop_report, report_csv
from gesprekscoach.workshops.service import (
    ALPHABET,
    WorkshopError,
    WorkshopPlan,
    by_code,
    create_workshop,
    join,
    new_code,
    set_status,
)
from tests.workshops.conftest import new_workshop
from tests.workshops.practise import GOOD, RUSHED, SALT, label, meta, practise


def who(name: str) -> object:
    return who_from("x", meta(name), SALT)


def test_codes_are_short_and_readable() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 6 and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01OIL") & set(ALPHABET), "no look-alikes to misread from a projector"


def test_join_with_a_valid_code_however_typed(engine: Engine, catalogues: Catalogues) -> None:
    code = new_workshop(engine, catalogues)
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    with session_factory(engine)() as db, db.begin():
        assert join(db, typed, who("Eva")).code == code  # type: ignore[arg-type]
        join(db, code, who("Eva"))  # type: ignore[arg-type]  # twice: still one member
    with session_factory(engine)() as db:
        assert db.execute(select(func.count()).select_from(WorkshopMember)).scalar_one() == 1


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        ("open", "ZZZZZZ", "De code ZZZZZZ ken ik niet"),
        ("open", "", "Typ de code"),
        ("voorbereid", None, "is nog niet open"),
        ("gesloten", None, "is gesloten"),
    ],
)
def test_join_refused_with_a_clear_reason(
    engine: Engine, catalogues: Catalogues, status: str, code: str | None, message: str
) -> None:
    real = new_workshop(engine, catalogues, status)
    with session_factory(engine)() as db, pytest.raises(WorkshopError, match=message):
        join(db, real if code is None else code, who("Eva"))  # type: ignore[arg-type]


def test_a_plan_is_checked(engine: Engine, catalogues: Catalogues) -> None:
    known = tuple(catalogues.personas.personas)
    bad = [
        WorkshopPlan("", date.today(), ("henk",)),
        WorkshopPlan("x", date.today(), ()),
        WorkshopPlan("x", date.today(), ("nobody",)),
        WorkshopPlan("x", date.today(), ("henk",), form="fout"),
        WorkshopPlan("x", date.today(), ("henk",), minutes=1),
    ]
    with session_factory(engine)() as db:
        for plan in bad:
            with pytest.raises(WorkshopError):
                create_workshop(db, plan, known, None)


def test_sessions_join_only_while_the_workshop_is_open(
    engine: Engine, catalogues: Catalogues
) -> None:
    code = new_workshop(engine, catalogues)
    practise(engine, catalogues, "s-open", "henk", GOOD[:2], meta("Eva", code))
    with session_factory(engine)() as db, db.begin():
        set_status(db, by_code(db, code), "gesloten")  # type: ignore[arg-type]
    practise(engine, catalogues, "s-late", "henk", GOOD[:2], meta("Bram", code))
    with session_factory(engine)() as db:
        assert db.get(PracticeSession, "s-open").workshop_code == code  # type: ignore[union-attr]
        assert db.get(PracticeSession, "s-late").workshop_code is None  # type: ignore[union-attr]
        members = db.execute(select(WorkshopMember)).scalars().all()
        assert [m.casemanager.display_name for m in members] == [label("Eva")]


def test_live_figures_follow_running_and_ended_sessions(
    engine: Engine, catalogues: Catalogues
) -> None:
    code = new_workshop(engine, catalogues)
    with session_factory(engine)() as db, db.begin():
        join(db, code, who("Dirk"))  # type: ignore[arg-type]  # joined, not started yet
    good = practise(engine, catalogues, "s1", "henk", GOOD, meta("Eva", code))
    rushed = practise(engine, catalogues, "s2", "henk", RUSHED, meta("Bram", code))
    practise(engine, catalogues, "s3", "henk", GOOD[:3], meta("Noor", code), end=False)
    with session_factory(engine)() as db:
        snap = snapshot(db, by_code(db, code), catalogues)  # type: ignore[arg-type]
    assert (snap.joined, snap.running, snap.done) == (4, 1, 2)
    status = {p.name: p.status for p in snap.participants}
    expected = {label("Eva"): "klaar", label("Bram"): "klaar", label("Noor"): "bezig"}
    assert status == {**expected, label("Dirk"): "wacht"}
    noor = next(p for p in snap.participants if p.name == label("Noor"))
    assert noor.turns == 3 and noor.trust is not None
    b3 = next(t for t in snap.tips if t.id == "CK-B3")
    ended = [good, rushed]
    statuses = [next(t for t in r["tips"] if t["id"] == "CK-B3")["status"] for r in ended]
    credited = statuses.count("credited")
    assert b3.shown == credited + 1, "the running session asked the needs question too"
    assert b3.missed >= 1, "the rushed session never asked it"
    everything = str(snap.to_dict())
    for name in ("Sanne", "Eva", "Bram", "Noor", "Dirk"):
        assert name not in str([t.good + t.poor for t in snap.tips]), f"{name} in an example"
    assert "[naam]" in everything, "the introduction's name is replaced"
    assert snap.version != "" and snap.version == snapshot_version(engine, catalogues, code)


def erase(engine: Engine, catalogues: Catalogues, name: str) -> None:
    with session_factory(engine)() as db, db.begin():
        person = db.execute(
            select(Casemanager).where(Casemanager.display_name == label(name))
        ).scalar_one()
        erase_person(db, int(person.id), catalogues)


def snapshot_version(engine: Engine, catalogues: Catalogues, code: str) -> str:
    with session_factory(engine)() as db:
        return snapshot(db, by_code(db, code), catalogues).version  # type: ignore[arg-type]


def test_the_report_matches_the_logged_sessions(engine: Engine, catalogues: Catalogues) -> None:
    code = new_workshop(engine, catalogues)
    reports = [
        practise(engine, catalogues, "a1", "henk", RUSHED, meta("Eva", code)),
        practise(engine, catalogues, "a2", "henk", GOOD, meta("Eva", code)),
        practise(engine, catalogues, "b1", "henk", RUSHED, meta("Bram", code)),
    ]
    practise(engine, catalogues, "c1", "henk", GOOD[:2], meta("Noor", code), end=False)
    with session_factory(engine)() as db:
        report = build_workshop_report(db, by_code(db, code), catalogues)  # type: ignore[arg-type]
    latest = [reports[1], reports[2]]  # Eva's last, Bram's only; Noor has not ended
    assert (report.participants, report.sessions) == (2, 3)
    for figure in report.tips:
        statuses = [next(t for t in r["tips"] if t["id"] == figure.id)["status"] for r in latest]
        assert figure.shown == statuses.count("credited"), figure.id
        assert figure.missed == statuses.count("flagged"), figure.id
    assert report.pitfalls and report.pitfalls[0].missed == max(f.missed for f in report.tips)
    assert report.pitfalls[0].poor, "a pitfall comes with example sentences"
    (eva,) = report.comparisons
    assert eva.who == "Deelnemer 1" and eva.sessions == 2
    assert eva.last.shown > eva.first.shown
    sheet = report_csv(report)
    assert sheet.splitlines()[0].startswith("onderdeel,tip,kop")
    assert "vergelijking,Deelnemer 1,2," in sheet and "Eva" not in sheet


def test_erasure_removes_a_participant_from_the_figures(
    engine: Engine, catalogues: Catalogues
) -> None:
    code = new_workshop(engine, catalogues)
    practise(engine, catalogues, "e1", "henk", GOOD, meta("Eva", code))
    practise(engine, catalogues, "b1", "henk", RUSHED, meta("Bram", code))
    with session_factory(engine)() as db:
        before = snapshot(db, by_code(db, code), catalogues)  # type: ignore[arg-type]
    erase(engine, catalogues, "Bram")
    with session_factory(engine)() as db:
        after = snapshot(db, by_code(db, code), catalogues)  # type: ignore[arg-type]
        report = build_workshop_report(db, by_code(db, code), catalogues)  # type: ignore[arg-type]
    assert (before.joined, before.done) == (2, 2) and (after.joined, after.done) == (1, 1)
    assert [p.name for p in after.participants] == [label("Eva")]
    assert report.participants == 1
    assert "Participatiewet" not in str(after.to_dict()) + str(report)


def test_erasure_takes_their_turns_out_of_a_group_round(
    engine: Engine, catalogues: Catalogues
) -> None:
    code = new_workshop(engine, catalogues, form="rondje")
    group = {"group": pseudonym("telegram", "-100777", "s")}
    writers = [meta("Eva", code, **group), meta("Bram", code, **group), meta("Eva", code, **group)]
    lines = [GOOD[0], RUSHED[2], GOOD[2]]
    practise(engine, catalogues, "g1", "henk", lines, writers)
    with session_factory(engine)() as db:
        session = db.get(PracticeSession, "g1")
        assert session is not None and session.casemanager.display_name.startswith("Groep ")
        assert [t.author.display_name for t in session.turns] == [
            label(n) for n in ("Eva", "Bram", "Eva")
        ]
        assert "Participatiewet" in str(session.report)
    erase(engine, catalogues, "Bram")
    with session_factory(engine)() as db:
        session = db.get(PracticeSession, "g1")
        assert session is not None and [t.number for t in session.turns] == [1, 3]
        assert "Participatiewet" not in str(session.report), "their words are out of the report"
        assert db.execute(select(func.count()).select_from(TurnRecord)).scalar_one() == 2


def test_anonymise_names_and_introductions() -> None:
    names = {"Eva de Vries", "Bram"}
    introduction = "Goedemiddag, ik ben Sanne van de gemeente."
    assert anonymise(introduction, names) == "Goedemiddag, ik ben [naam] van de gemeente."
    assert anonymise("Mijn naam is Eva de Vries.", names) == "Mijn naam is [naam] de [naam]."
    assert anonymise("Met Pieter Jansen, van de SVB.", set()) == "Met Pieter Jansen, van de SVB."
    lower_case = "Ik ben blij dat u er bent, bram."
    assert anonymise(lower_case, names) == "Ik ben blij dat u er bent, [naam]."
    assert anonymise("Wat heeft u nodig?", names) == "Wat heeft u nodig?"


def test_the_clock_runs_from_opening_while_open(engine: Engine, catalogues: Catalogues) -> None:
    code = new_workshop(engine, catalogues)
    with session_factory(engine)() as db:
        workshop = by_code(db, code)
        assert workshop is not None and workshop.opened_at is not None
        opened = workshop.opened_at.replace(tzinfo=workshop.opened_at.tzinfo or timezone.utc)
        ends = snapshot(db, workshop, catalogues).ends_at
        assert ends == pytest.approx(opened.timestamp() + 20 * 60)
    with session_factory(engine)() as db, db.begin():
        set_status(db, by_code(db, code), "gesloten")  # type: ignore[arg-type]
    with session_factory(engine)() as db:
        assert snapshot(db, by_code(db, code), catalogues).ends_at is None  # type: ignore[arg-type]
