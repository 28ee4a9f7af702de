"""Lenient provider values: what reads, and what becomes None instead of an error."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.parsing import optional_decimal, optional_int, parse_rfc3339


@pytest.mark.parametrize(("raw", "number", "whole"), [
    ("12.50", Decimal("12.50"), 12), (7, Decimal(7), 7), ("1 024,5", Decimal("1024.5"), 1024),
    ("", None, None), (None, None, None), ("n/a", None, None), ("inf", None, None)])
def test_optional_numbers(raw: object, number: Decimal | None, whole: int | None) -> None:
    assert optional_decimal(raw, "price") == number
    assert optional_int(raw) == whole


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-10-11T05:12:44.123456789Z", datetime(2025, 10, 11, 5, 12, 44, 123456, tzinfo=UTC)),
    ("2025-10-11T05:12:44.5Z", datetime(2025, 10, 11, 5, 12, 44, 500000, tzinfo=UTC)),
    ("2025-10-11T05:12:44Z", datetime(2025, 10, 11, 5, 12, 44, tzinfo=UTC)),
    ("yesterday", None), ("", None), (None, None)])
def test_rfc3339(text: str | None, expected: datetime | None) -> None:
    assert parse_rfc3339(text) == expected
