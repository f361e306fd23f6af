"""The session log of this process, built once from the settings on first use."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from gesprekscoach.local_secrets import kept_secret
from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.repository import (
    SessionEnd,
    SessionStart,
    TurnData,
    Who,
    pseudonym,
    pseudonym_label,
)
from gesprekscoach.storage.writer import SessionLog, Write


def pseudonym_salt(settings: Settings) -> str:
    """COACH_PSEUDONYM_SALT, or a random salt kept under var/ (never in the repository)."""
    return kept_secret(settings.var_dir, "pseudonym-salt", settings.pseudonym_salt)


@lru_cache(maxsize=1)
def default_salt() -> str:
    return pseudonym_salt(load_settings())


def spool_path(settings: Settings) -> Path:
    """Where the session log keeps writes the database could not take yet."""
    return settings.var_dir / "spool" / "log.jsonl"


@lru_cache(maxsize=1)
def session_log() -> SessionLog:
    settings = load_settings()
    log = SessionLog(make_engine(settings.database_url, busy_timeout=1.0), spool_path(settings))
    log.replay_spool()
    return log.start()


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
    index = started_before if kind == "start" else max(started_before - 1, 0)
    return sender if index == 0 else f"{sender}~{index + 1}"


def writes_for(
    sender: str, payload: dict[str, Any], metadata: dict[str, Any] | None, salt: str
) -> list[Write]:
    """What to store for one reply of the action server (see gesprekscoach.practice)."""
    kind = payload.get("kind")
    if kind == "start":
        return [SessionStart(
            session_id=sender,
            who=group_from(metadata, salt) or who_from(sender, metadata, salt),
            persona_id=str(payload["persona"]),
            persona_type=str(payload["persona_type"]),
            mode="oefenen" if payload.get("hints", True) else "examen",
            seed=int(payload.get("seed") or 0),
            workshop_code=(metadata or {}).get("workshop"),
        )]  # fmt: skip
    if kind == "turn":
        return [TurnData(
            session_id=sender,
            number=int(payload["turn"]),
            text=str(payload.get("text") or ""),
            move=str(payload["move"]),
            confidence=float(payload.get("confidence") or 0.0),
            reply=str(payload.get("reply") or ""),
            trust=float(payload["trust"]),
            stress=float(payload["stress"]),
            language=payload.get("language"),
            coaching=list(payload.get("coaching") or []),
            hidden_need_revealed=payload.get("reaction") == "hidden_need",
            moves=[str(m) for m in payload.get("moves") or [payload["move"]]],
            topics=[str(t) for t in payload.get("topics") or []],
            author=who_from(sender, metadata, salt) if group_from(metadata, salt) else None,
        )]  # fmt: skip
    if kind == "end":
        return [SessionEnd(
            session_id=sender,
            hidden_need_found=bool(payload.get("hidden_need_found")),
            hidden_need_turn=payload.get("hidden_need_turn"),
            final_trust=float(payload.get("trust") or 0.0),
            report=payload.get("report") or {},
        )]  # fmt: skip
    return []
