"""The suggestion buttons under a "not understood" reply.

`extra` lets a caller (the question parser) put its own buttons first, e.g. the intents it
guessed; each is (text, callback_data).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.fallback.callbacks import FallbackAction, FallbackCb

__all__ = ["suggestions_kb"]


def suggestions_kb(rc: RequestContext,
                   extra: Sequence[tuple[str, str]] = ()) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for text, data in extra:
        kb.button(text=text, callback_data=data)
    if rc.org is None:
        kb.button(text=rc.t("bot.btn_start"),
                  callback_data=FallbackCb(action=FallbackAction.START))
        kb.button(text=rc.t("bot.btn_demo"), callback_data=FallbackCb(action=FallbackAction.DEMO))
    kb.button(text=rc.t("bot.btn_help"), callback_data=FallbackCb(action=FallbackAction.HELP))
    kb.adjust(1)
    return kb.as_markup()
