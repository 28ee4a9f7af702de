"""Questions answered by core.services.ask.service over the demo organisation (no bot involved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.db.models import Connection, Organization, Resource
from core.services import costs
from core.services.ask.service import execute
from core.services.ask.types import (
    BudgetsAnswer,
    ForecastAnswer,
    Intent,
    Question,
    RecommendationsAnswer,
    ResourcesAnswer,
    SpendAnswer,
    TopAnswer,
    TrendAnswer,
)
from core.services.ask.vocabulary import VocabularyCache
from core.services.costs import CostFilters
from tests.bot_ask.conftest import TODAY, Demo

OCT = (date(2026, 10, 1), date(2026, 10, 31))


async def test_spend_matches_costs_and_compares_with_the_previous_period(demo: Demo) -> None:
    async with demo.sessions() as s:
        answer = await execute(s, demo.org_id, Question(Intent.SPEND, *OCT), today=TODAY)
        assert isinstance(answer, SpendAnswer)
        assert answer.total == await costs.total(s, demo.org_id, *OCT)
        assert (answer.previous_start, answer.previous_end) == (date(2026, 8, 31),
                                                              date(2026, 9, 30))
        assert answer.previous_total == await costs.total(s, demo.org_id, date(2026, 8, 31),
                                                          date(2026, 9, 30))
        assert answer.change_ratio is not None
        assert answer.change_ratio > 0
        assert sum(r.amount for r in answer.by_service) == answer.total
        assert {r.key for r in answer.by_provider} == {"selectel", "beget"}


async def test_connection_name_filters_inside_the_org_only(demo: Demo) -> None:
    async with demo.sessions() as s:
        other = Organization(slug="other", name="Other")
        s.add(other)
        await s.flush()
        s.add(Connection(org_id=other.id, kind="beget", name="Mine", credentials=b"x"))
        await s.flush()
        beget = await execute(s, demo.org_id, Question(
            Intent.SPEND, *OCT, connection_names=("beget dev",)), today=TODAY)
        foreign = await execute(s, demo.org_id, Question(
            Intent.SPEND, *OCT, connection_names=("Mine",)), today=TODAY)
        assert isinstance(beget, SpendAnswer)
        assert isinstance(foreign, SpendAnswer)
        assert Decimal(0) < beget.total < Decimal(100_000)
        assert foreign.total == 0


async def test_top_trend_forecast_and_budgets(demo: Demo) -> None:
    async with demo.sessions() as s:
        top = await execute(s, demo.org_id, Question(Intent.TOP, *OCT, limit=5), today=TODAY)
        assert isinstance(top, TopAnswer)
        assert len(top.rows) == 5
        assert top.rows[0].amount >= top.rows[-1].amount
        assert all(r.extra["provider"] in {"selectel", "beget"} for r in top.rows)
        trend = await execute(s, demo.org_id, Question(
            Intent.TREND, date(2026, 10, 23), date(2026, 11, 21)), today=TODAY)
        assert isinstance(trend, TrendAnswer)
        assert len(trend.series) == 30
        assert len(trend.forecast) == 14
        assert all(
            p.lower <= p.value <= p.upper for p in trend.forecast)
        fc = await execute(s, demo.org_id, Question(Intent.FORECAST, *OCT), today=TODAY)
        assert isinstance(fc, ForecastAnswer)
        assert fc.lower <= fc.total <= fc.upper
        assert fc.actual_to_date < fc.total
        assert fc.budget == Decimal(480_000)
        budgets = await execute(s, demo.org_id, Question(Intent.BUDGET, *OCT), today=TODAY)
        assert isinstance(budgets, BudgetsAnswer)
        assert {b.name for b in budgets.items} == {"Облако — всего", "Beget Dev"}
        org_budget = next(b for b in budgets.items if b.name == "Облако — всего")
        assert org_budget.actual == fc.actual_to_date.quantize(Decimal("0.01"))


async def test_cyrillic_connection_and_project_names_match_however_typed(demo: Demo) -> None:
    """A Russian connection or project name finds its costs and resources in the user's own
    casing (SQL's lower() folds only ASCII on SQLite and under PostgreSQL's C locale)."""
    async with demo.sessions() as s:
        beget = (await s.execute(select(Connection).where(
            Connection.org_id == demo.org_id, Connection.kind == "beget"))).scalars().first()
        assert beget is not None
        beget.name = "Бегет Разработка"
        box = (await s.execute(select(Resource).where(
            Resource.org_id == demo.org_id).order_by(Resource.id))).scalars().first()
        assert box is not None
        box.project = "Маркетинг"
        await s.flush()
        asked = await execute(s, demo.org_id, Question(
            Intent.SPEND, *OCT, connection_names=("бегет РАЗРАБОТКА",)), today=TODAY)
        assert isinstance(asked, SpendAnswer)
        expected = await costs.total(s, demo.org_id, *OCT, CostFilters(connection_ids=(beget.id,)))
        assert asked.total == expected > 0
        listed = await execute(s, demo.org_id, Question(
            Intent.RESOURCES, *OCT, filters=CostFilters(projects=("маркетинг",))), today=TODAY)
        assert isinstance(listed, ResourcesAnswer)
        assert [i.name for i in listed.items] == [box.name]


async def test_resources_page_and_recommendations(demo: Demo) -> None:
    async with demo.sessions() as s:
        first = await execute(s, demo.org_id, Question(Intent.RESOURCES, *OCT, limit=10),
                              today=TODAY)
        last = await execute(s, demo.org_id, Question(Intent.RESOURCES, *OCT, limit=10,
                                                      page=99), today=TODAY)
        assert isinstance(first, ResourcesAnswer)
        assert isinstance(last, ResourcesAnswer)
        assert first.count == 45
        assert first.pages == 5
        assert last.page == 4
        assert len(last.items) == 5
        assert first.orphans >= 2
        recs = await execute(s, demo.org_id, Question(Intent.RECOMMENDATIONS, *OCT, limit=5),
                             today=TODAY)
        assert isinstance(recs, RecommendationsAnswer)
        assert recs.count == 20
        assert len(recs.items) == 5
        assert recs.total_saving > recs.items[0].monthly_saving
        filtered = await execute(s, demo.org_id, Question(
            Intent.RESOURCES, *OCT, filters=CostFilters(providers=("beget",))), today=TODAY)
        assert isinstance(filtered, ResourcesAnswer)
        assert {i.provider for i in filtered.items} == {"beget"}


async def test_vocabulary_is_cached_per_org_until_it_expires(demo: Demo) -> None:
    clock = [0.0]
    cache = VocabularyCache(ttl=300, monotonic=lambda: clock[0])
    async with demo.sessions() as s:
        first = await cache.get(s, demo.org_id)
        assert "Selectel BU-A" in first.connections
        assert "core-api" in first.projects
        s.add(Connection(org_id=demo.org_id, kind="beget", name="New one", credentials=b"x"))
        await s.flush()
        assert await cache.get(s, demo.org_id) is first
        clock[0] = 301
        assert "New one" in (await cache.get(s, demo.org_id)).connections


def test_parsed_question_becomes_an_executable_question() -> None:
    from core.query.model import Filters, ParsedQuery, Period, PeriodSource
    from core.query.model import Intent as ParsedIntent
    from core.services.ask.parsed import question_from_parsed

    parsed = ParsedQuery(ParsedIntent.TOP, Period(*OCT), PeriodSource.TEXT,
                         Filters(provider="selectel", connection="Beget Dev",
                                 tags=(("env", "prod"),)), top_n=3)
    question = question_from_parsed(parsed)
    assert question is not None
    assert question.intent is Intent.TOP
    assert question.limit == 3
    assert question.filters.providers == ("selectel",)
    assert question.filters.tags == (("env", "prod"),)
    assert question.connection_names == ("Beget Dev",)
    unknown = ParsedQuery(ParsedIntent.UNKNOWN, Period(*OCT), PeriodSource.DEFAULT)
    assert question_from_parsed(unknown) is None
