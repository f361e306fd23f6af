"""The learning loop in a group round, handler by handler (offline Bot API, scripted
practice server, the real database): going back un-counts messages in the round's tally,
every member answers what the inwoner needed, and the report names them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import texts
from bot.round_state import Tally
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.models import BotChat
from tests.telegram.offline import callback_update, message_update
from tests.telegram.test_handlers import Harness, run, running
from tests.telegram.test_learning_handlers import buttons, me, sent

GROUP = -4300
EVA, BRAM, KEES = 987650011, 987650012, 987650013
NAMES = {EVA: "Eva", BRAM: "Bram", KEES: "Kees"}


def in_group(text: str, user: int) -> dict[str, Any]:
    update = message_update(GROUP, text, user_id=user, chat_type="group")
    update["message"]["from"]["first_name"] = NAMES[user]
    return update


def press_in_group(data: str, user: int) -> dict[str, Any]:
    update = callback_update(GROUP, data, user_id=user)
    update["callback_query"]["message"]["chat"]["type"] = "group"
    update["callback_query"]["from"]["first_name"] = NAMES[user]
    return update


async def round_with_eva_and_bram(h: Harness, order: str = "") -> None:
    await h.feed(in_group(f"/oefening henk {order}".strip(), EVA))
    await h.feed(press_in_group("round:join", EVA), press_in_group("round:join", BRAM))


def tally(h: Harness) -> Tally:
    with session_factory(h.engine)() as db:
        stored = db.execute(select(BotChat.round).where(BotChat.round.isnot(None))).scalar()
    return Tally.of(stored)


def test_going_back_in_a_round_uncounts_the_messages(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await round_with_eva_and_bram(h, "volgorde")
            await h.feed(in_group("Goedemiddag.", EVA), in_group("Hoe gaat het?", BRAM))
            await h.feed(in_group("/terug", KEES))
            assert h.said(GROUP)[-1] == texts.ROUND_NOT_MEMBER.format(name="Kees")
            await h.feed(in_group("/terug", EVA))  # Bram's message, taken back by Eva
            assert h.said(GROUP)[-2:] == ["Bericht 2 is teruggenomen.", "Nu is Bram aan de beurt."]
            members = {m.key: m for m in tally(h).round.members}
            assert members[me(EVA)].moves == ("open_vraag",) and members[me(BRAM)].moves == ()
            await h.feed(in_group("Wat heeft u nodig?", BRAM), in_group("/opnieuw 1", BRAM))
            assert h.rasa.controls("opnieuw") == [{"turn": 1}]
            assert h.said(GROUP)[-1] == "Nu is Eva aan de beurt."
            assert all(not m.moves for m in tally(h).round.members) and not tally(h).written
            await h.feed(in_group("/opnieuw drie", EVA))
            assert h.said(GROUP)[-1] == texts.AGAIN_USAGE_GROUP
            await h.feed(in_group("/tip", BRAM))
            assert h.said(GROUP)[-1] == "Tip: vraag wat hij nodig heeft."

    run(test)


def test_every_member_answers_and_the_report_names_them(
    catalogues: Catalogues, db_url: str
) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await round_with_eva_and_bram(h)
            await h.feed(in_group("Goedemiddag.", EVA), in_group("/stop", BRAM))
            assert h.said(GROUP)[-1].startswith("Wat denken jullie dat Henk nodig heeft?")
            assert buttons(sent(h, GROUP)[-1]) == ["round:done"]
            await h.feed(press_in_group("round:join", KEES))
            await h.feed(in_group("Rust in zijn hoofd.", EVA), in_group("Nog iets", EVA))
            said = h.said(GROUP)
            assert said[-2] == "Eva heeft geantwoord. We wachten nog op: Bram."
            assert said[-1] == texts.ROUND_ALREADY.format(name="Eva")
            await h.feed(in_group("Hulp bij de brieven.", BRAM))
            assert h.rasa.reflections == [
                (("Rust in zijn hoofd.", me(EVA)), ("Hulp bij de brieven.", me(BRAM)))
            ]
            said = h.said(GROUP)
            scores = next(s for s in said if s.startswith("Wat dachten jullie"))
            assert "- Eva: 50%. goed gezien: rust. gemist: hulp." in scores
            assert "- Bram: 50%" in scores
            assert next(s for s in said if s.startswith("Wie deed wat:")).count("Eva: 1 bericht")
            assert h.rasa.texts() == ["Goedemiddag."], "answers are not messages to the inwoner"
            stored = str(h.rasa.metadata) + str(h.rasa.reflections)
            assert "Eva" not in stored and "Bram" not in stored and str(EVA) not in stored

    run(test)


def test_klaar_ends_a_round_with_the_answers_given(catalogues: Catalogues, db_url: str) -> None:
    async def test() -> None:
        async with running(catalogues, db_url) as h:
            await round_with_eva_and_bram(h)
            await h.feed(in_group("/stop", EVA), in_group("Zekerheid.", BRAM))
            await h.feed(press_in_group("round:done", KEES))
            assert h.rasa.controls("stop") == [], "only a member ends it"
            await h.feed(press_in_group("round:done", EVA))
            assert h.rasa.reflections == [(("Zekerheid.", me(BRAM)),)]
            scores = next(s for s in h.said(GROUP) if s.startswith("Wat dachten jullie"))
            assert texts.ROUND_NO_ANSWER.format(member="Eva") in scores

    run(test)


def test_a_big_rounds_answers_fit_in_one_stop() -> None:
    """Thirty members who each write the longest answer: the server takes them all."""
    from bot.closing import Answer, Closing
    from gesprekscoach.control import parse_control

    keys = tuple(f"{i:064x}" for i in range(30))
    closing = Closing(keys, tuple(Answer(k, "woord " * 400) for k in keys))
    sent = closing.reflections()
    assert [person for _, person in sent] == list(keys)
    control = {"command": "stop", "reflections": [{"text": t, "person": p} for t, p in sent]}
    assert len(parse_control(control).reflections) == 30
