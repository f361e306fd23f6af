"""The session log of this process, built once from the settings on first use."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.repository import SessionEnd, SessionStart, TurnData, Who, pseudonym
from gesprekscoach.storage.writer import SessionLog, Write


def pseudonym_salt(settings: Settings) -> str:
    """COACH_PSEUDONYM_SALT, or a random salt kept under var/ (never in the repository)."""
    if settings.pseudonym_salt:
        return settings.pseudonym_salt
    path = settings.var_dir / "pseudonym-salt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=1)
def default_salt() -> str:
    return pseudonym_salt(load_settings())


@lru_cache(maxsize=1)
def session_log() -> SessionLog:
    settings = load_settings()
    log = SessionLog(make_engine(settings.database_url), settings.var_dir / "spool" / "log.jsonl")
    log.replay_spool()
    return log.start()


GROUP_CHANNEL_SUFFIX = "-groep"


def group_from(metadata: dict[str, Any] | None, salt: str) -> Who | None:
    """A group chat holding one conversation together (a round): it owns the session."""
    meta = metadata or {}
    if not meta.get("group"):
        return None
    channel = (str(meta.get("channel") or "rest") + GROUP_CHANNEL_SUFFIX)[:20]
    name = str(meta.get("group_name") or "Groep")[:80]
    return Who(channel, pseudonym(channel, str(meta["group"]), salt), name)


def who_from(sender: str, metadata: dict[str, Any] | None, salt: str) -> Who:
    meta = metadata or {}
    channel = str(meta.get("channel") or "rest")[:20]
    user = str(meta.get("user") or sender)
    name = str(meta.get("name") or f"{channel}-{pseudonym(channel, user, salt)[:6]}")[:80]
    return Who(channel=channel, channel_hash=pseudonym(channel, user, salt), display_name=name)


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
