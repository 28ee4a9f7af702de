"""Budgets as a question answers them: actual so far and the period-end forecast per budget.

The figures and the level (green / amber / red) come from `core.services.budgets` — the same
ones alerts, the digest and the PDF brief use; this module only adds the org's monthly budget
that `/forecast` compares against.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import FrozenClock
from core.db.models import Budget, Organization
from core.services import budgets, costs, forecasts
from core.services.ask.types import BudgetItem, BudgetsAnswer, Question
from core.services.errors import NotFound

__all__ = ["budgets_answer", "org_month_budget"]


async def org_month_budget(session: AsyncSession, org_id: int) -> Decimal | None:
    """The active whole-organisation monthly budget, if there is one."""
    return (await session.execute(select(Budget.amount).where(
        Budget.org_id == org_id, Budget.is_active.is_(True), Budget.scope_kind == "org",
        Budget.period == "month").order_by(Budget.id).limit(1))).scalar_one_or_none()


async def budgets_answer(session: AsyncSession, org_id: int, question: Question, currency: str,
                         today: date, *, ctx: costs.CostContext | None = None,
                         ) -> BudgetsAnswer:
    """Every active budget of the org as of `today`, delegated to `core.services.budgets`.

    The org row comes from the session (the bot's middleware has loaded it for this update)."""
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("organisation not found")
    clock = FrozenClock(datetime.combine(today, time(12), ZoneInfo(org.timezone or "UTC")))
    statuses = await budgets.list_statuses(session, org_id, clock,
                                           info=forecasts.info_of(org, clock), ctx=ctx)
    month_start, month_end = budgets.period_bounds("month", today)
    items = tuple(BudgetItem(s.budget_id, s.name, s.amount, s.spent, s.forecast, s.level,
                             unmatched=s.unmatched) for s in statuses)
    last = min(today - timedelta(days=1), month_end)  # budgets count spend to yesterday
    missing = await costs.left_out(session, org_id, month_start, last, ctx=ctx) \
        if last >= month_start else ()
    return BudgetsAnswer(question, currency, month_start, month_end, items, missing)
