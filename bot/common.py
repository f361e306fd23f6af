"""What every handler module shares: who is writing, saying a reply, opening a practice."""

from __future__ import annotations

import asyncio
import random

from telegram import Bot, Message, Update
from telegram.constants import ChatAction

from bot import texts
from bot.context import CustomContext, Deps
from bot.flood import Verdict
from gesprekscoach.charts import theme_chart
from gesprekscoach.rasa_client import RasaUnavailable, Reply
from gesprekscoach.storage.bot_state import ChatState
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.turn import PayloadError, TurnEvent
from gesprekscoach.workshops.service import WorkshopInfo, workshop_info

MAX_TEXT = 4000  # what the inwoner reads; Telegram allows 4096 per message
GROUP_TYPES = ("group", "supergroup")
CHANNEL = "telegram"


def metadata_of(update: Update, salt: str) -> dict[str, str]:
    """Who is practising, as a salted hash made here: a raw Telegram id or name never leaves
    this adapter (Rasa's tracker, the session log and the logs only see the pseudonym)."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    meta = {"channel": CHANNEL, "chat_type": chat.type if chat else ""}
    if user:
        meta["person"] = pseudonym(CHANNEL, str(user.id), salt)
    if message:
        meta["message_id"] = str(message.message_id)
    return meta


def turn_of(reply: Reply) -> TurnEvent | None:
    """The turn a reply carries; None for any other reply (a start, an end, a refusal)."""
    try:
        return TurnEvent.from_payload(reply.payload)
    except PayloadError:
        return None


async def say_reply(bot: Bot, chat_id: int, reply: Reply) -> None:
    for text in reply.texts:
        await bot.send_message(chat_id, text)
    turn = turn_of(reply)
    for hint in turn.coaching if turn else ():
        await bot.send_message(chat_id, texts.COACH + hint)


async def send_report_chart(message: Message, deps: Deps, reply: Reply, caption: str) -> None:
    """The picture of an ended practice, drawn in a worker thread (~100 ms of CPU)."""
    report = reply.payload.get("report")
    if not isinstance(report, dict):
        return
    png = await asyncio.to_thread(theme_chart, report, deps.catalogues.tips.themes)
    await message.reply_photo(png, caption=caption)


def ids_of(update: Update) -> tuple[Message, int, int]:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    return message, chat.id, user.id


def in_group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type in GROUP_TYPES


async def read_text(message: Message) -> str:
    """The message's text, cut to what the inwoner reads (and the writer told so)."""
    text = message.text or ""
    if len(text) > MAX_TEXT:
        await message.reply_text(texts.TOO_LONG)
    return text[:MAX_TEXT]


def session_metadata(update: Update, state: ChatState, salt: str) -> dict[str, str]:
    """The writer, plus the workshop and (in a group's round) the group it belongs to."""
    meta = metadata_of(update, salt)
    chat = update.effective_chat
    if state.workshop:
        meta["workshop"] = state.workshop
    if chat is not None and chat.type in GROUP_TYPES:
        meta["group"] = pseudonym(CHANNEL, str(chat.id), salt)
    return meta


async def open_workshop_of(deps: Deps, chat_id: int, message: Message) -> WorkshopInfo | None:
    """The chat's workshop if it is still open; if it closed, the chat leaves it (and hears)."""
    state = await deps.store.chat(chat_id)
    if not state.workshop:
        return None
    info = await asyncio.to_thread(workshop_info, deps.engine, state.workshop)
    if info is not None and info.status == "open":
        return info
    await deps.store.update(chat_id, workshop=None)
    await message.reply_text(texts.WORKSHOP_CLOSED_NOW)
    return None


async def open_conversation(update: Update, context: CustomContext, state: ChatState) -> None:
    """The inwoner opens the new conversation; if Rasa is down, the chat starts over."""
    deps, (message, chat_id, _) = context.deps, ids_of(update)
    assert state.sender is not None and state.persona_id is not None
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    try:
        metadata = session_metadata(update, state, deps.salt)
        seed = random.randrange(2**31)
        reply = await deps.bridge.start(state.sender, state.persona_id, seed, state.hints, metadata)
    except RasaUnavailable:
        await deps.store.update(chat_id, sender=None, round=None)
        await message.reply_text(texts.RASA_DOWN_START)
        return
    await say_reply(context.bot, chat_id, reply)


async def within_pace(deps: Deps, message: Message, chat_id: int, user_id: int) -> bool:
    """False for a message in a flood: the first one over the limit hears why, once."""
    verdict = deps.flood.check(chat_id, user_id, message.date.timestamp())
    if verdict is Verdict.WARN:
        await message.reply_text(texts.SLOW_DOWN)
    return verdict is Verdict.OK
