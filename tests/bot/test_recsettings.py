"""Recommendation settings from the chat, end to end through the fake Bot API: dismissing or
snoozing from /recs asks why (preset reasons or free text, Russian and English), stores and audits
the reason, and the recommendation leaves the list, the total and the brief; /recrules edits a
rule's threshold with a decimal comma, refuses what is not a number or out of range and asks
again, resets to the default; a viewer is refused every such button with nothing changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bot.features.questions.callbacks import RecAction, RecCb
from bot.features.recsettings.callbacks import Reason, RecReasonCb, RuleEditCb, ThresholdAction
from core.db.models import AuditEntry, Organization, Recommendation
from core.domain.roles import Role
from core.services.brief import build_brief, month_period
from core.services.recommendations.settings import org_thresholds
from tests.bot.harness import BotHarness
from tests.bot.seed import org_with

OWNER, FINANCE, MEMBER, VIEWER = 8101, 8102, 8103, 8104
REFUSED = "Недостаточно прав"


async def _world(h: BotHarness, language: str = "ru") -> tuple[int, int, int]:
    """Two open recommendations: idle web-1 (4 500 ₽) and rightsizing db-1 (1 200 ₽)."""
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER), (FINANCE, Role.FINANCE),
                            (MEMBER, Role.MEMBER), (VIEWER, Role.VIEWER), language=language)
    async with h.ctx.session() as s:
        idle = Recommendation(org_id=org_id, dedup_key="idle:web-1", kind="idle",
                              title="Idle web-1", monthly_saving=Decimal(4500), currency="RUB",
                              params={"resource": "web-1"})
        small = Recommendation(org_id=org_id, dedup_key="rightsizing:db-1", kind="rightsizing",
                               title="Smaller db-1", monthly_saving=Decimal(1200),
                               currency="RUB", params={"resource": "db-1"})
        s.add_all([idle, small])
        await s.commit()
        return org_id, idle.id, small.id


async def _rec(h: BotHarness, rec_id: int) -> Recommendation:
    async with h.ctx.session() as s:
        return (await s.execute(select(Recommendation).where(
            Recommendation.id == rec_id))).scalar_one()


async def _audit(h: BotHarness, object_type: str) -> list[AuditEntry]:
    async with h.ctx.session() as s:
        return list((await s.execute(select(AuditEntry).where(
            AuditEntry.object_type == object_type).order_by(AuditEntry.id))).scalars())


async def test_dismiss_from_recs_asks_why_and_keeps_the_reason(h: BotHarness) -> None:
    org_id, idle_id, _ = await _world(h)
    member = h.client(MEMBER)
    recs = await member.send("/recs")
    assert "4\u00a0500" in recs[0].text
    await member.click("✖️ 1")  # the biggest saving is listed first: idle web-1
    ask = member.last_reply()
    assert "Почему отклонить" in ask.text
    assert ask.button_texts() == ["Не применимо", "Запланировано", "Уже сделано", "Другое…",
                                  "✖️ Отмена"]
    assert (await _rec(h, idle_id)).status == "new"  # nothing changes before the reason
    await member.click("Не применимо")
    done = member.last_reply().text
    assert "Отклонено" in done
    assert "Причина: Не применимо" in done
    rec = await _rec(h, idle_id)
    assert (rec.status, rec.decision_reason) == ("dismissed", "not_applicable")
    entries = await _audit(h, "recommendation")
    assert [e.action for e in entries] == ["recommendation.dismissed"]
    assert entries[0].actor_telegram_id == MEMBER
    assert entries[0].details["reason"] == "not_applicable"
    after = await member.send("/recs")
    assert "4\u00a0500" not in after[0].text
    assert "1\u00a0200" in after[0].text
    async with h.ctx.session() as s:
        brief = await build_brief(s, org_id, month_period(date(2026, 11, 20)), "ru",
                                  h.ctx.clock)
    assert [r.monthly_saving for r in brief.recommendations] == [Decimal(1200)]


async def test_snooze_with_a_reason_of_ones_own_in_english(h: BotHarness) -> None:
    _, _, small_id = await _world(h, language="en")
    member = h.client(MEMBER)
    await member.click_data(RecCb(action=RecAction.SNOOZE, id=small_id).pack())
    ask = member.last_reply().text
    assert "Why snooze" in ask
    assert "for 30 days?" in ask
    await member.click("Other…")
    assert "Write the reason" in member.last_reply().text
    await member.send("x" * 301)
    assert "longer than 300" in member.last_reply().text
    await member.send("Waiting for the Q1 migration")
    done = member.last_reply().text
    assert "Snoozed for 30 days" in done
    assert "Reason: Waiting for the Q1 migration" in done
    rec = await _rec(h, small_id)
    assert rec.status == "snoozed"
    assert rec.snoozed_until is not None
    assert rec.decision_reason == "Waiting for the Q1 migration"
    entries = await _audit(h, "recommendation")
    assert [(e.action, e.details["reason"]) for e in entries] == [
        ("recommendation.snoozed", "Waiting for the Q1 migration")]


async def test_cancel_and_a_decided_recommendation_change_nothing(h: BotHarness) -> None:
    _, idle_id, _ = await _world(h)
    member = h.client(MEMBER)
    await member.click_data(RecCb(action=RecAction.DISMISS, id=idle_id).pack())
    await member.click("✖️ Отмена")
    assert "Ничего не изменилось" in member.last_reply().text
    assert (await _rec(h, idle_id)).status == "new"
    await member.click_data(RecReasonCb(dismiss=True, id=idle_id,
                                        reason=Reason.PLANNED).pack())
    assert (await _rec(h, idle_id)).decision_reason == "planned"
    await member.click_data(RecCb(action=RecAction.SNOOZE, id=idle_id).pack())
    assert any("уже принято решение" in a for a in member.alerts())
    assert (await _rec(h, idle_id)).status == "dismissed"


async def test_finance_sets_an_idle_threshold_with_a_decimal_comma(h: BotHarness) -> None:
    org_id, _, _ = await _world(h)
    fin = h.client(FINANCE)
    shown = await fin.send("/recrules")
    assert "⚙️ idle: пороги" in shown[-1].button_texts()
    await fin.click("⚙️ idle: пороги")
    assert fin.last_reply().button_texts() == ["cpu_percent = 5", "memory_percent = 15",
                                               "min_days = 7", "✖️ Отмена"]
    await fin.click("cpu_percent = 5")
    ask = fin.last_reply()
    assert "от 0,1 до 100" in ask.text
    assert "сейчас 5" in ask.text
    bad = await fin.send("пять")
    assert "«пять» — не число" in bad[-1].text
    assert "Пришлите другое значение" in bad[-1].text
    far = await fin.send("150")
    assert "150 вне допустимого диапазона: от 0,1 до 100" in far[-1].text
    saved = await fin.send("3,5")
    assert "Сохранено: idle.cpu_percent = 3,5" in saved[0].text
    assert "✅ idle: cpu_percent 3.5, memory_percent 15, min_days 7" in saved[-1].text
    async with h.ctx.session() as s:
        org = (await s.execute(select(Organization).where(
            Organization.id == org_id))).scalar_one()
        assert org_thresholds(org.settings) == {"idle": {"cpu_percent": 3.5}}
    await fin.click("⚙️ idle: пороги")
    await fin.click("cpu_percent = 3,5")
    await fin.click("↩ По умолчанию (5)")
    assert "Сохранено: idle.cpu_percent = 5" in fin.history()[-2].text
    entries = await _audit(h, "recommendation_rule")
    assert [(e.details["name"], e.details["before"], e.details["after"]) for e in entries] == [
        ("cpu_percent", 5, 3.5), ("cpu_percent", 3.5, 5)]
    assert all(e.actor_telegram_id == FINANCE for e in entries)


async def test_a_viewer_is_refused_thresholds_and_reasons(h: BotHarness) -> None:
    org_id, idle_id, _ = await _world(h)
    viewer = h.client(VIEWER)
    shown = await viewer.send("/recrules")
    assert "✅ idle: cpu_percent 5" in shown[-1].text
    assert not shown[-1].button_texts()
    buttons = [RuleEditCb(action=a, kind="idle", name="cpu_percent").pack()
               for a in ThresholdAction if a is not ThresholdAction.CANCEL]
    buttons += [RecCb(action=a, id=idle_id).pack() for a in (RecAction.SNOOZE,
                                                              RecAction.DISMISS)]
    buttons += [RecReasonCb(dismiss=d, id=idle_id, reason=r).pack()
                for d in (True, False) for r in Reason]
    for data in buttons:
        await viewer.click_data(data)
        assert any(REFUSED in a for a in viewer.alerts()), (data, viewer.alerts())
    await viewer.send("1")  # had a threshold step been opened, this would be its value
    assert (await _rec(h, idle_id)).status == "new"
    async with h.ctx.session() as s:
        org = (await s.execute(select(Organization).where(
            Organization.id == org_id))).scalar_one()
        assert org_thresholds(org.settings) == {}
    assert await _audit(h, "recommendation_rule") == []
    assert await _audit(h, "recommendation") == []
