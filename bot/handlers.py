"""Small typed async handlers, in the style of python-telegram-bot's own examples."""

from __future__ import annotations

import asyncio
import logging
import random

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction

from bot import closing, texts
from bot.account import erase, progress_chart, progress_text, summary
from bot.common import (
    chat_sized,
    ids_of,
    metadata_of,
    read_text,
    say_reply,
    session_metadata,
    within_pace,
)
from bot.context import CustomContext, Deps, Handler
from bot.practice import begin
from bot.workshop import consent_keyboard, join_private, persona_keyboard
from gesprekscoach.rasa_client import RasaUnavailable
from gesprekscoach.storage.bot_state import ChatState

log = logging.getLogger(__name__)


def say(text: str) -> Handler:
    """A handler that only answers with `text` (a command that does not apply here)."""

    async def answer(update: Update, context: CustomContext) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(text)

    return answer


async def start(update: Update, context: CustomContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.WELCOME, reply_markup=consent_keyboard())


async def consent(update: Update, context: CustomContext) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    if query.data == "consent:nee":
        await query.edit_message_text(texts.NO_CONSENT)
        return
    deps = context.deps
    await deps.store.consent(user.id)
    code = (query.data or "").split(":", 2)[2:]  # consent:ja:CODE came from /join CODE
    if code:
        await query.edit_message_reply_markup(None)
        await join_private(update, context, code[0])
        return
    await query.edit_message_text(texts.CHOOSE, reply_markup=persona_keyboard(deps))


async def choose_persona(update: Update, context: CustomContext) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    deps = context.deps
    if not await deps.store.consented(user.id):
        await query.edit_message_text(texts.NEED_CONSENT)
        return
    choice = (query.data or "").split(":", 1)[1]
    if choice == "*" or choice not in deps.catalogues.personas.personas:
        choice = random.choice(list(deps.catalogues.personas.personas))
    await query.edit_message_reply_markup(None)
    await begin(update, context, choice)


async def again(update: Update, context: CustomContext) -> None:
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
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
        await say_reply(bot, chat_id, reply, thoughts=state.hints)
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


async def talk(update: Update, context: CustomContext) -> None:
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    if not await deps.store.consented(user_id):
        await message.reply_text(texts.NEED_CONSENT)
        return
    if not await within_pace(deps, message, chat_id, user_id):
        return
    state = await deps.store.chat(chat_id)
    if not state.sender:
        await message.reply_text(texts.NO_PRACTICE)
        return
    waiting = await closing.closing_of(deps, chat_id)
    if waiting is not None:  # after /stop: this text is the answer to the question
        await closing.answer(update, context, state, waiting)
        return
    text = await read_text(message)
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    metadata = session_metadata(update, state, deps.salt)
    state = await _flush_pending(deps, context.bot, chat_id, state, metadata)
    if not state.pending:
        try:
            reply = await deps.bridge.send(state.sender or "", text, metadata)
            await say_reply(context.bot, chat_id, reply, thoughts=state.hints)
            return
        except RasaUnavailable:
            pass
    await deps.store.update(chat_id, pending=(*state.pending, text))
    await message.reply_text(texts.RASA_DOWN)
    _retry_later(deps, context.bot, chat_id, metadata)


async def stop(update: Update, context: CustomContext) -> None:
    """First the question what the inwoner needed; /stop again while it waits: skip it."""
    message, chat_id, _ = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    if not state.sender:
        await message.reply_text(texts.NO_PRACTICE)
        return
    waiting = await closing.closing_of(deps, chat_id)
    if waiting is not None:
        await closing.finish(update, context, state, waiting)
        return
    metadata = session_metadata(update, state, deps.salt)
    state = await _flush_pending(deps, context.bot, chat_id, state, metadata)
    if state.pending:  # the kept messages belong to the conversation: not without them
        await message.reply_text(texts.RASA_DOWN_STOP)
        return
    await closing.ask(update, context, state)


async def hints(update: Update, context: CustomContext) -> None:
    message, chat_id, _ = ids_of(update)
    arg = (context.args or [""])[0].lower()
    if arg not in ("aan", "uit"):
        await message.reply_text(texts.HINTS_USAGE)
        return
    deps = context.deps
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


async def my_data(update: Update, context: CustomContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    deps = context.deps
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


async def progress(update: Update, context: CustomContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    deps = context.deps
    themes = deps.catalogues.tips.theme_of
    # Reads the database and draws (~100 ms of CPU): in a worker thread, off the event loop.
    chart = await asyncio.to_thread(progress_chart, deps.engine, user.id, deps.salt, themes)
    if chart is None:
        await message.reply_text(texts.NO_PROGRESS)
        return
    png, sessions = chart
    await message.reply_photo(png, caption=texts.PROGRESS_CAPTION.format(sessions=sessions))
    words = await asyncio.to_thread(progress_text, deps.engine, user.id, deps.salt, deps.catalogues)
    if words is None:
        return
    text, persona_id = words
    *first, last = chat_sized([text])
    for part in first:
        await message.reply_text(part)
    keyboard = None
    if persona_id is not None:
        name = deps.catalogues.personas.get(persona_id).name.split()[0]
        button = InlineKeyboardButton(
            texts.PROGRESS_START.format(name=name), callback_data=f"persona:{persona_id}"
        )
        keyboard = InlineKeyboardMarkup([[button]])
    await message.reply_text(last, reply_markup=keyboard)


async def erase_ask(update: Update, context: CustomContext) -> None:
    assert update.effective_message is not None
    yes = InlineKeyboardButton(texts.ERASE_YES, callback_data="erase:ja")
    no = InlineKeyboardButton(texts.ERASE_NO, callback_data="erase:nee")
    keyboard = InlineKeyboardMarkup([[yes, no]])
    await update.effective_message.reply_text(texts.ERASE_ASK, reply_markup=keyboard)


async def erase_answer(update: Update, context: CustomContext) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    await query.answer()
    if query.data != "erase:ja":
        await query.edit_message_text(texts.ERASE_KEPT)
        return
    deps = context.deps
    count = await asyncio.to_thread(
        erase, deps.engine, user.id, deps.salt, deps.catalogues, deps.spool
    )
    deps.store.forget(user.id, chat.id)
    await query.edit_message_text(
        f"Alles is verwijderd ({count or 0} oefengesprek(ken)). Typ /start om opnieuw te beginnen."
    )


async def help_command(update: Update, context: CustomContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.HELP)


async def not_text(update: Update, context: CustomContext) -> None:
    if update.edited_message is not None:
        await update.edited_message.reply_text(texts.EDITED)
        return
    if update.effective_message is None or update.effective_chat is None:
        return
    deps, chat_id = context.deps, update.effective_chat.id
    state = await deps.store.chat(chat_id)
    if state.sender and await closing.closing_of(deps, chat_id) is not None:
        await closing.not_text(update, context, state)  # a sticker is no answer
        return
    await update.effective_message.reply_text(texts.NOT_TEXT)


async def on_error(update: object, context: CustomContext) -> None:
    """One failing update never stops the bot: log it, tell the user in plain Dutch."""
    log.error("Fout bij het verwerken van een update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(texts.ERROR)
        except Exception:  # noqa: BLE001 - the report itself may fail (network down)
            log.warning("Kon de foutmelding niet sturen")
