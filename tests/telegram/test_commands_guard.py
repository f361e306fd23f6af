"""Guard for adding a Telegram command (README, "how to add..."): the handlers the bot
registers, the command menu it sets at start and the Dutch /help text name the same
commands. Adding one means its handler, one entry in `bot/commands.py`, one help line."""

from __future__ import annotations

import json
import re
from pathlib import Path

from telegram.ext import CommandHandler

from bot import texts
from bot.app import build_application
from bot.context import CoachApplication
from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import make_engine
from tests.telegram.offline import OfflineBotAPI, ScriptedBridge
from tests.telegram.test_handlers import run

TOKEN = "123:GUARD"


def handled(app: CoachApplication) -> set[str]:
    """Every command a CommandHandler of the application answers."""
    handlers = [h for group in app.handlers.values() for h in group]
    return {name for h in handlers if isinstance(h, CommandHandler) for name in h.commands}


def menu_set_at_start(catalogues: Catalogues, tmp_path: Path) -> tuple[set[str], list[dict]]:
    """The commands the application handles, and the menu its start-up sends to Telegram."""
    api = OfflineBotAPI()
    engine = make_engine(f"sqlite:///{tmp_path / 'coach.db'}")
    options = {"request": api, "get_updates_request": OfflineBotAPI()}
    app = build_application(TOKEN, ScriptedBridge(), catalogues, "salt", engine, **options)

    async def start() -> None:
        async with app:
            if app.post_init is not None:  # as run_polling() does
                await app.post_init(app)

    run(start)
    engine.dispose()
    calls = [params for method, params in api.calls if method == "setMyCommands"]
    assert len(calls) == 1, "the menu is set once, at start"
    menu = calls[0]["commands"]
    return handled(app), json.loads(menu) if isinstance(menu, str) else menu


def test_every_command_has_a_handler_a_menu_entry_and_a_help_line(
    catalogues: Catalogues, tmp_path: Path
) -> None:
    commands, menu = menu_set_at_start(catalogues, tmp_path)
    in_menu = [entry["command"] for entry in menu]
    assert len(in_menu) == len(set(in_menu)), "each command once in the menu"
    assert commands == set(in_menu), "a handler without a menu entry, or the other way round"
    for command in sorted(commands):
        assert re.search(rf"/{command}\b", texts.HELP), f"/{command} is missing from texts.HELP"
    assert set(re.findall(r"/([a-z]+)", texts.HELP)) == commands, "/help names no other command"


def test_the_menu_is_what_telegram_accepts(catalogues: Catalogues, tmp_path: Path) -> None:
    _, menu = menu_set_at_start(catalogues, tmp_path)
    for entry in menu:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", entry["command"]), entry
        assert 3 <= len(entry["description"]) <= 256, entry
