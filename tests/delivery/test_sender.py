"""The sender delivers the outbox through aiogram to the fake Bot API and records every state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Sender, SenderRates
from core.db.engine import session_factory
from core.db.models import BoundChat, ChatStatus, Organization, OutboxMessage
from core.services import outbox
from core.services.outbox import MAX_ATTEMPTS
from tests.delivery.conftest import Telegram
from tests.support.fake_bot_api import TelegramLimits

FAST = SenderRates(global_per_second=10_000, chat_interval=0.0001, group_interval=0.0001)


def _sender(engine: AsyncEngine, tg: Telegram, owner: str = "w1") -> Sender:
    return Sender(tg.bot, session_factory(engine), clock=tg.clock, owner=owner, rates=FAST)


async def _enqueue(engine: AsyncEngine, tg: Telegram, chat_id: int, key: str,
                   text: str = "hello", **extra: object) -> bool:
    async with session_factory(engine)() as s, s.begin():
        return await outbox.enqueue(s, chat_id=chat_id, kind=str(extra.pop("kind", "text")),
                                    dedup_key=key, payload={"text": text, **extra},
                                    now=tg.clock.now())


async def _row(engine: AsyncEngine, key: str) -> OutboxMessage:
    async with session_factory(engine)() as s:
        return (await s.execute(select(OutboxMessage).where(
            OutboxMessage.dedup_key == key))).scalar_one()


async def test_enqueue_keeps_one_row_per_dedup_key(engine: AsyncEngine,
                                                   telegram: Telegram) -> None:
    assert await _enqueue(engine, telegram, 5, "digest:5:2026-11-02")
    assert not await _enqueue(engine, telegram, 5, "digest:5:2026-11-02", "again")
    async with session_factory(engine)() as s:
        assert await outbox.status_counts(s) == {"pending": 1}


async def test_unknown_kind_is_refused_with_the_allowed_ones(sqlite_engine: AsyncEngine,
                                                             telegram: Telegram) -> None:
    with pytest.raises(ValueError, match="text, photo or document"):
        await _enqueue(sqlite_engine, telegram, 5, "k", kind="video")


async def test_text_photo_and_document_are_delivered_with_alert_buttons(
        sqlite_engine: AsyncEngine, telegram: Telegram) -> None:
    await _enqueue(sqlite_engine, telegram, 11, "a", "Бюджет превышен", alerts=[[7, "budget"]])
    async with session_factory(sqlite_engine)() as s, s.begin():
        await outbox.enqueue(s, chat_id=11, kind="photo", dedup_key="p",
                             payload={"caption": "График"}, now=telegram.clock.now(),
                             attachment=b"\x89PNG", attachment_name="chart.png")
        await outbox.enqueue(s, chat_id=11, kind="document", dedup_key="d",
                             payload={"caption": "Бриф"}, now=telegram.clock.now(),
                             attachment=b"%PDF", attachment_name="brief.pdf")
    stats = await _sender(sqlite_engine, telegram).drain()
    assert stats.sent == 3
    sent = telegram.fake.sent(11)
    assert [c.text for c in sent] == ["Бюджет превышен", "График", "Бриф"]  # written order
    alert = next(c for c in sent if c.text == "Бюджет превышен")
    assert [b["callback_data"] for b in alert.buttons()] == ["al:d:7", "al:a:7", "al:s:7"]
    assert next(c for c in sent if c.text == "Бриф").files["document"] == b"%PDF"
    row = await _row(sqlite_engine, "a")
    assert row.status == "sent"
    assert row.telegram_message_id
    assert row.sent_at == telegram.clock.now()


@pytest.mark.parametrize("telegram", [TelegramLimits(chat_per_second=1)], indirect=True)
async def test_429_retry_after_is_honoured_and_the_message_arrives_later(
        sqlite_engine: AsyncEngine, telegram: Telegram) -> None:
    await _enqueue(sqlite_engine, telegram, 21, "first", "one")
    await _enqueue(sqlite_engine, telegram, 21, "second", "two")
    sender = _sender(sqlite_engine, telegram)
    stats = await sender.drain()
    assert (stats.sent, stats.throttled) == (1, 1)  # the fake's 1/s per chat answered 429
    late = await _row(sqlite_engine, "second")
    assert late.status == "pending"
    assert late.next_attempt_at == telegram.clock.now() + timedelta(seconds=1)
    assert (await sender.drain()).claimed == 0  # not before retry_after
    telegram.advance(1)
    assert (await sender.drain()).sent == 1
    assert sorted(telegram.fake.sent_texts(21)) == ["one", "two"]
    assert (await _row(sqlite_engine, "second")).status == "sent"


async def test_403_marks_the_chat_and_its_binding_inactive(sqlite_engine: AsyncEngine,
                                                           telegram: Telegram) -> None:
    async with session_factory(sqlite_engine)() as s, s.begin():
        org = Organization(slug="o", name="O")
        s.add(org)
        await s.flush()
        s.add(BoundChat(org_id=org.id, chat_id=-100, title="ops"))
    telegram.fake.blocked_chats.add(-100)
    await _enqueue(sqlite_engine, telegram, -100, "x", "to a group that kicked us")
    stats = await _sender(sqlite_engine, telegram).drain()
    assert stats.blocked == 1
    assert stats.sent == 0
    async with session_factory(sqlite_engine)() as s:
        status = await s.get(ChatStatus, -100)
        bound = (await s.execute(select(BoundChat))).scalar_one()
    assert status is not None
    assert status.is_active is False
    assert bound.is_active is False
    assert (await _row(sqlite_engine, "x")).status == "blocked"
    await _enqueue(sqlite_engine, telegram, -100, "y", "later")
    calls_before = len(telegram.fake.calls)
    await _sender(sqlite_engine, telegram).drain()
    assert len(telegram.fake.calls) == calls_before  # an inactive chat is not tried again
    assert (await _row(sqlite_engine, "y")).status == "blocked"


async def test_5xx_is_retried_with_backoff_then_delivered(sqlite_engine: AsyncEngine,
                                                          telegram: Telegram) -> None:
    telegram.fake.fail_next("sendMessage", 502, times=2)
    await _enqueue(sqlite_engine, telegram, 31, "k", "after two 502s")
    sender = _sender(sqlite_engine, telegram)
    assert (await sender.drain()).retried == 1
    row = await _row(sqlite_engine, "k")
    assert row.status == "pending"
    assert "TelegramServerError" in (row.last_error or "")
    assert row.next_attempt_at == telegram.clock.now() + timedelta(seconds=2)
    telegram.advance(2)
    assert (await sender.drain()).retried == 1
    telegram.advance(4)
    assert (await sender.drain()).sent == 1
    assert telegram.fake.sent_texts(31) == ["after two 502s"]
    assert (await _row(sqlite_engine, "k")).attempts == 3


async def test_5xx_gives_up_after_max_attempts(sqlite_engine: AsyncEngine,
                                               telegram: Telegram) -> None:
    telegram.fake.fail_next("sendMessage", 500, times=MAX_ATTEMPTS)
    await _enqueue(sqlite_engine, telegram, 32, "k")
    sender = _sender(sqlite_engine, telegram)
    for _ in range(MAX_ATTEMPTS):
        await sender.drain()
        telegram.advance(300)
    row = await _row(sqlite_engine, "k")
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert telegram.fake.sent(32) == []


async def test_a_bad_request_fails_for_good_with_telegrams_reason(
        sqlite_engine: AsyncEngine, telegram: Telegram) -> None:
    telegram.fake.fail_next("sendMessage", 400)
    await _enqueue(sqlite_engine, telegram, 33, "k")
    stats = await _sender(sqlite_engine, telegram).drain()
    row = await _row(sqlite_engine, "k")
    assert stats.failed == 1
    assert row.status == "failed"
    assert "Bad Request" in (row.last_error or "")


async def test_a_dead_workers_message_is_sent_once_after_its_lease_expires(
        sqlite_engine: AsyncEngine, telegram: Telegram) -> None:
    await _enqueue(sqlite_engine, telegram, 41, "k", "survives a crash")
    async with session_factory(sqlite_engine)() as s, s.begin():  # worker "dead" claims, dies
        assert len(await outbox.claim_batch(s, owner="dead", now=telegram.clock.now())) == 1
    sender = _sender(sqlite_engine, telegram)
    assert (await sender.drain()).claimed == 0  # still leased to the dead worker
    telegram.advance(outbox.DEFAULT_LEASE.total_seconds() + 1)
    assert (await sender.drain()).sent == 1
    assert (await sender.drain()).claimed == 0
    assert telegram.fake.sent_texts(41) == ["survives a crash"]


async def test_two_workers_never_send_a_message_twice(engine: AsyncEngine,
                                                      telegram: Telegram) -> None:
    async with session_factory(engine)() as s, s.begin():
        for i in range(120):
            await outbox.enqueue(s, chat_id=1000 + i, kind="text", dedup_key=f"m{i}",
                                 payload={"text": f"m{i}"}, now=telegram.clock.now())
    a = Sender(telegram.bot, session_factory(engine), clock=telegram.clock, owner="a",
               rates=FAST, batch=7)
    b = Sender(telegram.bot, session_factory(engine), clock=telegram.clock, owner="b",
               rates=FAST, batch=7)
    import asyncio

    sa, sb = await asyncio.gather(a.drain(), b.drain())
    texts = telegram.fake.sent_texts()
    assert sorted(texts) == sorted(f"m{i}" for i in range(120))  # all, each exactly once
    assert sa.sent + sb.sent == 120
    async with session_factory(engine)() as s:
        assert await outbox.status_counts(s) == {"sent": 120}


async def test_a_message_whose_lease_is_running_out_is_not_sent(sqlite_engine: AsyncEngine,
                                                                telegram: Telegram) -> None:
    await _enqueue(sqlite_engine, telegram, 51, "k", "late")
    short = Sender(telegram.bot, session_factory(sqlite_engine), clock=telegram.clock,
                   owner="slow", rates=FAST, lease=timedelta(seconds=5))
    stats = await short.drain()
    assert (stats.claimed, stats.expired, stats.sent) == (1, 1, 0)
    assert telegram.fake.sent(51) == []  # another worker may take it once the lease ends
    telegram.advance(6)
    assert (await _sender(sqlite_engine, telegram, owner="next").drain()).sent == 1
    assert telegram.fake.sent_texts(51) == ["late"]


async def test_a_message_held_for_quiet_hours_waits_until_its_time(sqlite_engine: AsyncEngine,
                                                                   telegram: Telegram) -> None:
    async with session_factory(sqlite_engine)() as s, s.begin():
        await outbox.enqueue(s, chat_id=61, kind="text", dedup_key="q", payload={"text": "am"},
                             now=telegram.clock.now(),
                             not_before=telegram.clock.now() + timedelta(hours=8))
    sender = _sender(sqlite_engine, telegram)
    assert (await sender.drain()).claimed == 0
    telegram.advance(8 * 3600)
    assert (await sender.drain()).sent == 1
    assert telegram.fake.sent_texts(61) == ["am"]


@pytest.mark.parametrize("telegram", [TelegramLimits(group_per_minute=2)], indirect=True)
async def test_a_group_over_its_per_minute_limit_gets_the_rest_a_minute_later(
        sqlite_engine: AsyncEngine, telegram: Telegram) -> None:
    for i in range(3):
        await _enqueue(sqlite_engine, telegram, -700, f"g{i}", f"group {i}")
    sender = _sender(sqlite_engine, telegram)
    stats = await sender.drain()
    assert (stats.sent, stats.throttled) == (2, 1)
    late = await _row(sqlite_engine, "g2")
    assert late.next_attempt_at == telegram.clock.now() + timedelta(seconds=60)
    telegram.advance(60)
    assert (await sender.drain()).sent == 1
    assert telegram.fake.sent_texts(-700) == ["group 0", "group 1", "group 2"]


async def test_a_group_message_is_claimed_before_an_older_private_backlog(
        engine: AsyncEngine, telegram: Telegram) -> None:
    """A group sends one message in three seconds: claimed behind a digest to thousands of
    private chats, its backlog would start only when theirs ends and the fan-out would end at
    the groups' pace. Groups come first; inside a chat, oldest first."""
    for chat in range(1, 6):
        await _enqueue(engine, telegram, chat, f"digest-{chat}")
    await _enqueue(engine, telegram, -100, "group-1", "first")
    await _enqueue(engine, telegram, -100, "group-2", "second")
    async with session_factory(engine)() as s, s.begin():
        claimed = await outbox.claim_batch(s, owner="w", now=telegram.clock.now(), limit=3)
    # the group's two and the oldest digest, returned in id order (a chat's order kept)
    assert [item.dedup_key for item in claimed] == ["digest-1", "group-1", "group-2"]
