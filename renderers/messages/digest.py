"""The daily digest's text and its one chart (the last 30 days with the month's forecast)."""

from __future__ import annotations

from decimal import Decimal

from core.services.digest import DigestData
from renderers.charts.trend import render_trend
from renderers.format import fmt_money, fmt_percent, fmt_signed_percent
from renderers.i18n import t
from renderers.messages.alerts import ICONS, AlertView, alert_params, short_date
from renderers.messages.rates import left_out_lines
from renderers.report_data import TrendData

__all__ = ["CAPTION_LIMIT", "render_digest", "render_digest_chart"]

CAPTION_LIMIT = 1024  # Telegram's caption limit: longer digests go as photo + text


def _change(data: DigestData, other: Decimal, key: str, lang: str) -> str | None:
    ratio = data.ratio(other)
    return None if ratio is None else t(f"digest.vs.{key}", lang,
                                        change=fmt_signed_percent(ratio, lang))


def render_digest(data: DigestData, lang: str) -> str:
    """Short lines, most important first; sections without data are left out."""
    def money(value: Decimal) -> str:
        return fmt_money(value, data.currency, lang)

    lines = [t("digest.title", lang, day=short_date(data.day, lang), org=data.org_name)]
    changes = [c for c in (_change(data, data.day_before, "day_before", lang),
                           _change(data, data.week_average, "week", lang)) if c]
    lines.append(t("digest.yesterday", lang, amount=money(data.yesterday))
                 + (f" ({', '.join(changes)})" if changes else ""))
    if data.budget:
        share = fmt_percent(data.month_to_date / data.budget, lang)
        icon = t(f"answers.budget.status.{data.budget_level}", lang) + " " \
            if data.budget_level else ""
        lines.append(icon + t("digest.mtd_budget", lang, amount=money(data.month_to_date),
                              budget=money(data.budget), share=share))
    else:
        lines.append(t("digest.mtd", lang, amount=money(data.month_to_date)))
    if data.forecast is not None and data.forecast_low is not None \
            and data.forecast_high is not None:
        lines.append(t("digest.forecast", lang, amount=money(data.forecast),
                       low=money(data.forecast_low), high=money(data.forecast_high)))
    if missing := left_out_lines(data.left_out, lang, hint="bot", with_days=True):
        lines += ["⚠️ " + missing[0], *missing[1:]]  # never a silent 0 when costs exist
    if data.anomalies_unchecked is not None:  # detection cannot judge the total: say why
        reason, days = data.anomalies_unchecked
        lines.append(t("digest.anomalies_unchecked", lang, reason=t(
            f"answers.anomalies.reason.{reason}" if reason in ("short_history", "no_spend")
            else "answers.anomalies.reason.other", lang, days=days)))
    if data.movers:
        lines += ["", t("digest.movers", lang)]
        lines += [f"• {m.label}: {'+' if m.delta > 0 else '−'}{money(abs(m.delta))}"
                  for m in data.movers]
    if data.new_recommendations_count:
        lines += ["", t("digest.recommendations", lang, count=data.new_recommendations_count,
                        saving=money(data.new_recommendations_saving))]
        lines += [t("digest.recommendation", lang, title=r.title, saving=money(r.monthly_saving))
                  for r in data.new_recommendations]
    if data.open_alerts_count:
        lines += ["", t("digest.alerts", lang, count=data.open_alerts_count)]
        for a in data.open_alerts:
            view = AlertView(a.id, a.rule, a.severity, a.payload)
            title = t(f"alerts.rule.{a.rule}.title", lang, **alert_params(view, lang))
            lines.append(f"• {ICONS.get(a.severity, '')} {title}")
    return "\n".join(lines)


def render_digest_chart(data: DigestData, lang: str) -> bytes:
    """PNG: the 30-day trend; the digest's one chart."""
    trend = TrendData(days=tuple(d for d, _ in data.trend),
                      values=tuple(v for _, v in data.trend), currency=data.currency)
    return render_trend(trend, lang=lang, title=t("digest.chart_title", lang))
