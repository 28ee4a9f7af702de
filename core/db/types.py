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
COST_SCALE = 9


class _ScaledDecimal(TypeDecorator[Decimal]):
    """Decimal in Python, an integer count of 10**-scale units in the database: exact sums in
    SQL on SQLite too. Subclasses set `scale`."""

    impl = BigInteger
    cache_ok = True
    scale: int
    _factor: Decimal
    _quantum: Decimal

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._factor = Decimal(10) ** cls.scale
        cls._quantum = Decimal(1).scaleb(-cls.scale)

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return int((value * self._factor).to_integral_value(rounding=ROUND_HALF_EVEN))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / self._factor).quantize(self._quantum)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return self


class Money(_ScaledDecimal):
    """Decimal in Python, integer micro-units in the database."""

    cache_ok = True  # SQLAlchemy reads it from each class's own namespace
    scale = MONEY_SCALE


class CostMoney(_ScaledDecimal):
    """Decimal in Python, integer nano-units in the database (cost line amounts)."""

    cache_ok = True
    scale = COST_SCALE


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
