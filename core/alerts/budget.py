"""Budget thresholds (the highest one crossed, once per period) and forecast overrun.

Severity follows the budget's level (`core.domain.levels`, the rule the chat, the PDF and the
digest use): red → critical, amber → warning, green → info. The budget's id travels in the
payload so routing can send it where the budget says (`Budget.alert_chat_id`).
"""

from __future__ import annotations

from decimal import Decimal

from core.alerts.base import AlertCandidate, RuleContext
from core.domain.levels import Level, budget_level
from core.services.budgets import list_statuses

__all__ = ["evaluate"]


SEVERITY: dict[Level, str] = {"red": "critical", "amber": "warning", "green": "info"}


def _severity(threshold: int, thresholds: tuple[int, ...]) -> str:
    """The severity of crossing `threshold`: the level a budget has at exactly that share."""
    return SEVERITY[budget_level(Decimal(threshold), False, thresholds)]


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    found: list[AlertCandidate] = []
    for st in await list_statuses(rc.session, rc.org_id, rc.clock):
        common = {"money": {"amount": st.amount, "spent": st.spent, "forecast": st.forecast},
                  "dates": {"period_end": st.period_end},
                  "values": {"name": st.name, "share": str(st.share.quantize(1)),
                             "forecast_share": str(st.forecast_share.quantize(1)),
                             "budget_id": st.budget_id, "level": st.level}}
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
