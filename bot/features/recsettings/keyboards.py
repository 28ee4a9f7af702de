"""One button per rule: pressing it switches the rule (shown only to finance and up)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.recsettings.callbacks import RuleToggleCb
from core.domain.roles import Role
from core.services.recommendations.settings import RuleSetting

__all__ = ["rules_kb"]


def rules_kb(rc: RequestContext, rules: Sequence[RuleSetting]) -> InlineKeyboardMarkup | None:
    if not rc.has_role(Role.FINANCE) or (rc.is_demo and not rc.support):
        return None
    kb = InlineKeyboardBuilder()
    for rule in rules:
        key = "recsettings.rule_on" if rule.enabled else "recsettings.rule_off"
        kb.button(text=rc.t(key, kind=rule.kind),
                  callback_data=RuleToggleCb(kind=rule.kind, on=not rule.enabled))
    kb.adjust(2)
    return kb.as_markup()
