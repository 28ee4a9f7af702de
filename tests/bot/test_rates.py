"""/rates end to end through the fake Bot API: every member sees the rates and what is left
out; finance sets one with a decimal comma and a from-date; bad input is answered and asked
again; a viewer cannot start the flow; the chat answer then counts the dollars."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.db.models import Connection, CurrencyRate
from core.domain.roles import Role
from tests.bot.harness import BotHarness
from tests.bot.seed import org_with
from tests.rates.seed import USD_BY_DAY, line


async def _usd_costs(h: BotHarness, org_id: int) -> None:
    async with h.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="focus", name="AWS export", credentials=b"x")
        s.add(conn)
        await s.flush()
        s.add_all([line(org_id, conn.id, d, v, "USD") for d, v in USD_BY_DAY.items()])
        await s.commit()


async def test_finance_sets_a_rate_and_everyone_sees_it(h: BotHarness) -> None:
    org_id = await org_with(h, "Ромашка", (1, Role.FINANCE), (2, Role.VIEWER))
    await _usd_costs(h, org_id)
    viewer = h.client(2)
    await viewer.send("/rates")
    text = viewer.last_reply().text
    assert "Курсов пока нет." in text
    assert "Без USD 35,75\u00a0$ за 1 окт. 2026 — 3 окт. 2026: нет курса USD→RUB." in text
    assert viewer.last_reply().button_texts() == []  # viewers only look
    await viewer.click_data("rate:set:")
    assert "Недостаточно прав" in viewer.alerts()[-1]

    me = h.client(1)
    await me.send("/rates")
    await me.click("✏️ Задать курс")
    assert "Курс какой валюты задать?" in me.last_reply().text
    assert "USD" in me.last_reply().button_texts()
    replies = await me.send("доллары")
    assert "«доллары» — не код валюты ISO 4217" in replies[-1].text
    await me.send("usd")
    assert "Сколько RUB стоит 1 USD?" in me.last_reply().text
    replies = await me.send("-5")
    assert "Курс должен быть положительным числом" in replies[-1].text
    replies = await me.send("девяносто")
    assert "«девяносто» — не число" in replies[-1].text
    await me.send("92,5")
    assert "1 USD = 92,5 RUB" in me.last_reply().text
    assert "С 1 октября 2026" in me.last_reply().button_texts()  # first USD day
    replies = await me.send("31.02.2026")
    assert "не дата" in replies[-1].text
    await me.send("02.10.2026")
    texts = [r.text for r in me.replies()[-2:]]
    assert "✅ Курс сохранён: 1 USD = 92,5 RUB с 2 октября 2026" in texts[0]
    assert "• 1 USD = 92,5 RUB с 2 октября 2026 (вручную)" in texts[1]
    assert "Без USD 10,25\u00a0$: нет курса USD→RUB." in texts[1]  # Oct 1 is before the rate

    await me.send("/rates")
    await me.click("✏️ Задать курс")
    await me.click("USD")
    await me.send("90.1")
    await me.click("С 1 октября 2026")
    assert "Нет курса" not in me.last_reply().text
    async with h.ctx.session() as s:
        rows = (await s.execute(select(CurrencyRate.valid_from, CurrencyRate.rate,
                                       CurrencyRate.source)
                                .order_by(CurrencyRate.valid_from))).all()
    assert [(d, Decimal(r), src) for d, r, src in rows] == [
        (date(2026, 10, 1), Decimal("90.1"), "manual"),
        (date(2026, 10, 2), Decimal("92.5"), "manual")]


async def test_cancel_ends_the_flow(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.ADMIN))
    me = h.client(1)
    await me.send("/rates")
    await me.click("✏️ Задать курс")
    await me.click("Отмена")
    assert me.last_reply().text == "Отменено."
    async with h.ctx.session() as s:
        assert (await s.execute(select(CurrencyRate))).first() is None
