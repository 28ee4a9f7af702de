"""Recommendation settings router: /recrules for everyone in the org; switches and thresholds for
finance and up; the reason step of a dismiss or snooze from /recs for members and up (registered
here, before the questions router, so those two buttons ask why first)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from bot.features.questions.callbacks import RecAction, RecCb
from bot.features.recsettings import handlers as h
from bot.features.recsettings.callbacks import (
    RecReasonCb,
    RuleEditCb,
    RuleToggleCb,
    ThresholdAction,
)
from bot.features.recsettings.states import RecSettingsInput
from bot.filters import RoleFilter
from core.domain.roles import Role

__all__ = ["setup"]

_TEXT = F.text & ~F.text.startswith("/")


def setup() -> Router:
    router = Router(name=__name__)
    finance, member = RoleFilter(Role.FINANCE), RoleFilter(Role.MEMBER)
    router.message.register(h.cmd_rules, Command("recrules"), RoleFilter(Role.VIEWER))
    router.callback_query.register(h.on_toggle, RuleToggleCb.filter(), finance)
    router.callback_query.register(h.on_threshold_cancel,
                                   RuleEditCb.filter(F.action == ThresholdAction.CANCEL))
    for action, handler in ((ThresholdAction.RULE, h.on_threshold_rule),
                            (ThresholdAction.NAME, h.ask_threshold),
                            (ThresholdAction.DEFAULT, h.on_threshold_default)):
        router.callback_query.register(handler, RuleEditCb.filter(F.action == action), finance)
    router.message.register(h.on_threshold_text, RecSettingsInput.threshold, _TEXT, finance)
    router.callback_query.register(
        h.ask_reason, RecCb.filter(F.action.in_({RecAction.SNOOZE, RecAction.DISMISS})), member)
    router.callback_query.register(h.on_reason, RecReasonCb.filter(), member)
    router.message.register(h.on_reason_text, RecSettingsInput.reason, _TEXT, member)
    return router
