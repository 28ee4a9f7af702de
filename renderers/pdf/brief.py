"""The CFO brief as a PDF: KPIs, trend, breakdowns, budgets, savings, anomalies, method.

`render_brief(data)` is a pure function from `BriefData` to PDF bytes; the charts inside are
the same PNG renderers the bot sends, so a number looks the same in the chat and on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from renderers.charts import render_budget_vs_actual, render_stacked, render_trend, style
from renderers.format import fmt_date, fmt_money, fmt_percent, fmt_signed_percent
from renderers.i18n import catalogue, normalise_language, t, t_data
from renderers.messages.estimated import estimated_line
from renderers.messages.rates import left_out_lines
from renderers.pdf.layout import BriefDocument, Column, Tile
from renderers.report_data import BriefData, BudgetVsActual, RecommendationRow, ShareRow

__all__ = ["render_brief"]

MAX_BREAKDOWN_ROWS = 8
MAX_RECOMMENDATIONS = 10
STATUS_COLOR = {"green": style.GREEN, "amber": style.AMBER, "red": style.RED}
EDITION_BADGE = {"preliminary": (style.AMBER, style.TEXT), "final": (style.GREEN, "#FFFFFF"),
                 "weekly": (style.ACCENT, "#FFFFFF")}
TREND_WIDTH = 170
METHODOLOGY = ("sources", "billing_first", "money", "daily", "forecast", "anomalies", "editions")


def render_brief(data: BriefData) -> bytes:
    """Lay the sections out in reading order; fpdf2 breaks pages, the footer numbers them."""
    lang = normalise_language(data.lang)
    pdf = BriefDocument(_generated_line(data, lang), t("brief.footer.page", lang))
    pdf.set_title(f"{t('brief.title', lang)} · {data.org_name} · {data.period_label}")
    pdf.set_author("InfraZen")
    pdf.add_page()
    _header(pdf, data, lang)
    _kpis(pdf, data, lang)
    _left_out(pdf, data, lang)
    if data.edition == "final":
        _changes(pdf, data, lang)
    pdf.heading(t("brief.section.trend", lang), keep=pdf.chart_height(TREND_WIDTH))
    pdf.chart(render_trend(data.trend, lang=lang, title=""), width=TREND_WIDTH)
    _breakdown(pdf, data, lang)
    _budgets(pdf, data, lang)
    _recommendations(pdf, data, lang)
    _anomalies(pdf, data, lang)
    _methodology(pdf, lang)
    return bytes(pdf.output())


def _money(data: BriefData, amount: Decimal | None) -> str:
    return t("brief.kpi.unknown", data.lang) if amount is None else fmt_money(
        amount, data.currency, normalise_language(data.lang))


def _signed_money(data: BriefData, amount: Decimal) -> str:
    return ("+" if amount >= 0 else "−") + _money(data, abs(amount))


def _generated_line(data: BriefData, lang: str) -> str:
    local = data.generated_at.astimezone(ZoneInfo(data.timezone))
    pattern = "d MMMM y, HH:mm" if lang == "ru" else "MMMM d, y, HH:mm"
    when = format_datetime(local, pattern, locale="ru_RU" if lang == "ru" else "en_US")
    return t("brief.footer.generated", lang, time=when, tz=data.timezone)


def _header(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    pdf.text_line(t("brief.title", lang).upper(), 8.5, bold=True, color=style.SECONDARY)
    pdf.text_line(data.org_name, 18, bold=True, height=8.5)
    period = t("brief.period", lang, label=data.period_label,
               start=fmt_date(data.period_start, lang), end=fmt_date(data.period_end, lang))
    pdf.text_line(period, 10.5, color=style.TEXT, height=6)
    pdf.ln(1.5)
    fill, color = EDITION_BADGE[data.edition]
    pdf.badge(t(f"brief.edition.{data.edition}", lang), fill, color)
    pdf.ln(1)
    pdf.text_line(t(f"brief.edition_note.{data.edition}", lang), 8.5, color=style.SECONDARY,
                  height=4.2)
    pdf.ln(3)


def _kpis(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    k = data.kpis
    change_value, change_color = t("brief.kpi.unknown", lang), style.TEXT
    change_sub = t("brief.kpi.no_previous", lang)
    if k.change_ratio is not None:
        change_value = fmt_signed_percent(k.change_ratio, lang)
        change_color = style.RED if k.change_ratio > 0 else style.GREEN
    if k.previous_total is not None:
        change_sub = t("brief.kpi.change_sub", lang,
                       delta=_signed_money(data, k.total - k.previous_total),
                       previous=_money(data, k.previous_total))
    interval = ""
    if k.forecast_low is not None and k.forecast_high is not None:
        interval = t("brief.kpi.interval", lang, low=_money(data, k.forecast_low),
                     high=_money(data, k.forecast_high))
    budget_value, budget_color = t("brief.kpi.unknown", lang), style.TEXT
    budget_sub = t("brief.kpi.no_budget", lang)
    if k.budget_amount is not None and k.budget_used_ratio is not None:
        budget_value = fmt_percent(k.budget_used_ratio, lang)
        budget_color = STATUS_COLOR.get(k.budget_status or "green", style.TEXT)
        status = t(f"brief.status.{k.budget_status}", lang) if k.budget_status else ""
        budget_sub = t("brief.kpi.budget_sub", lang, amount=_money(data, k.budget_amount),
                       status=status)
    pdf.tiles([
        Tile(t("brief.kpi.total", lang), _money(data, k.total), data.period_label),
        Tile(t("brief.kpi.change", lang), change_value, change_sub, change_color),
        Tile(t("brief.kpi.forecast", lang), _money(data, k.forecast_total), interval),
        Tile(t("brief.kpi.budget", lang), budget_value, budget_sub, budget_color),
        Tile(t("brief.kpi.savings", lang), _money(data, k.potential_savings),
             t("brief.kpi.savings_sub", lang), style.GREEN),
    ])


def _left_out(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    """Spend in currencies with no rate is in none of the figures: say so under them."""
    for line in left_out_lines(data.left_out, lang, hint="bot", with_days=True):
        pdf.text_line("⚠ " + line, 9.5, color=style.RED, height=5)
    if (estimated := estimated_line(data.estimated, lang)) is not None:
        pdf.text_line(estimated, 9.5, color=style.SECONDARY, height=5)
    if data.left_out or estimated:
        pdf.ln(2)


def _changes(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    pdf.heading(t("brief.section.changes", lang),
                keep=pdf.table_height(len(data.changes_since_preliminary)))
    if not data.changes_since_preliminary:
        pdf.text_line(t("brief.empty.changes", lang), 9.5, color=style.SECONDARY)
        return
    columns = [Column(t("brief.column.metric", lang), 40),
               Column(t("brief.column.before", lang), 20, "RIGHT"),
               Column(t("brief.column.after", lang), 20, "RIGHT"),
               Column(t("brief.column.delta", lang), 20, "RIGHT")]
    rows = [(c.label, _money(data, c.before), _money(data, c.after),
             _signed_money(data, c.after - c.before)) for c in data.changes_since_preliminary]
    pdf.data_table(columns, rows)


def _share_rows(data: BriefData, rows: Sequence[ShareRow], lang: str) -> list[tuple[str, ...]]:
    """Largest first; past eight rows the tail folds into "other" so tables stay side by side."""
    ranked = sorted(rows, key=lambda r: r.cost, reverse=True)
    if len(ranked) > MAX_BREAKDOWN_ROWS:
        tail = ranked[MAX_BREAKDOWN_ROWS - 1:]
        ranked = [*ranked[: MAX_BREAKDOWN_ROWS - 1], ShareRow(
            t("brief.other", lang), sum((r.cost for r in tail), Decimal(0)),
            sum((r.share for r in tail), Decimal(0)))]
    return [(r.label, _money(data, r.cost), fmt_percent(r.share, lang)) for r in ranked]


def _breakdown(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    tables = [(dimension, rows) for dimension, rows in (
        ("provider", data.by_provider), ("service", data.by_service), ("team", data.by_team))
        if rows]
    first = max((min(len(rows), MAX_BREAKDOWN_ROWS) for _, rows in tables[:2]), default=0)
    pdf.heading(t("brief.section.breakdown", lang), keep=6 + pdf.table_height(first))
    if not tables:
        pdf.text_line(t("brief.empty.breakdown", lang), 9.5, color=style.SECONDARY)
        return
    half = (pdf.content_width - 6) / 2
    for start in range(0, len(tables), 2):
        pair = tables[start:start + 2]
        pdf.ensure_space(6 + pdf.table_height(
            max(min(len(rows), MAX_BREAKDOWN_ROWS) for _, rows in pair)))
        top, bottom = pdf.y, pdf.y
        for side, (dimension, rows) in zip(("LEFT", "RIGHT"), pair, strict=False):
            pdf.set_y(top)
            pdf.set_x(pdf.l_margin if side == "LEFT" else pdf.l_margin + half + 6)
            pdf.subheading(t(f"brief.breakdown.{dimension}", lang))
            columns = [Column(t(f"brief.column.{dimension}", lang), 50),
                       Column(t("brief.column.amount", lang), 30, "RIGHT"),
                       Column(t("brief.column.share", lang), 17, "RIGHT")]
            pdf.data_table(columns, _share_rows(data, rows, lang), width=half,
                           align="LEFT" if side == "LEFT" else "RIGHT")
            bottom = max(bottom, pdf.y)
        pdf.set_y(bottom + 2)
    if data.provider_daily is not None and data.provider_daily.series:
        pdf.chart(render_stacked(data.provider_daily, lang=lang,
                                 title=t("brief.chart.provider_daily", lang)), width=160)


def _budgets(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    pdf.heading(t("brief.section.budgets", lang),
                keep=min(pdf.table_height(len(data.budgets)), 90))
    if not data.budgets:
        pdf.text_line(t("brief.empty.budgets", lang), 9.5, color=style.SECONDARY)
        return
    columns = [Column(t("brief.column.budget", lang), 34),
               Column(t("brief.column.limit", lang), 16, "RIGHT"),
               Column(t("brief.column.actual", lang), 16, "RIGHT"),
               Column(t("brief.column.used", lang), 11, "RIGHT"),
               Column(t("brief.column.forecast", lang), 16, "RIGHT"),
               Column(t("brief.column.status", lang), 15)]
    rows = [(b.name, _money(data, b.amount), _money(data, b.actual),
             fmt_percent(b.actual / b.amount, lang) if b.amount else "—",
             _money(data, b.forecast), t(f"brief.status.{b.status}", lang))
            for b in data.budgets]
    pdf.data_table(columns, rows)
    chart = BudgetVsActual(labels=tuple(b.name for b in data.budgets),
                           budget=tuple(b.amount for b in data.budgets),
                           actual=tuple(b.actual for b in data.budgets),
                           forecast=tuple(b.forecast for b in data.budgets),
                           currency=data.currency)
    pdf.chart(render_budget_vs_actual(chart, lang=lang, title=""), width=150)


def _recommendations(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    top = sorted(data.recommendations, key=lambda r: r.monthly_saving,
                 reverse=True)[:MAX_RECOMMENDATIONS]
    pdf.heading(t("brief.section.recommendations", lang), keep=pdf.table_height(min(len(top), 4)))
    if not top:
        pdf.text_line(t("brief.empty.recommendations", lang), 9.5, color=style.SECONDARY)
        return
    columns = [Column("#", 4, "RIGHT"), Column(t("brief.column.recommendation", lang), 50),
               Column(t("brief.column.provider", lang), 18),
               Column(t("brief.column.saving", lang), 15, "RIGHT"),
               Column(t("brief.column.confidence", lang), 15)]
    rows = [(str(i), _recommendation_text(r, lang), r.provider,
             _money(data, r.monthly_saving), t(f"brief.confidence.{r.confidence}", lang))
            for i, r in enumerate(top, start=1)]
    total = sum((r.monthly_saving for r in top), Decimal(0))
    pdf.data_table(columns, rows, total=("", t("brief.total", lang), "", _money(data, total), ""))


def _recommendation_text(rec: RecommendationRow, lang: str) -> str:
    """The catalogue's wording of the kind with its parameters; the stored title otherwise."""
    key = f"intel.rec.{rec.kind}.title"
    title = t_data(key, lang, {"resource": rec.resource, **rec.params}) \
        if rec.kind and key in catalogue(lang) else rec.title
    return title if rec.resource in title else f"{title} — {style.short(rec.resource, 90)}"


def _anomalies(pdf: BriefDocument, data: BriefData, lang: str) -> None:
    pdf.heading(t("brief.section.anomalies", lang),
                keep=pdf.table_height(min(len(data.anomalies), 4)))
    if not data.anomalies:
        pdf.text_line(t("brief.empty.anomalies", lang), 9.5, color=style.SECONDARY)
        return
    columns = [Column(t("brief.column.date", lang), 16),
               Column(t("brief.column.description", lang), 64),
               Column(t("brief.column.impact", lang), 20, "RIGHT")]
    rows = [(fmt_date(a.day, lang, "d MMM y"), a.description, _signed_money(data, a.impact))
            for a in sorted(data.anomalies, key=lambda a: a.day)]
    pdf.data_table(columns, rows)


def _methodology(pdf: BriefDocument, lang: str) -> None:
    pdf.heading(t("brief.section.methodology", lang))
    for key in METHODOLOGY:
        pdf.text_line("• " + t(f"brief.methodology.{key}", lang), 8, color=style.SECONDARY,
                      height=4)
        pdf.ln(0.8)
