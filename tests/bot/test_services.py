"""Core services behind the bot, on SQLite and PostgreSQL: scoping, roles, single use, audit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.engine import session_factory
from core.db.models import AuditEntry, Connection, Membership, OutboxMessage, Resource
from core.domain.roles import Role
from core.services import admin, chats, team, users
from core.services.chats import ScopeKind
from core.services.errors import Forbidden, NotFound, ServiceError
from core.services.orgs import create_org, ensure_user, set_membership
from core.tasks import spawn
from tests.support.db import fresh_database

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def _org(s: AsyncSession, name: str, *members: tuple[int, Role]) -> tuple[int, list[int]]:
    org = await create_org(s, name)
    ids = []
    for telegram_id, role in members:
        user = await ensure_user(s, telegram_id)
        await set_membership(s, org.id, user.id, role)
        ids.append(user.id)
    return org.id, ids


async def test_invites_are_single_use_expiring_and_owner_only_for_owners(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as s:
        org_id, (owner, adm) = await _org(s, "A", (1, Role.OWNER), (2, Role.ADMIN))
        newbie = (await ensure_user(s, 3)).id
        late = (await ensure_user(s, 4)).id
        with pytest.raises(Forbidden):
            await team.create_invite(s, org_id, adm, Role.OWNER, NOW)
        invite = await team.create_invite(s, org_id, adm, Role.MEMBER, NOW)
        org, role = await team.accept_invite(s, invite.code, newbie, NOW + timedelta(days=1))
        assert (org.id, role) == (org_id, Role.MEMBER)
        with pytest.raises(team.Expired):
            await team.accept_invite(s, invite.code, late, NOW + timedelta(days=1))
        stale = await team.create_invite(s, org_id, owner, Role.VIEWER, NOW)
        with pytest.raises(team.Expired):
            await team.accept_invite(s, stale.code, late, NOW + team.INVITE_TTL)
        with pytest.raises(NotFound):
            await team.accept_invite(s, "nope", late, NOW)
        actions = (await s.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars()
        assert list(actions) == ["invite.create", "member.join", "invite.create"]


async def test_roles_scoped_by_org_and_the_last_owner_stays(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as s:
        org_a, (owner_a, member_a) = await _org(s, "A", (1, Role.OWNER), (2, Role.MEMBER))
        org_b, (owner_b, member_b) = await _org(s, "B", (3, Role.OWNER), (4, Role.MEMBER))
        foreign = (await s.execute(select(Membership.id).where(
            Membership.org_id == org_b, Membership.user_id == member_b))).scalar_one()
        with pytest.raises(NotFound):
            await team.change_role(s, org_a, owner_a, foreign, Role.VIEWER)
        with pytest.raises(NotFound):
            await team.remove_member(s, org_a, owner_a, foreign)
        with pytest.raises(NotFound):  # the caller is not in org B at all
            await team.change_role(s, org_b, owner_a, foreign, Role.VIEWER)
        mine = (await s.execute(select(Membership.id).where(
            Membership.user_id == owner_a))).scalar_one()
        with pytest.raises(team.LastOwner):
            await team.change_role(s, org_a, owner_a, mine, Role.ADMIN)
        with pytest.raises(team.LastOwner):
            await team.remove_member(s, org_a, owner_a, mine)
        member = (await s.execute(select(Membership.id).where(
            Membership.user_id == member_a))).scalar_one()
        with pytest.raises(Forbidden):
            await team.change_role(s, org_a, member_a, member, Role.ADMIN)
        await team.change_role(s, org_a, owner_a, member, Role.OWNER)
        await team.change_role(s, org_a, owner_a, mine, Role.ADMIN)  # now there is another
        roles = (await s.execute(select(Membership.role).where(Membership.org_id == org_b)))
        assert sorted(roles.scalars()) == ["member", "owner"]


async def test_binding_scopes_come_from_the_org_and_takeover_needs_admin_there(
        session_maker: async_sessionmaker[AsyncSession], vault: object) -> None:
    async with session_maker() as s:
        org_a, (adm_a,) = await _org(s, "A", (1, Role.ADMIN))
        org_b, (adm_b,) = await _org(s, "B", (2, Role.ADMIN))
        conn = Connection(org_id=org_b, kind="selectel", name="b", credentials=b"x")
        s.add(conn)
        await s.flush()
        s.add(Resource(org_id=org_b, connection_id=conn.id, external_id="r", name="r",
                       kind="vm", project="secret-project", first_seen_at=NOW,
                       last_seen_at=NOW))
        await s.flush()
        assert await chats.list_scopes(s, org_a, ScopeKind.PROJECT) == []
        assert await chats.list_scopes(s, org_b, ScopeKind.PROJECT) == ["secret-project"]
        with pytest.raises(NotFound):  # an index into B's list means nothing for A
            await chats.bind_chat(s, org_a, adm_a, -100, title="g", kind=ScopeKind.PROJECT)
        await chats.bind_chat(s, org_b, adm_b, -100, title="g", kind=ScopeKind.PROJECT)
        with pytest.raises(NotFound):
            await chats.bind_chat(s, org_a, adm_a, -100, title="g", kind=ScopeKind.ORG)
        with pytest.raises(NotFound):
            await chats.unbind_chat(s, adm_a, -100)
        binding = await chats.get_binding(s, -100)
        assert binding is not None
        assert (binding.org_id, binding.scope_value) == (org_b, "secret-project")


async def test_preferences_and_active_org_are_validated(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as s:
        org_a, (me,) = await _org(s, "A", (1, Role.VIEWER))
        org_b, _ = await _org(s, "B", (2, Role.OWNER))
        with pytest.raises(NotFound):
            await users.set_active_org(s, me, org_b)
        with pytest.raises(NotFound):
            await users.get_prefs(s, me, org_b)
        for bad in ({"min_severity": "loud"}, {"mode": "pigeon"}, {"digest_hour": 24}):
            with pytest.raises(ServiceError):
                await users.update_prefs(s, me, org_a, **bad)
        # a viewer gets no alerts until they ask; an owner gets them by default
        assert (await users.get_prefs(s, me, org_a)).mode == "off"
        owner = (await _org(s, "C", (3, Role.OWNER)))[1][0]
        org_c = (await users.list_user_orgs(s, owner))[0].org.id
        assert (await users.get_prefs(s, owner, org_c)).mode == "immediate"
        prefs = await users.update_prefs(s, me, org_a, min_severity="critical")
        assert (prefs.min_severity, prefs.mode, prefs.digest_hour) == ("critical", "off", 9)
        prefs = await users.update_prefs(s, me, org_a, mode="digest")
        assert (prefs.mode, prefs.digest_enabled) == ("digest", True)
        prefs = await users.update_prefs(s, me, org_a, mode="off")
        assert (prefs.mode, prefs.digest_enabled) == ("off", False)
        assert users.valid_timezone("Asia/Novosibirsk") == "Asia/Novosibirsk"
        assert users.valid_timezone("Moscow") is None
        assert users.valid_timezone("../../etc/passwd") is None


async def test_admin_services_refuse_others_and_broadcast_once_per_user(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    async with session_maker() as s:
        await _org(s, "A", (1, Role.OWNER), (2, Role.MEMBER))
        with pytest.raises(NotFound):
            await admin.platform_stats(s, 1, {999}, NOW)
        with pytest.raises(NotFound):
            await admin.enqueue_broadcast(s, 1, {999}, "hi", NOW)
        stats = await admin.platform_stats(s, 999, {999}, NOW)
        assert (stats.organizations, stats.users) == (1, 2)
        assert await admin.enqueue_broadcast(s, 999, {999}, "hi", NOW) == 2
        assert (await s.execute(select(func.count()).select_from(OutboxMessage))).scalar() == 2
        hits = await admin.search_orgs(s, 999, {999}, "a")
        assert [h.name for h in hits] == ["A"]
        await _org(s, "ООО Ромашка", (5, Role.OWNER))
        for query in ("ромаш", "РОМАШКА", "Ромашка", "рОмАшКа", "ooo-romashka"):
            assert [h.name for h in await admin.search_orgs(s, 999, {999}, query)] == [
                "ООО Ромашка"], query


async def test_two_people_opening_one_invite_at_once_only_one_joins(
        pg_url: str | None, tmp_path: Path) -> None:
    """PostgreSQL, two transactions: the second waits on the row and then finds it used."""
    if pg_url is None:
        pytest.skip("PostgreSQL not available on this machine (required under CI=true)")
    async with fresh_database("postgres", tmp_path, pg_url) as engine:
        sessions = session_factory(engine)
        async with sessions() as s:
            org_id, (owner,) = await _org(s, "A", (1, Role.OWNER))
            first_user, second_user = (await ensure_user(s, 10)).id, (await ensure_user(s, 11)).id
            code = (await team.create_invite(s, org_id, owner, Role.MEMBER, NOW)).code
            await s.commit()
        async with sessions() as first, sessions() as second:
            await team.accept_invite(first, code, first_user, NOW)  # claimed, not committed
            late = spawn(team.accept_invite(second, code, second_user, NOW))
            await asyncio.sleep(0.05)  # let the second one reach the row lock (not asserted)
            await first.commit()
            with pytest.raises(team.Expired):
                await late
        async with sessions() as s:
            members = (await s.execute(select(Membership.user_id).where(
                Membership.org_id == org_id).order_by(Membership.user_id))).scalars().all()
    assert members == [owner, first_user]
