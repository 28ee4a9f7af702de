"""Spend queries: totals, breakdowns, filters, currencies and org scoping on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import Connection, CostLine, CurrencyRate, Organization, Resource
from core.services import costs
from core.services.costs import CostFilters, Dimension

D1, D2, D3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)


def _line(org: int, conn: int, day: date, amount: str, *, provider: str = "selectel",
          service: str = "Compute", resource: int | None = None, name: str = "vm-1",
          currency: str = "RUB", tags: dict[str, str] | None = None,
          project: str | None = None) -> CostLine:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    value = Decimal(amount)
    return CostLine(org_id=org, connection_id=conn, resource_id=resource, day=day,
                    charge_period_start=start, charge_period_end=start + timedelta(days=1),
                    billed_cost=value, effective_cost=value, billing_currency=currency,
                    provider=provider, provider_name=provider.title(), service_name=service,
                    resource_name=name, tags=tags, sub_account_name=project)


async def _seed(session: AsyncSession) -> tuple[int, int, int]:
    org, other = Organization(slug="a", name="A"), Organization(slug="b", name="B")
    session.add_all([org, other])
    await session.flush()
    sel = Connection(org_id=org.id, kind="selectel", name="Sel prod", credentials=b"x")
    aws = Connection(org_id=org.id, kind="focus", name="AWS export", credentials=b"x")
    foreign = Connection(org_id=other.id, kind="beget", name="Other", credentials=b"x")
    session.add_all([sel, aws, foreign])
    await session.flush()
    now = datetime(2026, 10, 1, tzinfo=UTC)
    vm = Resource(org_id=org.id, connection_id=sel.id, external_id="vm-1", name="vm-1",
                  kind="server", team="web", environment="prod", tags={"team": "web"},
                  first_seen_at=now, last_seen_at=now)
    session.add(vm)
    await session.flush()
    session.add_all([
        _line(org.id, sel.id, D1, "100.10", resource=vm.id),
        _line(org.id, sel.id, D2, "200.20", resource=vm.id),
        _line(org.id, sel.id, D2, "50.00", service="Storage", name="vol-1", project="api"),
        _line(org.id, aws.id, D1, "10", provider="aws", service="Amazon EC2", name="i-1",
              currency="USD", tags={"env": "dev"}),
        _line(org.id, aws.id, D3, "3.5", provider="aws", service="Amazon S3", name="b-1",
              currency="EUR"),
        _line(other.id, foreign.id, D1, "999999", provider="beget"),
    ])
    session.add(CurrencyRate(org_id=org.id, currency="USD", rate=Decimal("90.5"),
                             valid_from=date(2026, 9, 1)))
    await session.commit()
    return org.id, other.id, sel.id


async def test_totals_breakdowns_and_currency(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org, other, sel = await _seed(session)
        # 100.10 + 200.20 + 50 + 10 USD × 90.5; the EUR line has no rate and is left out.
        assert await costs.total(session, org, D1, D3) == Decimal("1255.30")
        assert await costs.missing_rates(session, org, D1, D3) == {"EUR"}
        by_provider = await costs.breakdown(session, org, D1, D3, Dimension.PROVIDER)
        assert [(r.key, r.label, r.amount) for r in by_provider] == [
            ("aws", "AWS", Decimal("905.0")), ("selectel", "Selectel", Decimal("350.30"))]
        by_conn = await costs.breakdown(session, org, D1, D3, Dimension.CONNECTION, limit=1)
        assert [r.label for r in by_conn] == ["AWS export"]
        series = await costs.daily(session, org, D1, D3, CostFilters(providers=("selectel",)))
        assert series == [(D1, Decimal("100.10")), (D2, Decimal("250.20")), (D3, Decimal(0))]
        assert await costs.data_range(session, org) == (D1, D3)
        assert await costs.total(session, other, D1, D3) == Decimal("999999")


async def test_filters_by_team_project_tag_and_service(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org, _, sel = await _seed(session)
        assert await costs.total(session, org, D1, D3, CostFilters(teams=("WEB",))) == \
            Decimal("300.30")
        assert await costs.total(session, org, D1, D3, CostFilters(projects=("api",))) == \
            Decimal("50.00")
        assert await costs.total(session, org, D1, D3, CostFilters(tags=(("env", "dev"),))) == \
            Decimal("905.0")
        assert await costs.total(session, org, D1, D3,
                                 CostFilters(services=("storage",), connection_ids=(sel,))) == \
            Decimal("50.00")
        by_service = await costs.daily_by(session, org, D1, D2, Dimension.SERVICE)
        assert by_service["Storage"] == [(D1, Decimal(0)), (D2, Decimal("50.00"))]


async def test_another_orgs_connection_id_yields_nothing(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org, other, _ = await _seed(session)
        foreign_conn = (await costs.breakdown(session, other, D1, D3, Dimension.CONNECTION))[0]
        leaked = await costs.total(session, org, D1, D3,
                                   CostFilters(connection_ids=(int(foreign_conn.key),)))
        assert leaked == Decimal(0)
        assert await costs.data_range(session, 12345) is None


async def test_filters_match_cyrillic_names_in_any_case(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    """Russian project, service, region, team and resource names are matched however the user
    cased them (SQLite's lower() folds ASCII only, so a filter must not lower in SQL), and with
    ё written or not."""
    async with session_maker() as session:
        org, _, sel = await _seed(session)
        now = datetime(2026, 10, 1, tzinfo=UTC)
        box = Resource(org_id=org, connection_id=sel, external_id="vm-ru", name="Сервер-Бэкенд",
                       kind="server", team="Аналитика", environment="Прод",
                       first_seen_at=now, last_seen_at=now)
        session.add(box)
        await session.flush()
        session.add_all([
            _line(org, sel, D1, "7.00", service="Облачные серверы", name="Сервер-Бэкенд",
                  project="Маркетинг", resource=box.id),
            _line(org, sel, D3, "2.00", name="db-1", project="Расчёты")])
        await session.commit()
        assert await costs.total(session, org, D1, D3, CostFilters(  # ASCII and not, at once
            projects=("API", "маркетинг"))) == Decimal("57.00")
        for typed in ("расчеты", "РАСЧЁТЫ", "Расчёты"):
            assert await costs.total(session, org, D1, D3, CostFilters(projects=(typed,))) == \
                Decimal("2.00"), typed
        for filters in (CostFilters(projects=("Маркетинг",)), CostFilters(projects=("маркетинг",)),
                        CostFilters(projects=("МАРКЕТИНГ",)),
                        CostFilters(services=("облачные серверы",)),
                        CostFilters(teams=("аналитика",)), CostFilters(environments=("прод",)),
                        CostFilters(resource_names=("сервер-бэкенд",))):
            assert await costs.total(session, org, D1, D3, filters) == Decimal("7.00"), filters


async def test_tag_filters_match_cyrillic_tags_and_ignore_ascii_case_on_both_engines(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    """A tag written in Russian on a line or on its resource is found by the same words; an
    English one whatever its case, on SQLite and PostgreSQL alike (LIKE ignores case on
    SQLite only: `env=prod` found `Env=Prod` there and nothing on PostgreSQL)."""
    async with session_maker() as session:
        org, _, sel = await _seed(session)
        now = datetime(2026, 10, 1, tzinfo=UTC)
        box = Resource(org_id=org, connection_id=sel, external_id="vm-tag", name="vm-tag",
                       kind="server", tags={"отдел": "Маркетинг"},
                       first_seen_at=now, last_seen_at=now)
        session.add(box)
        await session.flush()
        session.add_all([
            _line(org, sel, D1, "7.00", name="vm-tag", resource=box.id),
            _line(org, sel, D2, "5.00", name="lb-1", tags={"команда": "Аналитика"}),
            _line(org, sel, D3, "3.00", name="lb-2", tags={"Env": "Prod"})])
        await session.commit()
        for key, value in (("env", "prod"), ("ENV", "PROD"), ("Env", "Prod")):
            assert await costs.total(session, org, D1, D3, CostFilters(
                tags=((key, value),))) == Decimal("3.00"), (key, value)
        assert await costs.total(session, org, D1, D3, CostFilters(
            tags=(("отдел", "Маркетинг"),))) == Decimal("7.00")
        assert await costs.total(session, org, D1, D3, CostFilters(
            tags=(("команда", "Аналитика"),))) == Decimal("5.00")
