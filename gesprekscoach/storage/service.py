"""From the action server's replies to the session log: who wrote, and what to store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from gesprekscoach.local_secrets import kept_secret
from gesprekscoach.personas.model import SLUG
from gesprekscoach.protocol import END, REWIND, START, TURN, kind_of
from gesprekscoach.settings import Settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.repository import (
    LoggedTurn,
    SessionEnd,
    SessionStart,
    TurnsReverted,
    Who,
    pseudonym,
    pseudonym_label,
)
from gesprekscoach.storage.spool_lines import Write
from gesprekscoach.storage.writer import SessionLog
from gesprekscoach.turn import PayloadError, TurnEvent

log = logging.getLogger(__name__)


def pseudonym_salt(settings: Settings) -> str:
    """COACH_PSEUDONYM_SALT, or a random salt kept under var/ (never in the repository)."""
    return kept_secret(settings.var_dir, "pseudonym-salt", settings.pseudonym_salt)


def spool_path(settings: Settings) -> Path:
    """Where the session log keeps writes the database could not take yet."""
    return settings.var_dir / "spool" / "log.jsonl"


def open_session_log(settings: Settings) -> SessionLog:
    """A running session log on the settings' database, with what was spooled replayed.

    Build one per process (its writer thread keeps the writes in order) and hand it to
    whoever logs; the action server does so on first use.
    """
    engine = make_engine(settings.database_url, busy_timeout=1.0)
    session_log = SessionLog(engine, spool_path(settings))
    session_log.replay_spool()
    return session_log.start()


GROUP_CHANNEL_SUFFIX = "-groep"


def _channel(meta: dict[str, Any]) -> str:
    return str(meta.get("channel") or "rest")[:20]


def group_from(metadata: dict[str, Any] | None, salt: str) -> Who | None:
    """A group chat holding one conversation together (a round): it owns the session.

    The client sends the group as a salted hash (gesprekscoach.control checks it).
    """
    meta = metadata or {}
    if not meta.get("group"):
        return None
    channel = _channel(meta) + GROUP_CHANNEL_SUFFIX
    key = str(meta["group"])
    return Who(channel, key, f"Groep {key[:6]}")


def who_from(sender: str, metadata: dict[str, Any] | None, salt: str) -> Who:
    """The writer: the pseudonym the client made (`person`), or one of the conversation id."""
    meta = metadata or {}
    channel = _channel(meta)
    key = str(meta.get("person") or pseudonym(channel, sender, salt))
    return Who(channel=channel, channel_hash=key, display_name=pseudonym_label(channel, key))


def log_session_id(sender: str, kind: str, started_before: int) -> str:
    """The session-log id of a practice: the conversation id, with "~N" for the N-th practice
    when one conversation starts again (so a restart never overwrites the earlier one)."""
    index = started_before if kind == START else max(started_before - 1, 0)
    return sender if index == 0 else f"{sender}~{index + 1}"


def writes_for(
    sender: str, payload: dict[str, Any], metadata: dict[str, Any] | None, salt: str
) -> list[Write]:
    """What to store for one reply of the action server (see gesprekscoach.practice).

    A turn payload that cannot be read is reported (without its content) and not stored.
    """
    kind = kind_of(payload)
    if kind == START:
        return [_start(sender, payload, metadata, salt)]
    if kind == TURN:
        try:
            event = TurnEvent.from_payload(payload)
        except PayloadError as exc:
            # The key only: a log line never carries what someone typed.
            log.error("Beurt niet opgeslagen: %r in de beurtgegevens is onbruikbaar", exc.key)
            return []
        author = who_from(sender, metadata, salt) if group_from(metadata, salt) else None
        return [LoggedTurn(sender, event, author)]
    if kind == REWIND:
        from_turn = payload.get("from_turn")
        if not isinstance(from_turn, int) or isinstance(from_turn, bool) or from_turn < 1:
            log.error("Terugnemen niet opgeslagen: 'from_turn' is onbruikbaar")
            return []
        return [TurnsReverted(sender, from_turn, str(payload.get("how") or "terug")[:20])]
    if kind == END:
        return [_end(sender, payload)]
    return []


def _start(
    sender: str, payload: dict[str, Any], metadata: dict[str, Any] | None, salt: str
) -> SessionStart:
    return SessionStart(
        session_id=sender,
        who=group_from(metadata, salt) or who_from(sender, metadata, salt),
        persona_id=str(payload["persona"]),
        persona_type=str(payload["persona_type"]),
        mode="oefenen" if payload.get("hints", True) else "examen",
        seed=int(payload.get("seed") or 0),
        workshop_code=(metadata or {}).get("workshop"),
        variant=_variant(payload.get("variant")),
    )


def _variant(value: Any) -> str | None:
    """The variant id from a start payload: a slug, or None (anything else is not logged)."""
    return value if isinstance(value, str) and SLUG.fullmatch(value) else None


def _end(sender: str, payload: dict[str, Any]) -> SessionEnd:
    return SessionEnd(
        session_id=sender,
        hidden_need_found=bool(payload.get("hidden_need_found")),
        hidden_need_turn=payload.get("hidden_need_turn"),
        final_trust=float(payload.get("trust") or 0.0),
        report=payload.get("report") or {},
        reflection={
            "reflections": payload.get("reflections") or [],
            "need": payload.get("hidden_need"),
            "moments": payload.get("need_moments") or [],
        },
        reflection_score=_score(payload.get("reflection_score")),
        reverts=_whole(payload.get("reverts")),
        tips_asked=_whole(payload.get("tips_asked")),
    )


def _score(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    return float(value) if ok else None


def _whole(value: Any) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6
    return value if ok else 0
