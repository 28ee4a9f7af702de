"""Budget thresholds (the highest one crossed, once per period) and forecast overrun."""

from __future__ import annotations

from core.alerts.base import AlertCandidate, RuleContext
from core.services.budgets import list_statuses

__all__ = ["evaluate"]


def _severity(threshold: int) -> str:
    if threshold >= 100:
        return "critical"
    return "warning" if threshold >= 80 else "info"


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    found: list[AlertCandidate] = []
    for st in await list_statuses(rc.session, rc.org_id, rc.clock):
        common = {"money": {"amount": st.amount, "spent": st.spent, "forecast": st.forecast},
                  "dates": {"period_end": st.period_end},
                  "values": {"name": st.name, "share": str(st.share.quantize(1)),
                             "forecast_share": str(st.forecast_share.quantize(1))}}
        scope = {"provider": st.scope_value if st.scope_kind == "provider" else None,
                 "project": st.scope_value if st.scope_kind == "project" else None}
        if st.crossed:
            top = max(st.crossed)
            found.append(AlertCandidate(
                "budget", _severity(top), f"budget:{st.budget_id}:{st.period_start}:{top}",
                **scope, **common))  # type: ignore[arg-type]
        if st.forecast_overrun and (not st.crossed or max(st.crossed) < 100):
            found.append(AlertCandidate(
                "budget_forecast", "warning", f"budget_forecast:{st.budget_id}:{st.period_start}",
                **scope, **common))  # type: ignore[arg-type]
    return found
