"""`infrazen analyze FILE.csv`: forecast and anomalies of anyone's `date,cost` series, as JSON.

No database: the same maths the bot uses, on a file. Negative days (credits, refunds) are
accepted: they are known effects, not errors. Bad input stops with one line naming
the row (file line numbers, the header being line 1), never a traceback.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from bot.cli.runtime import cli_lang, echo_json, fail
from core.analytics.anomalies import DetectorSettings, detect
from core.analytics.backtest import backtest
from core.analytics.forecast import forecast, forecast_month_end
from core.domain.money import MoneyParseError, parse_decimal
from renderers.i18n import t

COMMANDS = ("analyze",)  # read by bot.cli, unimported

__all__ = ["AnalyzeInputError", "analyze_series", "parse_series", "register"]

BACKTEST_MIN_DAYS = 70


@dataclass
class AnalyzeInputError(Exception):
    """`code` is a catalogue key under `intel.analyze.error`; `params` fill it in."""

    code: str
    params: dict[str, object]

    def message(self, lang: str) -> str:
        return t(f"intel.analyze.error.{self.code}", lang, **self.params)


def _header(reader: csv.DictReader[str]) -> tuple[str, str]:
    names = {(n or "").strip().lower(): n for n in (reader.fieldnames or [])}
    if not names:
        raise AnalyzeInputError("no_header", {})
    if "date" not in names or "cost" not in names:
        raise AnalyzeInputError("bad_header", {"columns": ", ".join(
            n for n in (reader.fieldnames or []) if n) or "—"})
    return names["date"], names["cost"]


def parse_series(text: str) -> list[tuple[date, Decimal]]:
    """CSV text with `date` and `cost` columns → a gap-free daily series, or a named error."""
    reader = csv.DictReader(io.StringIO(text))
    date_col, cost_col = _header(reader)
    series: list[tuple[date, Decimal]] = []
    for record in reader:
        row = reader.line_num
        raw_date = (record.get(date_col) or "").strip()
        raw_cost = (record.get(cost_col) or "").strip()
        if not raw_date and not raw_cost and not any((v or "").strip() for v in record.values()
                                                     if isinstance(v, str)):
            continue  # a blank line
        for column, value in (("date", raw_date), ("cost", raw_cost)):
            if not value:
                raise AnalyzeInputError("missing", {"row": row, "column": column})
        try:
            day = date.fromisoformat(raw_date)
        except ValueError as exc:
            raise AnalyzeInputError("bad_date", {"row": row, "value": raw_date}) from exc
        try:
            cost = parse_decimal(raw_cost, field="cost")
        except MoneyParseError as exc:
            raise AnalyzeInputError("bad_number", {"row": row, "value": raw_cost}) from exc
        if series:
            prev = series[-1][0]
            if day == prev or day in dict(series):
                raise AnalyzeInputError("duplicate", {"row": row, "value": raw_date})
            if day < prev:
                raise AnalyzeInputError("order", {"row": row, "value": raw_date})
            if day - prev > timedelta(days=1):
                raise AnalyzeInputError("gap", {"row": row, "value": raw_date})
        series.append((day, cost))
    if not series:
        raise AnalyzeInputError("empty", {})
    if len(series) == 1:
        raise AnalyzeInputError("single_day", {})
    return series


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def analyze_series(series: list[tuple[date, Decimal]], *, days: int = 30,
                   settings: DetectorSettings | None = None) -> dict[str, Any]:
    """Forecast (next `days`, the month after the data) and anomalies, JSON-ready."""
    fc = forecast(series, days)
    month = forecast_month_end(series)
    detection = detect(series, settings)
    found = detection.anomalies
    total, lower, upper = fc.total()
    result: dict[str, Any] = {
        "days": len(series), "first_day": series[0][0].isoformat(),
        "last_day": series[-1][0].isoformat(),
        "total": _money(sum((v for _, v in series), Decimal(0))),
        "forecast": {
            "level": fc.level, "trend_per_day": str(fc.trend_per_day),
            "weekday_factors": list(fc.weekday_factors),
            "next_days": {"days": days, "total": _money(total), "lower": _money(lower),
                          "upper": _money(upper),
                          "points": [{"day": p.day.isoformat(), "value": _money(p.value),
                                      "lower": _money(p.lower), "upper": _money(p.upper)}
                                     for p in fc.points]},
            "month_end": {"month": month.month_start.isoformat()[:7],
                          "actual_to_date": _money(month.actual_to_date),
                          "forecast_rest": _money(month.forecast_rest),
                          "total": _money(month.total), "lower": _money(month.lower),
                          "upper": _money(month.upper), "days_left": month.days_left},
        },
        "anomalies": [{"start": a.start.isoformat(), "end": a.end.isoformat(), "kind": a.kind,
                       "actual": _money(a.actual), "expected": _money(a.expected),
                       "delta": _money(a.delta), "daily_delta": _money(a.daily_delta),
                       "peak_day": a.peak_day.isoformat(), "peak_z": a.peak_z,
                       "rate_per_day": a.rate}
                      for a in found],
        "recurring_fees": [{"day_of_month": f.day, "every_months": f.months,
                            "amount": _money(Decimal(repr(round(f.amount, 2)))),
                            "first": f.first.isoformat(), "last": f.last.isoformat()}
                           for f in detection.fees],
        "credit_days": [d.isoformat() for d in detection.credit_days],
    }
    if len(series) >= BACKTEST_MIN_DAYS:
        bt = backtest(series, horizon=14)
        result["backtest"] = {"origins": bt.origins, "horizon": bt.horizon,
                              "daily_mape_percent": bt.daily_mape,
                              "total_mape_percent": bt.total_mape,
                              "interval_coverage": bt.coverage}
    return result


def register(cli: click.Group) -> None:
    cli.add_command(analyze)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True,
              help="Forecast horizon in days.")
@click.option("--min-impact", type=str, default=None,
              help="Smallest excess cost worth reporting (default 500).")
@click.option("--lang", "language", type=click.Choice(["ru", "en"]), default=None,
              help="Language of the errors (default: the global --lang).")
def analyze(file: Path, days: int, min_impact: str | None, language: str | None) -> None:
    """Forecast and anomalies of a `date,cost` CSV, as JSON."""
    lang = cli_lang(language)
    settings = DetectorSettings()
    if min_impact is not None:
        try:
            settings = replace(settings, min_impact=parse_decimal(min_impact,
                                                                  field="--min-impact"))
        except MoneyParseError as exc:
            fail(str(exc))
    if not file.is_file():
        fail(t("intel.analyze.error.no_file", lang, path=file))
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(t("intel.analyze.error.not_utf8", lang, path=file))
    try:
        series = parse_series(text)
    except AnalyzeInputError as err:
        fail(err.message(lang))
    echo_json(analyze_series(series, days=days, settings=settings))
