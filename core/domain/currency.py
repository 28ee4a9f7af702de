"""Currency records shared by services and report data (no database, no text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["DailyRates", "LeftOut"]


@dataclass(frozen=True, slots=True)
class DailyRates:
    """Rubles per one unit of each currency (ISO letter code), in force on `day` (the Bank of
    Russia's official rates: fetched by `connectors.cbr`, stored by `core.services.cbr_rates`)."""

    day: date
    rates: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Spend in `currency` on days with no rate into `base` (the org currency): in no sum.

    `amount` is in `currency` itself; `first_day`..`last_day` are the days it covers.
    """

    currency: str
    amount: Decimal
    base: str
    first_day: date
    last_day: date
