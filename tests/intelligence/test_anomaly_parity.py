"""Chat (`/anomalies`) and the alert job tell the same events on the same data: the purchases
the bill marks (FOCUS ChargeCategory `Purchase`) are expected in both, read over the same
history, and a question about one connection uses that connection's purchases only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.alerts.anomaly import RECENT_DAYS, evaluate
from core.alerts.engine import rule_context
from core.clock import FrozenClock
from core.query.model import Intent
from core.services.ask.service import execute
from core.services.ask.types import AnomaliesAnswer, Question
from core.services.costs import CostFilters
from tests.intelligence.conftest import connection, costs, small_org

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
TODAY = date(2026, 12, 3)
FEE_DAY = date(2026, 12, 1)  # the monthly plan, billed as a purchase on the 1st
SPIKE_DAY = date(2026, 12, 2)  # a runaway job on Selectel, the one real anomaly
SINCE = TODAY - timedelta(days=RECENT_DAYS)
RESERVED_DAY = SINCE  # Selectel reserves a year of a server, once, billed as a purchase


def _usage(days: int, base: int) -> dict[date, Decimal]:
    """Weekday rhythm with a little deterministic noise, ending yesterday."""
    out = {}
    for i in range(1, days + 1):
        day = TODAY - timedelta(days=i)
        level = base * (7 if day.weekday() >= 5 else 10) // 10
        out[day] = Decimal(level + (i * 37) % 150)
    return out


async def _seed(session: AsyncSession) -> tuple[int, int, int]:
    org = await small_org(session)
    selectel = await connection(session, org, "Selectel", kind="selectel")
    beget = await connection(session, org, "Beget")
    usage = _usage(150, 10000)
    usage[SPIKE_DAY] += Decimal(25000)
    await costs(session, org, selectel, usage, provider="selectel")
    firsts = {d: Decimal(30000) for d in usage if d.day == 1}
    await costs(session, org, selectel, firsts, provider="selectel", category="Purchase")
    await costs(session, org, selectel, {RESERVED_DAY: Decimal(40000)}, provider="selectel",
                category="Purchase")
    await costs(session, org, beget, _usage(150, 4000))
    # Beget buys a reservation on the spike's day: it must not hide Selectel's spike
    await costs(session, org, beget, {SPIKE_DAY: Decimal(25000)}, category="Purchase")
    return org, selectel, beget


async def _chat(session: AsyncSession, org: int, filters: CostFilters
                ) -> set[tuple[str, str, date]]:
    question = Question(Intent.ANOMALIES, SINCE, TODAY, filters=filters)
    answer = await execute(session, org, question, today=TODAY)
    assert isinstance(answer, AnomaliesAnswer)
    assert answer.unanalysed == ()
    return {(item.series, item.kind, item.start) for item in answer.items}


async def test_chat_and_alerts_agree_on_a_purchase_fee_and_a_spike(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as session:
        org, selectel, _ = await _seed(session)
        rc = await rule_context(session, org, FrozenClock(NOW))
        candidates = await evaluate(rc)
        chat = await _chat(session, org, CostFilters())
        scoped = await _chat(session, org, CostFilters(connection_ids=(selectel,)))
    # the alert job: one event, the spike, in its narrowest series; not the fee, not the
    # reservation
    assert [(c.values["series"], c.values["kind"], c.dates["start"]) for c in candidates] == [
        ("service:Compute", "spike", SPIKE_DAY)]
    assert set(candidates[0].values["also_in"]) == {f"connection:{selectel}",
                                                    "provider:selectel", "org"}
    # chat, the whole org: the same event in the same (service) series
    assert chat == {("Compute", "spike", SPIKE_DAY)}
    # chat, Selectel only: Selectel's series and its purchases (not Beget's reservation)
    assert scoped == {("Compute", "spike", SPIKE_DAY)}
