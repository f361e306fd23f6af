"""`coach play`: play scripted casemanager lines through the real servers."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gesprekscoach.catalogue import CatalogueError, read_yaml_mapping
from gesprekscoach.rasa_client import RasaClient, Reply
from gesprekscoach.turn import PayloadError, TurnEvent

GO_BACK = "/terug"
START_AGAIN = "/opnieuw"


@dataclass(frozen=True)
class Script:
    path: Path
    persona: str | None
    lines: tuple[str, ...]
    expected_moves: tuple[str | None, ...]
    reflection: str = ""
    """The answer to "what did they need?" at the end; empty: skipped."""


def load_script(path: Path) -> Script:
    """A FILE for `coach play`: `lines:` (texts, or {text, move}), optionally `persona:` and
    `reflection:`. A line `/terug` takes the line before back, `/opnieuw N` goes on from
    message N, as in the chat."""
    data = read_yaml_mapping(path)
    raw = data.get("lines")
    if not isinstance(raw, list) or not raw:
        raise CatalogueError(path, "lines", "must be a non-empty list of messages")
    lines: list[str] = []
    expected: list[str | None] = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            text, move = item.get("text"), item.get("move")
        else:
            text, move = item, None
        if text is None or isinstance(text, dict | list):
            raise CatalogueError(path, f"lines[{i}]", "must be a text")
        lines.append(str(text))
        expected.append(None if move is None else str(move))
    persona = data.get("persona")
    reflection = data.get("reflection")
    if reflection is not None and not isinstance(reflection, str):
        raise CatalogueError(path, "reflection", "must be a text")
    return Script(
        path,
        None if persona is None else str(persona),
        tuple(lines),
        tuple(expected),
        (reflection or "").strip(),
    )


def _command(text: str) -> tuple[str, int | None] | None:
    """A script line that is a command (/terug, /opnieuw N), not a message."""
    words = text.strip().lower().split()
    if words == [GO_BACK]:
        return GO_BACK, None
    if len(words) == 2 and words[0] == START_AGAIN and words[1].isdigit():
        return START_AGAIN, int(words[1])
    return None


def play_script(
    client: RasaClient,
    script: Script,
    persona: str | None,
    seed: int,
    variant: str | None = None,
) -> dict[str, Any]:
    sender = f"play-{uuid.uuid4().hex[:12]}"
    start = client.start_practice(sender, persona or script.persona, seed, variant=variant)
    if start.payload.get("kind") != "start":
        return {"file": str(script.path), "error": start.text}
    turns: list[dict[str, Any]] = []
    reverted: list[dict[str, Any]] = []
    for text, expected in zip(script.lines, script.expected_moves, strict=True):
        command = _command(text)
        if command is not None:
            name, number = command
            if name == GO_BACK:
                reply = client.go_back(sender)
            else:
                reply = client.start_again_from(sender, number or 1)
            back = reply.payload
            if back.get("kind") == "rewind":
                keep = int(back.get("from_turn") or 1) - 1
                reverted.extend(turns[keep:])
                turns = turns[:keep]
            continue
        reply = client.send(sender, text)
        turn = turn_result(text, reply)
        if expected is not None:
            turn["expected_move"] = expected
        turns.append(turn)
    answers = [(script.reflection, None)] if script.reflection else []
    end = client.stop_practice(sender, reflections=answers).payload
    report = end.get("report") or {}
    return {
        "file": str(script.path),
        "persona": start.payload.get("persona"),
        "persona_type": start.payload.get("persona_type"),
        "seed": seed,
        "variant": start.payload.get("variant"),
        "variant_label": start.payload.get("variant_label"),
        "opening": start.text,
        "turns": turns,
        "hidden_need_found": bool(end.get("hidden_need_found")),
        "hidden_need_turn": end.get("hidden_need_turn"),
        "hidden_need": end.get("hidden_need"),
        "reflection": end.get("reflection"),
        "need_moments": end.get("need_moments", []),
        "reverts": end.get("reverts", 0),
        "reverted_turns": reverted,
        "tips_asked": end.get("tips_asked", 0),
        "final_trust": end.get("trust"),
        "final_stress": end.get("stress"),
        "feedback": {
            "tips": [
                {
                    "id": t["id"],
                    "heading": t["heading"],
                    "status": t["status"],
                    "evidence": t["evidence"],
                    "advice": t["advice"],
                }
                for t in report.get("tips", [])
            ],
            "went_well": report.get("went_well", []),
            "work_on": report.get("work_on", []),
            "better": report.get("better", []),
            "measures": report.get("measures", {}),
            "language": [t["language"] for t in turns],
        },
    }


def turn_result(text: str, reply: Reply) -> dict[str, Any]:
    """One turn of `coach play` output, from the turn the reply carries."""
    try:
        event = TurnEvent.from_payload(reply.payload, reply.text)
    except PayloadError:
        return refused_turn(text, reply)
    return {
        "text": text,
        "move": event.move,
        "moves": list(event.all_moves),
        "topics": list(event.topics),
        "nlu_move": event.nlu_move,
        "confidence": event.confidence,
        "reply": reply.text,
        "trust": event.trust,
        "stress": event.stress,
        "reaction": event.reaction,
        "jargon": [hit.term for hit in event.jargon],
        "language": event.language.to_dict() if event.language else {},
        "coaching": list(event.coaching),
        "thought": event.thought,
    }


def refused_turn(text: str, reply: Reply) -> dict[str, Any]:
    """A message that made no turn (the channel refused it): the same keys, no values."""
    return {
        "text": text,
        "move": None,
        "moves": [None],
        "topics": [],
        "nlu_move": None,
        "confidence": None,
        "reply": reply.text,
        "trust": None,
        "stress": None,
        "reaction": None,
        "jargon": [],
        "language": None,
        "coaching": [],
        "thought": None,
    }


def render(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"# {result['file']}\nFOUT: {result['error']}\n"
    out = [f"# {result['file']} ({result['persona']}, {result['persona_type']})"]
    out.append(f"  inwoner: {result['opening']}")
    for i, t in enumerate(result["turns"], 1):
        out.append(f"{i:>2} jij [{t['move']} {t['confidence'] or 0:.2f}]: {t['text']}")
        out.append(
            f"   inwoner [vertrouwen {t['trust']:.0f}, spanning {t['stress']:.0f}]: {t['reply']}"
        )
    found = f"ja, in bericht {result['hidden_need_turn']}" if result["hidden_need_found"] else "nee"
    out.append(f"Verborgen behoefte gevonden: {found}")
    reflection = result.get("reflection")
    if isinstance(reflection, dict) and reflection.get("score") is not None:
        out.append(f"Reflectie: {reflection['score']:.0%} van de behoefte genoemd")
    if result.get("reverts"):
        out.append(f"Teruggegaan: {result['reverts']} keer")
    for tip in result["feedback"]["tips"]:
        if tip["status"] != "not_applicable":
            mark = "✓" if tip["status"] == "credited" else "✗"
            out.append(f"  {mark} {tip['id']} {tip['heading']}")
    out.append("")
    return "\n".join(out)


def emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    else:
        print(render(result), flush=True)


__all__ = ["Script", "emit", "load_script", "play_script", "yaml"]
