"""One forecast path (issue 15): `/forecast` in the chat and a monthly budget show the same
month-end figure to the kopeck, for the whole org and for a scope, on SQLite and PostgreSQL.

The history has what real bills have (a weekly rhythm, a monthly fee on the 1st, a credit
day), so the forecast is not a flat line that any two paths would agree on by accident."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.domain.roles import Role
from core.query.model import Intent
from core.services import budgets, forecasts
from core.services.ask.service import default_question, execute
from core.services.ask.types import BudgetsAnswer, ForecastAnswer
from core.services.costs import CostFilters
from tests.intelligence.conftest import TODAY, connection, costs, member, small_org


def _history(days: int, base: int) -> dict[date, Decimal]:
    """`days` days up to yesterday: weekdays at `base`, weekends at 60 %, a fee of 20 × base
    on each 1st, one refund day, a slow rise of 0.2 %/day."""
    out: dict[date, Decimal] = {}
    for i in range(days, 0, -1):
        day = TODAY - timedelta(days=i)
        usage = base * (1 + 0.002 * (days - i)) * (0.6 if day.weekday() >= 5 else 1.0)
        if day.day == 1:
            usage += 20 * base
        if i == 40:
            usage = -3 * base  # a refund larger than the day's usage
        out[day] = Decimal(str(round(usage + (i % 7) * 3.17, 2)))
    return out


async def test_forecast_and_budget_agree_to_the_kopeck(
        session_maker: async_sessionmaker[AsyncSession], clock: FrozenClock) -> None:
    async with session_maker() as session:
        org = await small_org(session)
        user = await member(session, org, 10, Role.FINANCE)
        conn = await connection(session, org, "Beget")
        await costs(session, org, conn, _history(150, 1000))
        await costs(session, org, conn, _history(150, 400), service="S3")
        whole = await budgets.create_budget(session, org, user, name="Месяц",
                                            amount=Decimal(60000))
        s3 = await budgets.create_budget(session, org, user, name="S3", amount=Decimal(20000),
                                         scope_kind="service", scope_value="S3")
        chat = await execute(session, org, default_question(Intent.FORECAST, TODAY),
                             today=TODAY)
        listed = await execute(session, org, default_question(Intent.BUDGET, TODAY),
                               today=TODAY)
        status = await budgets.budget_status(session, org, whole, clock)
        month = await forecasts.month_end(session, org, clock)
        s3_status = await budgets.budget_status(session, org, s3, clock)
        s3_month = await forecasts.month_end(session, org, clock, CostFilters(services=("S3",)))
    assert isinstance(chat, ForecastAnswer)
    assert isinstance(listed, BudgetsAnswer)
    assert chat.actual_to_date < chat.total  # nine days of November are still ahead
    assert status.forecast == chat.total == month.total
    assert (status.forecast_lower, status.forecast_upper) == (chat.lower, chat.upper)
    assert next(i.forecast for i in listed.items if i.id == whole) == chat.total
    assert status.spent == chat.actual_to_date
    assert s3_status.forecast == s3_month.total
    assert s3_status.forecast < status.forecast
