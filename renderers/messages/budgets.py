"""Budget texts for the chat: a budget's card and the wizard's summary (Telegram HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.services.budgets import SCOPE_LOOKBACK_DAYS, BudgetStatus
from renderers.format import fmt_date, fmt_money, fmt_percent
from renderers.i18n import t
from renderers.messages.answers_common import esc

__all__ = ["Target", "render_card", "render_summary", "scope_text", "thresholds_text"]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a budget's alerts go, as the reader sees it (None: the usual routing)."""

    kind: str | None  # "personal" | "group" | None
    title: str = ""


def scope_text(kind: str, value: str | None, lang: str, label: str | None = None) -> str:
    """`вся организация`, `провайдер selectel`, `тег env=prod` …"""
    if kind == "org":
        return t("budgets.scope.org", lang)
    return t(f"budgets.scope.{kind}", lang, value=esc(label or value or ""))


def thresholds_text(thresholds: Sequence[int], lang: str,
                    crossed: Sequence[int] = ()) -> str:
    mark = t("budgets.crossed", lang)
    return ", ".join(f"{v} %{' ' + mark if v in crossed else ''}" for v in thresholds)


def _target(target: Target, lang: str) -> str:
    if target.kind == "personal":
        return t("budgets.destination_personal", lang, name=esc(target.title))
    if target.kind == "group":
        return t("budgets.destination_group", lang, title=esc(target.title))
    return t("budgets.destination_default", lang)


def _share(value: Decimal, lang: str) -> str:
    return fmt_percent(value / 100, lang)


def render_card(st: BudgetStatus, lang: str, *, scope: str, target: Target) -> str:
    """Everything about one budget: figures, level, thresholds (crossed ones ticked)."""
    return "\n".join((
        t("budgets.card", lang, icon=t(f"answers.budget.status.{st.level}", lang),
          name=esc(st.name), scope=scope, period=t(f"budgets.period.{st.period}", lang),
          start=fmt_date(st.period_start, lang), end=fmt_date(st.period_end, lang),
          amount=fmt_money(st.amount, st.currency, lang),
          spent=fmt_money(st.spent, st.currency, lang), share=_share(st.share, lang),
          forecast=fmt_money(st.forecast, st.currency, lang),
          forecast_share=_share(st.forecast_share, lang),
          thresholds=thresholds_text(st.thresholds, lang, st.crossed),
          destination=_target(target, lang)),
        t("budgets.card_level", lang, level=t(f"budgets.level.{st.level}", lang)),
        *([t("budgets.card_unmatched", lang, days=SCOPE_LOOKBACK_DAYS)] if st.unmatched else ())))


def render_summary(*, scope: str, amount: Decimal, currency: str, period: str,
                   thresholds: Sequence[int], target: Target, lang: str) -> str:
    """The wizard's last step: what will be created."""
    return t("budgets.summary", lang, scope=scope, amount=fmt_money(amount, currency, lang),
             period=t(f"budgets.period.{period}", lang),
             thresholds=thresholds_text(thresholds, lang), destination=_target(target, lang))
