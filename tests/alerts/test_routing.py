"""Routing by bound-chat scope and member preferences, quiet hours, and coalescing."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.ext.asyncio import AsyncEngine

from core.alerts.routing import route
from core.db.engine import session_factory
from core.db.models import AlertEvent, BoundChat, NotificationPreference
from tests.alerts import factory

AT_DAY = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 16:00 in Vladivostok
AT_NIGHT = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)  # 23:00 in Vladivostok


async def _setup(engine: AsyncEngine) -> tuple[int, dict[str, int]]:
    async with session_factory(engine)() as s, s.begin():
        org = await factory.org(s)
        s.add_all([BoundChat(org_id=org.id, chat_id=-1, scope_kind="org"),
                   BoundChat(org_id=org.id, chat_id=-2, scope_kind="provider",
                             scope_value="selectel"),
                   BoundChat(org_id=org.id, chat_id=-3, scope_kind="project",
                             scope_value="Расчёты"),
                   BoundChat(org_id=org.id, chat_id=-4, scope_kind="org", is_active=False)])
        await factory.member(s, org.id, 101, "owner")
        fin = await factory.member(s, org.id, 102, "finance")
        night = await factory.member(s, org.id, 103, "member", timezone="Asia/Vladivostok")
        await factory.member(s, org.id, 104, "viewer")
        s.add_all([NotificationPreference(user_id=fin.id, org_id=org.id, mode="digest"),
                   NotificationPreference(user_id=night.id, org_id=org.id, min_severity="info",
                                          quiet_start=time(22), quiet_end=time(8))])
        events = {
            "budget": AlertEvent(org_id=org.id, rule="budget", severity="warning",
                                 dedup_key="b"),
            "zombie": AlertEvent(org_id=org.id, rule="zombie", severity="warning",
                                 dedup_key="z", provider="beget", project="РАСЧЕТЫ"),
            "anomaly": AlertEvent(org_id=org.id, rule="anomaly", severity="info",
                                  dedup_key="a", provider="selectel"),
            "balance": AlertEvent(org_id=org.id, rule="balance", severity="critical",
                                  dedup_key="l", provider="selectel"),
        }
        s.add_all(events.values())
        await s.flush()
        return org.id, {name: e.id for name, e in events.items()}


async def _route(engine: AsyncEngine, org_id: int, now: datetime,
                 names: dict[int, str]) -> dict[int, list[tuple[list[str], datetime | None]]]:
    async with session_factory(engine)() as s:
        events = [await s.get(AlertEvent, i) for i in names]
        out: dict[int, list[tuple[list[str], datetime | None]]] = {}
        for d in await route(s, org_id, [e for e in events if e], now):
            out.setdefault(d.chat_id, []).append(([names[e.id] for e in d.events],
                                                  d.not_before))
        return out


async def test_scope_severity_and_preferences_decide_the_recipients(
        sqlite_engine: AsyncEngine) -> None:
    org_id, ids = await _setup(sqlite_engine)
    names = {v: k for k, v in ids.items()}
    got = await _route(sqlite_engine, org_id, AT_DAY, names)
    assert got == {
        -1: [(["budget", "zombie", "balance"], None)],  # whole org, warning and up, coalesced
        -2: [(["balance"], None)],  # selectel only; the info anomaly is below the group level
        -3: [(["zombie"], None)],  # project "Расчёты", however the event spells it
        101: [(["budget", "zombie", "balance"], None)],  # owner without a row: defaults
        103: [(["budget", "zombie", "anomaly", "balance"], None)],  # min severity info
    }  # 102 wants a digest, 104 (viewer) set nothing, -4 is unbound


async def test_quiet_hours_hold_messages_until_morning_but_not_critical_ones(
        sqlite_engine: AsyncEngine) -> None:
    org_id, ids = await _setup(sqlite_engine)
    names = {v: k for k, v in ids.items()}
    got = await _route(sqlite_engine, org_id, AT_NIGHT, names)
    morning = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # 08:00 next day in Vladivostok
    assert got[103] == [(["balance"], None), (["budget", "zombie", "anomaly"], morning)]
    assert got[101] == [(["budget", "zombie", "balance"], None)]  # Moscow: no quiet hours set
