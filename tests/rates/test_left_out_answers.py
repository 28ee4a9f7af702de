"""The forecast and budget answers, budget alerts and the brief's caption say what they leave out
for want of a rate, as the spend answers do (a RUB organisation with dollar costs, both
engines)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.features.reports.documents import brief_document
from core.alerts import budget as budget_rule
from core.alerts.engine import rule_context
from core.clock import FrozenClock
from core.domain.currency import LeftOut
from core.services import budgets, currency
from core.services.ask import service as ask
from core.services.ask.types import BudgetsAnswer, ForecastAnswer, Intent, Question
from core.services.brief import parse_period
from core.services.orgs import OrgRef
from renderers.messages.alerts import AlertView, render_alert
from renderers.messages.answers import render_answer
from tests.rates.seed import D1, D2, D3, rub_org_with_usd

CLOCK = FrozenClock(datetime(2026, 10, 4, 7, 0, tzinfo=UTC))


async def test_forecast_and_budget_answers_say_what_is_left_out(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await rub_org_with_usd(session)  # 100 ₽ on Oct 1, USD 10.25 / 20.50 / 5.00
        await budgets.create_budget(session, org, None, name="Всё", amount=Decimal(50_000))
        await session.commit()
        forecast = await ask.execute(session, org, Question(Intent.FORECAST, D1, D3), today=D3)
        assert isinstance(forecast, ForecastAnswer)
        # the month so far is Oct 1–2: the dollars of those days are in no figure
        assert forecast.left_out == (LeftOut("USD", Decimal("30.75"), "RUB", D1, D2),)
        assert "⚠️ Без USD 30,75\u00a0$: нет курса USD→RUB. Задайте курс: /rates" in \
            render_answer(forecast, "ru")
        assert "Excludes USD $30.75: no USD→RUB rate. Set one with /rates" in \
            render_answer(forecast, "en")
        answer = await ask.execute(session, org, Question(Intent.BUDGET, D1, D3), today=D3)
        assert isinstance(answer, BudgetsAnswer)
        assert answer.items[0].actual == Decimal(100)  # the rubles only (spent to yesterday)
        assert answer.left_out == (LeftOut("USD", Decimal("30.75"), "RUB", D1, D2),)
        assert "⚠️ Без USD 30,75\u00a0$: нет курса USD→RUB." in render_answer(answer, "ru")
        await currency.set_rate_as_operator(session, org, "USD", "90", D1)
        forecast = await ask.execute(session, org, Question(Intent.FORECAST, D1, D3), today=D3)
        assert isinstance(forecast, ForecastAnswer)
        assert forecast.left_out == ()
        assert "USD" not in render_answer(forecast, "ru")
        answer = await ask.execute(session, org, Question(Intent.BUDGET, D1, D3), today=D3)
        assert isinstance(answer, BudgetsAnswer)
        assert answer.items[0].actual == Decimal(100) + Decimal("30.75") * 90
        assert "USD" not in render_answer(answer, "ru")


async def test_the_brief_caption_says_what_is_left_out(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org_id = await rub_org_with_usd(session)
        org = OrgRef(org_id, "acme", "Acme", "RUB", "Europe/Moscow", False)
        doc = await brief_document(session, org, parse_period("2026-10"), "ru", CLOCK)
        assert doc is not None
        assert doc.caption.endswith(
            "\n⚠️ Без USD 35,75\u00a0$: нет курса USD→RUB. Задайте курс: /rates")
        await currency.set_rate_as_operator(session, org_id, "USD", "90", D1)
        doc = await brief_document(session, org, parse_period("2026-10"), "en", CLOCK)
        assert doc is not None
        assert "USD" not in doc.caption


async def test_a_budget_alert_says_what_the_spend_leaves_out(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org = await rub_org_with_usd(session)
        await budgets.create_budget(session, org, None, name="Всё", amount=Decimal(120))
        await session.commit()
        rc = await rule_context(session, org, CLOCK)  # Oct 4: spend counts Oct 1–3
        found = await budget_rule.evaluate(rc)
        assert [c.rule for c in found] == ["budget"]  # 100 ₽ of 120 ₽: 80 % crossed
        view = AlertView(1, found[0].rule, found[0].severity, found[0].payload("RUB"))
        ru = render_alert(view, "ru")
        assert ru.endswith("\n⚠️ Без USD 35,75\u00a0$: нет курса USD→RUB. Задайте курс: /rates")
        assert "Excludes USD $35.75" in render_alert(view, "en")
        await currency.set_rate_as_operator(session, org, "USD", "1", D1)
        found = await budget_rule.evaluate(await rule_context(session, org, CLOCK))
        view = AlertView(1, found[0].rule, found[0].severity, found[0].payload("RUB"))
        assert "USD" not in render_alert(view, "ru")
