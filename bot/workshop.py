"""Joining a werkatelier from Telegram: `/join CODE` in a private chat or in a group."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.common import in_group
from bot.context import CustomContext, Deps
from bot.practice import begin
from gesprekscoach.personas.model import Persona
from gesprekscoach.storage.repository import Who, pseudonym_label
from gesprekscoach.workshops.service import WorkshopError, WorkshopInfo, join_by_code, normalise


def persona_keyboard(deps: Deps, only: tuple[str, ...] = ()) -> InlineKeyboardMarkup:
    """The inwoners to choose from: all, or those of the workshop."""
    personas = [p for p in deps.catalogues.personas if not only or p.id in only]
    rows = [[_persona_button(p)] for p in personas]
    if len(personas) > 1:
        rows.append([InlineKeyboardButton(texts.RANDOM, callback_data="persona:*")])
    return InlineKeyboardMarkup(rows)


def _persona_button(persona: Persona) -> InlineKeyboardButton:
    label = f"{persona.name} ({persona.type})"
    return InlineKeyboardButton(label, callback_data=f"persona:{persona.id}")


def consent_keyboard(code: str = "") -> InlineKeyboardMarkup:
    """Yes or no to practising; a workshop code rides along on the yes (consent:ja:CODE)."""
    suffix = f":{code}" if code else ""
    yes = InlineKeyboardButton(texts.CONSENT_YES, callback_data=f"consent:ja{suffix}")
    no = InlineKeyboardButton(texts.CONSENT_NO, callback_data="consent:nee")
    return InlineKeyboardMarkup([[yes, no]])


async def join_command(update: Update, context: CustomContext) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    code = normalise(" ".join(context.args or []))
    if not code:
        await message.reply_text(texts.JOIN_USAGE)
        return
    deps = context.deps
    if in_group(update):
        try:
            info = await asyncio.to_thread(join_by_code, deps.engine, code, None)
        except WorkshopError as err:
            await message.reply_text(str(err))
            return
        await deps.store.update(chat.id, workshop=info.code, hints=info.hints)
        await message.reply_text(texts.GROUP_JOINED.format(name=info.name))
        return
    if not await deps.store.consented(user.id):
        await message.reply_text(texts.WELCOME, reply_markup=consent_keyboard(code))
        return
    await join_private(update, context, code)


async def join_private(update: Update, context: CustomContext, code: str) -> None:
    """Join as a person (consent given): then choose among the workshop's inwoners."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    deps = context.deps
    key = deps.store.user_hash(user.id)
    who = Who("telegram", key, pseudonym_label("telegram", key))
    try:
        info: WorkshopInfo = await asyncio.to_thread(join_by_code, deps.engine, code, who)
    except WorkshopError as err:
        await context.bot.send_message(chat.id, str(err))
        return
    await deps.store.update(chat.id, workshop=info.code, hints=info.hints)
    await context.bot.send_message(chat.id, texts.JOINED.format(name=info.name))
    if info.form == "rondje":
        await context.bot.send_message(chat.id, texts.JOINED_ROUND)
        return
    if len(info.persona_ids) == 1:
        await begin(update, context, info.persona_ids[0])
        return
    keyboard = persona_keyboard(deps, info.persona_ids)
    await context.bot.send_message(chat.id, texts.CHOOSE, reply_markup=keyboard)
