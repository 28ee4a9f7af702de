"""Beget days never observed are estimates: the spend and forecast answers, the PDF brief and its
caption say «включает оценку за N дн. (Beget)» / "includes N estimated days (Beget)"; a period
with observed days only says nothing. Both engines."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.features.reports.documents import brief_document
from core.clock import FrozenClock
from core.db.models import Connection, Organization
from core.domain.collection import ESTIMATED_TAG
from core.domain.reports import EstimatedDays
from core.services.ask import service as ask
from core.services.ask.types import ForecastAnswer, Intent, Question, SpendAnswer
from core.services.brief import build_brief, parse_period
from core.services.orgs import OrgRef
from renderers.messages.answers import render_answer
from renderers.pdf import render_brief
from tests.rates.seed import line

CLOCK = FrozenClock(datetime(2026, 10, 6, 7, 0, tzinfo=UTC))
OCT = [date(2026, 10, d) for d in range(1, 6)]


async def _org(session: AsyncSession) -> int:
    """Beget at 60 ₽ a day Oct 1–5: Oct 1–2 estimated (before the first sync), Oct 3–5 observed;
    Selectel 100 ₽ on Oct 1."""
    org = Organization(slug="hosting", name="Hosting", currency="RUB")
    session.add(org)
    await session.flush()
    beget = Connection(org_id=org.id, kind="beget", name="Beget", credentials=b"x")
    sel = Connection(org_id=org.id, kind="selectel", name="Selectel", credentials=b"x")
    session.add_all([beget, sel])
    await session.flush()
    for day in OCT:
        row = line(org.id, beget.id, day, Decimal(60), "RUB", provider="beget",
                   service="VPS", name="web-1")
        row.tags = {ESTIMATED_TAG: "daily_price"} if day.day <= 2 else {"env": "prod"}
        session.add(row)
    session.add(line(org.id, sel.id, OCT[0], Decimal(100), "RUB", provider="selectel",
                     service="Compute", name="vm-1"))
    await session.commit()
    return org.id


async def test_answers_and_the_brief_say_which_days_are_estimated(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org_id = await _org(session)
        spend = await ask.execute(session, org_id, Question(Intent.SPEND, OCT[0], OCT[-1]),
                                  today=date(2026, 10, 6))
        assert isinstance(spend, SpendAnswer)
        assert spend.total == Decimal(400)
        assert spend.estimated == (EstimatedDays("beget", 2),)
        assert "ℹ️ Включает оценку за 2 дн. (Beget)" in render_answer(spend, "ru")
        assert "ℹ️ Includes 2 estimated days (Beget)" in render_answer(spend, "en")
        observed = await ask.execute(session, org_id, Question(Intent.SPEND, OCT[2], OCT[-1]),
                                     today=date(2026, 10, 6))
        assert isinstance(observed, SpendAnswer)
        assert observed.estimated == ()
        assert "оценк" not in render_answer(observed, "ru")
        forecast = await ask.execute(session, org_id, Question(Intent.FORECAST, OCT[0], OCT[-1]),
                                     today=date(2026, 10, 6))
        assert isinstance(forecast, ForecastAnswer)
        assert "Включает оценку за 2 дн. (Beget)" in render_answer(forecast, "ru")
        brief = await build_brief(session, org_id, parse_period("2026-10"), "en", CLOCK)
        assert brief.estimated == (EstimatedDays("beget", 2),)
        pdf_text = " ".join(page.extract_text() for page in PdfReader(
            io.BytesIO(render_brief(brief))).pages)
        assert "Includes 2 estimated days (Beget)" in pdf_text
        org = OrgRef(org_id, "hosting", "Hosting", "RUB", "Europe/Moscow", False)
        doc = await brief_document(session, org, parse_period("2026-10"), "ru", CLOCK)
        assert doc is not None
        assert doc.caption.endswith("\nℹ️ Включает оценку за 2 дн. (Beget)")
