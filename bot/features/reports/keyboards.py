"""Buttons of /report and /export, next to their callback data."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.reports.callbacks import (
    ExportCb,
    ExportFormat,
    ExportPeriod,
    ReportCb,
    ReportPeriod,
)

__all__ = ["export_format_kb", "export_period_kb", "report_period_kb"]


def report_period_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for period in ReportPeriod:
        kb.button(text=rc.t(f"reports.report.btn.{period.value}"),
                  callback_data=ReportCb(period=period.value))
    kb.adjust(2)
    return kb.as_markup()


def export_format_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for fmt in ExportFormat:
        kb.button(text=rc.t(f"reports.export.btn.{fmt.value}"),
                  callback_data=ExportCb(fmt=fmt.value))
    kb.adjust(1)
    return kb.as_markup()


def export_period_kb(rc: RequestContext, fmt: ExportFormat) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for period in ExportPeriod:
        kb.button(text=rc.t(f"reports.export.btn.{period.value}"),
                  callback_data=ExportCb(fmt=fmt.value, period=period.value))
    kb.adjust(1)
    return kb.as_markup()
