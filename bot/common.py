"""What every handler module shares: who is writing, saying a reply, opening a practice."""

from __future__ import annotations

import asyncio
import html
import random

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Message, Update
from telegram.constants import ChatAction, ParseMode

from bot import texts
from bot.account import recent_variants
from bot.context import CustomContext, Deps
from bot.flood import Verdict
from gesprekscoach.charts import theme_chart
from gesprekscoach.feedback.render import split_for_chat
from gesprekscoach.personas import variants
from gesprekscoach.rasa_client import RasaUnavailable, Reply
from gesprekscoach.storage.bot_state import ChatState
from gesprekscoach.storage.db import session_factory
from gesprekscoach.storage.repository import pseudonym
from gesprekscoach.turn import PayloadError, TurnEvent
from gesprekscoach.workshops.service import WorkshopInfo, by_code, workshop_info

MAX_TEXT = 4000  # what the inwoner reads; Telegram allows 4096 per message
TELEGRAM_LIMIT = 4096
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


def chat_sized(lines: list[str]) -> list[str]:
    """Texts as Telegram takes them: none empty, none over its limit (cut at lines)."""
    out: list[str] = []
    for text in lines:
        if not text.strip():
            continue
        out += [text] if len(text) <= TELEGRAM_LIMIT else split_for_chat([text], TELEGRAM_LIMIT)
    return out


def with_thought(text: str, thought: str) -> str:
    """The inwoner's words with the thought under them, marked (HTML, both escaped)."""
    return f"{html.escape(text)}\n\n{texts.THOUGHT.format(thought=html.escape(thought))}"


async def say_reply(bot: Bot, chat_id: int, reply: Reply, thoughts: bool = False) -> None:
    """The reply's texts, then the coaching. With `thoughts` (hints on, never in exam mode)
    the inwoner's thought goes under the last text."""
    lines = chat_sized(reply.texts)
    turn = turn_of(reply)
    thought = turn.thought.strip() if turn is not None and thoughts else ""
    for i, text in enumerate(lines):
        marked = with_thought(text, thought) if thought and i == len(lines) - 1 else ""
        if marked and len(marked) <= TELEGRAM_LIMIT:
            await bot.send_message(chat_id, marked, parse_mode=ParseMode.HTML)
            thought = ""
        else:
            await bot.send_message(chat_id, text)
    if thought:  # no text to put it under, or too long together
        marked = texts.THOUGHT.format(thought=html.escape(thought[: TELEGRAM_LIMIT - 20]))
        await bot.send_message(chat_id, marked, parse_mode=ParseMode.HTML)
    for hint in turn.coaching if turn else ():
        await bot.send_message(chat_id, texts.COACH + hint)


async def send_report_chart(bot: Bot, chat_id: int, deps: Deps, reply: Reply, caption: str) -> None:
    """The picture of an ended practice, drawn in a worker thread (~100 ms of CPU)."""
    report = reply.payload.get("report")
    if not isinstance(report, dict):
        return
    png = await asyncio.to_thread(theme_chart, report, deps.catalogues.tips.themes)
    await bot.send_photo(chat_id, png, caption=caption)


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


def allows_undo(engine: Engine, code: str) -> bool:
    """Whether the werkatelier's facilitator allowed going back (off unless they did)."""
    with session_factory(engine)() as db:
        workshop = by_code(db, code)
        return bool(workshop.allow_undo) if workshop is not None else False


def varies_personas(engine: Engine, code: str) -> bool:
    """Whether the werkatelier gives each participant a variant of the inwoner."""
    with session_factory(engine)() as db:
        workshop = by_code(db, code)
        return bool(workshop.vary_personas) if workshop is not None else False


async def variant_and_seed(deps: Deps, state: ChatState, user_id: int) -> tuple[str, int]:
    """How the inwoner is this time: in a werkatelier as the facilitator chose; alone, a
    variant by seed that differs from the casemanager's last sessions with this inwoner."""
    rng = random.SystemRandom()
    assert state.persona_id is not None
    if state.workshop:
        try:
            vary = await asyncio.to_thread(varies_personas, deps.engine, state.workshop)
        except SQLAlchemyError:
            vary = False
        return (variants.RANDOM if vary else variants.NONE), rng.randrange(variants.MAX_SEED)
    persona = deps.catalogues.personas.get(state.persona_id)
    try:
        recent = await asyncio.to_thread(
            recent_variants, deps.engine, user_id, deps.salt, persona.id
        )
    except SQLAlchemyError:
        recent = []
    return variants.RANDOM, variants.seed_for_another(persona, recent, rng)


async def undo_for(deps: Deps, state: ChatState) -> bool | None:
    """Going back: in a werkatelier as the facilitator chose; elsewhere None (as hints)."""
    if not state.workshop:
        return None
    try:
        return await asyncio.to_thread(allows_undo, deps.engine, state.workshop)
    except SQLAlchemyError:
        return False  # unknown: the safe side, as a werkatelier's default


async def open_conversation(update: Update, context: CustomContext, state: ChatState) -> None:
    """The inwoner opens the new conversation; if Rasa is down, the chat starts over."""
    deps, (message, chat_id, user_id) = context.deps, ids_of(update)
    assert state.sender is not None and state.persona_id is not None
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    try:
        metadata = session_metadata(update, state, deps.salt)
        variant, seed = await variant_and_seed(deps, state, user_id)
        undo = await undo_for(deps, state)
        reply = await deps.bridge.start(
            state.sender, state.persona_id, seed, state.hints, metadata, undo, variant
        )
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
