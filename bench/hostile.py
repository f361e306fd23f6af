"""Hostile requests for the practice channel, generated deterministically from a seed.

What a prankster, a pasted document or a broken client sends: random unicode from
every plane, control and bidi characters, Rasa's `/intent{...}` shorthand with the
real intent names, JSON-looking text, markup, SQL, walls of text up to and over
the channel's limit, empty messages, real casemanager sentences with noise; and a
small share of hostile control values, metadata and bodies. Each case says what
the channel must do with it: answer it as a turn (typed text is always text), or
refuse it with a Dutch message. Limits and patterns come from the product
(gesprekscoach.control, coach_channel), so the cases follow when those change. Only
the standard library and the project: Hypothesis is for the unit tests (tests/fuzz),
this is a seeded stream for a running server.
"""

from __future__ import annotations

import json
import os
import random
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.hostile_texts import (
    BAD_AUTHORIZATIONS,
    BAD_BODIES,
    BAD_METADATA,
    DUTCH_WORDS,
    ENGLISH,
    EXTRA_INTENTS,
    JSON_SNIPPETS,
    MARKUP,
    NASTY,
    ODD_VALUES,
    SQL,
    WHITESPACE,
    bad_controls,
)
from gesprekscoach.control import MAX_TEXT, SENDER

TURN = "turn"
"""Expected: a 200 with the inwoner's answer and a coach payload of kind "turn"."""
TURN_OR_REFUSED = "turn_or_refused"
"""Expected: either (an empty message: the inwoner may react in character, or the channel
may refuse it with a Dutch message; both keep the practice and the log right)."""
REFUSED = "refused"
"""Expected: a 4xx (see `statuses`) with {"error", "message"}, the message in Dutch."""
CONTROL_ERROR = "control_error"
"""Expected: a 200 whose payload is kind "error" (a start the engine cannot do)."""


@dataclass(frozen=True)
class Case:
    """One request: its body (the client's sender filled in) and what the channel must do."""

    category: str
    expect: str
    fields: dict[str, Any] = field(default_factory=dict)
    """Merged over {"sender": <the client's sender>}: message, control, metadata, bad sender."""
    raw: bytes | None = None
    """Sent as is instead of a JSON object (not JSON, not an object, not UTF-8)."""
    ascii: bool = True
    """How the client writes the JSON: escaped (\\uXXXX) or raw UTF-8."""
    auth: str | None = None
    """An Authorization header instead of the right one ("" leaves it out)."""
    statuses: tuple[int, ...] = (400,)
    """The acceptable refusals, when `expect` is REFUSED."""

    def body(self, sender: str) -> bytes:
        if self.raw is not None:
            return self.raw
        payload = {"sender": sender, **self.fields}
        return json.dumps(payload, ensure_ascii=self.ascii).encode("utf-8")


@dataclass(frozen=True)
class Vocabulary:
    """The real names and sentences the generator mixes in."""

    intents: tuple[str, ...]
    personas: tuple[str, ...]
    sentences: tuple[str, ...]


def load_vocabulary(root: Path, sentences: list[str]) -> Vocabulary:
    """Intent names from domain.yml, persona ids from data/personas, the scripts' sentences."""
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    intents = tuple(
        next(iter(item)) if isinstance(item, dict) else str(item) for item in domain["intents"]
    )
    personas = tuple(sorted(p.stem for p in (root / "data" / "personas").glob("*.yml")))
    return Vocabulary(intents, personas, tuple(sentences) or ("Wat heeft u nodig?",))


def _max_body() -> int:
    """The channel's body limit. Its module pulls in Rasa, whose SQLAlchemy 2.0 warning would
    open every run's output; Rasa resets warning filters, so it is silenced the SQLAlchemy way
    for the import only (the servers' environment stays as it was)."""
    key = "SQLALCHEMY_SILENCE_UBER_WARNING"
    before = os.environ.get(key)
    os.environ[key] = "1"
    try:
        from coach_channel.channel import MAX_BODY
    finally:
        if before is None:
            del os.environ[key]
        else:
            os.environ[key] = before
    return MAX_BODY


MAX_BODY = _max_body()
SENDER_CHARS = [
    c for c in string.ascii_letters + string.digits + "_.:~-" + "/ " if SENDER.fullmatch(c)
]
"""The characters a sender id may have (gesprekscoach.control.SENDER): the oddest are used."""
MAX_SENDER = max(n for n in range(1, 257) if SENDER.fullmatch("a" * n))


def expectation(text: str) -> tuple[str, tuple[int, ...]]:
    """The channel's contract for typed text (gesprekscoach.control, coach_channel)."""
    if len(text) > MAX_TEXT:
        return REFUSED, (400, 413)  # too long; a body over MAX_BODY is refused before parsing
    if not text.strip():
        return TURN_OR_REFUSED, (400,)
    return TURN, ()


class Generator:
    """Hostile cases for one simulated client; the same seed always gives the same cases."""

    def __init__(self, vocabulary: Vocabulary, seed: int | str, skip: frozenset[str] = frozenset()):
        self.v = vocabulary
        self.rng = random.Random(str(seed))
        self.kinds: list[tuple[str, float, Any]] = [
            ("unicode", 12, self.unicode),
            ("nasty", 10, self.nasty),
            ("intent", 11, self.intent),
            ("json", 8, self.json_text),
            ("markup", 8, self.markup),
            ("sql", 4, self.sql),
            ("long", 5, self.long),
            ("gibberish", 5, self.gibberish),
            ("english", 5, self.english),
            ("dutch_noise", 14, self.dutch_noise),
            ("dutch", 4, lambda: self.rng.choice(self.v.sentences)),
            ("surrogates", 1, self.surrogates),
            ("empty", 2.5, self.empty),
            ("over_limit", 1, self.over_limit),
        ]
        self.requests: list[tuple[str, float, Any]] = [
            ("odd_metadata", 1.5, self.odd_metadata),
            ("bad_control", 2.5, self.bad_control),
            ("unknown_persona", 0.3, self.unknown_persona),
            ("bad_metadata", 1.5, self.bad_metadata),
            ("bad_body", 1.5, self.bad_body),
            ("no_token", 0.4, self.no_token),
            ("too_large", 0.2, self.too_large),
        ]
        table = self.kinds + self.requests
        self._names = [name for name, _, _ in table]
        self._weights = [0.0 if name in skip else weight for name, weight, _ in table]
        self._makers = {name: make for name, _, make in table}
        self._texts = {name for name, _, _ in self.kinds}

    @property
    def categories(self) -> list[str]:
        return list(self._names)

    def next(self) -> Case:
        name = self.rng.choices(self._names, self._weights)[0]
        made = self._makers[name]()
        if name not in self._texts:
            return made
        text = str(made)
        expect, statuses = expectation(text)
        encodable = not any("\ud800" <= c <= "\udfff" for c in text)
        fields: dict[str, Any] = {"message": text}
        if name == "empty" and self.rng.random() < 0.2:  # no text at all: null, or no field
            fields = self.rng.choice(({"message": None}, {}))
        if self.rng.random() < 0.8:
            fields["metadata"] = {"channel": "fuzz"}
        ascii = not encodable or self.rng.random() < 0.5
        return Case(name, expect, fields, ascii=ascii, statuses=statuses)

    # -- typed text ------------------------------------------------------------

    def char(self) -> str:
        """One code point from anywhere in unicode (no lone surrogates: see `surrogates`)."""
        r = self.rng.random()
        if r < 0.15:
            return chr(self.rng.randrange(0x00, 0x20))  # C0 control characters
        if r < 0.45:
            return chr(self.rng.randrange(0x20, 0x250))
        if r < 0.70:
            cp = self.rng.randrange(0x250, 0x10000)
            return chr(cp) if not 0xD800 <= cp <= 0xDFFF else "\ufffd"
        if r < 0.85:
            return chr(self.rng.randrange(0x1F000, 0x1FB00))  # emoji and symbols
        return chr(self.rng.randrange(0x10000, 0x110000))  # every other plane, unassigned too

    def unicode(self) -> str:
        return "".join(self.char() for _ in range(self.rng.randint(1, 200)))

    def nasty(self) -> str:
        parts = []
        for _ in range(self.rng.randint(1, 30)):
            r = self.rng.random()
            if r < 0.45:
                parts.append(self.rng.choice(NASTY))
            elif r < 0.8:
                parts.append(self.rng.choice(DUTCH_WORDS))
            elif r < 0.9:  # zalgo: a letter under a pile of combining marks
                marks = (
                    chr(self.rng.randrange(0x300, 0x370)) for _ in range(self.rng.randint(5, 80))
                )
                parts.append("a" + "".join(marks))
            else:
                parts.append(self.char())
        return self.rng.choice(("", " ")).join(parts)

    def _value(self, depth: int = 0) -> Any:
        r = self.rng.random()
        if depth < 3 and r < 0.15:
            return [self._value(depth + 1) for _ in range(self.rng.randint(0, 4))]
        if depth < 3 and r < 0.3:
            keys = ("seed", "persona", "hints", "text", "intent", "sender", self.unicode()[:10])
            return {
                self.rng.choice(keys): self._value(depth + 1) for _ in range(self.rng.randint(0, 4))
            }
        # Built before the choice, as always: the same seed gives the same values.
        drawn = [self.rng.choice(NASTY), self.rng.randint(-(2**63), 2**63)]
        return self.rng.choice([*ODD_VALUES, *drawn])

    def intent(self) -> str:
        """Rasa's shorthand built from the real names: typed, it must stay text."""
        name = self.rng.choice(self.v.intents + EXTRA_INTENTS)
        text = "/" + name
        if self.rng.random() < 0.3:
            text += "@" + self.rng.choice(("0.5", "1", "1.5", "nan", "-1", "abc", ""))
        r = self.rng.random()
        if r < 0.3:
            text += json.dumps({"persona": self.rng.choice(self.v.personas), "seed": 1})
        elif r < 0.5:
            text += '{"persona":"henk","seed":1e999}'
        elif r < 0.75:
            entities = {
                self.rng.choice(("seed", "persona", "hints")): self._value()
                for _ in range(self.rng.randint(1, 3))
            }
            text += json.dumps(entities)
        elif r < 0.85:
            text += self.rng.choice(JSON_SNIPPETS)
        if self.rng.random() < 0.2:
            text = self.rng.choice((" ", "\n", "  /", "\u200b", "\ufeff", "\u2063")) + text
        if self.rng.random() < 0.2:
            text += self.rng.choice((" hallo", " Wat heeft u nodig?", "\x00", "/", "\n/restart"))
        return text

    def json_text(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choice(JSON_SNIPPETS)
        return json.dumps(self._value(), ensure_ascii=self.rng.random() < 0.5)

    def markup(self) -> str:
        parts = [self.rng.choice(MARKUP + DUTCH_WORDS) for _ in range(self.rng.randint(1, 12))]
        return " ".join(parts)

    def sql(self) -> str:
        text = self.rng.choice(SQL)
        return f"{self.rng.choice(self.v.sentences)} {text}" if self.rng.random() < 0.4 else text

    def long(self) -> str:
        """A pasted document or a wall of emoji, up to the channel's limit (sometimes exactly)."""
        r = self.rng.random()
        if r < 0.1:
            size = MAX_TEXT
        elif r < 0.3:  # the costly end, rarer: NLU and the language check read it all
            size = self.rng.randint(min(5000, MAX_TEXT), MAX_TEXT)
        else:
            size = self.rng.randint(min(1000, MAX_TEXT), min(5000, MAX_TEXT))
        piece = self.rng.choice((self.nasty, self.dutch_noise, self.markup, self.unicode))()
        piece = piece or "x"
        return (piece * (size // len(piece) + 1))[:size]

    def over_limit(self) -> str:
        size = MAX_TEXT + 1 + (0 if self.rng.random() < 0.3 else self.rng.randint(1, 1000))
        piece = self.rng.choice(self.v.sentences) + " " + self.rng.choice(NASTY)
        return (piece * (size // len(piece) + 1))[:size]

    def empty(self) -> str:
        """Nothing, or only what str.strip() removes (the channel strips the text)."""
        if self.rng.random() < 0.3:
            return ""
        return "".join(self.rng.choice(WHITESPACE) for _ in range(self.rng.randint(1, 40)))

    def gibberish(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return self.rng.choice("asdfghjkl;qwertyuiop") * self.rng.randint(1, 300)
        alphabet = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,!?;:'\"-_/\\@#$%^&*()"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 300)))

    def english(self) -> str:
        return " ".join(self.rng.sample(ENGLISH, self.rng.randint(1, 3)))

    def dutch_noise(self) -> str:
        """A real casemanager sentence, damaged the way chat and copy-paste damage text."""
        text = self.rng.choice(self.v.sentences)
        for _ in range(self.rng.randint(1, 3)):
            op = self.rng.randrange(8)
            if op == 0:  # a nasty character somewhere
                at = self.rng.randint(0, len(text))
                text = text[:at] + self.rng.choice(NASTY) + text[at:]
            elif op == 1 and len(text) > 3:  # a typo: two letters swapped
                at = self.rng.randrange(len(text) - 1)
                text = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
            elif op == 2:
                text = text.upper()
            elif op == 3:  # zero-width characters between the letters
                text = self.rng.choice(("\u200b", "\u200d", "\u00ad")).join(text)
            elif op == 4:
                text = f"{self.rng.choice(MARKUP)}{text}{self.rng.choice(MARKUP)}"
            elif op == 5:
                text = f"/{text}" if self.rng.random() < 0.5 else f"{text} /stop_oefening"
            elif op == 6:
                text = f"\u202e{text}\u202c"
            else:
                text = f"{text} {self.rng.choice(self.v.sentences)} {self.rng.choice(NASTY)}"
        return text[:MAX_TEXT]

    def surrogates(self) -> str:
        """Half an emoji, cut in UTF-16 by a careless client: valid JSON, a lone surrogate."""
        half = chr(self.rng.randrange(0xD800, 0xE000))
        sentence = self.rng.choice(self.v.sentences)
        return f"{sentence} {half} {sentence}" if self.rng.random() < 0.7 else half

    # -- whole requests ----------------------------------------------------------

    def _message(self) -> str:
        return self.rng.choice(self.v.sentences)

    def bad_control(self) -> Case:
        persona = self.rng.choice(self.v.personas)
        start = {"command": "start", "persona": persona, "seed": 1, "hints": True}
        control = self.rng.choice(bad_controls(start))
        return Case("bad_control", REFUSED, {"control": control})

    def unknown_persona(self) -> Case:
        """A well-formed name the catalogue does not know: the engine says so, nothing starts."""
        name = self.rng.choice(("piet", "henk2", "admin", "root", "x", "nobody", "a" * 40))
        control = {"command": "start", "persona": name, "seed": 1, "hints": True}
        return Case("unknown_persona", CONTROL_ERROR, {"control": control})

    def bad_metadata(self) -> Case:
        fields = {"message": self._message(), "metadata": self.rng.choice(BAD_METADATA)}
        return Case("bad_metadata", REFUSED, fields)

    def odd_metadata(self) -> Case:
        """Metadata the channel takes (and cleans): odd, not wrong."""
        name = "".join(self.rng.choice(NASTY) for _ in range(self.rng.randint(1, 200)))
        variants: list[dict[str, Any]] = [
            {"channel": "fuzz", "group_name": name},
            {"channel": "fuzz", "workshop": "ZZZ-NOPE"},
            {"channel": "fuzz", "chat_type": "supergroup", "message_id": "0" * 20},
            {"channel": "fuzz", "person": None, "group": "", "workshop": None},
            {"channel": "", "group_name": "\x00\x01\u202e"},
            {},
        ]
        fields = {"message": self._message(), "metadata": self.rng.choice(variants)}
        return Case("odd_metadata", TURN, fields)

    def bad_body(self) -> Case:
        message = self._message()
        senders: list[Any] = [
            "",
            " ",
            "a b",
            "../x",
            "x/y",
            "a" * (MAX_SENDER + 1),
            "é",
            "henk\u200b",
            "x\x00",
            "<script>",
            5,
            None,
            ["x"],
            {"id": "x"},
        ]
        fields_variants: list[dict[str, Any]] = [
            {"sender": self.rng.choice(senders), "message": message},
            {"message": 123},
            {"message": ["hoi"]},
            {"message": {"text": message}},
            {"message": True},
            {"message": message, "control": {"command": "stop"}},
        ]
        if self.rng.random() < 0.4:
            return Case("bad_body", REFUSED, raw=self.rng.choice(BAD_BODIES))
        return Case("bad_body", REFUSED, self.rng.choice(fields_variants))

    def no_token(self) -> Case:
        auth = self.rng.choice(BAD_AUTHORIZATIONS)
        return Case("no_token", REFUSED, {"message": self._message()}, auth=auth, statuses=(401,))

    def too_large(self) -> Case:
        """A body over the channel's MAX_BODY: refused before it is parsed."""
        return Case("too_large", REFUSED, {"message": "a" * (MAX_BODY + 1000)}, statuses=(413,))
