"""Money is Decimal built from strings, never float: costs must add up to the kopeck."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["ZERO", "MoneyParseError", "parse_decimal", "quantize_money"]

ZERO = Decimal("0")


class MoneyParseError(ValueError):
    """A value that should be a number is not one."""


def parse_decimal(value: object, *, field: str = "value") -> Decimal:
    """Parse an API or file value (str, int, float, Decimal) leniently into a Decimal.

    Providers send the same field as a JSON string in one response and a number in another
    (Beget), use a comma as the decimal separator (Russian exports) or pad with spaces.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise MoneyParseError(f"{field}: expected a number, got {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        result = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyParseError(f"{field}: {value!r} is not a number") from exc
    if not result.is_finite():
        raise MoneyParseError(f"{field}: {value!r} is not a finite number")
    return result


def quantize_money(value: Decimal, places: int = 2) -> Decimal:
    """Round half-up to `places` decimals, the way invoices are rounded."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
