"""Budgets as a question answers them: this month's actual and month-end forecast per budget.

A budget's scope (`org`, `connection`, `provider`, `project`, `team`, `service`) becomes cost
filters; the forecast is the same month-end model `/forecast` uses, so the two never disagree.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.forecast import forecast_month_end
from core.analytics.series import SeriesError
from core.db.models import Budget
from core.services import costs
from core.services.ask_types import BudgetItem, BudgetsAnswer, Question
from core.services.costs import CostFilters

__all__ = ["WARNING_RATIO", "budget_filters", "budget_status", "budgets_answer",
           "org_month_budget"]

WARNING_RATIO = Decimal("0.8")
HISTORY_DAYS = 90


def budget_filters(scope_kind: str, scope_value: str | None) -> CostFilters:
    """The cost filters a budget's scope stands for (an unknown scope means the whole org)."""
    if not scope_value:
        return CostFilters()
    match scope_kind:
        case "connection":
            return CostFilters(connection_ids=(int(scope_value),)) if scope_value.isdigit() \
                else CostFilters(connection_ids=(-1,))
        case "provider":
            return CostFilters(providers=(scope_value,))
        case "project":
            return CostFilters(projects=(scope_value,))
        case "team":
            return CostFilters(teams=(scope_value,))
        case "service":
            return CostFilters(services=(scope_value,))
    return CostFilters()


def budget_status(amount: Decimal, actual: Decimal, forecast: Decimal | None) -> str:
    """`exceeded` once actual passes the amount; `warning` at 80 % or a forecast overrun."""
    if actual > amount:
        return "exceeded"
    if actual >= amount * WARNING_RATIO or (forecast is not None and forecast > amount):
        return "warning"
    return "ok"


async def org_month_budget(session: AsyncSession, org_id: int) -> Decimal | None:
    """The active whole-organisation monthly budget, if there is one."""
    return (await session.execute(select(Budget.amount).where(
        Budget.org_id == org_id, Budget.is_active.is_(True), Budget.scope_kind == "org",
        Budget.period == "month").order_by(Budget.id).limit(1))).scalar_one_or_none()


async def budgets_answer(session: AsyncSession, org_id: int, question: Question, currency: str,
                         today: date) -> BudgetsAnswer:
    """Every active monthly budget of the org for the month of `today`."""
    month_start = today.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    last = today - timedelta(days=1)
    budgets = (await session.execute(select(Budget).where(
        Budget.org_id == org_id, Budget.is_active.is_(True)).order_by(Budget.id))).scalars()
    items: list[BudgetItem] = []
    for b in budgets:
        filters = budget_filters(b.scope_kind, b.scope_value)
        history = await costs.daily(session, org_id, last - timedelta(days=HISTORY_DAYS - 1),
                                    last, filters)
        actual = sum((v for d, v in history if d >= month_start), Decimal(0))
        try:
            fc: Decimal | None = forecast_month_end(history, month_of=today).total
        except SeriesError:
            fc = None
        items.append(BudgetItem(b.id, b.name, b.amount, actual, fc,
                                budget_status(b.amount, actual, fc)))
    return BudgetsAnswer(question, currency, month_start, month_end, tuple(items))
