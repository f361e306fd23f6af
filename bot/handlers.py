"""Small typed async handlers, in the style of python-telegram-bot's own examples."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bot import texts
from bot.bridge import RasaBridge, new_sender
from gesprekscoach.domain import Catalogues
from gesprekscoach.feedback.chart import theme_chart
from gesprekscoach.rasa_client import RasaUnavailable, Reply

log = logging.getLogger(__name__)
MAX_TEXT = 4000  # what the inwoner reads; Telegram allows 4096 per message


def _deps(context: ContextTypes.DEFAULT_TYPE) -> tuple[RasaBridge, Catalogues, str]:
    data = context.application.bot_data
    return data["bridge"], data["catalogues"], data["salt"]


def _metadata(update: Update) -> dict[str, str]:
    """Who is practising, for the session log: pseudonymised there, never the raw id here."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    return {
        "channel": "telegram",
        "user": str(user.id) if user else "",
        "name": (user.first_name if user else "") or "Telegram",
        "chat_type": chat.type if chat else "",
        "message_id": str(message.message_id) if message else "",
    }


async def _say_reply(update: Update, reply: Reply) -> None:
    message = update.effective_message
    assert message is not None
    for text in reply.texts:
        await message.reply_text(text)
    for hint in reply.payload.get("coaching") or []:
        await message.reply_text(texts.COACH + str(hint))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    buttons = [[InlineKeyboardButton(texts.CONSENT_YES, callback_data="consent:ja"),
                InlineKeyboardButton(texts.CONSENT_NO, callback_data="consent:nee")]]  # fmt: skip
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        texts.WELCOME, reply_markup=InlineKeyboardMarkup(buttons)
    )


async def consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    if query.data == "consent:nee":
        context.user_data.pop("consent", None)
        await query.edit_message_text(texts.NO_CONSENT)
        return
    context.user_data["consent"] = True
    _, catalogues, _ = _deps(context)
    rows = [[InlineKeyboardButton(f"{p.name} ({p.type})", callback_data=f"persona:{p.id}")]
            for p in catalogues.personas]  # fmt: skip
    rows.append([InlineKeyboardButton(texts.RANDOM, callback_data="persona:*")])
    await query.edit_message_text(texts.CHOOSE, reply_markup=InlineKeyboardMarkup(rows))


async def _begin(update: Update, context: ContextTypes.DEFAULT_TYPE, persona_id: str) -> None:
    bridge, catalogues, salt = _deps(context)
    assert context.chat_data is not None and update.effective_chat is not None
    persona = catalogues.personas.get(persona_id)
    sender = new_sender(update.effective_chat.id, salt)
    context.chat_data.update({"sender": sender, "persona": persona.id, "pending": None})
    message = update.effective_message
    assert message is not None
    await message.reply_text(f"Je oefent met {persona.name}.\n\n{persona.briefing}\n\n{texts.HELP}")
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
    hints = context.chat_data.get("hints", True)
    try:
        reply = await bridge.start(sender, persona.id, random.randrange(2**31), hints,
                                   _metadata(update))  # fmt: skip
    except RasaUnavailable:
        context.chat_data["sender"] = None
        await message.reply_text(texts.RASA_DOWN)
        return
    await _say_reply(update, reply)


async def choose_persona(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    if not context.user_data.get("consent"):
        await query.edit_message_text(texts.NEED_CONSENT)
        return
    _, catalogues, _ = _deps(context)
    choice = (query.data or "").split(":", 1)[1]
    if choice == "*" or choice not in catalogues.personas.personas:
        choice = random.choice(list(catalogues.personas.personas))
    await query.edit_message_reply_markup(None)
    await _begin(update, context, choice)


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert context.chat_data is not None and update.effective_message is not None
    persona = context.chat_data.get("persona")
    if not (context.user_data or {}).get("consent") or not persona:
        await update.effective_message.reply_text(texts.NO_PRACTICE)
        return
    await _begin(update, context, str(persona))


async def talk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and context.chat_data is not None
    if not (context.user_data or {}).get("consent"):
        await message.reply_text(texts.NEED_CONSENT)
        return
    sender = context.chat_data.get("sender")
    if not sender:
        await message.reply_text(texts.NO_PRACTICE)
        return
    text = message.text or ""
    if len(text) > MAX_TEXT:
        await message.reply_text(texts.TOO_LONG)
    bridge, _, _ = _deps(context)
    assert update.effective_chat is not None
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
    earlier = context.chat_data.get("pending")
    if earlier:  # kept during an outage: answer it first
        try:
            await _say_reply(update, await bridge.send(sender, earlier, _metadata(update)))
            context.chat_data["pending"] = None
        except RasaUnavailable:
            pass
    try:
        reply = await bridge.send(sender, text[:MAX_TEXT], _metadata(update))
    except RasaUnavailable:
        context.chat_data["pending"] = text[:MAX_TEXT]
        await message.reply_text(texts.RASA_DOWN)
        return
    await _say_reply(update, reply)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and context.chat_data is not None
    sender = context.chat_data.get("sender")
    if not sender:
        await message.reply_text(texts.NO_PRACTICE)
        return
    bridge, catalogues, _ = _deps(context)
    try:
        reply = await bridge.stop(sender, _metadata(update))
    except RasaUnavailable:
        await message.reply_text(texts.RASA_DOWN)
        return
    context.chat_data["sender"] = None
    await _say_reply(update, reply)
    report = reply.payload.get("report")
    if isinstance(report, dict):
        png = theme_chart(report, catalogues.tips.themes)
        await message.reply_photo(png, caption="Je gesprek in een plaatje: tips per thema en "
                                               "het vertrouwen van de inwoner.")  # fmt: skip


async def hints(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and context.chat_data is not None
    arg = (context.args or [""])[0].lower()
    if arg not in ("aan", "uit"):
        await message.reply_text(texts.HINTS_USAGE)
        return
    context.chat_data["hints"] = arg == "aan"
    sender = context.chat_data.get("sender")
    if not sender:
        await message.reply_text("Tips staan " + arg + " voor je volgende gesprek.")
        return
    bridge, _, _ = _deps(context)
    try:
        reply = await bridge.hints(sender, arg == "aan", _metadata(update))
    except RasaUnavailable:
        await message.reply_text(texts.RASA_DOWN)
        return
    await message.reply_text(reply.text)


def _engine(context: ContextTypes.DEFAULT_TYPE) -> Any:
    return context.application.bot_data["engine"]


async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.account import summary

    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    _, _, salt = _deps(context)
    found = await asyncio.to_thread(summary, _engine(context), user.id, salt)
    if found is None:
        await message.reply_text(texts.NOTHING_STORED)
        return
    await message.reply_text(
        f"Dit is er van je bewaard:\n- je voornaam: {found.name}\n"
        f"- {found.sessions} oefengesprek(ken), van {found.first} tot {found.last}\n"
        f"- {found.messages} berichten van jou, met de antwoorden van de inwoner en de feedback\n"
        "Je Telegram-nummer bewaren we niet. Alles verwijderen? Typ /verwijder."
    )


async def progress(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.account import progress_chart

    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    _, catalogues, salt = _deps(context)
    themes = catalogues.tips.theme_of
    chart = await asyncio.to_thread(progress_chart, _engine(context), user.id, salt, themes)
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

    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    if query.data != "erase:ja":
        await query.edit_message_text(texts.ERASE_KEPT)
        return
    _, _, salt = _deps(context)
    count = await asyncio.to_thread(erase, _engine(context), user.id, salt)
    if context.user_data is not None:
        context.user_data.clear()
    if context.chat_data is not None:
        context.chat_data.clear()
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
