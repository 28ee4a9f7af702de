"""Invites, roles and group binding, end to end through the fake Bot API."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db.models import AuditEntry, BoundChat, Connection, Invite, Membership, User
from core.domain.roles import Role
from tests.bot.harness import BotHarness
from tests.bot.seed import org_with
from tests.support.fake_bot_api import BOT_USERNAME


async def test_invite_link_joins_the_new_member_with_the_chosen_role_once(h: BotHarness) -> None:
    org_id = await org_with(h, "Ромашка", (1, Role.OWNER))
    owner = h.client(1)
    await owner.send("/invite")
    await owner.click("финансы")
    text = owner.last_reply().text
    prefix = f"https://t.me/{BOT_USERNAME}?start="
    assert prefix in text
    payload = text.split(prefix, 1)[1].split()[0]
    assert payload.startswith("inv_")

    bob = h.client(2, language_code="en")
    replies = await bob.send(f"/start {payload}")
    assert "You joined “Ромашка” as finance" in replies[-2].text
    assert "Main menu" in replies[-1].text
    carol = h.client(3)
    replies = await carol.send(f"/start {payload}")
    assert "уже использовано или истекло" in replies[-1].text
    async with h.ctx.session() as s:
        rows = (await s.execute(select(User.telegram_id, Membership.role).join(
            Membership, Membership.user_id == User.id).where(Membership.org_id == org_id)
            .order_by(User.telegram_id))).all()
        assert [tuple(r) for r in rows] == [(1, "owner"), (2, "finance")]
        bob_user = (await s.execute(select(User).where(User.telegram_id == 2))).scalar_one()
        assert bob_user.active_org_id == org_id


async def test_a_viewer_cannot_invite_nor_change_roles(h: BotHarness) -> None:
    org_id = await org_with(h, "Ромашка", (1, Role.OWNER), (5, Role.VIEWER))
    viewer = h.client(5)
    replies = await viewer.send("/invite")
    assert replies[-1].text.startswith("Недостаточно прав")
    async with h.ctx.session() as s:
        owner_membership = (await s.execute(select(Membership.id).where(
            Membership.org_id == org_id, Membership.role == "owner"))).scalar_one()
    await viewer.click_data(f"mem:role:{owner_membership}:viewer")
    assert any("Недостаточно прав" in a for a in viewer.alerts())
    async with h.ctx.session() as s:
        assert (await s.execute(select(func.count()).select_from(Invite))).scalar_one() == 0
        roles = sorted((await s.execute(select(Membership.role))).scalars())
        assert roles == ["owner", "viewer"]


async def test_member_buttons_tampered_to_another_org_leak_nothing(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.OWNER))
    other = await org_with(h, "Чужая ООО", (7, Role.OWNER), (8, Role.MEMBER))
    async with h.ctx.session() as s:
        foreign = (await s.execute(select(Membership.id).where(
            Membership.org_id == other, Membership.role == "member"))).scalar_one()
    mallory = h.client(1)
    await mallory.send("/members")
    for data in (f"mem:open:{foreign}:", f"mem:role:{foreign}:owner", f"mem:rmok:{foreign}:"):
        await mallory.click_data(data)
        alerts = mallory.alerts()
        assert alerts, data
        assert "Не найдено" in alerts[-1]
        assert all("User 8" not in r.text for r in mallory.replies())
    async with h.ctx.session() as s:
        role = (await s.execute(select(Membership.role).where(Membership.id == foreign)))
        assert role.scalar_one() == "member"


async def test_owner_changes_a_role_and_cannot_demote_the_last_owner(h: BotHarness) -> None:
    org_id = await org_with(h, "Ромашка", (1, Role.OWNER), (2, Role.MEMBER))
    owner = h.client(1)
    await owner.send("/members")
    await owner.click("User 2 · участник")
    await owner.click("Сделать: администратор")
    await owner.click("← К списку")
    await owner.click("Test · владелец")
    await owner.click("Сделать: наблюдатель")
    assert any("последнего владельца" in a for a in owner.alerts())
    async with h.ctx.session() as s:
        roles = dict((await s.execute(select(User.telegram_id, Membership.role).join(
            Membership, Membership.user_id == User.id))).all())
        assert roles == {1: "owner", 2: "admin"}
        actions = (await s.execute(select(AuditEntry.action).where(
            AuditEntry.org_id == org_id))).scalars().all()
        assert "member.role" in actions


async def test_bind_a_group_to_the_whole_org_then_unbind(h: BotHarness) -> None:
    org_id = await org_with(h, "Ромашка", (1, Role.ADMIN), (2, Role.MEMBER))
    group = h.client(1, chat_id=-100777, chat_type="supergroup", title="Ops")
    replies = await group.send("/bind")
    assert "Какие уведомления" in replies[-1].text
    await group.click("🏢 Вся организация")
    assert "Группа привязана" in group.last_reply().text
    async with h.ctx.session() as s:
        row = (await s.execute(select(BoundChat))).scalar_one()
        assert (row.org_id, row.chat_id, row.scope_kind, row.is_active) == (
            org_id, -100777, "org", True)
    member_in_group = h.client(2, chat_id=-100777, chat_type="supergroup", title="Ops")
    replies = await member_in_group.send("/unbind")
    assert replies[-1].text.startswith("Недостаточно прав")
    replies = await group.send("/unbind")
    assert "отвязана" in replies[-1].text
    async with h.ctx.session() as s:
        assert (await s.execute(select(BoundChat.is_active))).scalar_one() is False


async def test_bind_in_a_private_chat_explains_where_it_works(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.ADMIN))
    replies = await h.client(1).send("/bind")
    assert "работает в группе" in replies[-1].text


async def test_a_group_member_who_is_not_a_chat_admin_cannot_bind(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.ADMIN))
    h.fake.chat_members[(-100888, 1)] = "member"
    replies = await h.client(1, chat_id=-100888, chat_type="supergroup").send("/bind")
    assert replies[-1].text.startswith("Недостаточно прав")
    async with h.ctx.session() as s:
        assert (await s.execute(select(BoundChat))).first() is None


async def test_a_tampered_project_index_binds_nothing(h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.ADMIN))
    group = h.client(1, chat_id=-100999, chat_type="supergroup")
    await group.send("/bind")
    await group.click_data("bind:project:7")
    assert group.alerts()[-1].startswith("Не найдено")
    async with h.ctx.session() as s:
        assert (await s.execute(select(BoundChat))).first() is None


async def test_added_to_a_group_the_bot_says_how_to_bind_and_blocking_is_recorded(
        h: BotHarness) -> None:
    def change(chat: dict[str, object], old: str, new: str) -> dict[str, object]:
        return {"my_chat_member": {
            "chat": chat, "from": {"id": 1, "is_bot": False, "first_name": "Ann"},
            "date": 1_700_000_000, "old_chat_member": member(old),
            "new_chat_member": member(new)}}

    def member(status: str) -> dict[str, object]:
        bot = {"id": 7_000_000_001, "is_bot": True, "first_name": "InfraZen"}
        return {"status": status, "user": bot, **({"until_date": 0} if status == "kicked" else {})}

    group = h.client(1, chat_id=-100555, chat_type="supergroup")
    await group.feed(change({"id": -100555, "type": "supergroup", "title": "Ops"},
                             "left", "member"))
    assert "/bind" in group.last_reply().text
    me = h.client(1)
    await me.feed(change({"id": 1, "type": "private", "first_name": "Ann"}, "member", "kicked"))
    async with h.ctx.session() as s:
        assert (await s.execute(select(User.is_blocked).where(User.telegram_id == 1))).scalar()
    await me.feed(change({"id": 1, "type": "private", "first_name": "Ann"}, "kicked", "member"))
    async with h.ctx.session() as s:
        blocked = (await s.execute(select(User.is_blocked).where(User.telegram_id == 1)))
        assert blocked.scalar() is False


async def test_switching_to_a_foreign_org_by_a_forged_button_is_refused(h: BotHarness) -> None:
    mine = await org_with(h, "Ромашка", (1, Role.OWNER))
    other = await org_with(h, "Чужая ООО", (7, Role.OWNER))
    me = h.client(1)
    replies = await me.send("/org")
    assert replies[-1].button_texts() == ["✓ Ромашка · владелец"]
    await me.click_data(f"org:{other}")
    assert me.alerts()[-1].startswith("Не найдено")
    assert all("Чужая" not in r.text for r in me.replies())
    async with h.ctx.session() as s:
        active = (await s.execute(select(User.active_org_id).where(User.telegram_id == 1)))
        assert active.scalar_one() == mine


async def test_bind_a_group_to_one_provider(h: BotHarness) -> None:
    org_id = await org_with(h, "Ромашка", (1, Role.ADMIN))
    async with h.ctx.session() as s:
        s.add_all([Connection(org_id=org_id, kind="selectel", name="Прод", credentials=b"x"),
                   Connection(org_id=org_id, kind="beget", name="Сайт", credentials=b"x")])
    group = h.client(1, chat_id=-100321, chat_type="supergroup")
    replies = await group.send("/bind")
    assert replies[-1].button_texts() == ["🏢 Вся организация", "☁️ Beget", "☁️ Selectel"]
    await group.click("☁️ Selectel")
    assert "провайдер Selectel" in group.last_reply().text
    async with h.ctx.session() as s:
        row = (await s.execute(select(BoundChat))).scalar_one()
    assert (row.scope_kind, row.scope_value) == ("provider", "selectel")


async def test_in_a_bound_group_a_non_member_is_refused_not_told_to_create_an_org(
        h: BotHarness) -> None:
    await org_with(h, "Ромашка", (1, Role.ADMIN))
    await org_with(h, "Своя", (5, Role.OWNER))
    await h.client(1, chat_id=-100444, chat_type="supergroup").send("/bind")
    await h.client(1, chat_id=-100444, chat_type="supergroup").click("🏢 Вся организация")
    stranger = h.client(5, chat_id=-100444, chat_type="supergroup")
    replies = await stranger.send("/members")
    assert replies[-1].text.startswith("Недостаточно прав")
