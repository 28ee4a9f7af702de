"""Money amounts in a question ("500к", "100 тыс", "$2k", "1.5 млн ₽", "20 000 руб").

Found before the period grammar runs, so "лимит 100 тыс" or "с 5 до 10 тыс" never read as
days of the month, and reported as understood words rather than left unparsed.
"""

from __future__ import annotations

import re

__all__ = ["AMOUNT", "find_amounts", "mask_amounts"]

_NUMBER = r"\d{1,3}(?:[ \u00a0]\d{3})+|\d+(?:[.,]\d+)?"
_SCALE = (r"к|k|тыс[а-я]*\.?|косар[а-я]*|млн\.?|миллион[а-я]*|лям[а-я]*|m|mln|mn"
          r"|thousand|million|grand")
_CURRENCY = (r"руб[а-я]*\.?|р\.|₽|rub|rubles?|roubles?|usd|\$|dollars?|доллар[а-я]*|бакс[а-я]*"
             r"|eur|euros?|€|евро")
_RATE = (r"(?:\s*(?:в|/|per|a)\s*(?:месяц|мес\.?|день|сутки|неделю|год|квартал|month|mo"
         r"|day|week|year|quarter))?")
AMOUNT = re.compile(
    rf"(?<![\w.,])(?:(?:[$€₽]\s*(?:{_NUMBER})(?:\s*(?:{_SCALE}))?"
    rf"|(?:{_NUMBER})\s*(?:{_SCALE})(?:\s*(?:{_CURRENCY}))?"
    rf"|(?:{_NUMBER})\s*(?:{_CURRENCY})){_RATE})(?![\w])"
)
"""A number with a scale ("к", "тыс", "млн", "k") or a currency, and a rate ("в месяц") that
belongs to the amount, not to the period; a bare number is not an amount."""


def find_amounts(text: str) -> list[tuple[int, int]]:
    """Spans of the money amounts in `text`."""
    return [m.span() for m in AMOUNT.finditer(text)]


def mask_amounts(text: str) -> str:
    """`text` with each amount blanked to spaces, so offsets of everything else stay put."""
    return AMOUNT.sub(lambda m: " " * (m.end() - m.start()), text)
