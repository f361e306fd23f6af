"""Progress across sessions: a score per tip weighted towards recent sessions, and what
to practise next with whom, over sessions logged through the real repository.

The weighting is checked on reports built from turns (build_report, through
practice.report_for); the choice of what to practise on reports whose statuses are
set here, in the shape Report.to_dict gives, so it does not move when the feedback
rules are tuned.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.progress import DECAY, progress, weighted_progress
from gesprekscoach.personas import PersonaCatalogue
from gesprekscoach.practice import report_for
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import Casemanager, PracticeSession
from gesprekscoach.storage.repository import SessionEnd, SessionStart, Who, record_end, record_start
from gesprekscoach.turn import Standing, TurnEvent
from tests.conftest import migrated_sqlite

# CK-H1 (open and respectful): empathy credits it, a judgement flags it.
KIND = ("begroeten", "empathie", "vraag_wat_nodig", "doorvragen")
JUDGING = ("begroeten", "oordelen", "vraag_wat_nodig", "doorvragen")
DAY = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
C, F = "credited", "flagged"
# A session: (persona, the moves of its turns) or (persona, {tip: status}).
Run = tuple[str, Sequence[str] | Mapping[str, str]]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = migrated_sqlite(tmp_path)
    yield eng
    eng.dispose()


def turns(persona: str, moves: Sequence[str]) -> list[TurnEvent]:
    standing = Standing(40.0, 40.0)
    return [
        TurnEvent(i + 1, persona, f"bericht {i + 1}", "antwoord", m, standing, standing, (m,))
        for i, m in enumerate(moves)
    ]


def report(catalogues: Catalogues, persona: str, what: Sequence[str] | Mapping[str, str]) -> Any:
    if isinstance(what, Mapping):
        tips = [
            {
                "id": t,
                "heading": catalogues.tips[t].heading,
                "status": what.get(t, "not_applicable"),
            }
            for t in catalogues.tips.ids
        ]
        return {"persona": persona, "tips": tips}
    built = report_for(catalogues, persona, turns(persona, what), Standing(40, 40), None)
    return built.to_dict()


def log(
    engine: Engine, catalogues: Catalogues, runs: Sequence[Run], person: str = "a"
) -> list[PracticeSession]:
    """Log the sessions a day apart, oldest first; return them as stored."""
    who = Who("telegram", person * 64, f"telegram-{person * 6}")
    with session_factory(engine)() as db, db.begin():
        for n, (persona, what) in enumerate(runs):
            sid = f"{person}-{n}"
            start = SessionStart(sid, who, persona, "t", "oefenen", 1, None, DAY + timedelta(n))
            record_start(db, start)
            end = SessionEnd(sid, False, None, 40.0, report(catalogues, persona, what))
            record_end(db, end)
    with session_factory(engine)() as db:
        found = select(Casemanager).where(Casemanager.channel_hash == who.channel_hash)
        sessions = list(db.execute(found).scalar_one().sessions)
        for s in sessions:
            _ = s.report  # loaded before the database session closes
        return sessions


def with_focus(catalogues: Catalogues, focus: dict[str, tuple[str, ...]]) -> PersonaCatalogue:
    # A fixed cast of three, so the rule is tested whatever persona files are added.
    people = {pid: catalogues.personas.get(pid) for pid in ("henk", "marco", "samira")}
    return PersonaCatalogue(
        {pid: replace(p, focus_tips=focus.get(pid, ())) for pid, p in people.items()}
    )


def test_recent_sessions_weigh_more(engine: Engine, catalogues: Catalogues) -> None:
    learned = log(engine, catalogues, [("henk", JUDGING)] + [("henk", KIND)] * 3, "a")
    slipped = log(engine, catalogues, [("henk", KIND)] + [("henk", JUDGING)] * 3, "b")
    up = weighted_progress(learned, catalogues.tips, catalogues.personas).tip("CK-H1")
    down = weighted_progress(slipped, catalogues.tips, catalogues.personas).tip("CK-H1")
    assert (up.sessions, up.last, down.sessions, down.last) == (4, C, 4, F)
    assert up.score is not None and down.score is not None
    # Further from the middle than a plain share of 3 in 4: recent sessions count more.
    assert up.score > 0.85 and down.score < 0.15, (up.score, down.score)
    weights = [DECAY**k for k in range(4)]
    assert up.score == pytest.approx(sum(weights[:3]) / sum(weights), abs=0.01)
    # The chart's series stays the plain one, oldest first.
    assert progress(learned, ("CK-H1",)) == {"CK-H1": [0, 1, 1, 1]}


def test_a_tip_that_did_not_come_up_does_not_count(engine: Engine, catalogues: Catalogues) -> None:
    runs: list[Run] = [("henk", {"CK-B2": C}), ("henk", {"CK-H1": F}), ("henk", {"CK-H1": C})]
    result = weighted_progress(log(engine, catalogues, runs), catalogues.tips, catalogues.personas)
    b2, h1 = result.tip("CK-B2"), result.tip("CK-H1")
    assert (b2.sessions, b2.score, b2.last) == (1, 1.0, C)
    assert (h1.sessions, h1.score, h1.last) == (2, 0.62, C)
    never = [t for t in result.tips if t.sessions == 0]
    assert never and all(t.score is None and t.last is None for t in never)
    assert result.sessions == 3


def test_suggests_the_tip_just_missed_with_an_inwoner_who_trains_it(
    engine: Engine, catalogues: Catalogues
) -> None:
    runs: list[Run] = [
        ("henk", {"AO-3": C, "CK-H1": C}),
        ("marco", {"AO-3": F, "CK-H1": C}),
        ("henk", {"CK-H1": C}),
        ("henk", {"AO-3": F, "CK-H1": F, "CK-B2": C}),
    ]
    focus = {"henk": ("AO-3", "CK-B2"), "marco": ("AO-3",), "samira": ("AO-4",)}
    result = weighted_progress(
        log(engine, catalogues, runs), catalogues.tips, with_focus(catalogues, focus)
    )
    # Both were missed just now; AO-3 went wrong before as well.
    assert result.tip("AO-3").score < result.tip("CK-H1").score  # type: ignore[operator]
    assert result.practise_tip == "AO-3"
    assert result.practise_persona == "marco", "lists AO-3 and practised less than Henk"
    assert catalogues.tips["AO-3"].heading in result.advice and "Marco" in result.advice
    assert "laatste gesprek" in result.advice


def test_a_tip_missed_just_now_comes_before_an_older_weakness(
    engine: Engine, catalogues: Catalogues
) -> None:
    runs: list[Run] = [
        ("henk", {"CK-B1": F, "CK-H1": C}),
        ("henk", {"CK-H1": C}),
        ("henk", {"CK-H1": C}),
        ("henk", {"CK-H1": F}),
    ]
    result = weighted_progress(log(engine, catalogues, runs), catalogues.tips, catalogues.personas)
    assert result.tip("CK-B1").score == 0.0 < result.tip("CK-H1").score  # type: ignore[operator]
    assert result.practise_tip == "CK-H1", "missed in the latest session"
    # Without the slip just now, the older weakness is the one.
    steady = weighted_progress(
        log(engine, catalogues, runs[:3], "b"), catalogues.tips, catalogues.personas
    )
    assert steady.practise_tip == "CK-B1"
    assert "De laatste keer dat" in steady.advice


def test_a_weak_tip_that_went_well_last_time(engine: Engine, catalogues: Catalogues) -> None:
    runs: list[Run] = [("henk", {"AO-2": F}), ("henk", {"AO-2": F}), ("henk", {"AO-2": C})]
    result = weighted_progress(log(engine, catalogues, runs), catalogues.tips, catalogues.personas)
    assert result.tip("AO-2").score == 0.51 and result.practise_tip == "AO-2"
    assert "lukte de laatste keer wel" in result.advice


def test_between_equally_practised_inwoners_the_one_longest_ago(
    engine: Engine, catalogues: Catalogues
) -> None:
    runs: list[Run] = [("samira", {"CK-H1": C}), ("marco", {"CK-H1": C}), ("henk", {"CK-H1": F})]
    focus = {"marco": ("CK-H1",), "samira": ("CK-H1",)}
    result = weighted_progress(
        log(engine, catalogues, runs), catalogues.tips, with_focus(catalogues, focus)
    )
    assert (result.practise_tip, result.practise_persona) == ("CK-H1", "samira")


def test_when_no_inwoner_lists_the_tip_the_one_practised_least(
    engine: Engine, catalogues: Catalogues
) -> None:
    runs: list[Run] = [("henk", {"CK-H1": C}), ("marco", {"CK-H1": F}), ("henk", {"CK-H1": F})]
    result = weighted_progress(
        log(engine, catalogues, runs), catalogues.tips, with_focus(catalogues, {})
    )
    assert (result.practise_tip, result.practise_persona) == ("CK-H1", "samira")
    assert "Samira" in result.advice and "minst" in result.advice


def test_once_the_rest_goes_well_a_tip_never_practised_is_the_gap(
    engine: Engine, catalogues: Catalogues
) -> None:
    sessions = log(engine, catalogues, [("henk", {"CK-H1": C, "CK-B2": C}), ("henk", {"CK-H1": C})])
    focus = {"samira": ("CK-H1", "CK-K2")}
    result = weighted_progress(sessions, catalogues.tips, with_focus(catalogues, focus))
    assert result.tip("CK-K2").sessions == 0
    assert (result.practise_tip, result.practise_persona) == ("CK-K2", "samira")
    assert "nog niet aan bod" in result.advice and "Samira" in result.advice
    # A tip no inwoner trains (CK-H2, pro-active) is no gap: then all is well.
    quiet = weighted_progress(sessions, catalogues.tips, with_focus(catalogues, {}))
    assert quiet.tip("CK-H2").sessions == 0 and quiet.practise_tip is None
    assert "gaan goed" in quiet.advice and quiet.practise_persona in ("marco", "samira")


def test_without_sessions_the_advice_is_to_start(catalogues: Catalogues) -> None:
    result = weighted_progress([], catalogues.tips, catalogues.personas)
    assert result.sessions == 0 and result.practise_tip is None
    assert all(t.score is None for t in result.tips)
    assert "nog geen oefengesprek" in result.advice
    assert result.practise_persona in catalogues.personas.personas


def test_the_shipped_personas_train_real_tips(catalogues: Catalogues) -> None:
    for persona in catalogues.personas:
        assert 3 <= len(persona.focus_tips) <= 5, persona.id
        assert set(persona.focus_tips) <= set(catalogues.tips.ids), persona.id
