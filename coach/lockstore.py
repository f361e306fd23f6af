"""Which lock store a stack uses, and the throwaway Redis it starts when it needs one.

Rasa processes the messages of one conversation one at a time by taking a
lock per conversation. In one process an in-memory lock is enough. Several
workers or replicas must share the lock, or two of them could handle two
messages of one conversation at once: then Redis holds it
(coach_channel.lock_store). With REDIS_URL that Redis is used; with more
than one worker and no REDIS_URL the stack starts its own on loopback, so
`coach serve --workers 2` needs no configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from coach.processes import free_port
from coach.servers import Server, StackError, installed
from gesprekscoach.settings import Settings

MAX_WORKERS = 16
KEY_PREFIX = "gesprekscoach"


def plan_lock_store(settings: Settings, workers: int) -> str | None:
    """The Redis URL to lock with ("" for one this stack starts), or None for in-memory.

    Refuses what would be unsafe: more than one worker with an in-memory lock.
    """
    if not 1 <= workers <= MAX_WORKERS:
        raise StackError(f"Het aantal workers moet 1 tot {MAX_WORKERS} zijn, niet {workers}.")
    mode = settings.lock_store
    if mode == "memory":
        if workers > 1:
            raise StackError(
                f"Met {workers} workers kan de lock store niet in het geheugen staan "
                "(COACH_LOCK_STORE=memory): elke worker had dan zijn eigen sloten, en twee "
                "berichten van één gesprek konden tegelijk verwerkt worden. Gebruik Redis: "
                "laat COACH_LOCK_STORE weg of zet REDIS_URL."
            )
        return None
    if mode == "redis" or workers > 1 or settings.redis_url:
        return settings.redis_url
    return None


def lock_store_config(redis_url: str) -> dict[str, Any]:
    """endpoints.yml's lock_store for our Redis lock store (Rasa's, made atomic)."""
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise StackError(f"REDIS_URL is geen Redis-adres: {parts.scheme}://{parts.hostname}")
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise StackError(f"REDIS_URL: het databasenummer moet een getal zijn, niet {db!r}.")
    config: dict[str, Any] = {
        "type": "coach_channel.lock_store.CoachRedisLockStore",
        "url": parts.hostname,
        "port": parts.port or 6379,
        "db": int(db),
        "key_prefix": KEY_PREFIX,
        "use_ssl": parts.scheme == "rediss",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    if parts.username:
        config["username"] = unquote(parts.username)
    return config


def redis_binary(root: Path) -> str:
    """Path of redis-server; scripts/redis.sh installs Debian's package when it is missing."""
    return installed(
        root,
        "redis-server",
        "redis.sh",
        "Redis is nodig voor meer dan één worker (of zet REDIS_URL naar een Redis-server)",
    )


def redis_ping(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def redis_server(settings: Settings, port: int | None = None) -> tuple[Server, str]:
    """A throwaway Redis on loopback for this stack (no disk), and its URL."""
    port = port or free_port()
    folder = settings.var_dir / "run" / f"redis-{port}"
    url = f"redis://127.0.0.1:{port}/0"
    server = Server(
        "redis",
        [
            "redis-server",  # replaced by the real path when the stack starts
            *("--bind", "127.0.0.1", "--port", str(port), "--protected-mode", "yes"),
            *("--save", "", "--appendonly", "no", "--dir", str(folder)),
        ],
        None,
        settings.log_dir / f"redis-{port}.log",
        check=lambda: redis_ping(url),
    )
    return server, url


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
