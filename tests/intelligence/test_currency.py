"""Exchange rates: owners, admins and finance maintain them; conversion uses the latest valid
one; errors are clear."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.domain.roles import Role
from core.services import currency
from core.services.errors import Forbidden, ServiceError
from tests.intelligence.conftest import member, small_org


async def test_rates_on_both_engines(session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await small_org(session)
        admin = await member(session, org, 1, Role.ADMIN)
        finance = await member(session, org, 2, Role.FINANCE)
        plain = await member(session, org, 3, Role.MEMBER)
        await currency.set_rate(session, org, admin, "USD", Decimal("90"), date(2026, 10, 1))
        await currency.set_rate(session, org, admin, "USD", Decimal("95.5"), date(2026, 11, 1))
        await currency.set_rate(session, org, admin, "USD", Decimal("96"), date(2026, 11, 1))
        assert await currency.convert(session, org, Decimal(10), "USD",
                                      date(2026, 10, 15)) == Decimal(900)
        assert await currency.convert(session, org, Decimal(10), "usd",
                                      date(2026, 11, 20)) == Decimal(960)
        assert await currency.convert(session, org, Decimal(7), "RUB", date(2026, 1, 1)) == 7
        assert len(await currency.list_rates(session, org)) == 2
        with pytest.raises(ServiceError, match="no exchange rate for USD on 2026-09-30"):
            await currency.convert(session, org, Decimal(1), "USD", date(2026, 9, 30))
        with pytest.raises(Forbidden):
            await currency.set_rate(session, org, plain, "EUR", Decimal(100), date(2026, 1, 1))
        eur = await currency.set_rate(session, org, finance, "eur", "100,5", date(2026, 1, 1))
        assert (eur.currency, eur.rate, eur.source) == ("EUR", Decimal("100.5"), "manual")
        for code, rate, reason in (("EURO", "1", "currency"), ("XYZ", "1", "currency"),
                                   ("RUB", "1", "base"), ("EUR", "0", "rate"),
                                   ("EUR", "-92.5", "rate"), ("EUR", "ninety", "number")):
            with pytest.raises(currency.RateInputError) as caught:
                await currency.set_rate(session, org, admin, code, rate, date(2026, 1, 1))
            assert isinstance(caught.value, ServiceError)
            assert caught.value.reason == reason
        await session.commit()
