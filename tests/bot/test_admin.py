"""Superadmin tools, and that nobody else learns they exist."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.models import (
    AuditEntry,
    Connection,
    Membership,
    OutboxMessage,
    SyncSnapshot,
    UnrecognizedItem,
    User,
)
from core.domain.roles import Role
from core.security.vault import Vault
from tests.bot.harness import SUPERADMIN, BotHarness, running_bot
from tests.bot.seed import org_with


async def test_a_non_superadmin_gets_the_unknown_command_reply(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.OWNER))
    me = h.client(1)
    unknown = (await me.send("/frobnicate"))[-1]
    for text in ("/admin", "/admin as 1", "/admin broadcast hi", "/admin reseed"):
        reply = (await me.send(text))[-1]
        assert reply.text == unknown.text.replace("/frobnicate", "/admin")
        assert reply.buttons == unknown.buttons
    await me.click_data("adm:reseed:0")
    assert me.alerts() == [unknown_alert(h)]
    async with h.ctx.session() as s:
        assert (await s.execute(select(AuditEntry).where(
            AuditEntry.as_superadmin.is_(True)))).first() is None


def unknown_alert(h: BotHarness) -> str:
    from renderers.i18n import t

    return t("bot.stale_button", "ru")


async def _platform(h: BotHarness) -> int:
    org_id = await org_with(h, "Ромашка", (1, Role.OWNER))
    now = datetime.now(UTC)
    async with h.ctx.session() as s:
        conn = Connection(org_id=org_id, kind="selectel", name="Прод",
                          credentials=h.ctx.vault.encrypt({"token": "x"}))
        s.add(conn)
        await s.flush()
        s.add_all([SyncSnapshot(org_id=org_id, connection_id=conn.id, started_at=now,
                                status="success"),
                   SyncSnapshot(org_id=org_id, connection_id=conn.id, started_at=now,
                                status="failed"),
                   UnrecognizedItem(org_id=org_id, connection_id=conn.id, external_id="x-1",
                                    name="mystery-disk", first_seen_at=now, last_seen_at=now)])
    return org_id


async def test_superadmin_stats_and_unrecognized_review(h: BotHarness) -> None:
    await _platform(h)
    admin = h.client(SUPERADMIN)
    text = (await admin.send("/admin"))[-1].text
    for needle in ("Организаций: 1", "Пользователей: 2", "Подключений: 1",
                   "Синхронизаций за 24 ч: 2, из них неудачных: 1", "Нераспознанных ресурсов: 1"):
        assert needle in text
    await admin.click("❔ Нераспознанные ресурсы")
    assert "mystery-disk" in admin.last_reply().text
    await admin.click(admin.last_reply().button_texts()[0])
    replies = await admin.send("ночные бэкапы")
    assert "отмечен как решённый" in replies[-1].text
    async with h.ctx.session() as s:
        item = (await s.execute(select(UnrecognizedItem))).scalar_one()
        assert item.resolution_note == "ночные бэкапы"
        assert item.resolved_at is not None


async def test_act_as_marks_every_reply_and_audits_every_action(h: BotHarness) -> None:
    await _platform(h)
    admin = h.client(SUPERADMIN)
    replies = await admin.send("/admin orgs ромаш")
    assert "Ромашка" in replies[-1].text
    await admin.click("🛟 Войти как «Ромашка»")
    assert "Режим поддержки" in admin.last_reply().text
    replies = await admin.send("/members")
    assert replies[-1].text.startswith("🛟 [поддержка: Ромашка]")
    assert "Участники организации «Ромашка»" in replies[-1].text
    replies = await admin.send("/admin exit")
    assert "завершён" in replies[-1].text
    replies = await admin.send("/members")
    assert not replies[-1].text.startswith("🛟")
    async with h.ctx.session() as s:
        rows = (await s.execute(select(AuditEntry.action, AuditEntry.details).where(
            AuditEntry.as_superadmin.is_(True)).order_by(AuditEntry.id))).all()
    actions = [a for a, _ in rows]
    assert actions == ["support.start", "support.action", "support.end", "support.action"]
    assert [d.get("input") for _, d in rows] == [None, "/members", None, "/admin exit"]
    async with h.ctx.session() as s:
        members = (await s.execute(select(Membership.org_id).join(
            User, User.id == Membership.user_id).where(User.telegram_id == SUPERADMIN))).all()
    assert members == []  # the temporary support membership is gone


async def test_broadcast_goes_through_the_outbox(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.OWNER), (2, Role.MEMBER))
    admin = h.client(SUPERADMIN)
    await admin.send("/admin broadcast Плановые работы в субботу")
    await admin.click("📣 Отправить всем")
    assert "3 получателей" in admin.last_reply().text
    async with h.ctx.session() as s:
        rows = (await s.execute(select(OutboxMessage.chat_id, OutboxMessage.payload))).all()
    assert sorted(c for c, _ in rows) == [1, 2, SUPERADMIN]
    assert {p["text"] for _, p in rows} == {"Плановые работы в субботу"}


async def test_act_as_survives_a_restart_and_a_second_act_as_ends_the_first(
        bot_engine: AsyncEngine, vault: Vault) -> None:
    async with running_bot(bot_engine, vault, superadmin_ids=(SUPERADMIN,)) as first:
        await org_with(first, "Ромашка", (1, Role.OWNER))
        await org_with(first, "Лютик", (2, Role.OWNER))
        await first.client(SUPERADMIN).send("/admin as 1")
    async with running_bot(bot_engine, vault, superadmin_ids=(SUPERADMIN,)) as second:
        admin = second.client(SUPERADMIN)
        replies = await admin.send("/members")
        assert replies[-1].text.startswith("🛟 [поддержка: Ромашка]")
        await admin.send("/admin as 2")
        replies = await admin.send("/members")
        assert replies[-1].text.startswith("🛟 [поддержка: Лютик]")
        async with second.ctx.session() as s:
            orgs = (await s.execute(select(Membership.org_id).join(
                User, User.id == Membership.user_id).where(User.telegram_id == SUPERADMIN)))
            assert orgs.scalars().all() == [2]  # the first temporary membership is gone


async def test_superadmin_finds_users_and_reseeds_the_demo(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.OWNER))
    admin = h.client(SUPERADMIN)
    replies = await admin.send("/admin users user 1")
    assert replies[-1].text == "• User 1 (@—, id 1) — Ромашка"
    replies = await admin.send("/admin users nobody-like-this")
    assert replies[-1].text == "Ничего не найдено."
    await admin.send("/admin")
    await admin.click("🧪 Пересоздать демо")
    assert "Демо пересоздано: 45 ресурсов" in admin.last_reply().text
    async with h.ctx.session() as s:
        actions = (await s.execute(select(AuditEntry.action).where(
            AuditEntry.as_superadmin.is_(True)))).scalars().all()
    assert actions == ["demo.reseed"]


async def test_every_subcommand_and_button_is_invisible_to_an_organisation_owner(
        h: BotHarness) -> None:
    """Each subcommand and each panel button is its own registration: all stay behind the gate."""
    from bot.features.admin.callbacks import AdminAction, AdminCb
    from bot.features.admin.router import SUBCOMMANDS

    org_id = await _platform(h)
    me = h.client(1)
    unknown = (await me.send("/frobnicate"))[-1]
    for word, _ in SUBCOMMANDS:
        text = f"/admin {word} {org_id} заметка".replace("  ", " ")
        reply = (await me.send(text))[-1]
        assert reply.text == unknown.text.replace("/frobnicate", "/admin"), text
    for action in AdminAction:
        replies = await me.click_data(AdminCb(action=action, id=org_id).pack())
        assert (replies, me.alerts()) == ([], [unknown_alert(h)]), action
    async with h.ctx.session() as s:
        assert (await s.execute(select(AuditEntry))).first() is None
        assert (await s.execute(select(UnrecognizedItem.resolved_at))).scalar_one() is None
        assert (await s.execute(select(OutboxMessage))).first() is None
        assert (await s.execute(select(Membership.org_id).join(
            User, User.id == Membership.user_id).where(User.telegram_id == 1))).all() == [
            (org_id,)]


async def test_subcommand_words_reach_their_own_handler_with_the_rest_of_the_line(
        h: BotHarness) -> None:
    await _platform(h)
    admin = h.client(SUPERADMIN)
    usage = (await admin.send("/admin frobnicate"))[-1].text
    assert usage.startswith("Команды: /admin users ЗАПРОС")
    assert (await admin.send("/admin"))[-1].text.endswith(usage)  # the panel ends with it
    assert (await admin.send("/admin exit"))[-1].text == "Вы сейчас не в режиме поддержки."
    assert (await admin.send("/admin resolve x"))[-1].text == "Формат: /admin resolve ID ЗАМЕТКА"
    assert (await admin.send("/admin broadcast"))[-1].text == "Формат: /admin broadcast ТЕКСТ"
    assert "mystery-disk" in (await admin.send("/admin UNRECOGNIZED"))[-1].text
    async with h.ctx.session() as s:
        item_id = (await s.execute(select(UnrecognizedItem.id))).scalar_one()
    reply = (await admin.send(f"/admin   resolve {item_id}   диск   от бэкапа  "))[-1]
    assert reply.text == f"✅ #{item_id} (mystery-disk) отмечен как решённый."
    async with h.ctx.session() as s:
        note = (await s.execute(select(UnrecognizedItem.resolution_note))).scalar_one()
    assert note == "диск   от бэкапа"
    assert (await admin.send("/admin unrecognized"))[-1].text == "Нераспознанных ресурсов нет."
