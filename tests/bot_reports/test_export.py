"""/export end to end over the demo organisation: format → period → a CSV document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.features.reports import handlers
from core.db.models import Connection
from core.domain.roles import Role
from core.services import costs
from tests.bot.harness import BotHarness
from tests.bot_reports.helpers import csv_rows, demo_user, documents, file_names
from tests.support.swaps import end_swap, swapping

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


async def test_focus_export_sums_to_the_period_total(hd: BotHarness, demo_org_id: int) -> None:
    carol = await demo_user(hd, 2101, role=Role.MEMBER)
    formats = (await carol.send("/export"))[-1]
    assert "В каком формате?" in formats.text
    assert formats.button_texts() == ["📊 Расходы по дням (CSV)",
                                      "👥 Chargeback по командам (CSV)", "🧾 FOCUS (CSV)"]
    periods = (await carol.click("🧾 FOCUS (CSV)"))[-1]
    assert periods.method == "editMessageText"
    assert periods.button_texts() == ["Этот месяц", "Прошлый месяц", "Последние 30 дней"]
    await carol.click("Прошлый месяц")
    assert hd.fake.calls_of("sendChatAction")[-1].params["action"] == "upload_document"
    [doc] = documents(hd, 2101)
    rows = csv_rows(doc.files["document"])
    assert rows
    assert {r["BillingPeriodStart"] for r in rows} == {"2026-10-01T00:00:00Z"}
    async with hd.ctx.session() as s:
        total = await costs.total(s, demo_org_id, *OCTOBER)
    assert sum(Decimal(r["BilledCost"]) for r in rows) == total
    caption = str(doc.params["caption"])
    assert "FOCUS 1.2, CSV" in caption
    assert "октябрь 2026" in caption
    assert f"{len(rows):,}".replace(",", "\u00a0") in caption
    assert file_names(hd)[-1] == "infrazen-focus-2026-10.csv"


@pytest.mark.parametrize(("button", "name", "column"), [
    ("📊 Daily costs (CSV)", "costs", "cost"),
    ("👥 Chargeback by team (CSV)", "chargeback", "cost"),
])
async def test_csv_exports_in_english_over_the_last_30_days(
        hd: BotHarness, demo_org_id: int, button: str, name: str, column: str) -> None:
    dave = await demo_user(hd, 2102, lang="en", role=Role.FINANCE)
    await dave.send("/export")
    await dave.click(button)
    await dave.click("Last 30 days")
    [doc] = documents(hd, 2102)
    rows = csv_rows(doc.files["document"])
    async with hd.ctx.session() as s:
        total = await costs.total(s, demo_org_id, date(2026, 10, 23), date(2026, 11, 21))
    # Each row is rounded to kopecks, so the sum may move by half a kopeck per row.
    assert abs(sum(Decimal(r[column]) for r in rows) - total) <= Decimal("0.005") * len(rows)
    caption = str(doc.params["caption"])
    assert "October 23, 2026 — November 21, 2026" in caption
    assert f"{len(rows)} rows" in caption
    assert file_names(hd)[-1] == f"infrazen-{name}-2026-10-23_2026-11-21.csv"


async def test_a_viewer_may_report_but_not_export(hd: BotHarness) -> None:
    vera = await demo_user(hd, 2103)
    assert (await vera.send("/report"))[-1].button_texts()[1] == "Прошлый месяц"
    refused = (await vera.send("/export"))[-1]
    assert "Недостаточно прав" in refused.text
    assert refused.buttons == []
    await vera.click_data("exp:focus:lm")  # a button a member saw, replayed by a viewer
    assert any("Недостаточно прав" in a for a in vera.alerts())
    assert documents(hd, 2103) == []


async def test_a_file_over_the_upload_limit_is_not_sent(hd: BotHarness,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers, "MAX_UPLOAD", 10_000)  # stands for Telegram's 50 MB
    carol = await demo_user(hd, 2104, role=Role.MEMBER)
    await carol.send("/export")
    await carol.click("🧾 FOCUS (CSV)")
    said = (await carol.click("Прошлый месяц"))[-1]
    assert said.method == "editMessageText"
    assert "слишком большим для Telegram" in said.text
    assert "infrazen export" in said.text
    assert documents(hd, 2104) == []


async def test_no_document_is_made_of_days_a_file_import_is_switching(
        hd: BotHarness, demo_org_id: int) -> None:
    """Mid-swap (SQLite) October would be part new lines, part old: neither the export nor
    the brief is made of it; the reply says why and when to ask again. Days the file does
    not touch are made as usual, and October is once the swap is done."""
    async with hd.ctx.session() as s, s.begin():
        conn = (await s.execute(select(Connection).where(
            Connection.org_id == demo_org_id).order_by(Connection.id))).scalars().first()
        assert conn is not None
        swap = swapping(demo_org_id, conn.id, conn.kind, date(2026, 10, 20),
                        date(2026, 11, 5), started_at=datetime(2026, 11, 22, 8, 59, tzinfo=UTC))
        s.add(swap)
    carol = await demo_user(hd, 2105, role=Role.MEMBER)
    await carol.send("/export")
    await carol.click("🧾 FOCUS (CSV)")
    said = (await carol.click("Прошлый месяц"))[-1]
    assert said.method == "editMessageText"
    assert (f"Сейчас идёт загрузка файла в «{conn.name}»: дни с 20 октября 2026 по "
            "31 октября 2026 переключаются") in said.text
    assert "Повторите через минуту" in said.text
    said = (await carol.send("/report"))[-1]
    said = (await carol.click("Прошлый месяц"))[-1]
    assert "Сейчас идёт загрузка файла" in said.text
    assert documents(hd, 2105) == []

    await carol.send("/report")
    await carol.click("Прошлая неделя")  # 9–15 November: the file does not touch it
    assert file_names(hd)[-1].startswith("infrazen-brief-2026-W46")
    async with hd.ctx.session() as s, s.begin():  # the swap's last step
        await end_swap(s, swap.id)
    await carol.send("/export")
    await carol.click("🧾 FOCUS (CSV)")
    await carol.click("Прошлый месяц")
    assert file_names(hd)[-1] == "infrazen-focus-2026-10.csv"
