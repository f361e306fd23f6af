"""The one place that reads settings from the environment.

Everything has a working default, so `make run` needs no configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{key} moet een heel getal zijn, niet {raw!r}") from exc


def _port(env: Mapping[str, str], key: str, default: int) -> int:
    port = _int(env, key, default)
    if not 1 <= port <= 65535:
        raise ValueError(f"{key} moet een poort tussen 1 en 65535 zijn, niet {port}")
    return port


def _flag(env: Mapping[str, str], key: str) -> bool:
    raw = env.get(key, "").strip().lower()
    if raw in ("", "0", "false", "no", "nee", "off"):
        return False
    if raw in ("1", "true", "yes", "ja", "on"):
        return True
    raise ValueError(f"{key} moet 1 (aan) of 0 (uit) zijn, niet {raw!r}")


def _choice(env: Mapping[str, str], key: str, options: tuple[str, ...]) -> str:
    raw = env.get(key, "").strip().lower() or options[0]
    if raw not in options:
        raise ValueError(f"{key} moet een van {', '.join(options)} zijn, niet {raw!r}")
    return raw


def _redis_url(env: Mapping[str, str]) -> str:
    raw = env.get("REDIS_URL", "").strip()
    if raw and not raw.startswith(("redis://", "rediss://")):
        raise ValueError(f"REDIS_URL moet beginnen met redis:// of rediss://, niet {raw[:20]!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    root: Path
    host: str
    rasa_port: int
    action_port: int
    model_dir: Path
    var_dir: Path
    startup_timeout: float
    """Seconds to wait for the Rasa server to load its model before giving up."""
    database_url: str
    """SQLAlchemy URL of the database for sessions and Rasa's trackers."""
    pseudonym_salt: str = ""
    """Salt for hashing channel ids; empty: a random one kept under var/."""
    secret_key: str = ""
    """Signs the dashboard's login cookies; empty: a random one kept under var/."""
    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    review_port: int = 8080
    telegram_webhook_url: str = ""
    """Public HTTPS address Telegram posts updates to; empty: long polling (no address needed)."""
    telegram_webhook_listen: str = "127.0.0.1"
    """Where the webhook server listens; a reverse proxy with TLS sits in front of it."""
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: str = ""
    """Telegram sends it with every update; empty: one derived from the token."""
    secure_cookies: bool = False
    """The dashboard is served over HTTPS: its cookie gets Secure, and HSTS is sent."""
    channel_token: str = ""
    """Clients send it to the practice channel of the Rasa server; empty: a random one in var/."""
    redis_url: str = ""
    """Redis for the lock store that workers and replicas share; empty: started when needed."""
    lock_store: str = "auto"
    """auto (Redis with more than one worker or with REDIS_URL), redis, or memory."""

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def personas_dir(self) -> Path:
        return self.data_dir / "personas"

    @property
    def catalogue_dir(self) -> Path:
        return self.data_dir / "catalogues"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    root = Path(env.get("COACH_HOME") or _repo_root()).resolve()
    var_dir = Path(env.get("COACH_VAR_DIR") or root / "var")
    settings = Settings(
        root=root,
        host=env.get("COACH_HOST", "127.0.0.1"),
        rasa_port=_port(env, "RASA_PORT", 5005),
        action_port=_port(env, "ACTION_PORT", 5055),
        model_dir=Path(env.get("COACH_MODEL_DIR") or root / "models"),
        var_dir=var_dir,
        startup_timeout=float(_int(env, "COACH_STARTUP_TIMEOUT", 240)),
        database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'coach.db'}",
        pseudonym_salt=env.get("COACH_PSEUDONYM_SALT", ""),
        secret_key=env.get("COACH_SECRET_KEY", ""),
        telegram_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
        telegram_api_url=env.get("TELEGRAM_API_URL") or "https://api.telegram.org/bot",
        review_port=_port(env, "REVIEW_PORT", 8080),
        telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", "").strip(),
        telegram_webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN") or "127.0.0.1",
        telegram_webhook_port=_port(env, "TELEGRAM_WEBHOOK_PORT", 8443),
        telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", "").strip(),
        secure_cookies=_flag(env, "COACH_SECURE_COOKIES"),
        channel_token=env.get("COACH_CHANNEL_TOKEN", "").strip(),
        redis_url=_redis_url(env),
        lock_store=_choice(env, "COACH_LOCK_STORE", ("auto", "redis", "memory")),
    )
    ports = {
        "RASA_PORT": settings.rasa_port,
        "ACTION_PORT": settings.action_port,
        "REVIEW_PORT": settings.review_port,
    }
    if len(set(ports.values())) < len(ports):
        listed = ", ".join(f"{key}={value}" for key, value in ports.items())
        raise ValueError(f"Elke server heeft een eigen poort nodig; nu: {listed}")
    return settings
