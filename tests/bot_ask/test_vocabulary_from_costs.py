"""An org that only imports billing files (FOCUS from AWS, Azure, GCP) has no resources: the
parser must still know its services, regions and accounts, from what its costs were billed
under."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.query.parser import parse
from core.services import costs
from core.services.ask.parsed import question_from_parsed
from core.services.ask.service import execute, resolve_filters
from core.services.ask.types import SpendAnswer
from core.services.ask.vocabulary import build_vocabulary
from tests.intelligence.conftest import connection, days_before, small_org
from tests.intelligence.conftest import costs as bill

TODAY = date(2026, 11, 20)


async def test_a_file_only_org_is_asked_about_its_services_and_accounts_by_name(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as s:
        org = await small_org(s, "Files only")
        conn = await connection(s, org, "AWS export", kind="focus")
        week = days_before(TODAY, 5, "100")
        await bill(s, org, conn, week, provider="aws", service="Amazon Elastic Compute Cloud",
                   account="Atlas Nimbus", region="eu-west-1")
        await bill(s, org, conn, {day: Decimal(40) for day in week}, provider="aws",
                   service="Amazon Simple Storage Service", account="Orion Data",
                   region="us-east-1")
        await s.commit()
        known = await build_vocabulary(s, org)
        assert {"Amazon Elastic Compute Cloud", "Amazon Simple Storage Service"} <= set(
            known.services)
        assert {"Atlas Nimbus", "Orion Data"} <= set(known.projects)
        assert {"eu-west-1", "us-east-1"} <= set(known.regions)
        for text, expected in (("сколько стоит amazon simple storage service за неделю", "200"),
                               ("расходы по аккаунту Atlas Nimbus за неделю", "500"),
                               ("spend in eu-west-1 this week", "400")):
            parsed = parse(text, today=TODAY, known=known)
            assert parsed.unparsed == (), text
            question = question_from_parsed(parsed)
            assert question is not None
            answer = await execute(s, org, question, today=TODAY)
            assert isinstance(answer, SpendAnswer)
            assert answer.total == Decimal(expected), text
            assert answer.total < await costs.total(s, org, question.start, question.end)
            assert await resolve_filters(s, org, question) == question.filters


async def test_connection_names_resolve_without_dropping_the_other_filters(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    """Turning a question's connection names into ids keeps every other filter it has
    (the charge category too, which a purchases question narrows to)."""
    from core.query.model import Intent
    from core.services.ask.types import Question

    async with session_maker() as s:
        org = await small_org(s, "Named")
        conn = await connection(s, org, "AWS export", kind="focus")
        await s.commit()
        asked = costs.CostFilters(providers=("aws",), services=("EC2",), tags=(("env", "prod"),),
                                  charge_categories=("Purchase",))
        question = Question(Intent.SPEND, TODAY, TODAY, asked, ("aws export",))
        resolved = await resolve_filters(s, org, question)
        assert resolved == costs.CostFilters(
            providers=("aws",), connection_ids=(conn,), services=("EC2",),
            tags=(("env", "prod"),), charge_categories=("Purchase",))
