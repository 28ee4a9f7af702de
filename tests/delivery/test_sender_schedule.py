"""Per-chat scheduling: one chat's backlog (several messages at its 1/s, a group at 20/min) does
not hold back other chats, and every message arrives once, in its chat's order."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery import Sender, SenderRates
from core.db.engine import session_factory
from core.db.models import OutboxMessage
from core.services import outbox
from tests.delivery.conftest import Telegram

# Telegram's shape, faster: a chat every 0.4 s, a group every 1.2 s, held up to 0.8 s here
RATES = SenderRates(global_per_second=10_000, chat_interval=0.4, group_interval=1.2, hold=0.8)
BUSY, GROUP = 7, -500
OTHERS = range(1000, 1020)


async def _enqueue_all(engine: AsyncEngine, tg: Telegram) -> list[str]:
    order: list[str] = []
    async with session_factory(engine)() as s, s.begin():
        for chat, count in [(BUSY, 12), (GROUP, 6), *((c, 1) for c in OTHERS)]:
            for i in range(count):
                key = f"{chat}:{i}"
                await outbox.enqueue(s, chat_id=chat, kind="text", dedup_key=key,
                                     payload={"text": key}, now=tg.clock.now())
                order.append(key)
    return order


async def test_a_busy_chat_and_a_group_do_not_hold_back_the_others(
        engine: AsyncEngine, telegram: Telegram) -> None:
    order = await _enqueue_all(engine, telegram)  # the busy chat's backlog is claimed first
    sender = Sender(telegram.bot, session_factory(engine), clock=telegram.clock, owner="w",
                    rates=RATES, batch=8)
    first = await sender.drain()
    sent = telegram.fake.sent_texts()
    assert all(f"{c}:0" in sent for c in OTHERS)  # every other chat served in the first round
    assert first.sent < len(order)  # while the backlogs wait for their chats' later slots
    assert sender.deferred > 0
    async with session_factory(engine)() as s:
        waiting = (await s.execute(select(OutboxMessage).where(
            OutboxMessage.status == "pending"))).scalars().all()
    assert {m.chat_id for m in waiting} <= {BUSY, GROUP}
    assert all(m.attempts == 0 for m in waiting)  # a wait for a slot is not a failed attempt
    for _ in range(200):  # each round: a second later, the next slots come due
        async with session_factory(engine)() as s:
            if await outbox.status_counts(s) == {"sent": len(order)}:
                break
        telegram.advance(1)
        await sender.drain()
        await asyncio.sleep(0.1)
    texts = telegram.fake.sent_texts()
    assert Counter(texts) == Counter(order)  # none lost, none twice
    for chat in (BUSY, GROUP):
        assert telegram.fake.sent_texts(chat) == [k for k in order if k.startswith(f"{chat}:")]


async def test_a_throttled_message_is_not_overtaken_by_a_later_one_of_its_chat(
        engine: AsyncEngine, telegram: Telegram) -> None:
    keys = [f"{GROUP}:{i}" for i in range(4)]
    async with session_factory(engine)() as s, s.begin():
        for key in keys:
            await outbox.enqueue(s, chat_id=GROUP, kind="text", dedup_key=key,
                                 payload={"text": key}, now=telegram.clock.now())
    # generous rates: all four are claimed in one batch and would go out back to back
    sender = Sender(telegram.bot, session_factory(engine), clock=telegram.clock, owner="w",
                    rates=SenderRates(global_per_second=10_000, chat_interval=0.01,
                                      group_interval=0.01, hold=60), batch=10)
    telegram.fake.fail_next("sendMessage", status=429)  # the first is told to retry in 1 s
    await sender.drain()
    assert telegram.fake.sent_texts(GROUP) == []  # the later ones waited for the first
    for _ in range(50):
        async with session_factory(engine)() as s:
            if await outbox.status_counts(s) == {"sent": len(keys)}:
                break
        telegram.advance(1)
        await sender.drain()
        await asyncio.sleep(0.05)
    assert telegram.fake.sent_texts(GROUP) == keys
