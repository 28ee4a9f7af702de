"""Budgets: a limit over a scope and a period, its status, thresholds crossed and forecast overrun.

Scopes: org (everything), connection (id), provider, project, team, service. Periods: month,
quarter, year, in the org's time zone. Spent runs up to yesterday (today is unfinished); the
forecast at period end is spent + the forecast of the remaining days of that scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.forecast import forecast
from core.clock import Clock
from core.db.models import Budget, Connection
from core.domain.money import quantize_money
from core.domain.roles import Role
from core.services import costs
from core.services.audit import audit
from core.services.errors import NotFound, ServiceError
from core.services.forecasts import OrgInfo, data_end, history, org_info
from core.services.orgs import require_role

__all__ = ["DEFAULT_THRESHOLDS", "PERIODS", "SCOPES", "BudgetPoint", "BudgetStatus",
           "budget_status", "budget_vs_actual", "create_budget", "delete_budget",
           "list_statuses", "period_bounds", "scope_filters", "update_budget"]

PERIODS = ("month", "quarter", "year")
SCOPES = ("org", "connection", "provider", "project", "team", "service")
DEFAULT_THRESHOLDS = (50, 80, 100)
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    budget_id: int
    name: str
    scope_kind: str
    scope_value: str | None
    period: str
    period_start: date
    period_end: date
    amount: Decimal
    currency: str
    spent: Decimal
    share: Decimal  # percent of amount spent
    forecast: Decimal  # at period end
    forecast_lower: Decimal
    forecast_upper: Decimal
    forecast_share: Decimal
    thresholds: tuple[int, ...]
    crossed: tuple[int, ...]
    next_threshold: int | None
    forecast_overrun: bool
    days_left: int


@dataclass(frozen=True, slots=True)
class BudgetPoint:
    """One day of a budget-vs-actual chart: cumulative actual (None ahead), plan, forecast."""

    day: date
    actual: Decimal | None
    plan: Decimal
    forecast: Decimal | None


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """First and last day of the month / quarter / year containing `day`."""
    if period == "month":
        start = day.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
    elif period == "quarter":
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        nxt = (start + timedelta(days=95)).replace(day=1)
    elif period == "year":
        start, nxt = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    else:
        raise ServiceError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    return start, nxt - timedelta(days=1)


def scope_filters(scope_kind: str, scope_value: str | None) -> costs.CostFilters | None:
    """The cost filters of a budget scope (None: the whole organisation)."""
    if scope_kind == "org":
        return None
    if not scope_value:
        raise ServiceError(f"a {scope_kind} budget needs a scope value")
    if scope_kind == "connection":
        return costs.CostFilters(connection_ids=(int(scope_value),))
    return {
        "provider": costs.CostFilters(providers=(scope_value,)),
        "project": costs.CostFilters(projects=(scope_value,)),
        "team": costs.CostFilters(teams=(scope_value,)),
        "service": costs.CostFilters(services=(scope_value,)),
    }[scope_kind]


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


async def _status(session: AsyncSession, info: OrgInfo, budget: Budget) -> BudgetStatus:
    start, end = period_bounds(budget.period, info.today)
    filters = scope_filters(budget.scope_kind, budget.scope_value)
    last = min(info.yesterday, end)
    spent = ZERO if last < start else quantize_money(
        await costs.total(session, info.id, start, last, filters))
    rest = lower = upper = ZERO
    days_left = max(0, (end - last).days)
    known = await data_end(session, info.id, info)
    ahead = (end - max(known, start - timedelta(days=1))).days
    if ahead > 0:
        series = await history(session, info.id, known, filters=filters)
        if len(series) >= 2:
            fc = forecast(series, (end - known).days)
            rest, lower, upper = fc.total(max(start, known + timedelta(days=1)), end)
        elif series:
            rest = lower = upper = quantize_money(series[-1][1] * ahead)
    amount = Decimal(budget.amount)
    thresholds = tuple(sorted(int(t) for t in (budget.thresholds or DEFAULT_THRESHOLDS)))
    share = _percent(spent, amount)
    crossed = tuple(t for t in thresholds if share >= t)
    total = spent + rest
    return BudgetStatus(
        budget_id=budget.id, name=budget.name, scope_kind=budget.scope_kind,
        scope_value=budget.scope_value, period=budget.period, period_start=start,
        period_end=end, amount=quantize_money(amount), currency=budget.currency, spent=spent,
        share=share, forecast=total, forecast_lower=spent + lower, forecast_upper=spent + upper,
        forecast_share=_percent(total, amount), thresholds=thresholds, crossed=crossed,
        next_threshold=next((t for t in thresholds if t not in crossed), None),
        forecast_overrun=total > amount, days_left=days_left)


async def _load(session: AsyncSession, org_id: int, budget_id: int) -> Budget:
    budget = (await session.execute(select(Budget).where(
        Budget.org_id == org_id, Budget.id == budget_id))).scalar_one_or_none()
    if budget is None:
        raise NotFound("budget not found")
    return budget


async def budget_status(session: AsyncSession, org_id: int, budget_id: int,
                        clock: Clock) -> BudgetStatus:
    info = await org_info(session, org_id, clock)
    return await _status(session, info, await _load(session, org_id, budget_id))


async def list_statuses(session: AsyncSession, org_id: int, clock: Clock) -> list[BudgetStatus]:
    """Every active budget of the org, the most consumed first."""
    info = await org_info(session, org_id, clock)
    budgets = (await session.execute(select(Budget).where(
        Budget.org_id == org_id, Budget.is_active.is_(True)).order_by(Budget.id))).scalars().all()
    result = [await _status(session, info, b) for b in budgets]
    return sorted(result, key=lambda s: -s.forecast_share)


async def budget_vs_actual(session: AsyncSession, org_id: int, budget_id: int,
                           clock: Clock) -> list[BudgetPoint]:
    """Cumulative actual vs the linear plan (and the forecast ahead) over the whole period."""
    info = await org_info(session, org_id, clock)
    budget = await _load(session, org_id, budget_id)
    start, end = period_bounds(budget.period, info.today)
    filters = scope_filters(budget.scope_kind, budget.scope_value)
    last = min(await data_end(session, org_id, info), end)
    actual = await costs.daily(session, org_id, start, last, filters) if last >= start else []
    ahead: dict[date, Decimal] = {}
    series = await history(session, org_id, last, filters=filters)
    if len(series) >= 2 and end > last:
        fc = forecast(series, (end - last).days)
        ahead = {p.day: p.value for p in fc.points}
    days = (end - start).days + 1
    amount = Decimal(budget.amount)
    points: list[BudgetPoint] = []
    running = ZERO
    spent_by_day = dict(actual)
    for i in range(days):
        day = start + timedelta(days=i)
        plan = quantize_money(amount * (i + 1) / days)
        if day <= last:
            running += spent_by_day.get(day, ZERO)
            points.append(BudgetPoint(day, quantize_money(running), plan, None))
        else:
            running += ahead.get(day, ZERO)
            points.append(BudgetPoint(day, None, plan, quantize_money(running)))
    return points


async def _validate(session: AsyncSession, org_id: int, scope_kind: str,
                    scope_value: str | None, period: str, amount: Decimal,
                    thresholds: tuple[int, ...]) -> None:
    if scope_kind not in SCOPES:
        raise ServiceError(f"scope must be one of {', '.join(SCOPES)}, got {scope_kind!r}")
    if period not in PERIODS:
        raise ServiceError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if not amount.is_finite() or amount <= 0:
        raise ServiceError(f"the budget amount must be positive, got {amount}")
    if not thresholds or any(t <= 0 or t > 1000 for t in thresholds):
        raise ServiceError("thresholds are percents between 1 and 1000")
    if scope_kind != "org" and not scope_value:
        raise ServiceError(f"a {scope_kind} budget needs a scope value")
    if scope_kind == "connection":
        ok = scope_value is not None and scope_value.isdigit() and (await session.execute(
            select(Connection.id).where(Connection.org_id == org_id,
                                        Connection.id == int(scope_value)))).first()
        if not ok:
            raise NotFound("connection not found")


async def create_budget(session: AsyncSession, org_id: int, user_id: int, *, name: str,
                        amount: Decimal, scope_kind: str = "org", scope_value: str | None = None,
                        period: str = "month", currency: str | None = None,
                        thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS,
                        actor_telegram_id: int | None = None) -> int:
    """Create a budget (admin or finance); returns its id."""
    await require_role(session, org_id, user_id, Role.FINANCE)
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError("budget name must be 1–100 characters")
    await _validate(session, org_id, scope_kind, scope_value, period, amount, thresholds)
    budget = Budget(org_id=org_id, name=name, scope_kind=scope_kind,
                    scope_value=None if scope_kind == "org" else scope_value, period=period,
                    amount=amount, currency=currency or "RUB",
                    thresholds=sorted(set(thresholds)), created_by_id=user_id)
    session.add(budget)
    await session.flush()
    await audit(session, "budget.create", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="budget", object_id=budget.id, name=name, amount=str(amount),
                scope_kind=scope_kind, scope_value=scope_value, period=period)
    return budget.id


async def update_budget(session: AsyncSession, org_id: int, user_id: int, budget_id: int, *,
                        amount: Decimal | None = None, thresholds: tuple[int, ...] | None = None,
                        is_active: bool | None = None,
                        actor_telegram_id: int | None = None) -> None:
    await require_role(session, org_id, user_id, Role.FINANCE)
    budget = await _load(session, org_id, budget_id)
    new_amount = amount if amount is not None else Decimal(budget.amount)
    new_thresholds = thresholds if thresholds is not None else tuple(budget.thresholds)
    await _validate(session, org_id, budget.scope_kind, budget.scope_value, budget.period,
                    new_amount, new_thresholds)
    budget.amount, budget.thresholds = new_amount, sorted(set(new_thresholds))
    if is_active is not None:
        budget.is_active = is_active
    await audit(session, "budget.update", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="budget", object_id=budget_id, amount=str(new_amount),
                thresholds=list(new_thresholds), is_active=budget.is_active)


async def delete_budget(session: AsyncSession, org_id: int, user_id: int, budget_id: int, *,
                        actor_telegram_id: int | None = None) -> None:
    await require_role(session, org_id, user_id, Role.FINANCE)
    budget = await _load(session, org_id, budget_id)
    await session.delete(budget)
    await audit(session, "budget.delete", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="budget", object_id=budget_id, name=budget.name)
