"""/settings: an organisation's admin turns LLM understanding off and on again; the switch
decides whether a question the rules did not understand reaches the (loopback fake) LLM. A
viewer's press is refused, and a server without an LLM shows the row and explains it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db.models import AuditEntry, Organization
from core.domain.roles import Role
from core.security.vault import Vault
from core.services import orgs
from core.services.ask.llm import ORG_OPTION
from core.services.errors import Forbidden, NotFound
from core.tasks import default_tasks
from tests.bot.harness import BotHarness, running_bot
from tests.bot.seed import org_with
from tests.query.fake_llm import FakeLlm
from tests.support.fake_server import run_fake

ADMIN, VIEWER = 7101, 7102
NOT_UNDERSTOOD = "Я не понял запрос"
UNPARSED = "озвучь цифру"  # the rules do not understand it: it goes to the LLM when allowed
ON, OFF = "🤖 Понимание через LLM: вкл", "🤖 Понимание через LLM: выкл"


@pytest.fixture
async def with_llm(bot_engine: AsyncEngine, vault: Vault
                   ) -> AsyncIterator[tuple[BotHarness, FakeLlm]]:
    llm = FakeLlm()
    llm.reply(intent="unknown", period_start="2026-11-01", period_end="2026-11-21")
    async with (run_fake(llm.app()) as base,
                running_bot(bot_engine, vault, LLM_URL=base + "/v1", LLM_MODEL="fake-model",
                            LLM_TIMEOUT="2") as harness):
        try:
            yield harness, llm
        finally:
            await default_tasks().wait_all()


async def _stored(h: BotHarness, org_id: int) -> object:
    async with h.ctx.session() as s:
        org = await s.get(Organization, org_id)
        assert org is not None
        return (org.settings or {}).get(ORG_OPTION, "unset")


async def _audit(h: BotHarness) -> list[tuple[int | None, str, dict[str, object]]]:
    async with h.ctx.session() as s:
        rows = (await s.execute(select(AuditEntry).where(
            AuditEntry.action == "org.llm_understanding").order_by(AuditEntry.id))).scalars()
        return [(r.actor_telegram_id, r.action, r.details) for r in rows]


async def test_an_admin_turns_llm_understanding_off_and_on(
        with_llm: tuple[BotHarness, FakeLlm]) -> None:
    h, llm = with_llm
    org_id = await org_with(h, "Ромашка", (ADMIN, Role.ADMIN))
    admin = h.client(ADMIN)
    await admin.send(UNPARSED)
    assert len(llm.requests) == 1  # on by default: the unparsed question went to the LLM

    shown = (await admin.send("/settings"))[-1]
    assert f"{ON}." in shown.text
    assert ON in shown.button_texts()
    await admin.click(ON)
    assert f"{OFF}." in admin.last_reply().text
    assert OFF in admin.last_reply().button_texts()
    assert await _stored(h, org_id) is False
    assert NOT_UNDERSTOOD in (await admin.send(UNPARSED))[-1].text
    assert len(llm.requests) == 1  # off: nothing left the machine

    await admin.send("/settings")
    await admin.click(OFF)
    assert ON in admin.last_reply().button_texts()
    assert await _stored(h, org_id) is True
    await admin.send(UNPARSED)
    assert len(llm.requests) == 2
    assert await _audit(h) == [
        (ADMIN, "org.llm_understanding", {"before": True, "after": False}),
        (ADMIN, "org.llm_understanding", {"before": False, "after": True})]


async def test_a_viewer_sees_the_state_but_cannot_switch_it(
        with_llm: tuple[BotHarness, FakeLlm]) -> None:
    h, llm = with_llm
    org_id = await org_with(h, "Ромашка", (ADMIN, Role.OWNER), (VIEWER, Role.VIEWER))
    viewer = h.client(VIEWER)
    await viewer.send("/settings")
    replies = await viewer.click(ON)
    assert replies == []  # refused before anything is re-rendered
    assert any("Недостаточно прав" in a for a in viewer.alerts()), viewer.alerts()
    await viewer.click_data("set:llm:off")  # a forged press of the same button
    assert any("Недостаточно прав" in a for a in viewer.alerts()), viewer.alerts()
    assert await _stored(h, org_id) == "unset"
    assert await _audit(h) == []
    await viewer.send(UNPARSED)
    assert len(llm.requests) == 1  # still on for the organisation


async def test_a_forged_state_is_refused_and_nothing_changes(
        with_llm: tuple[BotHarness, FakeLlm]) -> None:
    h, _ = with_llm
    org_id = await org_with(h, "Ромашка", (ADMIN, Role.ADMIN))
    admin = h.client(ADMIN)
    await admin.send("/settings")
    assert await admin.click_data("set:llm:maybe") == []
    assert "Не получилось" in admin.alerts()[-1]
    assert await _stored(h, org_id) == "unset"


async def test_without_an_llm_the_row_says_so_and_the_press_explains(h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (ADMIN, Role.ADMIN), language="en")
    admin = h.client(ADMIN, language_code="en")
    shown = (await admin.send("/settings"))[-1]
    row = "🤖 LLM understanding: not configured on this server"
    assert row in shown.text
    assert row in shown.button_texts()
    assert await admin.click(row) == []
    alert = admin.alerts()[-1]
    assert "No LLM is configured on this server" in alert
    assert "LLM_URL" in alert
    assert len(alert) <= 200  # Telegram's limit for an alert
    assert await _stored(h, org_id) == "unset"
    viewer_org = await org_with(h, "Beta", (VIEWER, Role.VIEWER))
    viewer = h.client(VIEWER)
    await viewer.send("/settings")
    assert "не настроено на этом сервере" in viewer.last_reply().text
    await viewer.click("🤖 Понимание через LLM: не настроено на этом сервере")
    assert any("Недостаточно прав" in a for a in viewer.alerts()), viewer.alerts()
    assert await _stored(h, viewer_org) == "unset"


async def test_the_service_checks_membership_and_role_and_stores_the_option(
        session_maker: async_sessionmaker[AsyncSession]) -> None:
    """On both engines: another organisation's admin naming this one's id finds nothing, a
    viewer is refused, and an admin's change is stored (a JSON column change is tracked)."""
    async with session_maker() as s, s.begin():
        mine, theirs = await orgs.create_org(s, "Mine"), await orgs.create_org(s, "Theirs")
        admin = await orgs.ensure_user(s, ADMIN)
        viewer = await orgs.ensure_user(s, VIEWER)
        await orgs.set_membership(s, mine.id, admin.id, Role.ADMIN)
        await orgs.set_membership(s, theirs.id, viewer.id, Role.VIEWER)
        admin_id, viewer_id = admin.id, viewer.id
    async with session_maker() as s:
        with pytest.raises(NotFound):
            await orgs.set_llm_understanding(s, theirs.id, admin_id, False)
        with pytest.raises(Forbidden):
            await orgs.set_llm_understanding(s, theirs.id, viewer_id, False)
        await s.commit()
    async with session_maker() as s, s.begin():
        assert await orgs.set_llm_understanding(s, mine.id, admin_id, False,
                                                actor_telegram_id=ADMIN) is False
    async with session_maker() as s:
        assert await orgs.llm_understanding(s, mine.id) is False
        assert await orgs.llm_understanding(s, theirs.id) is True
        stored = await s.get(Organization, theirs.id)
        assert stored is not None
        assert ORG_OPTION not in (stored.settings or {})
        entries = (await s.execute(select(AuditEntry.org_id, AuditEntry.actor_telegram_id)
                                   .where(AuditEntry.action == "org.llm_understanding"))).all()
        assert [tuple(e) for e in entries] == [(mine.id, ADMIN)]
