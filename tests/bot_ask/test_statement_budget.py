"""How many SQL statements a question costs: a guard against N+1 reads coming back.

A `/budget` answer once read the org's currency, its rates and two sums again for every budget
(24 statements for two budgets through the bot), and `/spend` re-read the currency and the
rates for each of its sums. A question now reads them once (`costs.CostContext`) and all
budgets' series in one statement, so the count is small and does not grow with the number of
budgets. The bounds are the figures measured when this was fixed; the answers are checked
against the plain per-query services so a cheaper answer is also the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.models import Budget
from core.domain.money import quantize_money
from core.security.vault import Vault
from core.services import budgets, costs
from core.services.ask.service import default_question, execute
from core.services.ask.types import BudgetsAnswer, Intent, SpendAnswer
from core.services.demo import seed_demo
from tests.bot_ask.conftest import TODAY

BUDGET_STATEMENTS = 7  # org, budgets, data range, rates, all budgets' series, left out,
#   swaps under way (core.services.updating)
SPEND_STATEMENTS = 8  # org, rates, 2 breakdowns, previous total, left out, estimated days,
#   swaps under way (core.services.updating: one look at a partial index)


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine sends while inside, in order."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _demo(sessions: async_sessionmaker[AsyncSession], vault: Vault) -> int:
    async with sessions() as s:
        org_id = (await seed_demo(s, vault, today=TODAY)).org_id
        await s.commit()
    return org_id


async def _add_budget(sessions: async_sessionmaker[AsyncSession], org_id: int, name: str,
                      scope_kind: str, scope_value: str, amount: int) -> None:
    async with sessions() as s:
        s.add(Budget(org_id=org_id, name=name, scope_kind=scope_kind, scope_value=scope_value,
                     period="month", amount=Decimal(amount), currency="RUB",
                     thresholds=[50, 80, 100]))
        await s.commit()


async def _budget_answer(engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession],
                         org_id: int) -> tuple[BudgetsAnswer, int]:
    async with sessions() as s:
        with counted(engine) as seen:
            answer = await execute(s, org_id, default_question(Intent.BUDGET, TODAY),
                                   today=TODAY)
    assert isinstance(answer, BudgetsAnswer)
    return answer, len(seen)


async def test_budget_question_reads_a_fixed_number_of_statements(
        engine: AsyncEngine, session_maker: async_sessionmaker[AsyncSession],
        vault: Vault) -> None:
    org_id = await _demo(session_maker, vault)  # the demo has an org and a connection budget
    await _add_budget(session_maker, org_id, "Selectel", "provider", "selectel", 300_000)
    answer, three = await _budget_answer(engine, session_maker, org_id)
    assert len(answer.items) == 3
    assert three <= BUDGET_STATEMENTS

    # the same figures as asking each budget's scope on its own
    month_start, yesterday = date(2026, 11, 1), date(2026, 11, 21)
    async with session_maker() as s:
        rows = (await s.execute(select(Budget).where(Budget.org_id == org_id))).scalars()
        scopes = {b.id: budgets.scope_filters(b.scope_kind, b.scope_value) for b in rows}
        for item in answer.items:
            spent = await costs.total(s, org_id, month_start, yesterday, scopes[item.id])
            assert item.actual == quantize_money(spent) > 0

    # two more budgets, and not one statement more
    await _add_budget(session_maker, org_id, "Compute", "service", "Compute", 100_000)
    await _add_budget(session_maker, org_id, "Beget", "provider", "beget", 50_000)
    answer, five = await _budget_answer(engine, session_maker, org_id)
    assert len(answer.items) == 5
    assert five == three


async def test_spend_question_reads_each_sum_once(
        engine: AsyncEngine, session_maker: async_sessionmaker[AsyncSession],
        vault: Vault) -> None:
    org_id = await _demo(session_maker, vault)
    question = default_question(Intent.SPEND, TODAY)
    async with session_maker() as s:
        with counted(engine) as seen:
            answer = await execute(s, org_id, question, today=TODAY)
        assert isinstance(answer, SpendAnswer)
        assert len(seen) <= SPEND_STATEMENTS
        assert answer.total == await costs.total(s, org_id, question.start, question.end) > 0
        assert answer.previous_total == await costs.total(
            s, org_id, answer.previous_start, answer.previous_end)

