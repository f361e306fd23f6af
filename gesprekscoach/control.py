"""What a client may tell the practice server besides the casemanager's words, validated.

Control (start a practice, stop it, switch hints) and metadata (who writes, in
which workshop) travel beside the text, never inside it: a message a person
typed is always text. Every value is checked here, with its type and range,
before it can reach the persona engine or the session log; a bad value is
refused with a Dutch message, never cast or cut into something else.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_SEED = 2**31 - 1
MAX_TEXT = 20_000
"""Characters of one message the channel takes at all. Up to this, even an empty message or a
wall of text is the casemanager's to send: the inwoner reacts in character (silence, "te
lang"); Telegram itself stops at 4096."""
SENDER = re.compile(r"[A-Za-z0-9_.:-]{1,56}")
"""Room for the session log's "~N" (a conversation's N-th practice) in its 64 characters."""
PERSONA = re.compile(r"[a-z][a-z0-9_-]{0,39}")
VARIANT = re.compile(r"[a-z][a-z0-9_]{1,40}")
HASH = re.compile(r"[0-9a-f]{16,64}")
CHANNEL = re.compile(r"[a-z][a-z0-9_-]{0,19}")
WORKSHOP = re.compile(r"[A-Za-z0-9-]{1,20}")
MESSAGE_ID = re.compile(r"[0-9]{1,20}")
COMMANDS = ("start", "stop", "hints", "terug", "opnieuw", "tip")
MAX_REFLECTION = 2000
"""Characters of one reflection (what the casemanager thinks the inwoner needed)."""
MAX_REFLECTIONS = 40
"""Reflections one stop may carry: everyone in a group round answers."""
MAX_REFLECTIONS_CHARS = 20_000
"""All reflections of one stop together: scoring them runs while others wait (about 20 ms
per 1,000 characters), so one request cannot hold the action server up for long."""
MAX_TURN = 10_000
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ControlError(ValueError):
    """A control value or metadata field is not acceptable; the message says which, in Dutch."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Control:
    """One control command from a client (never from a message's text)."""

    command: str
    persona: str | None = None
    seed: int = 0
    hints: bool = True
    undo: bool | None = None
    """Whether going back is allowed (start); None: as hints (off in exam mode)."""
    turn: int | None = None
    """The message to start again from (opnieuw)."""
    reflections: tuple[tuple[str, str | None], ...] = ()
    """(text, person pseudonym or None) per answer to "what did they need?" (stop)."""
    variant: str | None = None
    """The persona's variant (start): "geen", "willekeurig" (by seed) or a variant id."""


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ControlError(field, f"'{field}' moet waar of onwaar zijn (true/false).")


def seed_value(value: Any) -> int:
    """A seed is a whole number from 0 to 2^31-1: no text, no float, no infinity."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        else:
            raise ControlError("seed", "De seed moet een heel getal zijn.")
    if not 0 <= value <= MAX_SEED:
        raise ControlError("seed", f"De seed moet tussen 0 en {MAX_SEED} liggen.")
    return value


def persona_value(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not PERSONA.fullmatch(value):
        raise ControlError("persona", "Een inwoner kies je met een naam als 'marco' of 'henk'.")
    return value


def variant_value(value: Any) -> str | None:
    """A variant asked for at the start: "geen", "willekeurig" or an id; None when not given."""
    if value is None:
        return None
    if not isinstance(value, str) or not VARIANT.fullmatch(value):
        raise ControlError(
            "variant", "Een variant kies je met 'geen', 'willekeurig' of de naam van de variant."
        )
    return value


def parse_control(data: Any) -> Control:
    """A control command from a request body's `control` field."""
    if not isinstance(data, dict):
        raise ControlError("control", "'control' moet een object zijn.")
    fields = {"command", "persona", "seed", "hints", "undo", "turn", "reflections", "variant"}
    unknown = set(data) - fields
    if unknown:
        raise ControlError("control", f"Onbekend veld in 'control': {sorted(unknown)[0]!r}.")
    command = data.get("command")
    if command not in COMMANDS:
        raise ControlError("command", f"'command' moet een van {', '.join(COMMANDS)} zijn.")
    allowed = {
        "start": {"persona", "seed", "hints", "undo", "variant"},
        "hints": {"hints"},
        "opnieuw": {"turn"},
        "stop": {"reflections"},
    }.get(command, set())
    extra = set(data) - allowed - {"command"}
    if extra:
        raise ControlError("control", f"'{command}' kent het veld {sorted(extra)[0]!r} niet.")
    if command == "start":
        undo = data.get("undo")
        return Control(
            "start",
            persona_value(data.get("persona")),
            seed_value(data.get("seed", 0)),
            _bool(data.get("hints", True), "hints"),
            undo=None if undo is None else _bool(undo, "undo"),
            variant=variant_value(data.get("variant")),
        )
    if command == "hints":
        return Control("hints", hints=_bool(data.get("hints"), "hints"))
    if command == "opnieuw":
        return Control("opnieuw", turn=turn_value(data.get("turn")))
    if command == "stop":
        return Control("stop", reflections=reflections_value(data.get("reflections")))
    return Control(command)


def turn_value(value: Any) -> int:
    """A message number to start again from: a whole number from 1."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TURN:
        raise ControlError("turn", "Kies het nummer van een bericht, bijvoorbeeld 3.")
    return value


def reflections_value(value: Any) -> tuple[tuple[str, str | None], ...]:
    """The answers to "what did they need?": text each, with the writer's pseudonym in a group.

    Always text, never read as a command; empty answers are dropped (skipped).
    """
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_REFLECTIONS:
        raise ControlError(
            "reflections", f"'reflections' moet een lijst zijn van hoogstens {MAX_REFLECTIONS}."
        )
    out: list[tuple[str, str | None]] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"text", "person"}:
            raise ControlError("reflections", "Elke reflectie heeft alleen 'text' en 'person'.")
        text = item.get("text")
        if not isinstance(text, str):
            raise ControlError("reflections", "Een reflectie moet tekst zijn.")
        if len(text) > MAX_REFLECTION:
            raise ControlError(
                "reflections",
                f"Je antwoord is te lang (meer dan {MAX_REFLECTION} tekens). Maak het korter.",
            )
        person = item.get("person")
        if person is not None and (not isinstance(person, str) or not HASH.fullmatch(person)):
            raise ControlError("reflections", "'person' van een reflectie is geen pseudoniem.")
        if storable(text).strip():
            out.append((storable(text).strip(), person))
    if sum(len(text) for text, _ in out) > MAX_REFLECTIONS_CHARS:
        raise ControlError("reflections", "De antwoorden samen zijn te lang. Maak ze korter.")
    return tuple(out)


def sender_value(value: Any) -> str:
    if not isinstance(value, str) or not SENDER.fullmatch(value):
        raise ControlError(
            "sender", "'sender' moet 1 tot 56 tekens zijn: letters, cijfers en _ . : -."
        )
    return value


DELIVERY_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def delivery_value(value: Any) -> str | None:
    """The client's id for one message: sent again with the same id, it is handled once."""
    if value is None:
        return None
    if not isinstance(value, str) or not DELIVERY_ID.fullmatch(value):
        raise ControlError(
            "message_id", "'message_id' moet 8 tot 64 tekens zijn: letters, cijfers, _ en -."
        )
    return value


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ControlError("message", "'message' moet tekst zijn.")
    if len(value) > MAX_TEXT:
        raise ControlError(
            "message", f"Je bericht is te lang (meer dan {MAX_TEXT} tekens). Maak het korter."
        )
    return storable(value)


def storable(text: str) -> str:
    """The text as every database can keep it: a lone surrogate (broken emoji from JSON)
    and NUL become the replacement character; nothing else changes."""
    return UNSTORABLE.sub("\ufffd", text)


def _text_field(meta: dict[str, Any], key: str, limit: int) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ControlError(key, f"'{key}' in de metadata moet tekst zijn.")
    cleaned = "".join(c for c in value if c.isprintable())[:limit].strip()
    return cleaned or None


def _pattern_field(meta: dict[str, Any], key: str, pattern: re.Pattern[str]) -> str | None:
    value = meta.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ControlError(key, f"'{key}' in de metadata heeft geen geldige waarde.")
    return value


def clean_metadata(data: Any) -> dict[str, str]:
    """The metadata a trusted client may send: pseudonyms and codes only, never a raw id.

    `person` and `group` are salted hashes made by the client that received the
    message (see gesprekscoach.storage.repository.pseudonym); anything else is refused.
    """
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ControlError("metadata", "'metadata' moet een object zijn.")
    allowed = {"channel", "person", "group", "group_name", "workshop", "chat_type", "message_id"}
    unknown = set(data) - allowed
    if unknown:
        raise ControlError("metadata", f"Onbekend veld in 'metadata': {sorted(unknown)[0]!r}.")
    fields = {
        "channel": _pattern_field(data, "channel", CHANNEL),
        "person": _pattern_field(data, "person", HASH),
        "group": _pattern_field(data, "group", HASH),
        "group_name": _text_field(data, "group_name", 80),
        "workshop": _pattern_field(data, "workshop", WORKSHOP),
        "chat_type": _pattern_field(data, "chat_type", CHANNEL),
        "message_id": _pattern_field(data, "message_id", MESSAGE_ID),
    }
    return {key: value for key, value in fields.items() if value is not None}
