"""Secrets a single machine can make for itself: random, kept under var/, never in the repo.

A setting in the environment wins; otherwise the first process that needs the
secret writes it (exclusively, so two processes starting at once agree).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path

from gesprekscoach.settings import Settings


def kept_secret(var_dir: Path, name: str, configured: str = "") -> str:
    if configured:
        return configured
    path = var_dir / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secrets.token_hex(32))
    for _ in range(50):  # another process may be writing it this very moment
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"{path} is leeg; verwijder het bestand en start opnieuw.")


def channel_token(settings: Settings) -> str:
    """The token clients send to the practice channel (COACH_CHANNEL_TOKEN or var/channel-token)."""
    return kept_secret(settings.var_dir, "channel-token", settings.channel_token)
