"""Numbers, money and dates the way each language writes them (Babel): `117 150 ₽`, `1,234 $`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as _babel_date
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = ["fmt_date", "fmt_money", "fmt_number", "fmt_percent", "fmt_signed_percent"]

_LOCALE = {"ru": "ru_RU", "en": "en_US"}


def _locale(lang: str) -> str:
    return _LOCALE.get(lang, "ru_RU")


def fmt_money(amount: Decimal | float | int, currency: str = "RUB", lang: str = "ru",
              *, kopecks: bool = False) -> str:
    """`117 150 ₽` (ru) / `₽117,150` (en); whole units by default: a chat reads whole rubles."""
    value = Decimal(str(amount))
    fmt = None if kopecks else ("#,##0\u00a0¤" if lang == "ru" else "¤#,##0")
    text = format_currency(value, currency, format=fmt, locale=_locale(lang),
                           currency_digits=kopecks)
    if currency == "RUB":
        text = text.replace("RUB", "₽").replace("руб.", "₽")
    return text.replace("\u202f", "\u00a0")


def fmt_number(value: Decimal | float | int, lang: str = "ru", digits: int = 0) -> str:
    """A plain number with the language's grouping, `digits` after the point."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(Decimal(str(value)), format=pattern,
                          locale=_locale(lang)).replace("\u202f", "\u00a0")


def fmt_percent(ratio: float | Decimal, lang: str = "ru", digits: int = 0) -> str:
    """0.873 → `87 %` (ru) / `87%` (en)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(Decimal(str(ratio)), format=pattern,
                          locale=_locale(lang)).replace("\u202f", "\u00a0")


def fmt_signed_percent(ratio: float | Decimal, lang: str = "ru", digits: int = 0) -> str:
    """+12 % / −3 %: change figures always carry a sign."""
    text = fmt_percent(abs(Decimal(str(ratio))), lang, digits)
    return ("+" if ratio >= 0 else "−") + text


def fmt_date(value: date | datetime, lang: str = "ru", fmt: str = "d MMMM y") -> str:
    """`3 ноября 2026` / `November 3, 2026` (pass `fmt` for other shapes)."""
    if lang == "en" and fmt == "d MMMM y":
        fmt = "MMMM d, y"
    return _babel_date(value, format=fmt, locale=_locale(lang))
