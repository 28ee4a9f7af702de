"""Lenient readers of provider values: numbers that arrive as strings, numbers or "", and
RFC 3339 stamps with a nanosecond fraction. A value we cannot read is None, never an error:
these feed optional record fields, not money that must add up."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from core.domain.money import MoneyParseError, parse_decimal

__all__ = ["optional_decimal", "optional_int", "parse_rfc3339"]


def optional_decimal(value: Any, field: str = "value") -> Decimal | None:
    """A number sent as a string or a number, sometimes empty: parsed leniently, else None."""
    if value is None or value == "":
        return None
    try:
        return parse_decimal(value, field=field)
    except MoneyParseError:
        return None


def optional_int(value: Any, field: str = "value") -> int | None:
    """`optional_decimal`, truncated to an int."""
    number = optional_decimal(value, field)
    try:
        return int(number) if number is not None else None
    except ValueError:  # a Decimal NaN passed through as is
        return None


def parse_rfc3339(text: str | None) -> datetime | None:
    """`2025-10-11T05:12:44.123456789Z` (UTC, optional fraction) → aware datetime (µs)."""
    if not text:
        return None
    base, _, frac = text.rstrip("Z").partition(".")
    try:
        stamp = datetime.fromisoformat(base + "+00:00")
    except ValueError:
        return None
    return stamp.replace(microsecond=int(frac[:6].ljust(6, "0"))) if frac.isdigit() else stamp
