"""The believability check: does the inwoner answer what was asked?

Scripted practice conversations per persona (tests/believability/<persona>.yml)
mark each content question with the words a fitting reply would contain. The
check plays every script through the real NLU and persona engine and counts
the content questions answered on topic (a reply containing one of the words,
as a word or the start of one). Pure apart from the `parse` callable, which
the adapter gives (the trained Rasa model's NLU pipeline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gesprekscoach import practice
from gesprekscoach.domain import Catalogues
from gesprekscoach.language.topics import normalise
from gesprekscoach.protocol import PAYLOAD_KEY
from gesprekscoach.turn import TurnEvent

Parse = Callable[[str], dict[str, Any]]
"""Text to Rasa parse data (intent, acts)."""


@dataclass(frozen=True)
class Line:
    text: str
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class Script:
    persona: str
    name: str
    seed: int
    lines: tuple[Line, ...]


@dataclass
class Fit:
    persona: str
    questions: int = 0
    on_topic: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return round(self.on_topic / self.questions, 3) if self.questions else 0.0


def load_scripts(path: Path) -> list[Script]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    persona = str(data["persona"])
    return [
        Script(
            persona,
            str(c["name"]),
            int(c.get("seed") or 0),
            tuple(
                Line(str(line["text"]), tuple(str(w).lower() for w in line.get("expect") or ()))
                for line in c["lines"]
            ),
        )
        for c in data["conversations"]
    ]


def on_topic(reply: str, expect: tuple[str, ...]) -> bool:
    words = normalise(reply).split()
    wanted = [normalise(w) for w in expect]
    return any(word.startswith(w) for w in wanted if w for word in words)


def play(catalogues: Catalogues, script: Script, parse: Parse, fit: Fit) -> None:
    out = practice.start(catalogues, script.persona, script.seed)
    slots = dict(out.slots)
    for line in script.lines:
        parsed = parse(line.text)
        intent = parsed.get("intent") or {}
        move, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        acts = practice.acts_from(parsed.get("acts"), move, confidence)
        result = practice.turn(catalogues, slots, line.text, move, confidence, acts)
        slots.update(result.slots)
        if not line.expect:
            continue
        reply = " ".join(result.texts)
        fit.questions += 1
        if on_topic(reply, line.expect):
            fit.on_topic += 1
        else:
            event = TurnEvent.from_payload(result.payload[PAYLOAD_KEY])
            miss = {
                "script": script.name,
                "text": line.text,
                "reply": reply,
                "moves": list(event.moves),
                "topics": list(event.topics),
                "expect": list(line.expect),
            }
            fit.misses.append(miss)


def content_fit(catalogues: Catalogues, directory: Path, parse: Parse) -> dict[str, Fit]:
    """The content fit per persona, for every script file in the directory."""
    fits: dict[str, Fit] = {}
    for path in sorted(directory.glob("*.yml")):
        for script in load_scripts(path):
            fit = fits.setdefault(script.persona, Fit(script.persona))
            play(catalogues, script, parse, fit)
    return fits
