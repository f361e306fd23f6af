"""Small typed async handlers, in the style of python-telegram-bot's own examples."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bot import texts
from bot.bridge import new_sender
from bot.common import (
    Deps,
    deps_of,
    ids_of,
    metadata_of,
    open_conversation,
    open_workshop_of,
    read_text,
    say_reply,
    session_metadata,
    within_pace,
)
from bot.workshop import consent_keyboard, join_private, persona_keyboard
from gesprekscoach.charts import theme_chart
from gesprekscoach.rasa_client import RasaUnavailable
from gesprekscoach.storage.bot_state import ChatState

log = logging.getLogger(__name__)


def say(text: str) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """A handler that only answers with `text` (a command that does not apply here)."""

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(text)

    return answer


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.WELCOME, reply_markup=consent_keyboard())


async def consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    if query.data == "consent:nee":
        await query.edit_message_text(texts.NO_CONSENT)
        return
    deps = deps_of(context)
    await deps.store.consent(user.id)
    code = (query.data or "").split(":", 2)[2:]  # consent:ja:CODE came from /join CODE
    if code:
        await query.edit_message_reply_markup(None)
        await join_private(update, context, code[0])
        return
    await query.edit_message_text(texts.CHOOSE, reply_markup=persona_keyboard(deps))


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE, persona_id: str) -> None:
    deps = deps_of(context)
    message, chat_id, user_id = ids_of(update)
    persona = deps.catalogues.personas.get(persona_id)
    await open_workshop_of(deps, chat_id, message)
    state = await deps.store.update(chat_id, sender=new_sender(chat_id, deps.salt), pending=(),
                                    persona_id=persona.id,
                                    owner_hash=deps.store.user_hash(user_id))  # fmt: skip
    await message.reply_text(f"Je oefent met {persona.name}.\n\n{persona.briefing}\n\n{texts.HELP}")
    await open_conversation(update, context, state)


async def choose_persona(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    deps = deps_of(context)
    if not await deps.store.consented(user.id):
        await query.edit_message_text(texts.NEED_CONSENT)
        return
    choice = (query.data or "").split(":", 1)[1]
    if choice == "*" or choice not in deps.catalogues.personas.personas:
        choice = random.choice(list(deps.catalogues.personas.personas))
    await query.edit_message_reply_markup(None)
    await begin(update, context, choice)


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat_id, user_id = ids_of(update)
    deps = deps_of(context)
    state = await deps.store.chat(chat_id)
    if not await deps.store.consented(user_id) or not state.persona_id:
        await message.reply_text(texts.NO_PRACTICE)
        return
    await begin(update, context, state.persona_id)


async def _flush_pending(
    deps: Deps, bot: Bot, chat_id: int, state: ChatState, metadata: dict[str, str]
) -> ChatState:
    """Send the kept messages in order; keep what still cannot go."""
    pending = list(state.pending)
    while pending and state.sender:
        try:
            reply = await deps.bridge.send(state.sender, pending[0], metadata)
        except RasaUnavailable:
            break
        pending.pop(0)
        state = await deps.store.update(chat_id, pending=tuple(pending))
        await say_reply(bot, chat_id, reply)
    return state


def _retry_later(deps: Deps, bot: Bot, chat_id: int, metadata: dict[str, str]) -> None:
    async def attempt() -> bool:
        async with deps.locks.hold(chat_id):
            state = await deps.store.chat(chat_id)
            if not state.pending:
                return True
            state = await _flush_pending(deps, bot, chat_id, state, metadata)
            return not state.pending

    async def give_up() -> None:
        await bot.send_message(chat_id, texts.RASA_STILL_DOWN)

    deps.retries.schedule(chat_id, attempt, give_up)


async def talk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat_id, user_id = ids_of(update)
    deps = deps_of(context)
    if not await deps.store.consented(user_id):
        await message.reply_text(texts.NEED_CONSENT)
        return
    if not await within_pace(deps, message, chat_id, user_id):
        return
    state = await deps.store.chat(chat_id)
    if not state.sender:
        await message.reply_text(texts.NO_PRACTICE)
        return
    text = await read_text(message)
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    metadata = session_metadata(update, state, deps.salt)
    state = await _flush_pending(deps, context.bot, chat_id, state, metadata)
    if not state.pending:
        try:
            await say_reply(context.bot, chat_id, await deps.bridge.send(state.sender or "", text,
                                                                          metadata))  # fmt: skip
            return
        except RasaUnavailable:
            pass
    await deps.store.update(chat_id, pending=(*state.pending, text))
    await message.reply_text(texts.RASA_DOWN)
    _retry_later(deps, context.bot, chat_id, metadata)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat_id, _ = ids_of(update)
    deps = deps_of(context)
    state = await deps.store.chat(chat_id)
    if not state.sender:
        await message.reply_text(texts.NO_PRACTICE)
        return
    metadata = session_metadata(update, state, deps.salt)
    state = await _flush_pending(deps, context.bot, chat_id, state, metadata)
    try:
        if state.pending:
            raise RasaUnavailable("kept messages still waiting")
        reply = await deps.bridge.stop(state.sender or "", metadata)
    except RasaUnavailable:
        await message.reply_text(texts.RASA_DOWN_STOP)
        return
    await deps.store.update(chat_id, sender=None, pending=())
    await say_reply(context.bot, chat_id, reply)
    report = reply.payload.get("report")
    if isinstance(report, dict):
        png = theme_chart(report, deps.catalogues.tips.themes)
        await message.reply_photo(png, caption="Je gesprek in een plaatje: tips per thema en "
                                               "het vertrouwen van de inwoner.")  # fmt: skip


async def hints(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat_id, _ = ids_of(update)
    arg = (context.args or [""])[0].lower()
    if arg not in ("aan", "uit"):
        await message.reply_text(texts.HINTS_USAGE)
        return
    deps = deps_of(context)
    state = await deps.store.update(chat_id, hints=arg == "aan")
    if not state.sender:
        await message.reply_text("Tips staan " + arg + " voor je volgende gesprek.")
        return
    try:
        reply = await deps.bridge.hints(state.sender, arg == "aan", metadata_of(update, deps.salt))
    except RasaUnavailable:
        await message.reply_text(texts.RASA_DOWN_STOP)
        return
    await message.reply_text(reply.text)


async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.account import summary

    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    deps = deps_of(context)
    found = await asyncio.to_thread(summary, deps.engine, user.id, deps.salt)
    if found is None:
        await message.reply_text(texts.NOTHING_STORED)
        return
    await message.reply_text(
        f"Dit is er van je bewaard, onder de schuilnaam {found.name}:\n"
        f"- {found.sessions} oefengesprek(ken), van {found.first} tot {found.last}\n"
        f"- {found.messages} berichten van jou, met de antwoorden van de inwoner en de feedback\n"
        "Je naam en je Telegram-nummer bewaren we niet. Alles verwijderen? Typ /verwijder."
    )


async def progress(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.account import progress_chart

    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    deps = deps_of(context)
    themes = deps.catalogues.tips.theme_of
    chart = await asyncio.to_thread(progress_chart, deps.engine, user.id, deps.salt, themes)
    if chart is None:
        await message.reply_text(texts.NO_PROGRESS)
        return
    png, sessions = chart
    await message.reply_photo(png, caption=f"Hoeveel tips je liet zien, in je {sessions} "
                                           "afgeronde gesprek(ken).")  # fmt: skip


async def erase_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    buttons = [[InlineKeyboardButton(texts.ERASE_YES, callback_data="erase:ja"),
                InlineKeyboardButton(texts.ERASE_NO, callback_data="erase:nee")]]  # fmt: skip
    await update.effective_message.reply_text(
        texts.ERASE_ASK, reply_markup=InlineKeyboardMarkup(buttons)
    )


async def erase_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.account import erase

    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    await query.answer()
    if query.data != "erase:ja":
        await query.edit_message_text(texts.ERASE_KEPT)
        return
    deps = deps_of(context)
    count = await asyncio.to_thread(
        erase, deps.engine, user.id, deps.salt, deps.catalogues, deps.spool
    )
    deps.store.forget(user.id, chat.id)
    await query.edit_message_text(
        f"Alles is verwijderd ({count or 0} oefengesprek(ken)). Typ /start om opnieuw te beginnen."
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.HELP)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.edited_message is not None:
        await update.edited_message.reply_text(texts.EDITED)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(texts.NOT_TEXT)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One failing update never stops the bot: log it, tell the user in plain Dutch."""
    log.error("Fout bij het verwerken van een update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(texts.ERROR)
        except Exception:  # noqa: BLE001 - the report itself may fail (network down)
            log.warning("Kon de foutmelding niet sturen")
