"""Exchange rates (org currency per unit of a foreign one), their sources, and conversion.

The org currency converts at 1 without a row; any other currency needs a rate valid on the
line's day: the latest `valid_from` not after it. Rates come from two sources: a person
(`manual`: the bot's /rates, `infrazen rates set`) or the Bank of Russia's official daily rates
(`cbr`, fetched for RUB organisations by `core.services.cbr_rates`). One row per currency and
day: a manual rate replaces a fetched one of the same day and a fetch never replaces a manual
one, so manual rates override. `core.services.costs` reads the same table for sums.

Input from people (a currency code, a rate typed with a decimal comma, a date) is checked by
`parse_currency` / `parse_rate` / `parse_day`, which raise `RateInputError` naming what is wrong
(`reason`), so the bot and the CLI word it in the user's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import CostRollup, CurrencyRate, Organization
from core.domain.roles import Role
from core.services import costs
from core.services.audit import audit
from core.services.errors import NotFound, ServiceError
from core.services.orgs import require_role

__all__ = ["MANUAL", "RATE_EDITORS", "Rate", "RateInputError", "RatesOverview", "convert",
           "convert_or_none", "default_from", "delete_rate", "list_rates", "org_base",
           "overview", "parse_currency", "parse_day", "parse_rate", "rate_on", "set_rate",
           "set_rate_as_operator", "store_fetched_rates"]

MANUAL = "manual"
RATE_EDITORS = Role.FINANCE  # owner, admin and finance set rates; everyone sees them
_MAX_RATE = Decimal("1e11")  # Numeric(20, 8) holds 12 digits before the point
_QUANT = Decimal("0.00000001")


@dataclass(frozen=True, slots=True)
class Rate:
    id: int
    currency: str
    base_currency: str
    rate: Decimal
    valid_from: date
    source: str = MANUAL


@dataclass(frozen=True, slots=True)
class RatesOverview:
    """What /rates shows: the latest rate per currency, how many earlier ones each has, and
    what the organisation's spend leaves out for want of a rate."""

    base: str
    latest: tuple[Rate, ...]
    earlier: dict[str, int]
    left_out: tuple[costs.LeftOut, ...]


class RateInputError(ServiceError):
    """A currency code, rate or date a person typed is not usable; `reason` says which."""

    code = "rate_invalid"

    def __init__(self, reason: str, value: str) -> None:
        super().__init__(f"{reason}: {value!r}")
        self.reason = reason  # currency | base | rate | number | date
        self.value = value


def parse_currency(text: str, base: str | None = None) -> str:
    """An ISO 4217 code Babel knows (`usd` → `USD`), other than the org currency."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or code not in list_currencies():
        raise RateInputError("currency", text.strip())
    if base is not None and code == base:
        raise RateInputError("base", code)
    return code


def parse_rate(text: str | Decimal) -> Decimal:
    """A positive number; `92,5` and `92.5` alike, spaces as thousands separators."""
    if isinstance(text, Decimal):
        value = text
    else:
        raw = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw):
            raise RateInputError("number", text.strip())
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise RateInputError("number", text.strip()) from None
    if not value.is_finite() or value <= 0 or value >= _MAX_RATE:
        raise RateInputError("rate", str(text).strip())
    if value.quantize(_QUANT) == 0:
        raise RateInputError("rate", str(text).strip())
    return value.quantize(_QUANT)


def parse_day(text: str) -> date:
    """`2026-12-06` or `06.12.2026`."""
    raw = text.strip()
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", (0, 1, 2)),
                           (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", (2, 1, 0))):
        if match := re.fullmatch(pattern, raw):
            parts = [int(g) for g in match.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                break
    raise RateInputError("date", raw)


async def org_base(session: AsyncSession, org_id: int) -> str:
    """The organisation's reporting currency."""
    base = (await session.execute(select(Organization.currency).where(
        Organization.id == org_id))).scalar_one_or_none()
    if base is None:
        raise NotFound("organisation not found")
    return base


async def rate_on(session: AsyncSession, org_id: int, currency: str, on: date) -> Decimal | None:
    """Units of the org currency per one `currency` on `on`, or None when no rate is known."""
    base = await org_base(session, org_id)
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
    return [Rate(r.id, r.currency, r.base_currency, Decimal(r.rate), r.valid_from, r.source)
            for r in rows]


async def overview(session: AsyncSession, org_id: int) -> RatesOverview:
    """Latest rates and what is left out over all of the organisation's data."""
    base = await org_base(session, org_id)
    latest: dict[str, Rate] = {}
    earlier: dict[str, int] = {}
    for rate in await list_rates(session, org_id):  # ordered by currency, then day
        if rate.currency in latest:
            earlier[rate.currency] = earlier.get(rate.currency, 0) + 1
        latest[rate.currency] = rate
    span = await costs.data_range(session, org_id)
    missing = await costs.left_out(session, org_id, *span) if span else ()
    return RatesOverview(base, tuple(latest.values()), earlier, missing)


async def default_from(session: AsyncSession, org_id: int, currency: str, today: date) -> date:
    """Where a new manual rate starts when no date is given: the first day of the org's costs
    in that currency (so every such line converts), else today."""
    first = (await session.execute(select(func.min(CostRollup.day)).where(  # the rollup: a
        CostRollup.org_id == org_id,  # currency no line has would scan every line
        CostRollup.billing_currency == currency.upper()))).scalar_one_or_none()
    return first or today


async def _store_manual(session: AsyncSession, org_id: int, currency: str, rate: Decimal | str,
                        valid_from: date, actor_telegram_id: int | None) -> Rate:
    base = await org_base(session, org_id)
    currency = parse_currency(currency, base)
    value = parse_rate(rate)
    row = (await session.execute(select(CurrencyRate).where(
        CurrencyRate.org_id == org_id, CurrencyRate.currency == currency,
        CurrencyRate.valid_from == valid_from))).scalar_one_or_none()
    if row is None:
        row = CurrencyRate(org_id=org_id, currency=currency, base_currency=base, rate=value,
                           valid_from=valid_from, source=MANUAL)
        session.add(row)
    else:  # a manual rate replaces whatever that day had, a fetched rate included
        row.rate, row.base_currency, row.source = value, base, MANUAL
    await session.flush()
    await audit(session, "currency_rate.set", org_id=org_id, actor_telegram_id=actor_telegram_id,
                object_type="currency_rate", object_id=row.id, currency=currency,
                rate=str(value), valid_from=valid_from.isoformat())
    return Rate(row.id, currency, base, value, valid_from, MANUAL)


async def set_rate(session: AsyncSession, org_id: int, user_id: int, currency: str,
                   rate: Decimal | str, valid_from: date, *,
                   actor_telegram_id: int | None = None) -> Rate:
    """Add or replace the rate of `currency` from `valid_from` on (owner, admin, finance)."""
    await require_role(session, org_id, user_id, RATE_EDITORS)
    return await _store_manual(session, org_id, currency, rate, valid_from, actor_telegram_id)


async def set_rate_as_operator(session: AsyncSession, org_id: int, currency: str,
                               rate: Decimal | str, valid_from: date) -> Rate:
    """`infrazen rates set`: whoever runs the CLI operates the installation, no member role."""
    return await _store_manual(session, org_id, currency, rate, valid_from, None)


async def store_fetched_rates(session: AsyncSession, org_id: int, source: str,
                              rates: Mapping[date, Mapping[str, Decimal]]) -> int:
    """Store rates fetched from `source` (day → currency → rate into the org currency).

    A day that already has a manual rate keeps it; an earlier fetch of the same day is
    updated. Returns how many rows were added or changed.
    """
    base = await org_base(session, org_id)
    if not rates:
        return 0
    existing = {(r.currency, r.valid_from): r for r in (await session.execute(
        select(CurrencyRate).where(
            CurrencyRate.org_id == org_id,
            CurrencyRate.valid_from.in_(list(rates))))).scalars()}
    changed = 0
    for day, by_currency in sorted(rates.items()):
        for currency, value in sorted(by_currency.items()):
            if currency == base:
                continue
            value = value.quantize(_QUANT)
            row = existing.get((currency, day))
            if row is None:
                session.add(CurrencyRate(org_id=org_id, currency=currency, base_currency=base,
                                         rate=value, valid_from=day, source=source))
                changed += 1
            elif row.source != MANUAL and (row.rate != value or row.base_currency != base):
                row.rate, row.base_currency, row.source = value, base, source
                changed += 1
    await session.flush()
    return changed


async def delete_rate(session: AsyncSession, org_id: int, user_id: int, rate_id: int, *,
                      actor_telegram_id: int | None = None) -> None:
    await require_role(session, org_id, user_id, RATE_EDITORS)
    row = (await session.execute(select(CurrencyRate).where(
        CurrencyRate.org_id == org_id, CurrencyRate.id == rate_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("rate not found")
    await session.delete(row)
    await audit(session, "currency_rate.delete", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="currency_rate",
                object_id=rate_id, currency=row.currency)
