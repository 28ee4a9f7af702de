"""Shared pieces of answer texts: periods, filters, money, shares, escaped names."""

from __future__ import annotations

import calendar
import html
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from core.domain.reports import UpdatingDays
from core.services.ask.types import Question
from renderers.format import fmt_date, fmt_money, fmt_percent
from renderers.i18n import t

__all__ = ["esc", "filters_line", "money", "period_label", "share", "updating_lines"]


def esc(text: object) -> str:
    """Names come from providers and users: escape them for Telegram HTML."""
    return html.escape(str(text), quote=False)


def money(amount: Decimal, currency: str, lang: str) -> str:
    return fmt_money(amount, currency, lang)


def share(part: Decimal, whole: Decimal, lang: str) -> str:
    return fmt_percent(part / whole if whole > 0 else Decimal(0), lang)


def period_label(start: date, end: date, lang: str) -> str:
    """How a person names a period: `октябрь 2026`, `1–15 ноября 2026`, `3 ноября 2026`,
    `23 октября 2026 — 21 ноября 2026`."""
    if start == end:
        return t("answers.period.one_day", lang, day=fmt_date(start, lang))
    if (start.year, start.month) == (end.year, end.month):
        last = calendar.monthrange(start.year, start.month)[1]
        if start.day == 1 and end.day == last:
            return fmt_date(start, lang, "LLLL y")
        return t("answers.period.same_month", lang, d1=start.day, d2=end.day,
                 month=fmt_date(end, lang, "MMMM"), year=end.year)
    return t("answers.period.range", lang, start=fmt_date(start, lang), end=fmt_date(end, lang))


def filters_line(question: Question, lang: str) -> str | None:
    """What the answer was narrowed to, so the user sees what was understood."""
    f = question.filters
    items: list[str] = []
    for kind, values in (("provider", f.providers), ("connection", question.connection_names),
                         ("service", f.services), ("region", f.regions),
                         ("project", f.projects), ("team", f.teams),
                         ("environment", f.environments), ("resource", f.resource_names)):
        items.extend(t(f"answers.filter.{kind}", lang, value=esc(v)) for v in values)
    items.extend(t("answers.filter.tag", lang, key=esc(k), value=esc(v)) for k, v in f.tags)
    return t("answers.filters", lang, items=", ".join(items)) if items else None


def updating_lines(items: Sequence[UpdatingDays], lang: str) -> list[str | None]:
    """⏳ Days a file import is switching right now, after a blank line: a total over them is
    neither the old figure nor the new one until it ends (`core.services.updating`)."""
    if not items:
        return []
    return ["", *("⏳ " + t("answers.updating", lang, connection=esc(u.connection),
                           first=fmt_date(u.first, lang), last=fmt_date(u.last, lang))
                  for u in items)]
