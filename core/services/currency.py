"""Exchange rates an admin maintains (org currency per unit of a foreign one), and conversion.

RUB first: the org currency converts at 1 without a row; any other currency needs a rate
valid on the day (the latest `valid_from` not after it). `core.services.costs` reads the
same table for sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import CurrencyRate, Organization
from core.domain.roles import Role
from core.services.audit import audit
from core.services.errors import NotFound, ServiceError
from core.services.orgs import require_role

__all__ = ["Rate", "convert", "convert_or_none", "delete_rate", "list_rates", "rate_on",
           "set_rate"]


@dataclass(frozen=True, slots=True)
class Rate:
    id: int
    currency: str
    base_currency: str
    rate: Decimal
    valid_from: date


async def _base(session: AsyncSession, org_id: int) -> str:
    base = (await session.execute(select(Organization.currency).where(
        Organization.id == org_id))).scalar_one_or_none()
    if base is None:
        raise NotFound("organisation not found")
    return base


async def rate_on(session: AsyncSession, org_id: int, currency: str, on: date) -> Decimal | None:
    """Units of the org currency per one `currency` on `on`, or None when no rate is known."""
    base = await _base(session, org_id)
    currency = currency.upper()
    if currency == base:
        return Decimal(1)
    return (await session.execute(
        select(CurrencyRate.rate).where(
            CurrencyRate.org_id == org_id, CurrencyRate.currency == currency,
            CurrencyRate.base_currency == base, CurrencyRate.valid_from <= on)
        .order_by(CurrencyRate.valid_from.desc()).limit(1))).scalar_one_or_none()


async def convert_or_none(session: AsyncSession, org_id: int, amount: Decimal, currency: str,
                          on: date) -> Decimal | None:
    rate = await rate_on(session, org_id, currency, on)
    return None if rate is None else amount * Decimal(rate)


async def convert(session: AsyncSession, org_id: int, amount: Decimal, currency: str,
                  on: date) -> Decimal:
    """`amount` of `currency` in the org currency; a missing rate is an error to act on."""
    result = await convert_or_none(session, org_id, amount, currency, on)
    if result is None:
        raise ServiceError(f"no exchange rate for {currency.upper()} on {on}: "
                           "an admin can add one")
    return result


async def list_rates(session: AsyncSession, org_id: int) -> list[Rate]:
    rows = (await session.execute(select(CurrencyRate).where(
        CurrencyRate.org_id == org_id).order_by(CurrencyRate.currency,
                                                CurrencyRate.valid_from))).scalars()
    return [Rate(r.id, r.currency, r.base_currency, Decimal(r.rate), r.valid_from) for r in rows]


async def set_rate(session: AsyncSession, org_id: int, user_id: int, currency: str,
                   rate: Decimal, valid_from: date, *, actor_telegram_id: int | None = None
                   ) -> Rate:
    """Add or replace the rate of `currency` from `valid_from` on (admins only)."""
    await require_role(session, org_id, user_id, Role.ADMIN)
    currency = currency.strip().upper()
    base = await _base(session, org_id)
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ServiceError(f"currency must be a 3-letter ISO code, got {currency!r}")
    if currency == base:
        raise ServiceError(f"{currency} is the organisation currency: its rate is always 1")
    if not rate.is_finite() or rate <= 0:
        raise ServiceError(f"rate must be a positive number, got {rate}")
    row = (await session.execute(select(CurrencyRate).where(
        CurrencyRate.org_id == org_id, CurrencyRate.currency == currency,
        CurrencyRate.valid_from == valid_from))).scalar_one_or_none()
    if row is None:
        row = CurrencyRate(org_id=org_id, currency=currency, base_currency=base, rate=rate,
                           valid_from=valid_from)
        session.add(row)
    else:
        row.rate, row.base_currency = rate, base
    await session.flush()
    await audit(session, "currency_rate.set", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="currency_rate", object_id=row.id, currency=currency,
                rate=str(rate), valid_from=valid_from.isoformat())
    return Rate(row.id, currency, base, Decimal(rate), valid_from)


async def delete_rate(session: AsyncSession, org_id: int, user_id: int, rate_id: int, *,
                      actor_telegram_id: int | None = None) -> None:
    await require_role(session, org_id, user_id, Role.ADMIN)
    row = (await session.execute(select(CurrencyRate).where(
        CurrencyRate.org_id == org_id, CurrencyRate.id == rate_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("rate not found")
    await session.delete(row)
    await audit(session, "currency_rate.delete", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="currency_rate",
                object_id=rate_id, currency=row.currency)
