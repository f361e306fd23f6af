"""One spool line per write: what the session log keeps while the database is away.

JSON in ASCII, so no line separator (U+2028) splits a line and no lone surrogate
breaks the file. A turn carries its TurnEvent as the payload clients get; a line
from before TurnEvent ("TurnData") still reads, so a spool survives an upgrade.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from gesprekscoach.storage.repository import (
    LoggedTurn,
    SessionEnd,
    SessionStart,
    TurnsReverted,
    Who,
)
from gesprekscoach.turn import HIDDEN_NEED, Standing, TurnEvent, language_from_dict

Write = SessionStart | LoggedTurn | TurnsReverted | SessionEnd


def to_line(write: Write) -> str:
    if isinstance(write, LoggedTurn):
        author = asdict(write.author) if write.author is not None else None
        data = {"session_id": write.session_id, "event": write.event.to_payload(), "author": author}
    else:
        data = asdict(write)
        for key, value in list(data.items()):
            if isinstance(value, datetime):
                data[key] = value.isoformat()
    return json.dumps({"type": type(write).__name__, "data": data}, ensure_ascii=True)


def from_line(line: str) -> Write:
    """The write of a spool line; raises (ValueError, KeyError...) for a broken one."""
    item = json.loads(line)
    data: dict[str, Any] = item["data"]
    for key in ("started_at", "ended_at", "at"):
        if key in data:
            data[key] = datetime.fromisoformat(data[key])
    if item["type"] == "SessionStart":
        data["who"] = Who(**data["who"])
        return SessionStart(**data)
    if item["type"] == "LoggedTurn":
        event = TurnEvent.from_payload(data["event"])
        return LoggedTurn(data["session_id"], event, _who(data.get("author")))
    if item["type"] == "TurnData":
        return _turn_data(data)
    if item["type"] == "TurnsReverted":
        return TurnsReverted(**data)
    return SessionEnd(**data)


def _who(data: dict[str, Any] | None) -> Who | None:
    return Who(**data) if data else None


def _turn_data(data: dict[str, Any]) -> LoggedTurn:
    """A turn as spooled before TurnEvent (a "TurnData" line): the logged fields only."""
    standing = Standing(data["trust"], data["stress"])
    language = data.get("language")
    event = TurnEvent(
        number=data["number"],
        persona="",
        text=data["text"],
        reply=data["reply"],
        move=data["move"],
        before=standing,
        after=standing,
        moves=tuple(data.get("moves") or ()),
        topics=tuple(data.get("topics") or ()),
        confidence=data["confidence"],
        reaction=HIDDEN_NEED if data.get("hidden_need_revealed") else None,
        language=language_from_dict(language) if isinstance(language, dict) else None,
        coaching=tuple(data.get("coaching") or ()),
    )
    return LoggedTurn(data["session_id"], event, _who(data.get("author")))
