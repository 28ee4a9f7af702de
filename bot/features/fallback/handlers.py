"""Never silence: unknown commands, text nobody understood and stale buttons all get an answer.

Hook for the question parser: a free-text handler that understood only part of a question
calls `reply_not_understood(message, rc, understood=[...], extra=[...])` with the fragments it
did understand (already translated, e.g. "period: October") and its own suggestion buttons.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import RequestContext, callback_message
from bot.features.fallback.keyboards import suggestions_kb
from bot.features.onboarding import handlers as onboarding
from bot.i18n import esc
from core.app import AppContext

__all__ = ["on_demo_button", "on_help_button", "on_start_button", "reply_not_understood",
           "stale_button", "unknown_command", "unknown_text"]


async def reply_not_understood(message: Message, rc: RequestContext,
                               understood: Sequence[str] = (),
                               extra: Sequence[tuple[str, str]] = ()) -> None:
    """The one "not understood" reply: what was understood (if anything) and buttons.

    Without an organisation there is nothing to ask about yet: the reply says how to start.
    """
    if rc.org is None:
        text = rc.t("bot.no_org_question")
    elif understood:
        text = rc.t("bot.partly_understood", parts="\n".join(f"• {esc(p)}" for p in understood))
    else:
        text = rc.t("bot.not_understood")
    await message.answer(text, reply_markup=suggestions_kb(rc, extra))


async def unknown_command(message: Message, rc: RequestContext) -> None:
    command = (message.text or "").split()[0]
    await message.answer(rc.t("bot.unknown_command", command=esc(command)),
                         reply_markup=suggestions_kb(rc))


async def unknown_text(message: Message, rc: RequestContext) -> None:
    if message.chat.type != "private":
        return  # in groups the bot only reacts to commands and its own buttons
    await reply_not_understood(message, rc)


async def stale_button(query: CallbackQuery, rc: RequestContext) -> None:
    await query.answer(rc.t("bot.stale_button"), show_alert=True)


async def on_help_button(query: CallbackQuery, rc: RequestContext) -> None:
    await query.answer()
    await onboarding.cmd_help(callback_message(query), rc)


async def on_demo_button(query: CallbackQuery, rc: RequestContext, session: AsyncSession,
                         app: AppContext) -> None:
    await query.answer()
    await onboarding.cmd_demo(callback_message(query), rc, session, app)


async def on_start_button(query: CallbackQuery, rc: RequestContext, state: FSMContext) -> None:
    """Creating an organisation, from its name."""
    await query.answer()
    await onboarding.ask_name(callback_message(query), rc, state)
