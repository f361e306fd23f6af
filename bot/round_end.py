"""The end of a group round: every member says what the inwoner needed, then the report.

`/stop` in the group asks the question; each member's first text message is their
answer (the group hears who answered, by first name); the round ends when everyone
answered, when someone sends /stop again, or presses "Klaar". Then the stop goes to
Rasa with every answer and its writer's pseudonym, and the report shows each member's
score by the name the group knows (mapped here, in the bot: Rasa never sees a name).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.closing import Closing, closing_of, drop_button, first_name, not_ended, usable_answer
from bot.common import ids_of, say_reply, send_report_chart, session_metadata
from bot.context import CustomContext, Deps
from bot.round_state import Tally, names_of, shown
from gesprekscoach.control import MAX_REFLECTION
from gesprekscoach.feedback.reflection import Reflection
from gesprekscoach.rasa_client import RasaUnavailable, Reply
from gesprekscoach.storage.bot_state import ChatState
from gesprekscoach.workshops.rounds import contributions

DONE = "round:done"

__all__ = ["DONE", "answer", "done", "first_name", "stop"]


async def stop(update: Update, context: CustomContext) -> None:
    """/stop in the group: ask everyone; /stop again while they answer: end it now."""
    message, chat_id, _ = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    if not state.sender or not state.round:
        await message.reply_text(texts.NO_ROUND)
        return
    waiting = await closing_of(deps, chat_id)
    if waiting is not None:
        await finish(update, context, state, waiting)
        return
    members = Tally.of(state.round).round.members
    if not members:  # nobody joined: nobody to ask
        await finish(update, context, state, Closing(()))
        return
    name = first_name(deps, state.persona_id)
    button = InlineKeyboardButton(texts.REFLECT_DONE, callback_data=DONE)
    asked = await message.reply_text(
        texts.REFLECT_GROUP_ASK.format(name=name), reply_markup=InlineKeyboardMarkup([[button]])
    )
    closing = Closing(tuple(m.key for m in members), message_id=asked.message_id)
    await deps.store.set_closing(chat_id, closing.to_dict())


async def done(update: Update, context: CustomContext) -> None:
    """The "Klaar" button: end with the answers given so far (a member presses it)."""
    query = update.callback_query
    assert query is not None
    _, chat_id, user_id = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    closing = await closing_of(deps, chat_id)
    if closing is None or not state.sender or not state.round:
        await query.answer(texts.NO_CLOSING)
        return
    if Tally.of(state.round).round.member(deps.store.user_hash(user_id)) is None:
        await query.answer(texts.ROUND_CLOSING)
        return
    await query.answer()
    await finish(update, context, state, closing)


async def answer(
    update: Update, context: CustomContext, state: ChatState, closing: Closing
) -> None:
    """A member's text while the group closes: their answer (the first one counts)."""
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    assert state.round is not None
    key = deps.store.user_hash(user_id)
    names = names_of(deps, Tally.of(state.round).round)
    name = names.get(key, "Deelnemer")
    if closing.answered(key) or key not in closing.expected:
        await message.reply_text(texts.ROUND_ALREADY.format(name=name))
        return
    text = usable_answer(message.text or "")
    if text is None:
        await message.reply_text(texts.REFLECT_TOO_LONG.format(max=MAX_REFLECTION))
        return
    if not text:
        return
    closing = closing.answer(key, text)
    await deps.store.set_closing(chat_id, closing.to_dict())
    if closing.complete:
        await message.reply_text(texts.ROUND_ANSWERED.format(name=name))
        await finish(update, context, state, closing)
        return
    later = ", ".join(names.get(k, "Deelnemer") for k in closing.waiting_for)
    await message.reply_text(
        texts.ROUND_ANSWERED.format(name=name) + texts.ROUND_WAITING.format(names=later)
    )


def scores(deps: Deps, state: ChatState, closing: Closing, reply: Reply) -> str:
    """Each member's answer scored, by the name the group knows; who did not answer."""
    assert state.round is not None
    names = names_of(deps, Tally.of(state.round).round)
    lines = [texts.ROUND_REFLECTIONS.format(name=first_name(deps, state.persona_id))]
    raw = reply.payload.get("reflections")
    scored = [Reflection.from_dict(r) for r in raw] if isinstance(raw, list) else []
    by_person = {r.person: r for r in scored if r is not None and r.person}
    for key in closing.expected:
        member = names.get(key, "Deelnemer")
        found = by_person.get(key)
        if found is None or found.score is None:
            lines.append(texts.ROUND_NO_ANSWER.format(member=member))
            continue
        parts = [f"- {member}: {found.score:.0%}"]
        if found.named:
            parts.append(f"goed gezien: {'; '.join(found.named)}")
        if found.missed:
            parts.append(f"gemist: {'; '.join(found.missed)}")
        lines.append(". ".join(parts) + ".")
    return "\n".join(lines)


async def finish(
    update: Update, context: CustomContext, state: ChatState, closing: Closing
) -> None:
    """Stop with every answer (each with its writer's pseudonym) and show the report."""
    _, chat_id, _ = ids_of(update)
    deps = context.deps
    assert state.round is not None
    metadata = session_metadata(update, state, deps.salt)
    try:
        reply = await deps.bridge.stop(state.sender or "", metadata, closing.reflections())
    except RasaUnavailable:
        await context.bot.send_message(chat_id, texts.RASA_DOWN_STOP)
        return
    if reply.refused or not_ended(reply):  # the answers stay; /stop tries again
        await say_reply(context.bot, chat_id, reply)
        return
    round_ = Tally.of(state.round).round
    await deps.store.update(chat_id, sender=None, round=None, pending=())
    await deps.store.set_closing(chat_id, None)
    await drop_button(context.bot, chat_id, closing)
    await say_reply(context.bot, chat_id, reply)
    if closing.expected:
        await context.bot.send_message(chat_id, scores(deps, state, closing, reply))
    await context.bot.send_message(
        chat_id, contributions(shown(deps, round_), deps.catalogues.moves)
    )
    await send_report_chart(context.bot, chat_id, deps, reply, texts.GROUP_CHART_CAPTION)
