"""Control values (seed, persona, sender, metadata) from a client or a tracker, hostile.

gesprekscoach.control checks every value beside the text: a good value comes
back as it was, anything else is a ControlError (a Dutch message), never any
other exception and never a value cast or cut into something else. The start
action (actions/actions.py) reads the seed and persona entities the same way.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gesprekscoach.protocol import PAYLOAD_KEY
from tests.conftest import migrated_sqlite
from tests.fuzz.strategies import (
    PERSONA_IDS,
    examples,
    hostile_seeds,
    hostile_text,
    json_values,
    persona_keys,
)

control = pytest.importorskip("gesprekscoach.control")
ControlError = control.ControlError

anything = st.one_of(hostile_seeds, json_values, hostile_text(300), persona_keys)


def _checked(function: Any, value: Any) -> tuple[bool, Any]:
    """(True, result) or (False, the ControlError); any other exception fails the test."""
    try:
        return True, function(value)
    except ControlError as exc:
        assert str(exc) and exc.field, "a refusal says what and why"
        return False, exc


@settings(max_examples=examples(60))
@given(value=anything)
@example(value=10**30)
@example(value=math.inf)
@example(value=math.nan)
@example(value=True)
@example(value=2.0**31)
@example(value="7")
def test_a_seed_is_a_whole_number_in_range_or_refused(value: Any) -> None:
    ok, seed = _checked(control.seed_value, value)
    if ok:
        assert type(seed) is int and 0 <= seed <= control.MAX_SEED
        assert seed == value


@settings(max_examples=examples(60))
@given(value=anything)
def test_a_persona_is_a_plain_name_or_refused(value: Any) -> None:
    ok, persona = _checked(control.persona_value, value)
    if ok:
        assert persona is None or (persona == value and control.PERSONA.fullmatch(persona))


@settings(max_examples=examples(60))
@given(value=anything)
@example(value="willekeurig")
@example(value="geen")
@example(value="slecht_geslapen")
@example(value="Slecht geslapen")
@example(value="x")
def test_a_variant_is_a_plain_name_or_refused(value: Any) -> None:
    ok, variant = _checked(control.variant_value, value)
    if ok:
        assert variant is None or (variant == value and control.VARIANT.fullmatch(variant))
    if value in ("willekeurig", "geen", "slecht_geslapen"):
        assert ok and variant == value


@settings(max_examples=examples(60))
@given(value=st.one_of(anything, hostile_text()))
def test_a_message_is_text_of_at_most_max_text_or_refused(value: Any) -> None:
    ok, text = _checked(control.text_value, value)
    if ok:
        assert isinstance(text, str) and len(text) <= control.MAX_TEXT
        assert text == control.storable(value or ""), "unchanged but for NUL and lone surrogates"


@settings(max_examples=examples(60))
@given(value=anything)
def test_a_sender_is_a_safe_id_or_refused(value: Any) -> None:
    ok, sender = _checked(control.sender_value, value)
    if ok:
        assert sender == value and control.SENDER.fullmatch(sender)


# What the channel reads from metadata, and two keys it must not store (name, user).
METADATA_KEYS = [
    *("channel", "person", "group", "group_name", "workshop", "chat_type", "message_id"),
    *("name", "user"),
]
metadata = st.one_of(
    anything,
    st.dictionaries(
        st.sampled_from(METADATA_KEYS),
        st.one_of(anything, st.from_regex(r"[0-9a-f]{16,64}", fullmatch=True)),
        max_size=5,
    ),
)


@settings(max_examples=examples(60))
@given(value=metadata)
def test_metadata_is_a_dict_of_checked_strings_or_refused(value: Any) -> None:
    ok, meta = _checked(control.clean_metadata, value)
    if ok:
        assert isinstance(meta, dict)
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in meta.items())
        for key in ("group_name",):
            if key in meta:
                assert meta[key].isprintable() and len(meta[key]) <= 80


reflection_items = st.one_of(
    anything,
    st.fixed_dictionaries(
        {"text": st.one_of(st.text(max_size=50), st.text(min_size=1990, max_size=2100), anything)},
        optional={"person": st.one_of(st.none(), st.just("a" * 64), anything)},
    ),
)
commands = st.one_of(
    anything,
    st.fixed_dictionaries(
        {
            "command": st.sampled_from(
                ["start", "stop", "hints", "terug", "opnieuw", "tip", "START", "", "x"]
            )
        },
        optional={
            "persona": persona_keys,
            "seed": hostile_seeds,
            "hints": anything,
            "undo": anything,
            "variant": st.one_of(anything, st.sampled_from(["willekeurig", "geen", "moe"])),
            "turn": st.one_of(hostile_seeds, anything),
            "reflections": st.one_of(anything, st.lists(reflection_items, max_size=45)),
        },
    ),
)


@settings(max_examples=examples(80))
@given(value=commands)
@example(value={"command": "opnieuw", "turn": True})
@example(value={"command": "stop", "reflections": [{"text": "\x00\ud800"}]})
@example(value={"command": "terug", "turn": 3})
def test_a_control_command_is_checked_whole(value: Any) -> None:
    ok, command = _checked(control.parse_control, value)
    if ok:
        assert command.command in control.COMMANDS
        assert type(command.seed) is int and 0 <= command.seed <= control.MAX_SEED
        assert isinstance(command.hints, bool)
        assert command.undo is None or isinstance(command.undo, bool)
        assert command.turn is None or (type(command.turn) is int and command.turn >= 1)
        assert command.command == "opnieuw" or command.turn is None
        assert len(command.reflections) <= control.MAX_REFLECTIONS
        assert sum(len(t) for t, _ in command.reflections) <= control.MAX_REFLECTIONS_CHARS
        for text, person in command.reflections:
            assert isinstance(text, str) and text.strip() == text and text
            assert len(text) <= control.MAX_REFLECTION
            assert "\x00" not in text
            assert person is None or control.HASH.fullmatch(person)


# -- the start action, with whatever entities a tracker holds ------------------------


@pytest.fixture(scope="module")
def start_action(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The start action with a session log of its own: nothing reaches the developer's var/."""
    actions = pytest.importorskip("actions.actions")
    from gesprekscoach.storage.writer import SessionLog

    folder = tmp_path_factory.mktemp("session_log")
    engine = migrated_sqlite(folder)
    session_log = SessionLog(engine, folder / "spool.jsonl", delays=(0.0,))
    yield actions.ActionStartPractice(actions.LogSink(session_log, salt="fuzz"))
    session_log.flush()
    engine.dispose()


entity_values = st.one_of(hostile_seeds, json_values, persona_keys)


@settings(max_examples=examples(30))
@given(
    seed=st.one_of(st.none(), entity_values),
    persona=st.one_of(st.none(), entity_values),
    hints=st.one_of(st.none(), entity_values),
    variant=st.one_of(st.none(), entity_values, st.sampled_from(["willekeurig", "geen"])),
)
@example(seed=math.inf, persona="henk", hints=None, variant=None)
@example(seed=99999999999999999999999999, persona=None, hints=None, variant=None)
@example(seed=[1, 2], persona={"x": 1}, hints="uit", variant=None)
@example(seed=5, persona="henk", hints=None, variant="willekeurig")
@example(seed=5, persona="henk", hints=None, variant="<script>")
@example(seed=5, persona="henk", hints=None, variant="onbekende_variant")
def test_the_start_action_takes_any_entities(
    start_action: Any, seed: Any, persona: Any, hints: Any, variant: Any
) -> None:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from gesprekscoach.storage.writer import quarantine_path

    entities = [
        {"entity": name, "value": value}
        for name, value in (
            ("seed", seed),
            ("persona", persona),
            ("hints", hints),
            ("variant", variant),
        )
        if value is not None
    ]
    latest = {
        "intent": {"name": "start_oefening", "confidence": 1.0},
        "entities": entities,
        "text": "/start_oefening",
    }
    # A conversation of its own per example, so each start is a new session in the log.
    tracker = Tracker(f"fuzz-{uuid.uuid4().hex}", {}, latest, [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    asyncio.run(start_action.run(dispatcher, tracker, {}))
    payloads = [m["custom"][PAYLOAD_KEY] for m in dispatcher.messages if m.get("custom")]
    assert len(payloads) == 1
    [payload] = payloads
    assert payload["kind"] in ("start", "error")
    if payload["kind"] == "start":
        assert type(payload["seed"]) is int and 0 <= payload["seed"] <= control.MAX_SEED
        assert payload["persona"] in PERSONA_IDS
        assert variant in (None, "geen", "willekeurig") or payload["variant"] == variant
    # Whatever the entities, what the action logs is stored: not spooled, not set aside.
    session_log = start_action.sink.session_log
    assert session_log.flush(), "the session log caught up"
    assert not session_log.spool.exists()
    assert not quarantine_path(session_log.spool).exists()
