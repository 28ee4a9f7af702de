"""Column types that behave the same on SQLite and PostgreSQL.

`Money` stores Decimal as integer micro-units (BigInteger): sums in SQL are exact on both
engines (SQLite has no decimal type and would sum floats). `CostMoney` is the same with nine
places (nano-units), for cost lines: billing exports carry up to 11 decimals per row and a
daily line rounded to 6 loses lines below 5e-7 and drifts by a cent over ~100k lines; 9 places
keep a line within 5e-10 and one line up to ±9.2e9 (a SQL sum up to the same on SQLite).
`UTCDateTime` always returns aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["COST_SCALE", "MONEY_SCALE", "CostMoney", "Money", "UTCDateTime"]

MONEY_SCALE = 6
_FACTOR = Decimal(10) ** MONEY_SCALE
_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


class Money(TypeDecorator[Decimal]):
    """Decimal in Python, integer micro-units in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return int((value * _FACTOR).to_integral_value(rounding=ROUND_HALF_EVEN))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _FACTOR).quantize(_QUANTUM)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return self


COST_SCALE = 9
_COST_FACTOR = Decimal(10) ** COST_SCALE
_COST_QUANTUM = Decimal(1).scaleb(-COST_SCALE)


class CostMoney(TypeDecorator[Decimal]):
    """Decimal in Python, integer nano-units in the database (cost line amounts)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return int((value * _COST_FACTOR).to_integral_value(rounding=ROUND_HALF_EVEN))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _COST_FACTOR).quantize(_COST_QUANTUM)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return self


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC; naive input is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        result: datetime = value.astimezone(UTC)
        return result

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]
