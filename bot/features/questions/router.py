"""Questions router: commands, answer buttons and free text (before the fallback)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter

from bot.features.questions import handlers as h
from bot.features.questions.callbacks import AskCb, RecAction, RecCb
from bot.features.questions.free_text import FreeTextHandler
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]


def setup() -> Router:
    router = Router(name=__name__)
    viewer = RoleFilter(Role.VIEWER)
    router.message.register(h.ask_command, Command(*h.COMMANDS), viewer)
    router.callback_query.register(h.on_ask, AskCb.filter(), viewer)
    # Snooze and dismiss from /recs ask why first: `recsettings` registers them, earlier.
    router.callback_query.register(h.on_rec_accept, RecCb.filter(F.action == RecAction.ACCEPT),
                                   RoleFilter(Role.MEMBER))
    router.message.register(FreeTextHandler().handle, StateFilter(None), F.chat.type == "private",
                            F.text & ~F.text.startswith("/"))
    return router
