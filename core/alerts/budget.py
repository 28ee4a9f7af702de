"""Budget thresholds (the highest one crossed, once per period) and forecast overrun.

Severity follows the budget's level (`core.domain.levels`, the rule the chat, the PDF and the
digest use): red → critical, amber → warning, green → info. The budget's id travels in the
payload so routing can send it where the budget says (`Budget.alert_chat_id`).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.alerts.base import AlertCandidate, RuleContext
from core.domain.levels import Level, budget_level
from core.services import costs
from core.services.budgets import BudgetStatus, list_statuses, scope_filters

__all__ = ["evaluate"]


SEVERITY: dict[Level, str] = {"red": "critical", "amber": "warning", "green": "info"}


def _severity(threshold: int, thresholds: tuple[int, ...]) -> str:
    """The severity of crossing `threshold`: the level a budget has at exactly that share."""
    return SEVERITY[budget_level(Decimal(threshold), False, thresholds)]


async def _left_out(rc: RuleContext, st: BudgetStatus) -> list[list[str]]:
    """What the budget's spend leaves out for want of a rate (spend counts to yesterday), as
    `[currency, amount, base, first day, last day]` rows the message words like every answer."""
    last = min(rc.today - timedelta(days=1), st.period_end)
    if last < st.period_start:
        return []
    items = await costs.left_out(rc.session, rc.org_id, st.period_start, last,
                                 scope_filters(st.scope_kind, st.scope_value))
    return [[i.currency, str(i.amount), i.base, i.first_day.isoformat(), i.last_day.isoformat()]
            for i in items]


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    found: list[AlertCandidate] = []
    for st in await list_statuses(rc.session, rc.org_id, rc.clock):
        common = {"money": {"amount": st.amount, "spent": st.spent, "forecast": st.forecast},
                  "dates": {"period_end": st.period_end},
                  "values": {"name": st.name, "share": str(st.share.quantize(1)),
                             "forecast_share": str(st.forecast_share.quantize(1)),
                             "budget_id": st.budget_id, "level": st.level,
                             "left_out": await _left_out(rc, st)}}
        scope = {"provider": st.scope_value if st.scope_kind == "provider" else None,
                 "project": st.scope_value if st.scope_kind == "project" else None}
        if st.crossed:
            top = max(st.crossed)
            found.append(AlertCandidate(
                "budget", _severity(top, st.thresholds),
                f"budget:{st.budget_id}:{st.period_start}:{top}", **scope, **common))  # type: ignore[arg-type]
        if st.forecast_overrun and (not st.crossed or max(st.crossed) < 100):
            found.append(AlertCandidate(
                "budget_forecast", "warning", f"budget_forecast:{st.budget_id}:{st.period_start}",
                **scope, **common))  # type: ignore[arg-type]
    return found
