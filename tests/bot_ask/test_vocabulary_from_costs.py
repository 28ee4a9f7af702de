"""An org that only imports billing files (FOCUS from AWS, Azure, GCP) has no resources: the
parser must still know its services, regions and accounts, from what its costs were billed
under."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import Connection, CostLine, Organization
from core.query.parser import parse
from core.services import costs
from core.services.ask.parsed import question_from_parsed
from core.services.ask.service import execute, resolve_filters
from core.services.ask.types import SpendAnswer
from core.services.ask.vocabulary import build_vocabulary

TODAY = date(2026, 11, 20)


def _row(org: int, conn: int, day: date, amount: str, service: str, account: str,
         region: str) -> dict[str, object]:
    start = datetime.combine(day, datetime.min.time(), UTC)
    return {"org_id": org, "connection_id": conn, "day": day, "charge_period_start": start,
            "charge_period_end": start + timedelta(days=1), "billed_cost": Decimal(amount),
            "effective_cost": Decimal(amount), "billing_currency": "RUB", "provider": "aws",
            "provider_name": "AWS", "service_name": service, "sub_account_name": account,
            "region_id": region, "source": "focus"}


async def test_a_file_only_org_is_asked_about_its_services_and_accounts_by_name(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as s:
        org = Organization(slug="files", name="Files only")
        s.add(org)
        await s.flush()
        conn = Connection(org_id=org.id, kind="focus", name="AWS export", credentials=b"x")
        s.add(conn)
        await s.flush()
        days = [TODAY - timedelta(days=i) for i in range(1, 6)]
        await s.execute(insert(CostLine), [
            *(_row(org.id, conn.id, d, "100", "Amazon Elastic Compute Cloud", "Atlas Nimbus",
                   "eu-west-1") for d in days),
            *(_row(org.id, conn.id, d, "40", "Amazon Simple Storage Service", "Orion Data",
                   "us-east-1") for d in days)])
        await s.commit()
        known = await build_vocabulary(s, org.id)
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
            answer = await execute(s, org.id, question, today=TODAY)
            assert isinstance(answer, SpendAnswer)
            assert answer.total == Decimal(expected), text
            assert answer.total < await costs.total(s, org.id, question.start, question.end)
            assert await resolve_filters(s, org.id, question) == question.filters
