"""Alert buttons through the production dispatcher: feedback stored, exclusions learnt,
tampered ids and viewers refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.alerts.feedback import precision
from core.db.models import AlertEvent, AlertFeedback, AnomalyExclusion
from core.domain.roles import Role
from core.security.vault import Vault
from tests.bot.harness import BotHarness, running_bot
from tests.bot.seed import org_with

OWNER, VIEWER, STRANGER = 1001, 1002, 2001


@pytest.fixture
async def h(sqlite_engine: AsyncEngine, vault: Vault) -> AsyncIterator[BotHarness]:
    async with running_bot(sqlite_engine, vault) as harness:
        yield harness


async def _event(h: BotHarness, org_id: int, rule: str = "anomaly") -> int:
    async with h.ctx.session() as s:
        event = AlertEvent(org_id=org_id, rule=rule, severity="warning", dedup_key=f"k-{rule}",
                           provider="selectel", payload={
                               "currency": "RUB",
                               "money": {"actual": "40000", "expected": "10000",
                                         "delta": "30000"},
                               "dates": {"start": "2026-11-18", "end": "2026-11-19"},
                               "values": {"series": "provider:selectel", "kind": "spike",
                                          "direction": 1}})
        s.add(event)
        await s.flush()
        return event.id


async def test_planned_on_an_anomaly_is_stored_and_teaches_the_detector(h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER))
    event_id = await _event(h, org_id)
    owner = h.client(OWNER)
    await owner.click_data(f"al:p:{event_id}")
    assert owner.alerts() == ["Отмечено как запланированное — такие изменения больше не будут "
                              "считаться аномалией."]
    async with h.ctx.session() as s:
        event = await s.get(AlertEvent, event_id)
        excluded = (await s.execute(select(AnomalyExclusion.series_key, AnomalyExclusion.day)
                                    .order_by(AnomalyExclusion.day))).all()
        stats = await precision(s, org_id)
    assert event is not None
    assert event.status == "planned"
    assert excluded == [("provider:selectel", date(2026, 11, 18)),
                        ("provider:selectel", date(2026, 11, 19))]
    assert stats == {"anomaly": {"planned": 1}}


async def test_details_ack_and_snooze(h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER))
    event_id = await _event(h, org_id)
    owner = h.client(OWNER)
    replies = await owner.click_data(f"al:d:{event_id}")
    assert "Необычные расходы: Selectel" in replies[-1].text
    assert "Статус: открыто" in replies[-1].text
    await owner.click_data(f"al:a:{event_id}")
    assert owner.alerts() == ["Принято. Спасибо!"]
    await owner.click_data(f"al:s:{event_id}")
    assert owner.alerts()[0].startswith("Отложено до ")
    async with h.ctx.session() as s:
        actions = (await s.execute(select(AlertFeedback.action)
                                   .order_by(AlertFeedback.id))).scalars().all()
        event = await s.get(AlertEvent, event_id)
    assert actions == ["details", "ack", "snooze"]
    assert event is not None
    assert event.status == "snoozed"
    assert event.snoozed_until is not None


async def test_another_orgs_event_is_not_found_and_a_viewer_cannot_acknowledge(
        h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER), (VIEWER, Role.VIEWER))
    other = await org_with(h, "Other", (STRANGER, Role.OWNER))
    theirs = await _event(h, other)
    owner = h.client(OWNER)
    await owner.click_data(f"al:a:{theirs}")
    assert owner.alerts() == ["Оповещение не найдено."]
    mine = await _event(h, org_id, rule="zombie")
    viewer = h.client(VIEWER)
    await viewer.click_data(f"al:a:{mine}")
    async with h.ctx.session() as s:
        feedback = (await s.execute(select(AlertFeedback))).scalars().all()
        event = await s.get(AlertEvent, mine)
    assert feedback == []
    assert event is not None
    assert event.status == "open"
