"""Every command of the bot in one table: its handler, its answer in a group, its menu line.

Adding a command: write its handler, add one `Command` here and one line to `texts.HELP`.
`tests/telegram/test_commands_guard.py` fails until the three agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand

from bot import aids, handlers, round_end, rounds, texts, workshop
from bot.context import Handler
from bot.handlers import say


@dataclass(frozen=True)
class Command:
    name: str
    menu: str
    """Its line in Telegram's command menu."""
    handler: Handler
    """What it does in a private chat, and in a group unless `in_group` says otherwise."""
    in_group: Handler | None = None
    """What it does in a group chat, where a round is held together."""

    @property
    def bot_command(self) -> BotCommand:
        return BotCommand(self.name, self.menu)


PRIVATE_ONLY = say(texts.PRIVATE_ONLY)

COMMANDS = (
    Command("start", "Uitleg en een inwoner kiezen", handlers.start, say(texts.GROUP_START)),
    Command("stop", "Gesprek afronden en feedback lezen", handlers.stop, round_end.stop),
    Command(
        "opnieuw",
        "Opnieuw met dezelfde inwoner, of vanaf bericht N",
        aids.again,
        aids.again_group,
    ),
    Command("terug", "Je laatste bericht terugnemen", aids.go_back, aids.go_back_group),
    Command("tip", "Een tip voor je volgende bericht", aids.tip, aids.tip_group),
    Command("hints", "Tips tijdens het gesprek aan of uit", handlers.hints),
    Command("voortgang", "Je voortgang over je gesprekken", handlers.progress, PRIVATE_ONLY),
    Command("mijngegevens", "Wat er van je bewaard is", handlers.my_data, PRIVATE_ONLY),
    Command("verwijder", "Al je gegevens verwijderen", handlers.erase_ask, PRIVATE_ONLY),
    Command("join", "Meedoen aan een werkatelier", workshop.join_command),
    Command(
        "oefening",
        "Samen oefenen in een groep",
        say(texts.ROUND_ONLY_GROUP),
        in_group=rounds.start_round,
    ),
    Command("beurt", "Wie is er aan de beurt?", rounds.whose_turn),
    Command("help", "Hoe werkt het?", handlers.help_command),
)
