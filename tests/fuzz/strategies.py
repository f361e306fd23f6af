"""Hostile input for the fuzz tests: what a chat client, a pasted document or a prankster sends.

Text is the main thing: full unicode with control characters, bidi overrides,
zero-width and combining characters, emoji sequences, JSON-looking text,
Rasa's `/intent{...}` shorthand built from the real move ids, markup, Dutch
chat, and very long text. Beside it, hostile control values (seeds, persona
keys, confidences) and hostile parse data (what NLU hands the actions).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from gesprekscoach import protocol
from gesprekscoach.domain import Catalogues, load_catalogues
from gesprekscoach.moves import FALLBACK

ROOT = Path(__file__).resolve().parents[2]
MOVE_IDS: tuple[str, ...] = tuple(
    yaml.safe_load((ROOT / "data/catalogues/moves.yml").read_text(encoding="utf-8"))["moves"]
)
PERSONA_IDS: tuple[str, ...] = tuple(
    sorted(
        str(yaml.safe_load(p.read_text(encoding="utf-8"))["id"])
        for p in (ROOT / "data/personas").glob("*.yml")
    )
)
# Intents the clients send that are not moves (domain.yml), and input kinds the engine knows.
CONTROL_INTENTS = tuple(protocol.CONTROL_INTENTS.values())
INPUT_KINDS = ("stilte", "te_lang")
ENTITY_NAMES = ("seed", "persona", "hints")
# The longest text a test feeds in; the clients cut at 5,000 (gesprekscoach.control.MAX_TEXT),
# but the domain core must not depend on that.
HUGE = 20_000


@lru_cache(maxsize=1)
def catalogues() -> Catalogues:
    """The real catalogues, loaded once. A module-level value rather than the `catalogues`
    fixture: Hypothesis prints a failing call's arguments, and these print to 300 kB."""
    return load_catalogues(ROOT / "data")


def examples(n: int) -> int:
    """A test's example count, times FUZZ_SCALE (1 in CI; more for a long hunt by hand)."""
    return max(1, n * int(os.environ.get("FUZZ_SCALE", "1")))


# -- text ------------------------------------------------------------------

# Characters that have broken text handling somewhere before.
NASTY_CHARS = (
    # control characters and line ends
    *("\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85"),
    *("\t", "\r", "\n", "\r\n", "\u2028", "\u2029"),
    # bidi overrides and isolates
    *("\u202e", "\u202d", "\u2066", "\u2069", "\u200f"),
    # zero width, soft hyphen
    *("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"),
    # combining marks
    *("e\u0301", "\u0301", "\u0308\u0308\u0308", "Z\u0351\u0322\u0315\u035c"),
    # emoji: plain, ZWJ family, flag, skin tone, variant
    *("\U0001f600", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f1f3\U0001f1f1"),
    *("\U0001f44d\U0001f3fd", "\u2764\ufe0f"),
    # case mapping changes length
    *("\u0130", "\u00df", "\ufb03", "\u03a3", "\u1e9e", "\u2126"),
    # digits and numbers of other scripts
    *("\u0661\u0662\u0663", "\u2167", "\u00bd", "\U0001d7ce"),
    # specials, private use
    *("\ufffd", "\uffff", "\U0010ffff", "\U000e0001", "\U000f0000"),
    # odd spaces
    *("\u3000", "\u00a0", "\u2003"),
    # right-to-left script
    *("\u0627\u0644\u0633\u0644\u0627\u0645", "\u05e9\u05dc\u05d5\u05dd"),
    # CJK
    *("\u4f60\u597d", "\u3053\u3093\u306b\u3061\u306f"),
    # punctuation the splitter reads
    *("\u2026", "\u2013", "\u2014", "\u00bf?", "?!?!", "..."),
)

MARKUP = (
    "<script>alert(1)</script>",
    "<b>",
    "</b>",
    "<br/>",
    "<" * 5,
    ">" * 5,
    "<a href='x'>",
    "<!--",
    "-->",
    "<" + "x" * 300 + ">",
    "*vet*",
    "_schuin_",
    "~doorgestreept~",
    "`code`",
    "```\ncode\n```",
    "[link](javascript:alert(1))",
    "{{ persona }}",
    "{% if %}",
    "%s %d %(x)s",
    "${HOME}",
    "$(rm -rf /)",
    "'; DROP TABLE turns; --",
    "\\",
    '"',
    "'",
    "\\u0000",
    "\\n",
    "&amp;",
    "&#0;",
    "|",
    "#",
    "> citaat",
    "- lijst",
    "1. lijst",
)

JSON_SNIPPETS = (
    '{"seed": 1e999}',
    '{"seed": -1e999}',
    '{"seed": NaN}',
    '{"seed": 99999999999999999999999999}',
    '{"persona": "henk", "seed": 7}',
    '{"persona": null}',
    '{"acts": [{"move": "empathie"}]}',
    '{"intent": {"name": "vraag_wat_nodig", "confidence": 1.0}}',
    '{"text": "\\u0000"}',
    "[",
    "]",
    "{",
    "}",
    '{"',
    '["',
    "[[[[[[[[[[",
    "]]]]]]]]]]",
    "{}",
    "[]",
    "null",
    "true",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-0",
    "0x1F",
    '"\\ud83d"',
    '{"a":' * 50,
)

DUTCH_WORDS = (
    *("hoi", "hallo", "goedemiddag", "dag", "mevrouw", "meneer"),
    *("wat", "hoe", "waarom", "wanneer", "heeft", "u", "je", "jij", "ik", "we"),
    *("nodig", "zelf", "doen", "gaat", "het", "met", "de", "het", "een", "en", "maar", "dus", "of"),
    *("kinderen", "zoon", "dochter", "Daan", "Noor"),
    *("schulden", "huur", "stroom", "brief", "brieven", "bijstand", "WW", "werk", "geld", "BSN"),
    # officialese
    *("beschikking", "bezwaartermijn", "inkomensafhankelijke", "bijdrage", "conform", "dient"),
    *("klinkt", "zwaar", "vervelend", "snap", "begrijp", "klopt", "dat", "zo", "oké", "ok"),
    # abbreviations and numbers the splitter must not break at
    *("bijv.", "o.a.", "d.w.z.", "1.500", "euro"),
    *("morgen", "dinsdag", "bellen", "langs", "komen", "regelen", "afspraak", "samen", "kijken"),
    *("eigen", "schuld", "regels", "zijn", "regels", "loket", "formulier"),
    # chat typos
    *("dochtre", "shculden", "moeiluk"),
    *("tot", "ziens", "doei", "dank"),
)
PUNCTUATION = (" ", " ", " ", ", ", ". ", "? ", "! ", "; ", " - ", " – ", "\n", "...", "?", ".")


def _join(parts: Sequence[str]) -> str:
    return "".join(parts)


unicode_text = st.text(st.characters(codec="utf-8"), max_size=200)
"""Any unicode text without surrogates (a lone surrogate cannot be encoded as UTF-8)."""

nasty_text = st.lists(
    st.one_of(st.sampled_from(NASTY_CHARS), st.sampled_from(DUTCH_WORDS), unicode_text),
    max_size=30,
).map(_join)

dutch_text = st.lists(
    st.tuples(st.sampled_from(DUTCH_WORDS), st.sampled_from(PUNCTUATION)).map(_join),
    min_size=1,
    max_size=40,
).map(lambda parts: "".join(parts).strip())
"""Chat Dutch: real words (and a few typos and jargon) with the punctuation that splits acts."""


def _json_dumps(value: Any) -> str:
    # allow_nan: Python writes NaN and Infinity, as a careless client would.
    return json.dumps(value, ensure_ascii=False)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.sampled_from([10**30, -(10**30), 2**63, 2**31, -1, 0]),
        unicode_text,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(ENTITY_NAMES), unicode_text), children, max_size=5
        ),
    ),
    max_leaves=20,
)
"""JSON-like values, including what JSON cannot hold (NaN, infinity, huge integers)."""

json_text = st.one_of(st.sampled_from(JSON_SNIPPETS), json_values.map(_json_dumps))

intent_names = st.one_of(
    st.sampled_from(MOVE_IDS),
    st.sampled_from((*CONTROL_INTENTS, FALLBACK, *INPUT_KINDS)),
    st.from_regex(r"[a-z_]{1,30}", fullmatch=True),
)
intent_entities = st.dictionaries(st.sampled_from(ENTITY_NAMES), json_values, max_size=3)


@st.composite
def intent_text(draw: st.DrawFn) -> str:
    """Rasa's shorthand `/intent@confidence{entities}`, from the real move ids, often broken."""
    text = "/" + draw(intent_names)
    if draw(st.booleans()):
        text += "@" + draw(st.sampled_from(["0.5", "1", "1.5", "nan", "-1", "abc", ""]))
    if draw(st.booleans()):
        text += draw(st.one_of(intent_entities.map(_json_dumps), st.sampled_from(JSON_SNIPPETS)))
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", " ", "\n", "  /"])) + text
    if draw(st.booleans()):
        text += draw(st.sampled_from(["", " hallo", " Wat heeft u nodig?", "\x00", "/"]))
    return text


markup_text = st.lists(
    st.one_of(st.sampled_from(MARKUP), st.sampled_from(DUTCH_WORDS)), min_size=1, max_size=12
).map(" ".join)


def long_text(max_size: int = HUGE) -> st.SearchStrategy[str]:
    """A short hostile piece repeated up to `max_size` characters: a pasted document, emoji."""
    piece = st.one_of(dutch_text, nasty_text, markup_text, st.sampled_from(NASTY_CHARS))
    return st.tuples(piece, st.integers(min_value=1, max_value=max_size)).map(
        lambda pair: (pair[0] * (pair[1] // max(1, len(pair[0])) + 1))[: pair[1]]
    )


def hostile_text(max_size: int = HUGE) -> st.SearchStrategy[str]:
    """Every kind of hostile text, alone or glued together."""
    single = st.one_of(
        st.just(""),
        unicode_text,
        nasty_text,
        dutch_text,
        json_text,
        intent_text(),
        markup_text,
        long_text(max_size),
    )
    glued = st.lists(single, min_size=2, max_size=4).map(lambda parts: " ".join(parts)[:max_size])
    return st.one_of(single, glued)


WORDLESS = (
    "...",
    "…",
    "??",
    "?!",
    "!!!",
    ".",
    "-",
    ":)",
    "\U0001f60a",
    "\U0001f64f\U0001f3fd",
    "\x08",
    "***",
    "1.",
    "12:30.",
    "\u200b",
)
wordless_then_sentence = st.tuples(
    st.sampled_from(WORDLESS),
    st.sampled_from([" ", "\n", "\n\n", " \n "]),
    st.lists(st.sampled_from(DUTCH_WORDS), min_size=2, max_size=8).map(" ".join),
    st.sampled_from(["?", ".", "", "!"]),
).map(lambda parts: f"{parts[0]}{parts[1]}{parts[2][:1].upper()}{parts[2][1:]}{parts[3]}")
"""A first sentence without words ("...", an emoji) before a real one: "... Wat is dat?"."""


surrogate_text = st.tuples(
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3), dutch_text
).map(lambda pair: f"{pair[1]} {pair[0]} {pair[1]}")
"""Text with lone surrogates: what json.loads makes of "\\ud83d" (half an emoji, cut in UTF-16)."""


# -- control values ---------------------------------------------------------

huge_ints = st.sampled_from([2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 10**30, -(10**30)])
valid_seeds = st.integers(min_value=0, max_value=2**31 - 1)
int_seeds = st.one_of(st.integers(), huge_ints, valid_seeds)
"""Seeds of the right type (practice.start takes an int), of any size and sign."""
hostile_seeds = st.one_of(
    int_seeds,
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1.5, -0.0, 1e300]),
    st.booleans(),
    st.none(),
    unicode_text,
    st.sampled_from(["7", " 7 ", "1e999", "NaN", "99999999999999999999999999", "\u0663", "0x10"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(unicode_text, st.integers(), max_size=2),
)
"""Whatever a seed entity can be after Rasa's json.loads of `/start_oefening{...}`."""

persona_keys = st.one_of(
    st.sampled_from(PERSONA_IDS),
    st.sampled_from(["", "HENK", " henk", "henk\x00", "../henk", "henk.yml", "marco\u200b"]),
    unicode_text,
)

moves_or_junk = st.one_of(
    st.sampled_from(MOVE_IDS),
    st.none(),
    st.sampled_from(["", FALLBACK, *INPUT_KINDS, *CONTROL_INTENTS, "EMPATHIE", "empathie "]),
    unicode_text,
)
confidences = st.one_of(
    st.floats(min_value=0.0, max_value=1.0), st.sampled_from([0.0, 1.0, math.nan])
)


# -- parse data (what NLU puts beside the text) -------------------------------


def _act(move: Any, text: Any, confidence: Any) -> dict[str, Any]:
    return {"move": move, "text": text, "confidence": confidence}


well_formed_act = st.builds(_act, moves_or_junk, hostile_text(3000), confidences)
hostile_act = st.one_of(
    well_formed_act,
    st.builds(_act, json_values, json_values, json_values),
    st.dictionaries(st.sampled_from(["move", "text", "confidence", "x"]), json_values, max_size=4),
    json_values,
)
hostile_parse_acts = st.one_of(
    st.lists(well_formed_act, max_size=6),
    st.lists(hostile_act, max_size=6),
    st.integers(min_value=0, max_value=2000).map(lambda n: [_act("empathie", "x" * 50, 0.5)] * n),
    json_values,
)
"""The `acts` of a message's parse data: well formed, ill formed, huge, or not a list at all."""
