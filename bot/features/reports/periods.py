"""Button period keys → dates, in the organisation's time zone from the injected clock.

Keys are resolved when the button is pressed, so "last month" always means the month before
the day of the press. An unknown key (a tampered button) resolves to None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.features.reports.callbacks import ExportPeriod, ReportPeriod
from core.clock import Clock
from core.services.brief import BriefPeriod, month_period, week_period

__all__ = ["ExportRange", "export_range", "org_today", "report_period", "text_period"]

EXPORT_DAYS = 30


@dataclass(frozen=True, slots=True)
class ExportRange:
    """[start, end] inclusive; `tag` names the file."""

    start: date
    end: date
    tag: str


def org_today(clock: Clock, timezone: str) -> date:
    """Today in the organisation's time zone (never the server's `date.today()`)."""
    return clock.now().astimezone(ZoneInfo(timezone)).date()


def report_period(key: str, today: date) -> BriefPeriod | None:
    try:
        period = ReportPeriod(key)
    except ValueError:
        return None
    match period:
        case ReportPeriod.THIS_MONTH:
            return month_period(today)
        case ReportPeriod.LAST_MONTH:
            return month_period(today.replace(day=1) - timedelta(days=1))
        case ReportPeriod.THIS_WEEK:
            return week_period(today)
        case ReportPeriod.LAST_WEEK:
            return week_period(today - timedelta(days=7))


def export_range(key: str, today: date) -> ExportRange | None:
    try:
        period = ExportPeriod(key)
    except ValueError:
        return None
    match period:
        case ExportPeriod.THIS_MONTH:
            start = today.replace(day=1)
            return ExportRange(start, today, f"{start:%Y-%m}")
        case ExportPeriod.LAST_MONTH:
            month = month_period(today.replace(day=1) - timedelta(days=1))
            return ExportRange(month.start, month.end, month.key)
        case ExportPeriod.LAST_30_DAYS:
            start, end = today - timedelta(days=EXPORT_DAYS), today - timedelta(days=1)
            return ExportRange(start, end, f"{start:%Y-%m-%d}_{end:%Y-%m-%d}")


def text_period(start: date, end: date, today: date) -> BriefPeriod | None:
    """The brief period a parsed question names: a whole month or ISO week (or the current
    one so far); anything else (30 days, a quarter) is None and the user picks from buttons."""
    for period in (month_period(start), week_period(start)):
        if start == period.start and (end == period.end or period.start <= end <= today
                                      <= period.end):
            return period
    return None
