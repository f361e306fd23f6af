"""The workshop report's first-versus-last comparison: tips that got better and worse, and
what each participant should practise next, from sessions logged through the real core."""

from __future__ import annotations

import csv
import io

from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.workshops.report import (
    COMPARISON_COLUMNS,
    WorkshopReport,
    build_workshop_report,
    report_csv,
)
from gesprekscoach.workshops.service import by_code
from tests.workshops.conftest import new_workshop
from tests.workshops.practise import GOOD, RUSHED, meta, practise


def _report(engine: Engine, catalogues: Catalogues, code: str) -> WorkshopReport:
    with session_factory(engine)() as db:
        return build_workshop_report(db, by_code(db, code), catalogues)  # type: ignore[arg-type]


def _status(report: dict[str, object], tip: str) -> str:
    tips = report["tips"]
    assert isinstance(tips, list)
    return str(next(t["status"] for t in tips if t["id"] == tip))


def test_better_and_worse_between_first_and_last(engine: Engine, catalogues: Catalogues) -> None:
    code = new_workshop(engine, catalogues)
    eva = [
        practise(engine, catalogues, "e1", "henk", RUSHED, meta("Eva", code)),
        practise(engine, catalogues, "e2", "henk", GOOD, meta("Eva", code)),
    ]
    bram = [
        practise(engine, catalogues, "b1", "henk", GOOD, meta("Bram", code)),
        practise(engine, catalogues, "b2", "henk", RUSHED, meta("Bram", code)),
    ]
    report = _report(engine, catalogues, code)
    learned, slipped = report.comparisons  # Eva ended first
    assert (learned.sessions, slipped.sessions) == (2, 2)
    for tip in catalogues.tips.ids:
        first, last = _status(eva[0], tip), _status(eva[1], tip)
        assert (tip in learned.improved) == (last == "credited" != first), tip
        assert (tip in learned.worsened) == (last == "flagged" != first), tip
        first, last = _status(bram[0], tip), _status(bram[1], tip)
        assert (tip in slipped.worsened) == (last == "flagged" != first), tip
    assert "CK-H1" in learned.improved and "CK-H1" in slipped.worsened
    assert not learned.worsened and slipped.worsened
    # What to practise: a tip flagged in the last session, with a named inwoner.
    assert slipped.practise_tip is not None
    assert _status(bram[1], slipped.practise_tip) == "flagged"
    assert slipped.practise_persona in {p.name for p in catalogues.personas}
    assert catalogues.tips[slipped.practise_tip].heading in slipped.advice
    assert str(slipped.practise_persona).split()[0] in slipped.advice


def test_the_sheet_carries_the_comparison_at_the_end(
    engine: Engine, catalogues: Catalogues
) -> None:
    code = new_workshop(engine, catalogues)
    practise(engine, catalogues, "b1", "henk", GOOD, meta("Bram", code))
    practise(engine, catalogues, "b2", "henk", RUSHED, meta("Bram", code))
    report = _report(engine, catalogues, code)
    (bram,) = report.comparisons
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    header = rows.index(list(COMPARISON_COLUMNS))
    row = dict(zip(COMPARISON_COLUMNS, rows[header + 1], strict=True))
    assert COMPARISON_COLUMNS[:9] == (
        "onderdeel",
        "deelnemer",
        "gesprekken",
        "eerste_tips_goed",
        "laatste_tips_goed",
        "eerste_tips_gemist",
        "laatste_tips_gemist",
        "eerste_vertrouwen",
        "laatste_vertrouwen",
    ), "the old columns keep their place"
    assert row["onderdeel"] == "vergelijking" and row["gesprekken"] == "2"
    assert row["slechter"].split() == list(bram.worsened)
    assert row["beter"].split() == list(bram.improved)
    assert row["oefen_tip"] == bram.practise_tip and row["oefen_met"] == bram.practise_persona
    assert row["advies"] == bram.advice and "Bram" not in row["advies"]
