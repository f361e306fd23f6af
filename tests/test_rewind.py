"""Counting what to take back: one rewind event per user message, the command's own included."""

from __future__ import annotations

from typing import Any

from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.rewind import plan_rewind


def user(text: str) -> list[dict[str, Any]]:
    return [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]


def bot(kind: str, **payload: Any) -> dict[str, Any]:
    return {
        "event": "bot",
        "text": "...",
        "data": {"custom": {PAYLOAD_KEY: {"kind": kind, **payload}}},
    }


def conversation(*steps: list[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for step in steps:
        events.extend(step if isinstance(step, list) else [step])
    return events


STARTED = [*user("/start_oefening"), bot("start")]


def test_terug_takes_back_the_last_turn_and_the_command() -> None:
    events = conversation(
        STARTED,
        user("hoi"),
        bot("turn", turn=1),
        user("hoe gaat het"),
        bot("turn", turn=2),
        user("/terug_nemen"),
    )
    plan = plan_rewind(events, None)
    assert plan is not None
    assert (plan.messages, plan.from_turn, plan.turns) == (2, 2, 1)


def test_commands_after_the_last_turn_go_back_with_it() -> None:
    events = conversation(
        STARTED,
        user("hoi"),
        bot("turn", turn=1),
        user("/tip_vragen"),
        bot("tip"),
        user("/hints_instellen"),
        bot("hints"),
        user("/terug_nemen"),
    )
    plan = plan_rewind(events, None)
    assert plan is not None
    assert (plan.messages, plan.from_turn) == (4, 1)


def test_starting_again_from_a_message_takes_back_everything_after_it() -> None:
    events = conversation(
        STARTED,
        *[s for n in range(1, 6) for s in (user(f"bericht {n}"), bot("turn", turn=n))],
        user("/opnieuw_vanaf"),
    )
    plan = plan_rewind(events, 2)
    assert plan is not None
    assert (plan.messages, plan.from_turn, plan.turns) == (5, 2, 4)


def test_a_message_the_inwoner_did_not_answer_is_not_a_turn() -> None:
    # A reply that failed (an error payload) made no turn: going back skips it as a target
    # but takes it back with the turn before it.
    events = conversation(
        STARTED,
        user("hoi"),
        bot("turn", turn=1),
        user("kapot"),
        bot("error"),
        user("/terug_nemen"),
    )
    plan = plan_rewind(events, None)
    assert plan is not None
    assert (plan.messages, plan.from_turn) == (3, 1)


def test_nothing_to_go_back_to() -> None:
    assert plan_rewind(conversation(STARTED, user("/terug_nemen")), None) is None
    events = conversation(STARTED, user("hoi"), bot("turn", turn=1), user("/opnieuw_vanaf"))
    assert plan_rewind(events, 5) is None
    assert plan_rewind(events, 0) is None


def test_a_new_practice_in_the_same_conversation_starts_counting_again() -> None:
    events = conversation(
        STARTED,
        user("hoi"),
        bot("turn", turn=1),
        STARTED,
        user("/terug_nemen"),
    )
    assert plan_rewind(events, None) is None
