"""A casemanager's progress: which tips they showed, session by session."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gesprekscoach.feedback.report import CREDITED
from gesprekscoach.storage.models import PracticeSession


def _credited(report: dict[str, Any] | None) -> set[str]:
    tips = (report or {}).get("tips") or []
    return {str(t.get("id")) for t in tips if t.get("status") == CREDITED}


def progress(sessions: Iterable[PracticeSession], tip_ids: tuple[str, ...]) -> dict[str, list[int]]:
    """Per tip, 1 when shown (credited) in each ended session, oldest first."""
    ended = sorted((s for s in sessions if s.report), key=lambda s: s.started_at)
    shown = [_credited(s.report) for s in ended]
    return {tip_id: [int(tip_id in tips) for tips in shown] for tip_id in tip_ids}
