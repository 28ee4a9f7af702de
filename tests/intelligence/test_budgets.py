"""Budgets: periods, scopes, thresholds, forecast overrun, budget-vs-actual and validation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db.engine import session_factory
from core.domain.roles import Role
from core.services import budgets
from core.services.ask.service import execute
from core.services.ask.types import BudgetsAnswer, Intent, Question
from core.services.errors import Forbidden, NotFound, ServiceError
from renderers.messages.answers import render_answer
from renderers.messages.budgets import Target, render_card
from tests.intelligence.conftest import TODAY, connection, costs, days_before, member, small_org


@pytest.mark.parametrize(("period", "day", "bounds"), [
    ("month", date(2026, 2, 10), (date(2026, 2, 1), date(2026, 2, 28))),
    ("quarter", date(2026, 11, 22), (date(2026, 10, 1), date(2026, 12, 31))),
    ("quarter", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
    ("year", date(2026, 6, 30), (date(2026, 1, 1), date(2026, 12, 31))),
])
def test_period_bounds(period: str, day: date, bounds: tuple[date, date]) -> None:
    assert budgets.period_bounds(period, day) == bounds


async def test_status_thresholds_and_overrun(sqlite_engine: AsyncEngine,
                                             clock: FrozenClock) -> None:
    async with session_factory(sqlite_engine)() as session:
        org = await small_org(session)
        user = await member(session, org, 10, Role.FINANCE)
        conn = await connection(session, org, "Beget")
        await costs(session, org, conn, days_before(TODAY, 60, "1000"))
        await costs(session, org, conn, days_before(TODAY, 60, "500"), service="S3")
        month = await budgets.create_budget(session, org, user, name="Месяц",
                                            amount=Decimal(40000))
        s3 = await budgets.create_budget(session, org, user, name="S3", amount=Decimal(20000),
                                         scope_kind="service", scope_value="S3",
                                         thresholds=(90, 25))
        quarter = await budgets.create_budget(session, org, user, name="Квартал",
                                              amount=Decimal(200000), period="quarter",
                                              scope_kind="connection", scope_value=str(conn))
        m = await budgets.budget_status(session, org, month, clock)
        s = await budgets.budget_status(session, org, s3, clock)
        q = await budgets.budget_status(session, org, quarter, clock)
        chart = await budgets.budget_vs_actual(session, org, month, clock)
        ordered = await budgets.list_statuses(session, org, clock)
    assert (m.spent, m.share, m.crossed, m.next_threshold) == (
        Decimal("31500.00"), Decimal("78.8"), (50,), 80)
    assert m.forecast == Decimal("45000.00")  # 21 days spent + 9 days at 1 500
    assert m.forecast_overrun
    assert (s.spent, s.thresholds, s.crossed, s.forecast_overrun) == (
        Decimal("10500.00"), (25, 90), (25,), False)
    assert q.period_start == date(2026, 10, 1)
    assert q.spent == Decimal("78000.00")  # Oct 1 … Nov 21: 52 days × 1 500
    assert q.forecast == Decimal("138000.00")
    assert [p.day for p in chart][0] == date(2026, 11, 1)
    assert len(chart) == 30
    assert chart[20].actual == Decimal("31500.00")
    assert chart[21].actual is None
    assert chart[-1].plan == Decimal("40000.00")
    assert chart[-1].forecast == Decimal("45000.00")
    assert ordered[0].name == "Месяц"


async def test_budget_rules_on_both_engines(
        session_maker: async_sessionmaker[AsyncSession], clock: FrozenClock) -> None:
    async with session_maker() as session:
        org = await small_org(session)
        other = await small_org(session, "Чужая")
        foreign_conn = await connection(session, other, "Их")
        owner = await member(session, org, 1, Role.OWNER)
        viewer = await member(session, org, 2, Role.VIEWER)
        with pytest.raises(Forbidden):
            await budgets.create_budget(session, org, viewer, name="X", amount=Decimal(1))
        for kwargs, message in (
                ({"amount": Decimal(0)}, "positive"),
                ({"amount": Decimal(5), "period": "week"}, "period must be one of"),
                ({"amount": Decimal(5), "scope_kind": "galaxy"}, "scope must be one of"),
                ({"amount": Decimal(5), "scope_kind": "team"}, "needs a scope value"),
                ({"amount": Decimal(5), "thresholds": ()}, "thresholds")):
            with pytest.raises(ServiceError, match=message):
                await budgets.create_budget(session, org, owner, name="X", **kwargs)
        with pytest.raises(NotFound):
            await budgets.create_budget(session, org, owner, name="X", amount=Decimal(5),
                                        scope_kind="connection", scope_value=str(foreign_conn))
        budget_id = await budgets.create_budget(session, org, owner, name="Команда",
                                                amount=Decimal(1000), scope_kind="team",
                                                scope_value="platform")
        await budgets.update_budget(session, org, owner, budget_id, amount=Decimal(2000),
                                    thresholds=(80, 100, 120))
        status = await budgets.budget_status(session, org, budget_id, clock)
        assert (status.amount, status.thresholds, status.spent) == (
            Decimal("2000.00"), (80, 100, 120), Decimal("0.00"))
        with pytest.raises(NotFound):
            await budgets.budget_status(session, other, budget_id, clock)
        await budgets.delete_budget(session, org, owner, budget_id)
        assert await budgets.list_statuses(session, org, clock) == []
        await session.commit()


async def test_a_budget_for_a_russian_service_counts_its_spend(
        session_maker: async_sessionmaker[AsyncSession], clock: FrozenClock) -> None:
    """A budget scoped to a service named in Russian sees that service's spend, however the
    owner cased the name (before, lower() in SQL folded only ASCII: the budget saw 0 ₽ and
    never warned)."""
    async with session_maker() as session:
        org = await small_org(session)
        owner = await member(session, org, 1, Role.OWNER)
        conn = await connection(session, org, "Selectel")
        await costs(session, org, conn, days_before(TODAY, 10, "300"),
                    service="Облачные серверы")
        await costs(session, org, conn, days_before(TODAY, 10, "100"), service="Хранилище")
        for typed in ("Облачные серверы", "облачные СЕРВЕРЫ"):
            budget_id = await budgets.create_budget(
                session, org, owner, name=typed, amount=Decimal(3000),
                scope_kind="service", scope_value=typed, thresholds=(50, 100))
            status = await budgets.budget_status(session, org, budget_id, clock)
            assert (status.spent, status.crossed) == (Decimal("3000.00"), (50, 100)), typed


async def test_scope_has_costs_tells_a_misspelt_scope_from_a_quiet_one(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    """What the budget wizard asks before it takes a typed scope: rollup scopes (service,
    provider) and line scopes (tags) both, matched as the budget will match them."""
    async with session_maker() as session:
        org = await small_org(session)
        conn = await connection(session, org, "Selectel")
        await costs(session, org, conn, days_before(TODAY, 5, "0"), service="Расчёты")
        await costs(session, org, conn, {TODAY - timedelta(days=200): Decimal(9)},
                    service="Старый сервис")
        await session.commit()
        found = {(kind, value): await budgets.scope_has_costs(session, org, kind, value, TODAY)
                 for kind, value in (("service", "расчеты"), ("service", "Расчты"),
                                     ("service", "Старый сервис"), ("provider", "beget"),
                                     ("provider", "aws"), ("tag", "env=prod"), ("org", None))}
    assert found == {("service", "расчеты"): True,  # zero-cost lines count: the name is right
                     ("service", "Расчты"): False, ("service", "Старый сервис"): False,
                     ("provider", "beget"): True, ("provider", "aws"): False,
                     ("tag", "env=prod"): False, ("org", None): True}


@pytest.mark.parametrize(("typed", "amount"), [
    ("150 000", "150000.00"), ("150000,50", "150000.50"), ("99 999,50", "99999.50"),
    ("12 500.5", "12500.50"), ("150 000 ₽", "150000.00"), ("1.500.000", "1500000.00"),
    ("1,500,000", "1500000.00"), ("150к", "150000.00"), ("150 тыс", "150000.00"),
    ("1,5 млн", "1500000.00"), ("2m", "2000000.00"), ("0,500", "0.50"), ("150.5", "150.50"),
])
def test_amounts_as_people_type_them(typed: str, amount: str) -> None:
    assert budgets.parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(("typed", "field"), [
    ("150.000", "amount_ambiguous"), ("150,000", "amount_ambiguous"),
    ("2,500", "amount_ambiguous"), ("1,500 тыс", "amount_ambiguous"),
    ("150,000k", "amount_ambiguous"), ("-5", "amount"), ("1e6", "amount"),
    ("1.000.5", "amount"), ("пятьдесят", "amount"),
])
def test_an_amount_that_reads_two_ways_or_none_is_refused(typed: str, field: str) -> None:
    """"150.000" is 150 in one habit and 150 000 in the other: a budget a thousand times off
    would warn at once or never, so the wizard asks instead of guessing."""
    with pytest.raises(budgets.BudgetInputError) as refused:
        budgets.parse_amount(typed)
    assert refused.value.field == field


async def test_a_budget_whose_scope_matches_no_cost_says_its_zero_is_no_measurement(
        session_maker: async_sessionmaker[AsyncSession], clock: FrozenClock) -> None:
    """A budget made from the command line (or before the wizard asked) on a misspelt name
    shows 0; its card says that 0 means "found nothing", not "spent nothing"."""
    async with session_maker() as session:
        org = await small_org(session)
        owner = await member(session, org, 1, Role.OWNER)
        conn = await connection(session, org, "Selectel")
        await costs(session, org, conn, days_before(TODAY, 10, "300"), service="Хранилище")
        made = {typed: await budgets.create_budget(
            session, org, owner, name=typed, amount=Decimal(3000), scope_kind="service",
            scope_value=typed) for typed in ("Хранилишще", "хранилище")}
        whole = await budgets.create_budget(session, org, owner, name="Все",
                                            amount=Decimal(3000))
        wrong = await budgets.budget_status(session, org, made["Хранилишще"], clock)
        right = await budgets.budget_status(session, org, made["хранилище"], clock)
        everything = await budgets.budget_status(session, org, whole, clock)
        listed = await execute(session, org, Question(Intent.BUDGET, TODAY, TODAY), today=TODAY)
    assert isinstance(listed, BudgetsAnswer)
    text = render_answer(listed, "ru")
    assert text.count("0 значит «не нашёл»") == 1, text  # the misspelt one only
    assert (wrong.spent, wrong.unmatched) == (Decimal("0.00"), True)
    assert (right.spent, right.unmatched) == (Decimal("3000.00"), False)
    assert everything.unmatched is False
    target = Target("personal")
    assert "0 здесь значит «не нашёл»" in render_card(wrong, "ru", scope="x", target=target)
    assert "not “spent nothing”" in render_card(wrong, "en", scope="x", target=target)
    assert "не нашёл" not in render_card(right, "ru", scope="x", target=target)


async def test_scope_choices_come_from_resources_and_from_what_was_billed(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    """The wizard's buttons: services the org was billed for and projects its costs carry
    (a billing file's sub-accounts, with no resource behind them) as well as its resources'."""
    async with session_maker() as session:
        org = await small_org(session)
        conn = await connection(session, org, "AWS", kind="focus")
        await costs(session, org, conn, days_before(TODAY, 3, "10"), service="Amazon S3",
                    account="Atlas Nimbus")
        await costs(session, org, conn, days_before(TODAY, 3, "20"), service="Amazon EC2")
        await session.commit()
        services = await budgets.scope_choices(session, org, "service")
        projects = await budgets.scope_choices(session, org, "project")
    assert services == [("Amazon EC2", "Amazon EC2"), ("Amazon S3", "Amazon S3")]
    assert projects == [("Atlas Nimbus", "Atlas Nimbus")]
