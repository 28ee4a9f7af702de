"""Allocation keyboards: the overview's buttons and a rule's card."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.allocation.callbacks import AllocAction, AllocCb
from core.db.models import AllocationRule
from core.domain.roles import Role

__all__ = ["can_edit", "cancel_kb", "overview_kb", "rule_kb"]

PER_ROW = 4


def can_edit(rc: RequestContext) -> bool:
    """Owners, admins and finance change rules (never in the read-only demo)."""
    return rc.has_role(Role.FINANCE) and not (rc.is_demo and not rc.support)


def overview_kb(rc: RequestContext, rules: Sequence[AllocationRule],
                suggestions: Sequence[AllocationRule]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    rows: list[int] = []
    for n, rule in enumerate(rules[:12], 1):
        kb.button(text=rc.t("allocation.btn.open", n=n),
                  callback_data=AllocCb(action=AllocAction.OPEN, id=rule.id))
    rows += [PER_ROW] * ((min(len(rules), 12) + PER_ROW - 1) // PER_ROW)
    if can_edit(rc):
        for n, rule in enumerate(suggestions[:6], 1):
            kb.button(text=rc.t("allocation.btn.accept", n=n),
                      callback_data=AllocCb(action=AllocAction.ACCEPT, id=rule.id))
            kb.button(text=rc.t("allocation.btn.reject", n=n),
                      callback_data=AllocCb(action=AllocAction.REJECT, id=rule.id))
            rows.append(2)
        kb.button(text=rc.t("allocation.btn.new"), callback_data=AllocCb(action=AllocAction.NEW))
        rows.append(1)
    if rows:
        kb.adjust(*rows)
    return kb.as_markup()


def rule_kb(rc: RequestContext, rule_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    rows = []
    if can_edit(rc):
        for action, key in ((AllocAction.TEAM, "team"), (AllocAction.MATCH, "match"),
                            (AllocAction.DELETE, "delete")):
            kb.button(text=rc.t(f"allocation.btn.{key}"),
                      callback_data=AllocCb(action=action, id=rule_id))
        rows.append(3)
    kb.button(text=rc.t("allocation.btn.back"), callback_data=AllocCb(action=AllocAction.LIST))
    kb.adjust(*rows, 1)
    return kb.as_markup()


def cancel_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("allocation.btn.cancel"), callback_data=AllocCb(action=AllocAction.CANCEL))
    return kb.as_markup()
