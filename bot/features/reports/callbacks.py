"""Callback data of /report and /export: period keys and format names only, never an org id.

Fields are plain strings on purpose: a tampered value still reaches our handler, which answers
"not understood" (an enum field would make aiogram skip the handler silently).
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

__all__ = ["EXPORT_PREFIX", "REPORT_PREFIX", "ExportCb", "ExportFormat", "ExportPeriod",
           "ReportCb", "ReportPeriod"]

REPORT_PREFIX = "rep"
EXPORT_PREFIX = "exp"


class ReportPeriod(StrEnum):
    THIS_MONTH = "tm"
    LAST_MONTH = "lm"
    THIS_WEEK = "tw"
    LAST_WEEK = "lw"


class ExportFormat(StrEnum):
    COSTS = "costs"
    CHARGEBACK = "chargeback"
    FOCUS = "focus"


class ExportPeriod(StrEnum):
    THIS_MONTH = "tm"
    LAST_MONTH = "lm"
    LAST_30_DAYS = "30d"


class ReportCb(CallbackData, prefix=REPORT_PREFIX):
    """A brief of `period` (a `ReportPeriod` value)."""

    period: str


class ExportCb(CallbackData, prefix=EXPORT_PREFIX):
    """An export in `fmt` (an `ExportFormat` value); `period` empty until it is chosen."""

    fmt: str
    period: str = ""
