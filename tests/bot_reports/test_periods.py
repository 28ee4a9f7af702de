"""Button keys → periods: in the organisation's time zone, from the injected clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.features.reports.periods import (
    ExportRange,
    export_range,
    org_today,
    report_period,
    text_period,
)
from core.clock import FrozenClock

SUNDAY = date(2026, 11, 22)


def _key(key: str, today: date) -> str | None:
    period = report_period(key, today)
    return period.key if period else None


def test_today_is_the_org_s_local_date() -> None:
    late = FrozenClock(datetime(2026, 11, 22, 22, 30, tzinfo=UTC))
    assert org_today(late, "Europe/Moscow") == date(2026, 11, 23)  # already Monday there
    assert org_today(late, "America/New_York") == SUNDAY
    assert _key("tw", org_today(late, "Europe/Moscow")) == "2026-W48"
    assert _key("tw", org_today(late, "America/New_York")) == "2026-W47"


@pytest.mark.parametrize(("key", "today", "expected"), [
    ("tm", SUNDAY, "2026-11"),
    ("lm", SUNDAY, "2026-10"),
    ("lm", date(2027, 1, 1), "2026-12"),
    ("tw", SUNDAY, "2026-W47"),
    ("lw", SUNDAY, "2026-W46"),
    ("lw", date(2027, 1, 4), "2026-W53"),
])
def test_report_keys(key: str, today: date, expected: str) -> None:
    assert _key(key, today) == expected


def test_export_ranges() -> None:
    assert export_range("tm", SUNDAY) == ExportRange(date(2026, 11, 1), SUNDAY, "2026-11")
    assert export_range("lm", SUNDAY) == ExportRange(date(2026, 10, 1), date(2026, 10, 31),
                                                     "2026-10")
    assert export_range("30d", SUNDAY) == ExportRange(date(2026, 10, 23), date(2026, 11, 21),
                                                      "2026-10-23_2026-11-21")


def test_unknown_keys_resolve_to_nothing() -> None:
    assert report_period("2026-10", SUNDAY) is None
    assert export_range("", SUNDAY) is None


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 10, 1), date(2026, 10, 31), "2026-10"),      # "в октябре"
    (date(2026, 11, 1), SUNDAY, "2026-11"),                  # "за этот месяц" (so far)
    (date(2026, 11, 9), date(2026, 11, 15), "2026-W46"),     # "на прошлой неделе"
    (date(2026, 10, 23), date(2026, 11, 21), None),          # "за 30 дней": buttons instead
    (date(2026, 7, 1), date(2026, 9, 30), None),             # a quarter
])
def test_text_periods(start: date, end: date, expected: str | None) -> None:
    period = text_period(start, end, SUNDAY)
    assert (period.key if period else None) == expected
