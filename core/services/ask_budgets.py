"""Budgets as a question answers them: actual so far and the period-end forecast per budget.

The figures come from `core.services.budgets` (the same ones alerts and briefs use); this
module only adds the traffic-light status a chat answer shows and the org's monthly budget
that `/forecast` compares against.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import FrozenClock
from core.db.models import Budget, Organization
from core.services import budgets
from core.services.ask_types import BudgetItem, BudgetsAnswer, Question

__all__ = ["WARNING_RATIO", "budget_status", "budgets_answer", "org_month_budget"]

WARNING_RATIO = Decimal("0.8")


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
    """Every active budget of the org as of `today`, delegated to `core.services.budgets`."""
    tz = (await session.execute(select(Organization.timezone).where(
        Organization.id == org_id))).scalar_one_or_none() or "UTC"
    clock = FrozenClock(datetime.combine(today, time(12), ZoneInfo(tz)))
    statuses = await budgets.list_statuses(session, org_id, clock)
    month_start, month_end = budgets.period_bounds("month", today)
    items = tuple(BudgetItem(s.budget_id, s.name, s.amount, s.spent, s.forecast,
                             budget_status(s.amount, s.spent, s.forecast)) for s in statuses)
    return BudgetsAnswer(question, currency, month_start, month_end, items)
