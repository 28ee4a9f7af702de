"""/recrules keyboards: a switch per rule and a thresholds button per tunable rule (finance and
up only), a button per threshold, and the preset reasons of a dismiss or snooze."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.recsettings.callbacks import (
    Reason,
    RecReasonCb,
    RuleEditCb,
    RuleToggleCb,
    ThresholdAction,
)
from core.domain.roles import Role
from core.services.recommendations.settings import RuleSetting
from renderers.messages.recsettings import fmt_threshold

__all__ = ["reasons_kb", "rules_kb", "threshold_value_kb", "thresholds_kb"]


def rules_kb(rc: RequestContext, rules: Sequence[RuleSetting]) -> InlineKeyboardMarkup | None:
    if not rc.has_role(Role.FINANCE) or (rc.is_demo and not rc.support):
        return None
    kb = InlineKeyboardBuilder()
    for rule in rules:
        key = "recsettings.rule_on" if rule.enabled else "recsettings.rule_off"
        kb.button(text=rc.t(key, kind=rule.kind),
                  callback_data=RuleToggleCb(kind=rule.kind, on=not rule.enabled))
    tunable = [rule for rule in rules if rule.thresholds]
    for rule in tunable:
        kb.button(text=rc.t("recsettings.btn_thresholds", kind=rule.kind),
                  callback_data=RuleEditCb(action=ThresholdAction.RULE, kind=rule.kind))
    switches = len(rules)
    kb.adjust(*([2] * ((switches + 1) // 2)), *([1] * len(tunable)))
    return kb.as_markup()


def _cancel(kb: InlineKeyboardBuilder, rc: RequestContext) -> None:
    kb.button(text=rc.t("recsettings.btn_cancel"),
              callback_data=RuleEditCb(action=ThresholdAction.CANCEL))


def thresholds_kb(rc: RequestContext, rule: RuleSetting) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for name, value in rule.thresholds.items():
        kb.button(text=rc.t("recsettings.btn_threshold", name=name,
                            value=fmt_threshold(value, rc.lang)),
                  callback_data=RuleEditCb(action=ThresholdAction.NAME, kind=rule.kind,
                                           name=name))
    _cancel(kb, rc)
    kb.adjust(1)
    return kb.as_markup()


def threshold_value_kb(rc: RequestContext, kind: str, name: str,
                       default: float) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("recsettings.btn_default", value=fmt_threshold(default, rc.lang)),
              callback_data=RuleEditCb(action=ThresholdAction.DEFAULT, kind=kind, name=name))
    _cancel(kb, rc)
    kb.adjust(1)
    return kb.as_markup()


def reasons_kb(rc: RequestContext, rec_id: int, *, dismiss: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for reason in Reason:
        kb.button(text=rc.t(f"recsettings.reason.{reason.value}"),
                  callback_data=RecReasonCb(dismiss=dismiss, id=rec_id, reason=reason))
    kb.adjust(2, 2, 1)
    return kb.as_markup()
