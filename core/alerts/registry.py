"""Every alert rule, one line each: a rule is a module with `evaluate(RuleContext)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.alerts import anomaly, balance, budget, connection, drift, spike, waste
from core.alerts.base import AlertCandidate, RuleContext

__all__ = ["RULES", "Rule"]

Rule = Callable[[RuleContext], Awaitable[list[AlertCandidate]]]

RULES: dict[str, Rule] = {
    "budget": budget.evaluate,
    "anomaly": anomaly.evaluate,
    "waste": waste.evaluate,
    "balance": balance.evaluate,
    "connection": connection.evaluate,
    "drift": drift.evaluate,
    "cost_spike": spike.evaluate,
}
