"""Budgets and allocation end to end through the fake Bot API: a finance user creates a budget
with the wizard, sees it in /budget with spend and forecast; a sync that pushes spend past 80 %
raises the alert in the group the budget names; edit and delete from the card; allocation rules
from /allocation move coverage; a viewer pressing every button is refused and nothing changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Sender, SenderRates
from bot.features.allocation.callbacks import AllocAction, AllocCb
from bot.features.budgets.callbacks import BudgetAction, BudgetCb, WizardCb, WizardStep
from bot.features.recsettings.callbacks import RuleToggleCb
from core.clock import FrozenClock
from core.db.base import Base
from core.db.models import (
    AllocationRule,
    AuditEntry,
    BoundChat,
    Budget,
    Connection,
    Recommendation,
    Resource,
)
from core.domain.collection import (
    AccountInfo,
    Collection,
    CostLine,
    ResourceKind,
    ResourceRecord,
    Window,
)
from core.domain.roles import Role
from core.jobs.alerts import evaluate_org
from core.security.vault import Vault
from core.services import allocation, budgets
from core.services.orgs import ensure_user, set_membership
from core.services.sync.apply import apply_collection
from core.services.users import set_language
from tests.bot.harness import BotHarness, running_bot
from tests.bot.seed import org_with
from tests.support.jobs import job_runtime
from tests.support.swaps import end_swap, swapping

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 09:00 in Moscow: yesterday is Nov 19
FINANCE, VIEWER, OWNER = 7001, 7002, 7003
GROUP = -100777
FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)
REFUSED = "Недостаточно прав"


@pytest.fixture
async def hb(bot_engine: AsyncEngine, vault: Vault) -> AsyncIterator[BotHarness]:
    async with running_bot(bot_engine, vault, clock=FrozenClock(NOW),
                           throttle=(1000, 1)) as harness:
        yield harness


def _line(day: date, amount: int, resource: str) -> CostLine:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return CostLine(charge_period_start=start, charge_period_end=start + timedelta(days=1),
                    billed_cost=Decimal(amount), service_name="Compute",
                    resource_id=resource, resource_name=resource)


async def _sync(h: BotHarness, org_id: int, conn_id: int, start: date, end: date,
                daily: dict[date, int]) -> None:
    """Cost lines written through the sync service, as a provider sync would."""
    resources = [ResourceRecord(external_id=name, name=name, kind=ResourceKind.SERVER)
                 for name in ("web-1", "api-1")]
    lines = [_line(day, amount // 2, name) for day, amount in daily.items()
             for name in ("web-1", "api-1")]
    async with h.ctx.session() as s, s.begin():
        await apply_collection(s, org_id=org_id, connection_id=conn_id,
                               collection=Collection(account=AccountInfo(account_id="acc"),
                                                     resources=resources, cost_lines=lines),
                               window=Window(start, end), started_at=NOW, now=NOW)


async def _world(h: BotHarness) -> tuple[int, int]:
    """Acme: owner, finance, viewer; a bound group "Ops"; Selectel billing 1 000 ₽ a day."""
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER), (FINANCE, Role.FINANCE),
                            (VIEWER, Role.VIEWER))
    async with h.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="selectel", name="Прод", status="active",
                          credentials=h.ctx.vault.encrypt({"password": "x"}))
        s.add(conn)
        s.add(BoundChat(org_id=org_id, chat_id=GROUP, title="Ops", scope_kind="org",
                        language="ru"))
        await s.flush()
        conn_id = conn.id
        await s.commit()
    month = {date(2026, 11, d): 1000 for d in range(1, 20)}
    await _sync(h, org_id, conn_id, date(2026, 11, 1), date(2026, 11, 20), month)
    return org_id, conn_id


async def _drain(h: BotHarness) -> None:
    await Sender(h.bot, h.ctx.sessions, clock=h.ctx.clock, rates=FAST).drain()


async def test_finance_creates_a_budget_and_its_alert_reaches_the_chosen_group(
        hb: BotHarness) -> None:
    org_id, conn_id = await _world(hb)
    fin = hb.client(FINANCE)
    empty = await fin.send("/budget")
    assert "Бюджетов пока нет" in empty[-1].text
    await fin.click("➕ Новый бюджет")
    assert "Что ограничиваем" in fin.last_reply().text
    await fin.click("🏢 Вся организация")
    assert "Сумма бюджета" in fin.last_reply().text
    bad = await fin.send("пятьдесят тысяч")
    assert "Не понял сумму" in bad[-1].text
    unclear = await fin.send("50.000")  # 50 or 50 000? asked, never guessed
    assert "«50.000» — это сколько" in unclear[-1].text
    await fin.send("50 000,00")
    await fin.click("Месяц")
    await fin.click("50 / 80 / 100 % (по умолчанию)")
    assert "Куда отправлять" in fin.last_reply().text
    await fin.click("👥 Ops")
    summary = fin.last_reply().text
    assert "50\u00a0000\u00a0₽ за месяц" in summary
    assert "50 %, 80 %, 100 %" in summary
    assert "в группу «Ops»" in summary
    saved = await fin.click("✅ Сохранить")
    card = saved[-1].text
    assert "Вся организация — месяц" in card
    assert "Потрачено: 19\u00a0000\u00a0₽ (38%)" in card  # Nov 1–19 at 1 000 a day
    assert "Прогноз на конец периода: 30\u00a0000\u00a0₽" in card
    assert "Уровень: в рамках" in card

    listing = await fin.send("/budget")
    assert "🟢 <b>Вся организация — месяц</b>: 19\u00a0000\u00a0₽ из 50\u00a0000\u00a0₽" in \
        listing[0].text
    assert "30\u00a0000\u00a0₽" in listing[0].text  # the month-end forecast
    assert "🟢 Вся организация — месяц" in listing[0].button_texts()

    rt = job_runtime(hb.ctx, "w")
    assert await evaluate_org(rt, org_id) == []  # 38 %: nothing to say yet

    # the provider bills 25 000 for yesterday: 43 000 of 50 000 = 86 %
    await _sync(hb, org_id, conn_id, date(2026, 11, 18), date(2026, 11, 20),
                {date(2026, 11, 18): 1000, date(2026, 11, 19): 25000})
    events = await evaluate_org(rt, org_id)
    assert sorted((e.rule, e.severity) for e in events if e.rule.startswith("budget")) == [
        ("budget", "warning"), ("budget_forecast", "warning")]  # 80 % crossed: amber
    await _drain(hb)
    (alert,) = [t for t in hb.fake.sent_texts(GROUP) if "Бюджет" in t]
    assert "Бюджет «Вся организация — месяц»: израсходовано 86 %" in alert
    for person in (FINANCE, OWNER):  # only where the budget says
        assert not any("израсходовано" in t or "прогноз превышения" in t
                       for t in hb.fake.sent_texts(person))

    async with hb.ctx.session() as s:
        (budget_id,) = (await s.execute(select(Budget.id))).scalars().all()
    status = await fin.click_data(BudgetCb(action=BudgetAction.OPEN, id=budget_id).pack())
    assert "Уровень: близко к лимиту" in status[-1].text
    assert "80 % ✓" in status[-1].text
    # edit: the amount (decimal comma and spaces), the thresholds, the destination
    await fin.click("✏️ Сумма")
    edited = await fin.send("100 000,50")
    assert "Бюджет: 100\u00a0001\u00a0₽" in edited[-1].text or \
        "Бюджет: 100\u00a0000\u00a0₽" in edited[-1].text
    assert "Уровень: в рамках" in edited[-1].text  # 43 % now
    await fin.click("🎯 Пороги")
    edited = await fin.send("40, 90")
    assert "Пороги: 40 % ✓, 90 %" in edited[-1].text
    await fin.click("🔔 Куда оповещать")
    edited = await fin.click("👤 Мне в личку")
    assert "в личный чат Test" in edited[-1].text
    async with hb.ctx.session() as s:
        budget = await s.get(Budget, budget_id)
        assert budget is not None
        assert (budget.amount, budget.thresholds, budget.alert_chat_id) == (
            Decimal("100000.50"), [40, 90], FINANCE)
    # delete, confirmed
    await fin.click("🗑 Удалить")
    assert "Удалить бюджет" in fin.last_reply().text
    await fin.click("Да, удалить")
    assert "Бюджетов пока нет" in fin.last_reply().text
    async with hb.ctx.session() as s:
        assert (await s.execute(select(Budget))).first() is None
        actions = (await s.execute(select(AuditEntry.action, AuditEntry.actor_telegram_id).where(
            AuditEntry.object_type == "budget").order_by(AuditEntry.id))).all()
    assert actions == [("budget.create", FINANCE), ("budget.update", FINANCE),
                       ("budget.update", FINANCE), ("budget.update", FINANCE),
                       ("budget.delete", FINANCE)]


async def test_wizard_scopes_by_provider_and_tag(hb: BotHarness) -> None:
    await _world(hb)
    fin = hb.client(FINANCE, language_code="en")
    async with hb.ctx.session() as s:
        await set_language(s, (await ensure_user(s, FINANCE)).id, "en")
        await s.commit()
    await fin.send("/budget")
    await fin.click("➕ New budget")
    await fin.click("☁️ Provider")
    await fin.click("selectel")
    await fin.send("12 500.5")
    await fin.click("Quarter")
    await fin.click("Other thresholds")
    await fin.send("70 %, 95%")
    await fin.click("Like every other alert")
    summary = fin.last_reply().text
    assert "Covers: provider selectel" in summary
    assert "Thresholds: 70 %, 95 %" in summary
    await fin.click("✅ Save")
    await fin.send("/budget")
    await fin.click("➕ New budget")
    await fin.click("🏷 Tag")
    wrong = await fin.send("env prod")
    assert "key=value" in wrong[-1].text
    unmatched = await fin.send("env = prod")  # no cost carries the tag: asked once, then kept
    assert "Nothing in the last 90 days of costs matches “env=prod”" in unmatched[-1].text
    await fin.send("ENV = Prod")
    await fin.send("1000")
    await fin.click("Year")
    await fin.click("50 / 80 / 100 % (default)")
    await fin.click("👤 My private chat")
    await fin.click("✅ Save")
    async with hb.ctx.session() as s:
        rows = (await s.execute(select(Budget.scope_kind, Budget.scope_value, Budget.period,
                                       Budget.amount, Budget.thresholds, Budget.alert_chat_id)
                                .order_by(Budget.id))).all()
    assert [tuple(r) for r in rows] == [
        ("provider", "selectel", "quarter", Decimal("12500.50"), [70, 95], None),
        ("tag", "ENV=Prod", "year", Decimal("1000.00"), [50, 80, 100], FINANCE)]


async def test_a_typed_scope_no_cost_has_is_questioned_before_the_budget_is_made(
        hb: BotHarness) -> None:
    """A misspelt project would make a budget that shows 0 ₽ and never warns: the wizard
    says the recent costs have nothing by that name; a name the costs have (in any case)
    goes straight on, and the same name sent again is kept."""
    await _world(hb)
    fin = hb.client(FINANCE)
    await fin.send("/budget")
    await fin.click("➕ Новый бюджет")
    await fin.click("🧩 Сервис")
    typo = await fin.send("Compte")
    assert "нет ничего с «Compte»" in typo[-1].text
    assert "бюджет по такому охвату показывал бы 0" in typo[-1].text
    found = await fin.send("compute")  # the costs have "Compute": no question
    assert "Сумма бюджета" in found[-1].text
    await fin.send("5000")
    await fin.click("Месяц")
    await fin.click("50 / 80 / 100 % (по умолчанию)")
    await fin.click("👤 Мне в личку")
    await fin.click("✅ Сохранить")
    async with hb.ctx.session() as s:
        made = (await s.execute(select(Budget.scope_kind, Budget.scope_value))).all()
        org_id = (await s.execute(select(Budget.org_id))).scalar_one()
        status = await budgets.budget_status(s, org_id, (await s.execute(
            select(Budget.id))).scalar_one(), hb.ctx.clock)
    assert [tuple(r) for r in made] == [("service", "compute")]
    assert status.spent == Decimal("19000.00")  # Nov 1–19 at 1 000 ₽, matched as "Compute"


async def test_allocation_rules_from_the_chat_move_coverage(hb: BotHarness) -> None:
    org_id, _ = await _world(hb)
    fin = hb.client(FINANCE)
    overview = await fin.send("/allocation")
    assert "У команд: 0%" in overview[-1].text
    await fin.click("➕ Новое правило")
    await fin.send("frontend")
    bad = await fin.send("colour=red")
    assert "Не понял условие" in bad[-1].text
    created = await fin.send("name=web-*")
    assert "Правило «frontend: name=web-*» добавлено" in created[0].text
    assert "У команд: 50%" in created[-1].text  # web-1 is half the spend
    rule_id = await _rule_id(hb, "frontend: name=web-*")
    card = await fin.click_data(AllocCb(action=AllocAction.OPEN, id=rule_id).pack())
    assert "Назначает: команда frontend" in card[-1].text
    await fin.click("🔎 Условие")
    changed = await fin.send("name=*-1")
    assert "У команд: 100%" in changed[-1].text
    await fin.click_data(AllocCb(action=AllocAction.OPEN, id=rule_id).pack())
    await fin.click("👥 Команда")
    changed = await fin.send("platform")
    assert "команда platform" in changed[-1].text
    await fin.click_data(AllocCb(action=AllocAction.OPEN, id=rule_id).pack())
    deleted = await fin.click("🗑 Удалить")
    assert "У команд: 0%" in deleted[-1].text
    async with hb.ctx.session() as s:
        teams = (await s.execute(select(Resource.team).where(
            Resource.org_id == org_id))).scalars().all()
        actions = (await s.execute(select(AuditEntry.action).where(
            AuditEntry.object_type == "allocation_rule").order_by(AuditEntry.id))).scalars()
        assert list(actions) == ["allocation_rule.create", "allocation_rule.update",
                                 "allocation_rule.update", "allocation_rule.delete"]
    assert teams == [None, None]


async def test_a_suggested_rule_is_accepted_from_the_chat(hb: BotHarness) -> None:
    org_id, _ = await _world(hb)
    async with hb.ctx.session() as s:  # two tagged resources teach the suggester "web → web"
        conn_id = (await s.execute(select(Connection.id))).scalar_one()
        for name in ("web-2", "web-3"):
            s.add(Resource(org_id=org_id, connection_id=conn_id, external_id=name, name=name,
                           kind="server", team="web", tags={"team": "web"},
                           first_seen_at=NOW, last_seen_at=NOW))
        await s.commit()
    fin = hb.client(FINANCE)
    overview = await fin.send("/allocation")
    assert "Предложения" in overview[-1].text
    assert "команда web" in overview[-1].text
    accepted = await fin.click("✅ 1")
    assert "У команд: 50%" in accepted[-1].text
    assert any("принято" in a for a in fin.alerts())


async def test_allocation_coverage_says_which_days_a_file_import_is_switching(
        hb: BotHarness) -> None:
    """Mid-swap (SQLite) the 30 days' spend is part new lines, part old: the coverage figures
    name the connection and the days, and stop once the swap is done."""
    org_id, _ = await _world(hb)
    async with hb.ctx.session() as s:
        conn = (await s.execute(select(Connection))).scalar_one()
        swap = swapping(org_id, conn.id, conn.kind, date(2026, 11, 10), date(2026, 11, 25),
                        started_at=NOW)
        s.add(swap)
        await s.commit()
    fin = hb.client(FINANCE)
    overview = (await fin.send("/allocation"))[-1].text
    assert (f"⏳ Идёт загрузка файла в «{conn.name}»: дни с 10 ноября 2026 по 19 ноября 2026"
            in overview)  # the window ends yesterday
    async with hb.ctx.session() as s:
        await end_swap(s, swap.id)
        await s.commit()
    assert "⏳" not in (await fin.send("/allocation"))[-1].text


async def _rule_id(h: BotHarness, name: str) -> int:
    async with h.ctx.session() as s:
        return (await s.execute(select(AllocationRule.id).where(
            AllocationRule.name == name))).scalar_one()


WATCHED = ("budgets", "allocation_rules", "resources", "audit_log", "recommendations",
           "organizations")


async def _dump(h: BotHarness) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with h.ctx.session() as s:
        for name in WATCHED:
            table = Base.metadata.tables[name]
            out[name] = [tuple(r) for r in (await s.execute(
                select(table).order_by(*table.primary_key.columns))).all()]
    return out


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
async def test_below_finance_every_budget_and_allocation_button_is_refused(
        hb: BotHarness, role: Role) -> None:
    org_id, _ = await _world(hb)
    async with hb.ctx.session() as s:
        owner = await s.scalar(select(Budget.id).limit(1))
        assert owner is None
        low_user = await ensure_user(s, VIEWER)
        await set_membership(s, org_id, low_user.id, role)
        owner_id = (await ensure_user(s, OWNER)).id
        bid = await budgets.create_budget(s, org_id, owner_id, name="Прод", amount=Decimal(900))
        rule = await allocation.create_rule(s, org_id, owner_id, name="web",
                                            match={"name": "web-*"}, team="web")
        suggested = AllocationRule(org_id=org_id, name="env prod", match={"name": "*-prod"},
                                   environment="prod", status="suggested")
        s.add(suggested)
        s.add(Recommendation(org_id=org_id, dedup_key="idle:web-1", kind="idle",
                             title="Idle web-1", monthly_saving=Decimal(100), currency="RUB"))
        await s.flush()
        suggested_id = suggested.id
        await s.commit()
    before = await _dump(hb)
    low = hb.client(VIEWER)
    listing = await low.send("/budget")
    assert "Прод" in listing[-1].text  # reading is allowed …
    assert "➕ Новый бюджет" not in listing[-1].button_texts()  # … and no change is offered
    card = await low.click_data(BudgetCb(action=BudgetAction.OPEN, id=bid).pack())
    assert "Потрачено" in card[-1].text
    assert card[-1].button_texts() == ["← К бюджетам"]
    overview = await low.send("/allocation")
    assert "У команд" in overview[-1].text
    assert "➕ Новое правило" not in overview[-1].button_texts()
    buttons = [BudgetCb(action=a, id=bid, value=v).pack() for a in BudgetAction
               if a not in (BudgetAction.OPEN, BudgetAction.LIST) for v in ("", "default", "me")]
    buttons += [WizardCb(step=s, value=v).pack() for s in WizardStep
                for v in ("org", "0", "month", "default", "me")]
    buttons += [AllocCb(action=a, id=i).pack() for a in AllocAction
                if a not in (AllocAction.OPEN, AllocAction.LIST) for i in (rule, suggested_id)]
    buttons += [RuleToggleCb(kind="idle", on=on).pack() for on in (True, False)]
    for data in buttons:
        await low.click_data(data)
        assert any(REFUSED in a for a in low.alerts()), (role, data, low.alerts())
    await low.send("1")  # had a wizard asked for an amount, this would be it
    assert await _dump(hb) == before


async def test_finance_switches_a_recommendation_rule_off_and_on(hb: BotHarness) -> None:
    org_id, _ = await _world(hb)
    async with hb.ctx.session() as s:
        s.add(Recommendation(org_id=org_id, dedup_key="idle:web-1", kind="idle",
                             title="Idle web-1", monthly_saving=Decimal(4500), currency="RUB",
                             params={"resource": "web-1"}))
        await s.commit()
    fin = hb.client(FINANCE)
    shown = await fin.send("/recrules")
    assert "✅ idle: cpu_percent 5, memory_percent 15, min_days 7" in shown[-1].text
    off = await fin.click("✅ idle")
    assert "⛔ idle" in off[-1].text
    recs = await fin.send("/recs")
    assert "Idle" not in recs[0].text  # out of the list and the total
    await fin.click("⛔ idle")
    recs = await fin.send("/recs")
    assert "4\u00a0500" in recs[0].text
    async with hb.ctx.session() as s:
        actions = (await s.execute(select(AuditEntry.action).where(
            AuditEntry.object_type == "recommendation_rule").order_by(AuditEntry.id))).scalars()
        assert list(actions) == ["recommendation_rule.disable", "recommendation_rule.enable"]
