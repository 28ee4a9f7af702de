"""A RUB organisation with dollar costs: before a rate every answer says what is left out (with
its own total), after a rate the dollars convert at the rate of each line's day (or the latest
earlier one); a manual rate beats the Bank of Russia's on the same day. Both engines."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.domain.currency import LeftOut
from core.services import costs, currency
from core.services.ask import service as ask
from core.services.ask.types import Intent, Question, SpendAnswer, TopAnswer, TrendAnswer
from core.services.brief import build_brief, parse_period
from core.services.costs import CostFilters, Dimension
from core.services.digest import build_digest
from renderers.messages.answers import render_answer
from renderers.messages.digest import render_digest
from renderers.pdf import render_brief
from tests.rates.seed import D1, D2, D3, rub_org_with_usd

CLOCK = FrozenClock(datetime(2026, 10, 4, 7, 0, tzinfo=UTC))
USD_TOTAL = Decimal("35.75")


async def test_before_a_rate_the_dollars_are_reported_not_dropped(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await rub_org_with_usd(session)
        assert await costs.total(session, org, D1, D3) == Decimal(100)
        assert await costs.left_out(session, org, D1, D3) == (
            LeftOut("USD", USD_TOTAL, "RUB", D1, D3),)
        # filters apply to what is left out as to the sums
        assert await costs.left_out(session, org, D1, D3,
                                    CostFilters(providers=("selectel",))) == ()
        assert await costs.missing_rates(session, org, D2, D2) == {"USD"}


async def test_each_line_converts_at_its_own_days_rate_or_the_latest_earlier_one(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await rub_org_with_usd(session)
        await currency.set_rate_as_operator(session, org, "USD", Decimal(90), D2)
        # Oct 1 has no rate yet: its 10.25 $ stays out; Oct 2 and 3 use 90 (Oct 3: latest earlier)
        assert await costs.total(session, org, D1, D3) == Decimal("100") + Decimal("25.50") * 90
        assert await costs.left_out(session, org, D1, D3) == (
            LeftOut("USD", Decimal("10.25"), "RUB", D1, D1),)
        await currency.set_rate_as_operator(session, org, "USD", "95,5", D3)
        assert await costs.daily(session, org, D1, D3) == [
            (D1, Decimal(100)), (D2, Decimal("1845.00")), (D3, Decimal("477.50"))]
        expected = Decimal(100) + Decimal("1845.00") + Decimal("477.50")
        assert await costs.total(session, org, D1, D3) == expected
        by_provider = await costs.breakdown(session, org, D1, D3, Dimension.PROVIDER)
        assert {r.key: r.amount for r in by_provider} == {
            "aws": Decimal("2322.50"), "selectel": Decimal(100)}
        by_day = await costs.daily_by(session, org, D1, D3, Dimension.SERVICE)
        assert by_day["Amazon EC2"][1:] == [(D2, Decimal("1845.00")), (D3, Decimal("477.50"))]
        # a fetched Bank of Russia rate never replaces a manual one of the same day …
        stored = await currency.store_fetched_rates(
            session, org, "cbr", {D3: {"USD": Decimal("92.25")}, D1: {"USD": Decimal(91)}})
        assert stored == 1
        # … and fills the day nobody set: now nothing is left out
        assert await costs.total(session, org, D1, D3) == expected + Decimal("10.25") * 91
        assert await costs.left_out(session, org, D1, D3) == ()
        sources = {(r.valid_from, r.source) for r in await currency.list_rates(session, org)}
        assert sources == {(D1, "cbr"), (D2, "manual"), (D3, "manual")}
        # a manual rate on a fetched day replaces it
        await currency.set_rate_as_operator(session, org, "USD", "93", D1)
        assert {(r.valid_from, r.source, r.rate) for r in await currency.list_rates(
            session, org) if r.valid_from == D1} == {(D1, "manual", Decimal("93.00000000"))}


@pytest.mark.parametrize(("code", "rate", "reason"), [
    ("EURO", "90", "currency"), ("ZZZ", "90", "currency"), ("RUB", "90", "base"),
    ("USD", "0", "rate"), ("USD", "-92,5", "rate"), ("USD", "девяносто", "number"),
    ("USD", "1,234.5", "number")])
async def test_bad_input_names_what_is_wrong(
        session_maker: async_sessionmaker[AsyncSession], code: str, rate: str,
        reason: str) -> None:
    async with session_maker() as session:
        org = await rub_org_with_usd(session)
        with pytest.raises(currency.RateInputError) as caught:
            await currency.set_rate_as_operator(session, org, code, rate, D1)
        assert caught.value.reason == reason
        assert await currency.list_rates(session, org) == []


async def test_chat_answers_never_say_no_costs_when_there_are_dollars(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await rub_org_with_usd(session, rub_line=False)
        spend = await ask.execute(session, org, Question(Intent.SPEND, D1, D3), today=D3)
        assert isinstance(spend, SpendAnswer)
        assert spend.total == 0
        assert spend.left_out == (LeftOut("USD", USD_TOTAL, "RUB", D1, D3),)
        ru = render_answer(spend, "ru")
        assert "Без USD 35,75\u00a0$: нет курса USD→RUB. Задайте курс: /rates" in ru
        assert "расходов нет" not in ru
        assert "Данных о расходах пока нет" not in ru
        en = render_answer(spend, "en")
        assert "Excludes USD $35.75: no USD→RUB rate. Set one with /rates" in en
        for intent in (Intent.TOP, Intent.TREND):
            answer = await ask.execute(session, org, Question(intent, D1, D3), today=D3)
            assert isinstance(answer, TopAnswer | TrendAnswer)
            assert "Без USD 35,75\u00a0$" in render_answer(answer, "ru")
        await currency.set_rate_as_operator(session, org, "USD", "90", D1)
        spend = await ask.execute(session, org, Question(Intent.SPEND, D1, D3), today=D3)
        assert isinstance(spend, SpendAnswer)
        assert (spend.total, spend.left_out) == (USD_TOTAL * 90, ())
        assert "USD" not in render_answer(spend, "ru")


async def test_digest_and_brief_state_what_is_left_out(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await rub_org_with_usd(session, rub_line=False)
        digest = await build_digest(session, org, D3, CLOCK)
        assert digest.yesterday == 0
        assert digest.left_out == (LeftOut("USD", USD_TOTAL, "RUB", D1, D3),)
        text = render_digest(digest, "ru")
        assert ("⚠️ Без USD 35,75\u00a0$ за 1 окт. 2026 — 3 окт. 2026: нет курса USD→RUB. "
                "Задайте курс: /rates") in text
        brief = await build_brief(session, org, parse_period("2026-10"), "en", CLOCK)
        assert brief.left_out == (LeftOut("USD", USD_TOTAL, "RUB", D1, D3),)
        pdf_text = " ".join(page.extract_text() for page in PdfReader(
            io.BytesIO(render_brief(brief))).pages)
        assert "Excludes USD $35.75" in pdf_text
        await currency.set_rate_as_operator(session, org, "USD", "90", date(2026, 9, 1))
        digest = await build_digest(session, org, D3, CLOCK)
        assert (digest.yesterday, digest.left_out) == (Decimal("450.00"), ())
        assert "USD" not in render_digest(digest, "en")
