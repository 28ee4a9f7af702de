"""A chat marked inactive after a 403 hears from us again once it shows it can: the user writes
(any message, /start) or unblocks the bot, or the bot is re-added to a bound group. Through the
production dispatcher, the alert job, the sender and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Sender, SenderRates
from core.clock import FrozenClock
from core.db.models import BoundChat, ChatStatus, OutboxMessage, User
from core.domain.roles import Role
from core.jobs.alerts import evaluate_org
from core.security.vault import Vault
from core.services import outbox
from tests.alerts import factory
from tests.bot.harness import BotHarness, ChatClient, running_bot
from tests.bot.seed import org_with
from tests.support.jobs import job_runtime

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)
OWNER, GROUP = 1001, -100777
BOT = {"id": 7_000_000_001, "is_bot": True, "first_name": "InfraZen"}
ADMIN_RIGHTS = {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                "can_delete_messages": True, "can_manage_video_chats": False,
                "can_restrict_members": False, "can_promote_members": False,
                "can_change_info": False, "can_invite_users": True, "can_post_stories": False,
                "can_edit_stories": False, "can_delete_stories": False,
                "can_send_welcome_messages": False}


@pytest.fixture
async def h(bot_engine: AsyncEngine, vault: Vault) -> AsyncIterator[BotHarness]:
    async with running_bot(bot_engine, vault, clock=FrozenClock(NOW)) as harness:
        yield harness


def membership(chat: ChatClient, old: str, new: str) -> dict[str, object]:
    """A `my_chat_member` update: the bot's status in `chat` changes from `old` to `new`."""
    def member(status: str) -> dict[str, object]:
        extra = ({"until_date": 0} if status == "kicked"
                 else ADMIN_RIGHTS if status == "administrator" else {})
        return {"status": status, "user": BOT, **extra}
    chat_obj = ({"id": chat.chat_id, "type": "private", "first_name": "Ann"}
                if chat.chat_type == "private"
                else {"id": chat.chat_id, "type": chat.chat_type, "title": "Ops"})
    return {"my_chat_member": {
        "chat": chat_obj, "from": {"id": chat.user_id, "is_bot": False, "first_name": "Ann"},
        "date": 1_700_000_000, "old_chat_member": member(old), "new_chat_member": member(new)}}


async def _alert(h: BotHarness, org_id: int, zombie: str) -> None:
    """A new zombie, one evaluation, one drain."""
    async with h.ctx.session() as s:
        conn = await factory.connection(s, org_id, name=f"c-{zombie}")
        await factory.resource(s, conn, zombie, is_zombie=True, daily_cost=Decimal(100))
    await evaluate_org(job_runtime(h.ctx, "w"), org_id)
    await Sender(h.bot, h.ctx.sessions, clock=h.ctx.clock, rates=FAST).drain()


async def _active(h: BotHarness, chat_id: int) -> tuple[bool | None, bool | None]:
    """(chat_status.is_active, bound_chats.is_active) of a chat; None where no row."""
    async with h.ctx.session() as s:
        status = await s.get(ChatStatus, chat_id)
        bound = (await s.execute(select(BoundChat.is_active).where(
            BoundChat.chat_id == chat_id))).scalar_one_or_none()
    return (None if status is None else status.is_active), bound


def _texts(h: BotHarness, chat_id: int, needle: str) -> list[str]:
    return [t for t in h.fake.sent_texts(chat_id) if needle in t]


async def test_a_user_who_blocked_the_bot_gets_alerts_again_after_writing_to_it(
        h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER))
    h.fake.blocked_chats.add(OWNER)
    await _alert(h, org_id, "vm-1")  # 403: the chat is marked inactive
    assert await _active(h, OWNER) == (False, None)
    await _alert(h, org_id, "vm-2")  # not even tried while inactive
    async with h.ctx.session() as s:
        statuses = (await s.execute(select(OutboxMessage.status))).scalars().all()
    assert statuses == ["blocked", "blocked"]

    h.fake.blocked_chats.discard(OWNER)  # they unblock in Telegram and write to the bot
    owner = h.client(OWNER)
    await owner.send("сколько мы потратили вчера?")
    assert await _active(h, OWNER) == (True, None)
    await _alert(h, org_id, "vm-3")
    assert len(_texts(h, OWNER, "Зомби-ресурс: vm-3")) == 1
    assert _texts(h, OWNER, "vm-1") == _texts(h, OWNER, "vm-2") == []  # stale ones stay unsent


async def test_start_or_unblocking_reactivates_and_blocking_again_does_not(
        h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER))
    owner = h.client(OWNER)
    h.fake.blocked_chats.add(OWNER)
    await _alert(h, org_id, "vm-1")
    await owner.feed(membership(owner, "member", "kicked"))  # the block itself: still off
    assert await _active(h, OWNER) == (False, None)
    h.fake.blocked_chats.discard(OWNER)
    await owner.feed(membership(owner, "kicked", "member"))  # "Restart" in Telegram
    assert await _active(h, OWNER) == (True, None)
    async with h.ctx.session() as s:
        assert (await s.execute(select(User.is_blocked).where(
            User.telegram_id == OWNER))).scalar_one() is False
    await _alert(h, org_id, "vm-2")
    assert len(_texts(h, OWNER, "vm-2")) == 1

    h.fake.blocked_chats.add(OWNER)  # blocked again, then /start
    await _alert(h, org_id, "vm-3")
    assert await _active(h, OWNER) == (False, None)
    h.fake.blocked_chats.discard(OWNER)
    await owner.send("/start")
    assert await _active(h, OWNER) == (True, None)


async def test_a_bound_group_the_bot_is_re_added_to_gets_its_alerts_again(
        h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER))
    async with h.ctx.session() as s:
        s.add(BoundChat(org_id=org_id, chat_id=GROUP, scope_kind="org", language="ru"))
    group = h.client(OWNER, chat_id=GROUP, chat_type="supergroup")
    h.fake.blocked_chats.add(GROUP)  # the bot was removed from the group
    await _alert(h, org_id, "vm-1")
    assert await _active(h, GROUP) == (False, False)

    h.fake.blocked_chats.discard(GROUP)
    await group.feed(membership(group, "left", "administrator"))
    assert group.last_reply().text.startswith("🔔 Я снова здесь")
    assert await _active(h, GROUP) == (True, True)
    await _alert(h, org_id, "vm-2")
    assert len(_texts(h, GROUP, "Зомби-ресурс: vm-2")) == 1


async def test_a_group_unbound_before_the_bot_was_removed_stays_unbound(
        h: BotHarness) -> None:
    org_id = await org_with(h, "Acme", (OWNER, Role.OWNER))
    async with h.ctx.session() as s:
        s.add(BoundChat(org_id=org_id, chat_id=GROUP, scope_kind="org", language="ru"))
    group = h.client(OWNER, chat_id=GROUP, chat_type="supergroup")
    await group.send("/unbind")
    h.fake.blocked_chats.add(GROUP)  # then the bot is removed; a message queued for it earlier
    async with h.ctx.session() as s:
        await outbox.enqueue(s, chat_id=GROUP, kind="text", dedup_key="late", now=NOW,
                             payload={"text": "late"})
    await Sender(h.bot, h.ctx.sessions, clock=h.ctx.clock, rates=FAST).drain()
    assert await _active(h, GROUP) == (False, False)
    h.fake.blocked_chats.discard(GROUP)
    await group.feed(membership(group, "kicked", "member"))
    assert "/bind" in group.last_reply().text  # greeted as a new group, not resumed
    assert await _active(h, GROUP) == (True, False)
