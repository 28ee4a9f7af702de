"""Forecasts of an organisation's spend (whole or filtered): month end, next N days, backtest.

History is the org's daily series up to the last complete day with data in the org's time
zone (today is not complete yet); the maths is `core.analytics.forecast`. `period_end` is the
one path for "where does this month / budget period land": chat, budgets, digest and brief.
A caller asking several of these for one question passes its `costs.CostContext` (`ctx=`)
and, to `period_end`, the daily series it has already read (`daily=`, covering
`period_window`), so nothing is read twice.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.backtest import BacktestResult, backtest
from core.analytics.forecast import DEFAULT_LEVEL, Forecast, MonthEnd, forecast
from core.analytics.series import DailySeries, SeriesError
from core.clock import Clock, FrozenClock
from core.db.models import Organization
from core.domain.money import quantize_money
from core.memo import Lru
from core.services import costs
from core.services.errors import NotFound
from core.workers import run_cpu

__all__ = ["HISTORY_DAYS", "MEMO_SIZE", "OrgInfo", "backtest_org", "data_end", "history",
           "info_of", "known_end", "month_end", "month_end_on", "next_days", "org_info",
           "period_end", "period_window", "project"]

HISTORY_DAYS = 120
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class OrgInfo:
    """What every intelligence service needs to know about the org, read once."""

    id: int
    currency: str
    timezone: str
    today: date
    runway_target_days: int
    settings: dict[str, object]

    @property
    def yesterday(self) -> date:
        return self.today - timedelta(days=1)


MEMO_SIZE = 256  # distinct (series, horizon) forecasts kept; a year's series is ~10 kB
_memo: Lru[tuple[tuple[tuple[date, Decimal], ...], int], Forecast] = Lru(MEMO_SIZE)


async def project(series: DailySeries, horizon: int) -> Forecast:
    """`forecast(series, horizon)`, computed in the CPU pool and remembered.

    The maths costs tens of milliseconds of CPU (fees, the backtested total interval); on the
    event loop it stalled every other chat's answer, and the same series is projected again
    and again (the answer, its chart, the budget, the next user's question on unchanged
    data). The key is the series itself, so new data is a new forecast. SeriesError (too
    short, a gap) is raised as from `forecast`.
    """
    key = (tuple(series), horizon)
    found = _memo.get(key)
    if found is not None:
        return found
    result = await run_cpu(forecast, key[0], horizon)
    _memo.put(key, result)
    return result


def info_of(org: Organization, clock: Clock) -> OrgInfo:
    """The `OrgInfo` of an organisation row the caller has already read."""
    today = clock.now().astimezone(ZoneInfo(org.timezone)).date()
    return OrgInfo(org.id, org.currency, org.timezone, today, org.runway_target_days or 30,
                   dict(org.settings or {}))


async def org_info(session: AsyncSession, org_id: int, clock: Clock) -> OrgInfo:
    org = (await session.execute(select(Organization).where(
        Organization.id == org_id))).scalar_one_or_none()
    if org is None:
        raise NotFound("organisation not found")
    return info_of(org, clock)


def known_end(info: OrgInfo, span: tuple[date, date] | None) -> date:
    """The last complete day with data: yesterday, or earlier when the data lags behind
    (a day the sync has not delivered yet is unknown, not a zero); `span` is
    `costs.data_range`."""
    return info.yesterday if span is None else min(info.yesterday, span[1])


async def data_end(session: AsyncSession, org_id: int, info: OrgInfo) -> date:
    """`known_end` with the data range read now."""
    return known_end(info, await costs.data_range(session, org_id))


async def history(session: AsyncSession, org_id: int, end: date, *, days: int = HISTORY_DAYS,
                  filters: costs.CostFilters | None = None,
                  ctx: costs.CostContext | None = None) -> list[tuple[date, Decimal]]:
    """The daily series ending at `end`, trimmed of leading days before the data begins."""
    return _trimmed(await costs.daily(session, org_id, end - timedelta(days=days - 1), end,
                                      filters, ctx=ctx))


def _trimmed(series: list[tuple[date, Decimal]]) -> list[tuple[date, Decimal]]:
    first = next((i for i, (_, v) in enumerate(series) if v != 0), len(series))
    return series[first:]


async def month_end(session: AsyncSession, org_id: int, clock: Clock,
                    filters: costs.CostFilters | None = None, *, info: OrgInfo | None = None,
                    end: date | None = None, ctx: costs.CostContext | None = None) -> MonthEnd:
    """This month (org time zone): spent up to yesterday + forecast of the rest, with interval.

    A caller that has read the org (`info`) and its last complete day (`end`, `known_end`)
    passes them instead of having them read again."""
    info = info or await org_info(session, org_id, clock)
    end = end if end is not None else await data_end(session, org_id, info)
    first, last = _month(info.today)
    return await period_end(session, org_id, info, first, last, filters, known=end,
                            min_history=2, ctx=ctx)


async def month_end_on(session: AsyncSession, org_id: int, today: date,
                       filters: costs.CostFilters | None = None, *,
                       ctx: costs.CostContext | None = None) -> MonthEnd:
    """`month_end` as of `today` in the org's time zone (chat answers carry a day, no clock)."""
    tz = (await session.execute(select(Organization.timezone).where(
        Organization.id == org_id))).scalar_one_or_none() or "UTC"
    return await month_end(session, org_id,
                           FrozenClock(datetime.combine(today, time(12), ZoneInfo(tz))), filters,
                           ctx=ctx)


def period_window(info: OrgInfo, start: date, end: date, known: date) -> tuple[date, date]:
    """The days of the daily series `period_end` reads for [start, end] with data up to
    `known`: the history before `known` and, when the period has begun, its days so far."""
    first, last = known - timedelta(days=HISTORY_DAYS - 1), known
    spent_to = min(info.yesterday, end)
    if spent_to >= start:
        first, last = min(first, start), max(last, spent_to)
    return first, last


async def period_end(session: AsyncSession, org_id: int, info: OrgInfo, start: date,
                     end: date, filters: costs.CostFilters | None = None, *,
                     known: date | None = None, min_history: int = 0,
                     ctx: costs.CostContext | None = None,
                     daily: Sequence[tuple[date, Decimal]] | None = None) -> MonthEnd:
    """Where the period [start, end] lands: spent up to yesterday + the forecast of the days
    after the last day with data (`known`), with its interval. The ONE period-end path:
    `/forecast` (`month_end`), budgets, the digest and the brief all come here, so they agree
    to the kopeck. With fewer than two days of history a single day repeats itself and none
    forecasts nothing, unless `min_history` asks for a `SeriesError` instead.

    `daily`: the scope's daily series over at least `period_window` (with `known` given),
    already read by the caller; spent and history are then taken from it, not read again."""
    last = min(info.yesterday, end)
    if daily is None:
        spent = ZERO if last < start else quantize_money(
            await costs.total(session, org_id, start, last, filters, ctx=ctx))
        known = known if known is not None else await data_end(session, org_id, info)
        series = await history(session, org_id, known, filters=filters, ctx=ctx)
    else:
        if known is None:
            raise ValueError("a pre-read daily series needs the `known` day it was cut at")
        values = dict(daily)
        first, final = period_window(info, start, end, known)
        if first not in values or final not in values:
            raise ValueError(f"the daily series does not cover {first}..{final}")
        spent = ZERO if last < start else quantize_money(sum(
            (values[start + timedelta(days=i)] for i in range((last - start).days + 1)), ZERO))
        series = _trimmed([(d, values[d]) for d in (
            known - timedelta(days=i) for i in range(HISTORY_DAYS - 1, -1, -1))])
    first_ahead = max(start, known + timedelta(days=1))
    rest = lower = upper = ZERO
    if len(series) < min_history:
        raise SeriesError("too_short", f"{len(series)} day(s) of history, at least "
                                       f"{min_history} are needed")
    if first_ahead <= end:
        if len(series) >= 2:
            fc = await project(series, (end - known).days)
            rest, lower, upper = fc.total(first_ahead, end)
        elif series:
            rest = lower = upper = quantize_money(series[-1][1] * ((end - first_ahead).days + 1))
    return MonthEnd(start, end, spent, rest, spent + rest, spent + lower, spent + upper,
                    max(0, (end - last).days), DEFAULT_LEVEL)


def _month(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


async def next_days(session: AsyncSession, org_id: int, clock: Clock, days: int = 30,
                    filters: costs.CostFilters | None = None, *, info: OrgInfo | None = None,
                    end: date | None = None, ctx: costs.CostContext | None = None) -> Forecast:
    """The next `days` days from today on, each with an interval (`info`, `end`: as for
    `month_end`)."""
    info = info or await org_info(session, org_id, clock)
    end = end if end is not None else await data_end(session, org_id, info)
    series = await history(session, org_id, end, filters=filters, ctx=ctx)
    return await project(series, (info.today - end).days - 1 + days)


async def backtest_org(session: AsyncSession, org_id: int, clock: Clock, *, horizon: int = 14,
                       filters: costs.CostFilters | None = None) -> BacktestResult:
    """Rolling-origin backtest on the org's own history."""
    info = await org_info(session, org_id, clock)
    series = await history(session, org_id, await data_end(session, org_id, info), days=366,
                           filters=filters)
    return backtest(series, horizon=horizon)
