"""Going back and asking for a tip: /terug, /opnieuw N and /tip, in a private chat and in
a group round.

The server decides whether they are allowed (not in exam mode; in a werkatelier only
when the facilitator allowed going back) and explains a refusal itself: the bot shows
its text. In a group round any member may use them; they apply to the group's one
conversation, and the round's tally forgets the messages taken back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from telegram import Update

from bot import closing, handlers, texts
from bot.common import ids_of, say_reply, session_metadata
from bot.context import CustomContext
from bot.round_state import Tally, remember, shown
from gesprekscoach.control import MAX_TURN
from gesprekscoach.protocol import REWIND, kind_of
from gesprekscoach.rasa_client import RasaUnavailable, Reply
from gesprekscoach.storage.bot_state import ChatState

NUMBER = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class Aid:
    """What the casemanager asked for: go back, start again from message `turn`, a tip."""

    kind: Literal["terug", "opnieuw", "tip"]
    turn: int | None = None


BACK, TIP = Aid("terug"), Aid("tip")


def message_number(args: list[str]) -> int | None:
    """The N of "/opnieuw N": a whole number from 1 to MAX_TURN, else None."""
    if len(args) != 1 or not NUMBER.fullmatch(args[0]):
        return None
    number = int(args[0])
    return number if 1 <= number <= MAX_TURN else None


async def _ready(update: Update, context: CustomContext) -> ChatState | None:
    """The private chat's running practice, or None (and the casemanager told why)."""
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    if not await deps.store.consented(user_id) or not state.sender:
        await message.reply_text(texts.NO_PRACTICE)
        return None
    if await closing.closing_of(deps, chat_id) is not None:
        await closing.busy(update, context, state)
        return None
    if state.pending:  # kept in an outage: they belong to the conversation first
        await message.reply_text(texts.RASA_DOWN_AID)
        return None
    return state


async def _ask(update: Update, context: CustomContext, state: ChatState, aid: Aid) -> Reply | None:
    """The server's reply to /terug, /opnieuw N or /tip."""
    message, _, _ = ids_of(update)
    deps, sender = context.deps, state.sender or ""
    metadata = session_metadata(update, state, deps.salt)
    try:
        if aid.kind == "terug":
            return await deps.bridge.go_back(sender, metadata)
        if aid.kind == "tip":
            return await deps.bridge.tip(sender, metadata)
        return await deps.bridge.start_again_from(sender, aid.turn or 1, metadata)
    except RasaUnavailable:
        await message.reply_text(texts.RASA_DOWN_AID)
        return None


async def go_back(update: Update, context: CustomContext) -> None:
    """/terug in a private chat."""
    state = await _ready(update, context)
    if state is not None:
        await _private(update, context, state, BACK)


async def again(update: Update, context: CustomContext) -> None:
    """/opnieuw: a new practice with the same inwoner; /opnieuw N: on again from message N."""
    message, _, _ = ids_of(update)
    if not context.args:
        await handlers.again(update, context)
        return
    number = message_number(list(context.args))
    if number is None:
        await message.reply_text(texts.AGAIN_USAGE)
        return
    state = await _ready(update, context)
    if state is not None:
        await _private(update, context, state, Aid("opnieuw", number))


async def tip(update: Update, context: CustomContext) -> None:
    """/tip in a private chat."""
    state = await _ready(update, context)
    if state is not None:
        await _private(update, context, state, TIP)


async def _private(update: Update, context: CustomContext, state: ChatState, aid: Aid) -> None:
    reply = await _ask(update, context, state, aid)
    if reply is not None:
        _, chat_id, _ = ids_of(update)
        await say_reply(context.bot, chat_id, reply)


# --- in a group round -----------------------------------------------------------------------


async def _group_ready(update: Update, context: CustomContext) -> ChatState | None:
    """The group's running round, if the sender is a member of it (else told why)."""
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    if not state.sender or not state.round:
        await message.reply_text(texts.NO_ROUND)
        return None
    key = deps.store.user_hash(user_id)
    if Tally.of(state.round).round.member(key) is None:
        first = update.effective_user.first_name if update.effective_user else ""
        await message.reply_text(texts.ROUND_NOT_MEMBER.format(name=first or "Deelnemer"))
        return None
    remember(deps, key, update.effective_user.first_name if update.effective_user else None)
    if await closing.closing_of(deps, chat_id) is not None:
        await message.reply_text(texts.ROUND_CLOSING_BUSY)
        return None
    return state


async def go_back_group(update: Update, context: CustomContext) -> None:
    state = await _group_ready(update, context)
    if state is not None:
        await _group(update, context, state, BACK)


async def again_group(update: Update, context: CustomContext) -> None:
    """/opnieuw N in a group; a new round is /oefening."""
    message, _, _ = ids_of(update)
    if not context.args:
        await message.reply_text(texts.GROUP_AGAIN)
        return
    number = message_number(list(context.args))
    if number is None:
        await message.reply_text(texts.AGAIN_USAGE_GROUP)
        return
    state = await _group_ready(update, context)
    if state is not None:
        await _group(update, context, state, Aid("opnieuw", number))


async def tip_group(update: Update, context: CustomContext) -> None:
    state = await _group_ready(update, context)
    if state is not None:
        await _group(update, context, state, TIP)


async def _group(update: Update, context: CustomContext, state: ChatState, aid: Aid) -> None:
    reply = await _ask(update, context, state, aid)
    if reply is None:
        return
    _, chat_id, _ = ids_of(update)
    deps = context.deps
    assert state.round is not None
    tally = Tally.of(state.round)
    if kind_of(reply.payload) == REWIND:
        from_turn = reply.payload.get("from_turn")
        if isinstance(from_turn, int):
            tally = tally.rewind(from_turn)
            await deps.store.update(chat_id, round=tally.to_dict())
    await say_reply(context.bot, chat_id, reply)
    round_ = tally.round
    if kind_of(reply.payload) == REWIND and round_.ordered and len(round_.members) > 1:
        up = shown(deps, round_).whose_turn
        await context.bot.send_message(chat_id, f"Nu is {up.name if up else ''} aan de beurt.")
