"""Before the report: "Wat denk je dat <naam> nodig heeft?" (the learning loop's reflection).

After /stop the bot asks the question and waits; the answer (always text) goes to Rasa
with the stop command, and then the report follows. The waiting lives in the database
(BotChat.closing, through ChatStore), so a restart of the bot loses no answer. A second
/stop, or the button, ends it with what was answered (nothing: skipped).

`Closing` is the same for a private chat (one casemanager) and a group round (every
member answers once; bot/round_end.py); this module holds the private chat's flow.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot import texts
from bot.bridge import Reflections
from bot.common import (
    ids_of,
    say_reply,
    send_report_chart,
    session_metadata,
)
from bot.context import CustomContext, Deps
from gesprekscoach.control import MAX_REFLECTION, MAX_REFLECTIONS, MAX_REFLECTIONS_CHARS
from gesprekscoach.protocol import ERROR, kind_of
from gesprekscoach.rasa_client import RasaUnavailable, Reply
from gesprekscoach.storage.bot_state import ChatState

SKIP = "closing:skip"


@dataclass(frozen=True)
class Answer:
    person: str
    """The writer's pseudonym (never a Telegram id or name)."""
    text: str


@dataclass(frozen=True)
class Closing:
    expected: tuple[str, ...]
    """Pseudonyms of who may answer: the casemanager, or every member of the round."""
    answers: tuple[Answer, ...] = ()
    message_id: int | None = None
    """The question's message, whose button goes once it is over."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Closing:
        answers = tuple(
            Answer(str(a["person"]), str(a["text"]))
            for a in data.get("answers") or ()
            if isinstance(a, dict) and a.get("person") and isinstance(a.get("text"), str)
        )
        message = data.get("message_id")
        return cls(
            expected=tuple(str(k) for k in data.get("expected") or ()),
            answers=answers,
            message_id=message if isinstance(message, int) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "expected": list(self.expected),
            "answers": [{"person": a.person, "text": a.text} for a in self.answers],
            "message_id": self.message_id,
        }

    def answered(self, key: str) -> bool:
        return any(a.person == key for a in self.answers)

    def answer(self, key: str, text: str) -> Closing:
        """The first answer of each person counts."""
        if self.answered(key):
            return self
        return replace(self, answers=(*self.answers, Answer(key, text)))

    @property
    def complete(self) -> bool:
        return all(self.answered(key) for key in self.expected)

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(key for key in self.expected if not self.answered(key))

    def reflections(self) -> Reflections:
        """The answers to send; in a big round each is cut to its share of what the server
        takes in one stop (control.MAX_REFLECTIONS_CHARS), so the end is never refused."""
        share = MAX_REFLECTIONS_CHARS // max(len(self.answers), 1)
        return tuple((a.text[:share], a.person) for a in self.answers[:MAX_REFLECTIONS])


def not_ended(reply: Reply) -> bool:
    """The server failed to end the practice (and it still runs): not "already ended"."""
    error = reply.payload.get("error")
    return kind_of(reply.payload) == ERROR and error not in ("finished", "not_started")


def first_name(deps: Deps, persona_id: str | None) -> str:
    if persona_id and persona_id in deps.catalogues.personas.personas:
        return deps.catalogues.personas.get(persona_id).name.split()[0]
    return "de inwoner"


async def closing_of(deps: Deps, chat_id: int) -> Closing | None:
    data = await deps.store.closing(chat_id)
    return Closing.from_dict(data) if data else None


async def drop_button(bot: Bot, chat_id: int, closing: Closing) -> None:
    """The question's button is of no use once it is over (a failed edit is harmless)."""
    if closing.message_id is None:
        return
    with contextlib.suppress(TelegramError):
        await bot.edit_message_reply_markup(chat_id, closing.message_id, reply_markup=None)


def usable_answer(text: str) -> str | None:
    """The answer's text if the server takes it (at most MAX_REFLECTION characters)."""
    text = text.strip()
    return text if len(text) <= MAX_REFLECTION else None


async def ask(update: Update, context: CustomContext, state: ChatState) -> None:
    """/stop in a private chat: ask the question, and wait for the answer."""
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    name = first_name(deps, state.persona_id)
    skip = InlineKeyboardButton(texts.REFLECT_SKIP, callback_data=SKIP)
    asked = await message.reply_text(
        texts.REFLECT_ASK.format(name=name), reply_markup=InlineKeyboardMarkup([[skip]])
    )
    closing = Closing((deps.store.user_hash(user_id),), message_id=asked.message_id)
    await deps.store.set_closing(chat_id, closing.to_dict())


async def answer(
    update: Update, context: CustomContext, state: ChatState, closing: Closing
) -> None:
    """The casemanager's text after the question: their answer, then the report."""
    message, chat_id, user_id = ids_of(update)
    deps = context.deps
    text = usable_answer(message.text or "")
    if text is None:
        await message.reply_text(texts.REFLECT_TOO_LONG.format(max=MAX_REFLECTION))
        return
    if not text:  # only spaces: not an answer
        await message.reply_text(
            texts.REFLECT_NOT_TEXT.format(name=first_name(deps, state.persona_id))
        )
        return
    closing = closing.answer(deps.store.user_hash(user_id), text)
    await deps.store.set_closing(chat_id, closing.to_dict())  # kept if Rasa is down now
    await finish(update, context, state, closing)


async def finish(
    update: Update, context: CustomContext, state: ChatState, closing: Closing
) -> None:
    """Stop with the answer (or none: skipped) and show the report."""
    _, chat_id, _ = ids_of(update)
    deps = context.deps
    metadata = session_metadata(update, state, deps.salt)
    try:
        reply = await deps.bridge.stop(state.sender or "", metadata, closing.reflections())
    except RasaUnavailable:
        await context.bot.send_message(chat_id, texts.RASA_DOWN_CLOSING)
        return
    if reply.refused:  # the channel did not take the answer: say why, and ask again
        await deps.store.set_closing(chat_id, replace(closing, answers=()).to_dict())
        await say_reply(context.bot, chat_id, reply)
        return
    if not_ended(reply):  # a fault on the server: the answer stays, /stop tries again
        await say_reply(context.bot, chat_id, reply)
        return
    await deps.store.update(chat_id, sender=None, pending=())
    await deps.store.set_closing(chat_id, None)
    await drop_button(context.bot, chat_id, closing)
    await say_reply(context.bot, chat_id, reply)
    await send_report_chart(context.bot, chat_id, deps, reply, texts.CHART_CAPTION)


async def skip(update: Update, context: CustomContext) -> None:
    """The "Overslaan" button: the report without an answer."""
    query = update.callback_query
    assert query is not None
    _, chat_id, _ = ids_of(update)
    deps = context.deps
    state = await deps.store.chat(chat_id)
    closing = await closing_of(deps, chat_id)
    if closing is None or not state.sender:
        await query.answer(texts.NO_CLOSING)
        return
    await query.answer()
    await finish(update, context, state, replace(closing, answers=()))


async def not_text(update: Update, context: CustomContext, state: ChatState) -> None:
    message, _, _ = ids_of(update)
    name = first_name(context.deps, state.persona_id)
    await message.reply_text(texts.REFLECT_NOT_TEXT.format(name=name))


async def busy(update: Update, context: CustomContext, state: ChatState) -> None:
    """/terug, /tip or /opnieuw N while the bot waits for the answer."""
    message, _, _ = ids_of(update)
    name = first_name(context.deps, state.persona_id)
    await message.reply_text(texts.REFLECT_BUSY.format(name=name))
