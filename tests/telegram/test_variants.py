"""The bot's persona choice offers every inwoner, and a practice alone meets another variant
than the casemanager's last two with that inwoner; a werkatelier varies only if asked."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from gesprekscoach.domain import Catalogues
from gesprekscoach.personas import variants
from gesprekscoach.storage.db import make_engine, session_factory
from gesprekscoach.storage.models import utcnow
from gesprekscoach.storage.repository import SessionStart, Who, pseudonym, record_start
from gesprekscoach.workshops.service import WorkshopPlan, create_workshop, set_status
from tests.telegram.offline import callback_update, message_update
from tests.telegram.test_handlers import CHAT, practising, run, running


def _met(db_url: str, persona: str, met: list[str | None]) -> None:
    """Earlier sessions of this Telegram user with `persona`, oldest first."""
    engine = make_engine(db_url)
    who = Who("telegram", pseudonym("telegram", str(CHAT), "salt"), "Eva")
    with session_factory(engine)() as db, db.begin():
        for i, variant in enumerate(met):
            when = utcnow() - timedelta(hours=len(met) - i)
            start = SessionStart(f"old{i}", who, persona, "x", "oefenen", i, None, variant, when)
            record_start(db, start)
    engine.dispose()


def test_the_choice_offers_every_inwoner(catalogues: Catalogues, db_url: str) -> None:
    calls = []

    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await h.feed(message_update(CHAT, "/start"), callback_update(CHAT, "consent:ja"))
            calls.extend(h.api.calls)

    run(test)
    markup = json.dumps(calls, ensure_ascii=False)
    for persona in catalogues.personas:
        assert f"persona:{persona.id}" in markup, persona.id


@pytest.mark.parametrize("persona", ["henk", "samira"])
def test_practising_again_meets_another_variant(
    catalogues: Catalogues, db_url: str, persona: str
) -> None:
    described = catalogues.personas.get(persona)
    last_two = [v.id for v in described.variants[:2]]
    _met(db_url, persona, [described.variants[-1].id, *last_two])
    starts = []

    async def test() -> None:
        async with running(catalogues, db_url) as h:
            for _ in range(5):
                await practising(h, persona=persona)
            starts.extend(h.rasa.controls("start"))

    run(test)
    assert len(starts) == 5
    for start in starts:
        assert start["variant"] == variants.RANDOM
        # Newest first: the two most recent sessions are avoided.
        assert variants.choose(described, start["seed"]) not in last_two


def test_a_workshop_gives_everyone_the_same_inwoner_unless_asked(
    catalogues: Catalogues, db_url: str
) -> None:
    engine = make_engine(db_url)
    codes = {}
    with session_factory(engine)() as db, db.begin():
        for vary in (False, True):
            plan = WorkshopPlan("W", date(2026, 12, 1), ("henk",), vary_personas=vary)
            workshop = create_workshop(db, plan, tuple(catalogues.personas.personas), None)
            set_status(db, workshop, "open")
            codes[vary] = str(workshop.code)
    engine.dispose()
    got: dict[bool, list[str]] = {}

    async def test() -> None:
        for vary, chat in ((False, 611), (True, 612)):
            async with running(catalogues, db_url) as h:
                await h.feed(
                    message_update(chat, "/start"),
                    callback_update(chat, "consent:ja"),
                    message_update(chat, f"/join {codes[vary]}"),
                )
                await h.feed(callback_update(chat, "persona:henk"))
                got[vary] = [c["variant"] for c in h.rasa.controls("start")]

    run(test)
    assert got[False] and set(got[False]) == {variants.NONE}
    assert got[True] and set(got[True]) == {variants.RANDOM}
