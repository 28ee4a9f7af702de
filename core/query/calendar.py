"""Calendar arithmetic for periods: ISO weeks, months, quarters, rolling windows, leaning."""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta

from core.query.model import Lean

__all__ = ["DateRange", "add_months", "choose", "month_range", "quarter_range", "rolling",
           "week_range", "weekend_range", "year_range"]

DateRange = tuple[date, date]


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's length (31 Mar - 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _cal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_range(year: int, month: int) -> DateRange:
    return date(year, month, 1), date(year, month, _cal.monthrange(year, month)[1])


def quarter_range(year: int, quarter: int) -> DateRange:
    first = 3 * (quarter - 1) + 1
    return date(year, first, 1), month_range(year, first + 2)[1]


def year_range(year: int) -> DateRange:
    return date(year, 1, 1), date(year, 12, 31)


def week_range(day: date, weeks: int = 0) -> DateRange:
    """The ISO week (Monday first) holding `day`, shifted by `weeks`."""
    monday = day - timedelta(days=day.weekday()) + timedelta(weeks=weeks)
    return monday, monday + timedelta(days=6)


def weekend_range(today: date, previous: bool = False) -> DateRange:
    """The latest weekend that has begun; `previous` skips the one in progress."""
    saturday = today - timedelta(days=(today.weekday() - 5) % 7)
    if previous and today.weekday() >= 5:
        saturday -= timedelta(days=7)
    return saturday, saturday + timedelta(days=1)


def rolling(today: date, count: int, unit: str) -> DateRange:
    """The last `count` units ending today inclusive: 30 days, 2 weeks, 3 months, 1 year."""
    if unit == "hour":  # "за последние 24 часа": the days those hours touch, today included
        return today - timedelta(days=max(0, (count - 1) // 24)), today
    if unit == "day":
        return today - timedelta(days=count - 1), today
    if unit == "week":
        return today - timedelta(days=7 * count - 1), today
    if unit == "fortnight":
        return today - timedelta(days=14 * count - 1), today
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * count
    return add_months(today, -months) + timedelta(days=1), today


def _distance(rng: DateRange, today: date) -> int:
    if rng[0] <= today <= rng[1]:
        return 0
    return min(abs((rng[0] - today).days), abs((rng[1] - today).days))


def choose(candidates: list[DateRange], today: date, lean: Lean) -> DateRange:
    """Pick among the same period in neighbouring years (sorted oldest first).

    PAST: the latest that has begun; FUTURE: the earliest not yet over; NEAREST: the closest.
    """
    if lean is Lean.PAST:
        begun = [c for c in candidates if c[0] <= today]
        return begun[-1] if begun else candidates[0]
    if lean is Lean.FUTURE:
        ahead = [c for c in candidates if c[1] >= today]
        return ahead[0] if ahead else candidates[-1]
    return min(candidates, key=lambda c: (_distance(c, today), -c[0].toordinal()))
