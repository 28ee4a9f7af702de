"""The Russian production calendar: public holidays and the days off moved next to them.

Usage that follows the working week dips on these days (New Year, May holidays); that is a
known effect, not an anomaly. The calendar comes from the maintained `holidays` package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

import holidays

__all__ = ["non_working_days", "warm_up"]


@lru_cache(maxsize=32)
def _year(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("RU", years=year))


def non_working_days(first: date, last: date) -> frozenset[date]:
    """Public holidays and moved days off in [first, last] (weekend days of a holiday run
    included: New Year's Saturday is quieter than an ordinary one)."""
    out: set[date] = set()
    for year in range(first.year, last.year + 1):
        out.update(d for d in _year(year) if first <= d <= last)
    return frozenset(out)


def warm_up() -> None:
    """Load last, this and next year's calendar (~50 ms of CPU a year): a CPU worker calls
    this as it starts, so the first anomaly or forecast a user asks for does not pay it."""
    this_year = datetime.now(UTC).year
    non_working_days(date(this_year - 1, 1, 1), date(this_year + 1, 12, 31))
