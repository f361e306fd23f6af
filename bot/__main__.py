"""`python -m bot`: the Telegram bot in the foreground, by long polling or by webhook.

`coach serve` starts it like this beside the Rasa server, so the CLI never imports the
bot. SIGTERM and Ctrl-C end it through python-telegram-bot's own signal handling.
"""

from __future__ import annotations

import logging
import sys

from bot.app import Webhook, build_application
from bot.bridge import RasaBridge
from gesprekscoach.domain import default_catalogues
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.service import pseudonym_salt, spool_path


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    if not settings.telegram_token:
        print("Zet TELEGRAM_BOT_TOKEN om de Telegram-bot te starten.", file=sys.stderr)
        return 2
    application = build_application(
        settings.telegram_token,
        RasaBridge(RasaClient.for_settings(settings)),
        default_catalogues(),
        pseudonym_salt(settings),
        make_engine(settings.database_url),
        base_url=settings.telegram_api_url,
        spool=spool_path(settings),
    )
    if settings.telegram_webhook_url:
        webhook = Webhook.for_token(
            settings.telegram_token,
            settings.telegram_webhook_url,
            settings.telegram_webhook_listen,
            settings.telegram_webhook_port,
            settings.telegram_webhook_secret,
        )
        application.run_webhook(**webhook.run_options())
    else:
        application.run_polling()
    return 0


if __name__ == "__main__":
    sys.exit(main())
