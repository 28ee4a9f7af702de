"""Exchange-rate texts: the "left out for want of a rate" lines every answer adds, and /rates.

`left_out_lines` is shared by chat answers, digests, the PDF brief and `infrazen costs`, so
every place words a missing rate the same way: «Без USD 1 234,56 $: нет курса USD→RUB.» plus
one hint (the bot's /rates, or the CLI command). Amounts keep their own currency and kopecks.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from babel.numbers import format_decimal

from core.services.costs import LeftOut
from core.services.currency import RatesOverview
from renderers.format import fmt_date, fmt_money
from renderers.i18n import t

__all__ = ["fmt_rate", "left_out_lines", "left_out_text", "render_rates"]

_LOCALE = {"ru": "ru_RU", "en": "en_US"}


def fmt_rate(value: Decimal, lang: str) -> str:
    """`92,5` / `92.5`; up to 8 decimals (small-unit currencies), no trailing zeros."""
    return format_decimal(value, format="#,##0.########",
                          locale=_LOCALE.get(lang, "ru_RU")).replace("\u202f", "\u00a0")


def left_out_text(item: LeftOut, lang: str, *, with_days: bool = False) -> str:
    amount = fmt_money(item.amount, item.currency, lang, kopecks=True)
    if with_days and item.first_day != item.last_day:
        pattern = "MMM d, y" if lang == "en" else "d MMM y"
        return t("rates.left_out.period", lang, currency=item.currency, amount=amount,
                 base=item.base, first=fmt_date(item.first_day, lang, pattern),
                 last=fmt_date(item.last_day, lang, pattern))
    return t("rates.left_out.line", lang, currency=item.currency, amount=amount,
             base=item.base)


def left_out_lines(items: Sequence[LeftOut], lang: str, *, hint: str | None = "bot",
                   org: str = "", with_days: bool = False) -> list[str]:
    """One line per currency left out, then how to fix it (`hint`: bot, cli or None)."""
    if not items:
        return []
    lines = [left_out_text(item, lang, with_days=with_days) for item in items]
    if hint == "bot":
        lines[-1] += " " + t("rates.left_out.hint_bot", lang)
    elif hint == "cli":
        lines.append(t("rates.left_out.hint_cli", lang, org=org, currency=items[0].currency))
        if items[0].base == "RUB":
            lines.append(t("rates.left_out.hint_cli_cbr", lang, org=org))
    return lines


def render_rates(view: RatesOverview, lang: str) -> str:
    lines = [t("rates.title", lang, base=view.base)]
    if not view.latest:
        lines.append(t("rates.none", lang))
    for rate in view.latest:
        lines.append(t("rates.row", lang, currency=rate.currency, rate=fmt_rate(rate.rate, lang),
                       base=view.base, day=fmt_date(rate.valid_from, lang),
                       source=t(f"rates.source.{rate.source}", lang)))
        if view.earlier.get(rate.currency):
            lines.append(t("rates.earlier", lang, count=view.earlier[rate.currency]))
    if view.left_out:
        lines += ["", t("rates.missing_title", lang),
                  *(f"• {left_out_text(item, lang, with_days=True)}" for item in view.left_out)]
    lines += ["", t("rates.auto" if view.base == "RUB" else "rates.manual_only", lang)]
    return "\n".join(lines)
