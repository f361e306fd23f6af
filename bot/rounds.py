"""A round (rondje) in a group chat: the group holds one conversation with the inwoner.

`/oefening PERSONA [volgorde]` starts it; members join with the button (which is
their consent); each member's message goes to the same Rasa conversation with the
writer in the metadata, so every turn is logged for its writer; with a fixed order,
a message out of turn is not sent on. `/stop` asks every member what the inwoner
needed (bot/round_end.py), then ends it with the group's report and each member's
contribution.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction

from bot import round_end, texts
from bot.bridge import new_sender
from bot.closing import closing_of
from bot.common import (
    ids_of,
    open_conversation,
    open_workshop_of,
    read_text,
    say_reply,
    session_metadata,
    turn_of,
    within_pace,
)
from bot.context import CustomContext, Deps
from bot.round_state import Tally, remember, shown
from gesprekscoach.personas.model import Persona
from gesprekscoach.rasa_client import RasaUnavailable
from gesprekscoach.workshops.rounds import Round

ORDER_WORDS = {"volgorde", "beurt", "beurten", "vast"}


def _persona(deps: Deps, words: list[str], default: tuple[str, ...]) -> Persona | None:
    wanted = next((w.lower() for w in words if w.lower() not in ORDER_WORDS), "")
    if not wanted:
        return deps.catalogues.personas.get(default[0]) if default else None
    for p in deps.catalogues.personas:
        if wanted in (p.id.lower(), p.name.split()[0].lower(), p.name.lower()):
            return p
    return None


async def start_round(update: Update, context: CustomContext) -> None:
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    if state.sender:
        await message.reply_text(texts.ROUND_RUNNING)
        return
    words = list(context.args or [])
    info = await open_workshop_of(deps, chat_id, message)
    state = await deps.store.chat(chat_id)
    default = info.persona_ids if info is not None else ()
    persona = _persona(deps, words, default)
    if persona is None:
        names = ", ".join(p.name.split()[0].lower() for p in deps.catalogues.personas)
        await message.reply_text(texts.ROUND_USAGE.format(names=names))
        return
    ordered = any(w.lower() in ORDER_WORDS for w in words)
    round_ = Round(persona.id, ordered)
    sender = new_sender(chat_id, deps.salt)
    state = await deps.store.update(
        chat_id,
        sender=sender,
        persona_id=persona.id,
        pending=(),
        round=Tally(round_).to_dict(),
        owner_hash=None,
    )
    order = texts.ROUND_ORDERED if ordered else ""
    intro = texts.ROUND_INTRO.format(persona=persona.name, order=order)
    button = InlineKeyboardButton(texts.ROUND_JOIN, callback_data="round:join")
    await message.reply_text(intro, reply_markup=InlineKeyboardMarkup([[button]]))
    await message.reply_text(f"{persona.name}\n\n{persona.briefing}")
    await open_conversation(update, context, state)


async def join_round(update: Update, context: CustomContext) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    deps = context.deps
    state = await deps.store.chat(chat.id)
    if not state.sender or not state.round:
        await query.answer(texts.NO_ROUND)
        return
    if await closing_of(deps, chat.id) is not None:
        await query.answer(texts.ROUND_CLOSING)
        return
    tally = Tally.of(state.round)
    key = deps.store.user_hash(user.id)
    if tally.round.member(key) is not None:
        await query.answer("Je doet al mee.")
        return
    await deps.store.consent(user.id)  # pressing "Ik doe mee" after the explanation
    # The round is stored: it holds a number, never the Telegram name (said, not kept).
    label = f"Deelnemer {len(tally.round.members) + 1}"
    tally = tally.join(key, label)
    round_ = tally.round
    await deps.store.update(chat.id, round=tally.to_dict())
    await query.answer("Je doet mee!")
    name = user.first_name or "Iemand"
    remember(deps, key, user.first_name)
    extra = f" {shown(deps, round_).order_text()}" if round_.ordered else ""
    await context.bot.send_message(
        chat.id, texts.ROUND_JOINED.format(name=name, label=label) + extra
    )


async def whose_turn(update: Update, context: CustomContext) -> None:
    message, chat_id, _ = ids_of(update)
    state = await context.deps.store.chat(chat_id)
    if not state.sender or not state.round:
        await message.reply_text(texts.NO_ROUND)
        return
    await message.reply_text(shown(context.deps, Round.from_dict(state.round)).order_text())


async def talk(update: Update, context: CustomContext) -> None:
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    if not state.sender or not state.round:
        return  # a group's own chatter outside a round is none of the bot's business
    tally = Tally.of(state.round)
    round_ = tally.round
    key = deps.store.user_hash(user_id)
    name = (update.effective_user.first_name if update.effective_user else "") or "Deelnemer"
    member = round_.member(key)
    if member is None:
        await message.reply_text(texts.ROUND_NOT_MEMBER.format(name=name))
        return
    remember(deps, key, update.effective_user.first_name if update.effective_user else None)
    waiting = await closing_of(deps, chat_id)
    if waiting is not None:  # after /stop: each member's first message is their answer
        await round_end.answer(update, context, state, waiting)
        return
    if not round_.may_write(key):
        named = shown(deps, round_)
        turn = named.whose_turn.name if named.whose_turn else ""
        await message.reply_text(texts.ROUND_WAIT.format(name=name, turn=turn))
        return
    if not await within_pace(deps, message, chat_id, user_id):
        return
    text = await read_text(message)
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    try:
        reply = await deps.bridge.send(
            state.sender, text, session_metadata(update, state, deps.salt)
        )
    except RasaUnavailable:
        await message.reply_text(texts.ROUND_DOWN)
        return
    event = turn_of(reply)
    if event is not None:
        tally = tally.record(key, event)
        round_ = tally.round
        await deps.store.update(chat_id, round=tally.to_dict())
    await say_reply(context.bot, chat_id, reply, thoughts=state.hints)
    if round_.ordered and round_.whose_turn is not None and len(round_.members) > 1:
        up = shown(deps, round_).whose_turn
        await context.bot.send_message(chat_id, f"Nu is {up.name if up else ''} aan de beurt.")


async def not_text(update: Update, context: CustomContext) -> None:
    """A sticker or an edit in a group: only a member of the running round hears about it."""
    message, chat_id, user_id = ids_of(update)
    store = context.deps.store
    state = await store.chat(chat_id)
    if not state.round or Round.from_dict(state.round).member(store.user_hash(user_id)) is None:
        return
    if not update.edited_message and await closing_of(context.deps, chat_id) is not None:
        name = round_end.first_name(context.deps, state.persona_id)
        await message.reply_text(texts.REFLECT_GROUP_NOT_TEXT.format(name=name))
        return
    await message.reply_text(texts.EDITED if update.edited_message else texts.NOT_TEXT)
