"""Beginning a practice in a private chat: after /start, /opnieuw, or joining a workshop.

Its own module because both `handlers` and `workshop` begin a practice.
"""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.bridge import new_sender
from bot.common import ids_of, open_conversation, open_workshop_of
from bot.context import CustomContext


async def begin(update: Update, context: CustomContext, persona_id: str) -> None:
    deps = context.deps
    message, chat_id, user_id = ids_of(update)
    persona = deps.catalogues.personas.get(persona_id)
    await open_workshop_of(deps, chat_id, message)
    state = await deps.store.update(
        chat_id,
        sender=new_sender(chat_id, deps.salt),
        pending=(),
        persona_id=persona.id,
        owner_hash=deps.store.user_hash(user_id),
    )
    await deps.store.set_closing(chat_id, None)  # a question left open belongs to the old one
    await message.reply_text(f"Je oefent met {persona.name}.\n\n{persona.briefing}\n\n{texts.HELP}")
    await open_conversation(update, context, state)
