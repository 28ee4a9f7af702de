"""The outbox sender: claims due messages and sends them through aiogram's `Bot`.

Limits (Telegram's: ~30 messages/s overall, 1/s per chat, 20/min per group) are kept with
aiolimiter leaky buckets: 28/s overall with a burst of 2 (so event-loop lateness is caught up
while any one-second window stays within 30), one message per second per chat, one per three
seconds per group.

Per-chat schedule. Each chat has its own next free slot; a claimed message whose slot is more
than `SenderRates.hold` seconds away goes back to the outbox, due at that slot (not counted as
an attempt), instead of waiting in memory. So one chat's backlog (a digest plus alerts, a busy
group at 20/min) never fills the in-flight window that the next claim waits on: other chats'
messages keep flowing at the overall rate, and the backlog arrives in order at its chat's pace.

A 429 puts the message back with `next_attempt_at = now + retry_after`; 5xx and
network errors back off exponentially (2, 4, 8 … s, at most 5 min, `MAX_ATTEMPTS` tries); a
403 marks the message `blocked`, the chat inactive (`chat_status`) and its group binding
inactive; other 4xx answers fail the message for good with Telegram's description.

Crash safety. A message is claimed under a lease (committed), sent, then marked `sent` in
its own transaction right after Telegram answers. A crash before the send leaves the lease to
expire and another worker sends it: nothing is lost. The one window is between Telegram
accepting the message and the `sent` commit (milliseconds: one UPDATE by primary key): a crash
exactly there leaves the row `sending`, and after the lease expires it is sent again. We
chose at-least-once in that window because a lost alert costs more than a repeated one;
outside it a dedup key is delivered once (the unique key keeps one row per cause, the lease
keeps one sender per row).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.features.alerts.keyboards import alert_keyboard
from core import metrics
from core.clock import Clock, SystemClock
from core.services import outbox
from core.services.leases import worker_name
from core.services.outbox import MAX_ATTEMPTS, OutboxItem

__all__ = ["DrainStats", "Sender", "SenderRates", "backoff", "worker_id"]

log = logging.getLogger(__name__)


def worker_id() -> str:
    """A lease owner name unique to this process."""
    return worker_name()


LEASE_MARGIN = timedelta(seconds=10)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at five minutes."""
    return timedelta(seconds=min(300, 2 ** max(1, attempts)))


@dataclass(frozen=True)
class SenderRates:
    """Spacing of sends; defaults stay just under Telegram's published limits."""

    global_per_second: float = 28.0
    global_burst: int = 2  # absorbs event-loop lateness; burst + rate stays ≤ 30 in any second
    chat_interval: float = 1.05  # 1 per second, with room for network jitter (a 429 reorders)
    group_interval: float = 3.1  # 20 per minute, with room for network jitter
    hold: float = 5.0  # a message due within this many seconds of its chat's slot waits here


@dataclass
class DrainStats:
    """What one drain (or a whole run) did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    throttled: int = 0
    failed: int = 0
    blocked: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DrainStats) -> None:
        for name in ("claimed", "sent", "retried", "throttled", "failed", "blocked", "expired"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors[-20:])


class Sender:
    """One worker's sender; several may run against one PostgreSQL database at once."""

    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], *,
                 clock: Clock | None = None, owner: str | None = None,
                 rates: SenderRates | None = None, batch: int = 100,
                 lease: timedelta = outbox.DEFAULT_LEASE) -> None:
        self.bot = bot
        self.sessions = sessions
        self.clock = clock or SystemClock()
        self.owner = owner or worker_id()
        self.rates = rates or SenderRates()
        self.batch = batch
        self.lease = lease
        burst = self.rates.global_burst
        self._global = AsyncLimiter(burst, burst / self.rates.global_per_second)
        self._chats: dict[int, AsyncLimiter] = {}
        self._blobs: dict[str, tuple[bytes, str] | None] = {}
        self._file_ids: dict[str, str] = {}
        self._upload_locks: dict[str, asyncio.Lock] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_users: dict[int, int] = defaultdict(int)
        self._blocked_now: set[int] = set()
        self._slots: dict[int, datetime] = {}  # chat → its last planned send
        self._reserved: dict[int, datetime] = {}  # message put back → its slot
        # chat → until when Telegram told us to wait (a 429): its later messages wait too, so
        # the throttled one is not overtaken
        self._hold_until: dict[int, datetime] = {}
        self.deferred = 0  # messages put back for their chat's later slot (benchmarks read it)

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) > 50_000:
                self._chats.clear()  # old buckets are full again anyway after their interval
            interval = self.rates.group_interval if chat_id < 0 else self.rates.chat_interval
            limiter = self._chats[chat_id] = AsyncLimiter(1, interval)
        return limiter

    def _plan(self, item: OutboxItem, now: datetime) -> datetime:
        """Reserve the chat's next send slot (on the sender's clock, the outbox's time base).
        A message put back earlier keeps the slot it was given then, so a chat's messages stay
        in order however often they come back."""
        chat_id = item.chat_id
        interval = timedelta(seconds=self.rates.group_interval if chat_id < 0
                             else self.rates.chat_interval)
        if len(self._slots) > 50_000:  # chats whose last slot has passed need no memory
            self._slots = {c: t for c, t in self._slots.items() if t > now}
            self._hold_until = {c: t for c, t in self._hold_until.items() if t > now}
        if len(self._reserved) > 50_000:  # claimed by another worker since: forget
            self._reserved = {i: t for i, t in self._reserved.items()
                              if t > now - timedelta(minutes=10)}
        reserved = self._reserved.pop(item.id, None)
        if reserved is not None:
            return reserved
        last = self._slots.get(chat_id)
        slot = now if last is None else max(now, last + interval)
        self._slots[chat_id] = slot
        return slot

    async def _claim(self) -> tuple[list[OutboxItem], set[int]]:
        """Claim due messages; those of a chat that is busy for longer than `hold` go back to
        the outbox due at their slot, and only the rest are returned."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            items = await outbox.claim_batch(session, owner=self.owner, now=now,
                                             limit=self.batch, lease=self.lease)
            blocked = await outbox.chat_blocked(session, [i.chat_id for i in items])
            ready: list[OutboxItem] = []
            for item in items:  # in id order: a chat's messages keep their order
                slot = now if item.chat_id in blocked else self._plan(item, now)
                if (slot - now).total_seconds() > self.rates.hold:
                    self._reserved[item.id] = slot
                    await outbox.defer(session, item.id, owner=self.owner, at=slot)
                else:
                    ready.append(item)
        self._blocked_now.clear()  # the database is the truth again from here
        self.deferred += len(items) - len(ready)
        return ready, blocked

    async def drain_once(self) -> DrainStats:
        """Claim one batch of due messages and deliver it; returns what happened."""
        items, blocked = await self._claim()
        stats = DrainStats(claimed=len(items))
        await asyncio.gather(*(self._in_order(item, item.chat_id in blocked, stats)
                               for item in items))
        return stats

    async def _in_order(self, item: OutboxItem, blocked: bool, stats: DrainStats) -> None:
        """One chat's messages go one at a time in claim order (asyncio.Lock wakes waiters
        first come, first served), so a chart precedes its text."""
        lock = self._chat_locks.setdefault(item.chat_id, asyncio.Lock())
        self._chat_users[item.chat_id] += 1
        try:
            async with lock:
                blocked = blocked or item.chat_id in self._blocked_now
                if not blocked and await self._held(item):
                    return
                if await self._deliver(item, blocked, stats):
                    self._blocked_now.add(item.chat_id)
        finally:
            self._chat_users[item.chat_id] -= 1
            if not self._chat_users[item.chat_id]:
                del self._chat_users[item.chat_id], self._chat_locks[item.chat_id]

    async def pump(self, stop: asyncio.Event | None = None, *, until_idle: bool = False,
                   idle: float = 1.0) -> DrainStats:
        """Send continuously: the next batch is claimed while half of the current one is still
        in flight, so the rate limiter never waits for the database. Stops when `stop` is
        set, or (`until_idle`) when nothing is due and nothing is in flight."""
        total = DrainStats()
        inflight: set[asyncio.Task[None]] = set()
        async with asyncio.TaskGroup() as group:
            while stop is None or not stop.is_set():
                if len(inflight) <= self.batch // 2:
                    items, blocked = await self._claim()
                    total.claimed += len(items)
                    for item in items:
                        task = group.create_task(
                            self._in_order(item, item.chat_id in blocked, total))
                        inflight.add(task)
                        task.add_done_callback(inflight.discard)
                    if items:
                        continue
                    if not inflight:
                        if until_idle:
                            break
                        waiter = stop.wait() if stop is not None else asyncio.sleep(idle)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(waiter, idle)
                        continue
                await asyncio.wait(set(inflight), timeout=idle,
                                   return_when=asyncio.FIRST_COMPLETED)
        return total

    async def drain(self) -> DrainStats:
        """Send until nothing is due (tests, benchmarks and the scheduler's periodic job)."""
        return await self.pump(until_idle=True)

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> DrainStats:
        """Keep sending until `stop` is set (a dedicated delivery loop)."""
        return await self.pump(stop, idle=idle)

    async def _record(self, action: Callable[[AsyncSession], Awaitable[None]]) -> None:
        async with self.sessions() as session, session.begin():
            await action(session)

    async def _deliver(self, item: OutboxItem, blocked: bool, stats: DrainStats) -> bool:
        """Send one message and record the outcome; True when the chat turned out blocked."""
        owner = self.owner
        if self.clock.now() >= item.lease_until - LEASE_MARGIN:
            stats.expired += 1  # another worker may own it now: never risk a second send
            return blocked
        if blocked:
            stats.blocked += 1
            await self._blocked(item, "chat inactive")
            return True
        try:
            async with self._chat_limiter(item.chat_id), self._global:
                message = await self._send(item)
        except TelegramRetryAfter as exc:
            stats.throttled += 1
            metrics.record_send_error("throttled")
            wait = timedelta(seconds=exc.retry_after)
            until = self._hold_until[item.chat_id] = self.clock.now() + wait
            self._reserved[item.id] = until  # back at the head of its chat, not its tail
            await self._retry(item, wait,
                              f"429 retry after {exc.retry_after}")
        except TelegramForbiddenError as exc:
            stats.blocked += 1
            metrics.record_send_error("blocked")
            await self._blocked(item, exc.message)
            return True
        except (TelegramServerError, TelegramNetworkError) as exc:
            metrics.record_send_error("server" if isinstance(exc, TelegramServerError)
                                      else "network")
            await self._transient(item, f"{type(exc).__name__}: {exc.message}", stats)
        except TelegramAPIError as exc:
            stats.failed += 1
            metrics.record_send_error("refused")
            stats.errors.append(exc.message)
            await self._failed(item, exc.message)
        else:
            stats.sent += 1
            metrics.OUTBOX_SENT.inc()
            message_id = message.message_id if isinstance(message, Message) else None
            await self._record(lambda s: outbox.mark_sent(
                s, item.id, owner=owner, now=self.clock.now(), telegram_message_id=message_id))
        return False

    async def _held(self, item: OutboxItem) -> bool:
        """True (and the message put back, not counted as an attempt) while its chat waits out
        a 429: a message must not overtake an earlier one of its chat that Telegram throttled."""
        now = self.clock.now()
        until = self._hold_until.get(item.chat_id)
        if until is None or until <= now:
            self._hold_until.pop(item.chat_id, None)
            return False
        self._reserved[item.id] = until  # its place: right behind the throttled one
        await self._record(lambda s: outbox.defer(s, item.id, owner=self.owner, at=until))
        self.deferred += 1
        return True

    async def _retry(self, item: OutboxItem, delay: timedelta, error: str) -> None:
        at = self.clock.now() + delay
        await self._record(lambda s: outbox.mark_retry(s, item.id, owner=self.owner, at=at,
                                                       error=error))

    async def _blocked(self, item: OutboxItem, reason: str) -> None:
        await self._record(lambda s: outbox.mark_blocked(
            s, item.id, item.chat_id, owner=self.owner, now=self.clock.now(), reason=reason))

    async def _failed(self, item: OutboxItem, error: str) -> None:
        await self._record(lambda s: outbox.mark_failed(s, item.id, owner=self.owner,
                                                        error=error))

    async def _transient(self, item: OutboxItem, error: str, stats: DrainStats) -> None:
        if item.attempts >= MAX_ATTEMPTS:
            stats.failed += 1
            stats.errors.append(error)
            log.warning("outbox %s failed after %d attempts: %s", item.id, item.attempts, error)
            await self._failed(item, error)
            return
        stats.retried += 1
        await self._retry(item, backoff(item.attempts), error)

    def _markup(self, payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
        events = payload.get("alerts") or []
        return alert_keyboard([(int(e[0]), str(e[1])) for e in events],
                              str(payload.get("lang") or "ru"))

    async def _attachment(self, item: OutboxItem) -> tuple[bytes, str] | None:
        """The bytes to upload: the row's own, or those of the row named by `attachment_of`
        (a digest chart is stored once and shared by every recipient's message)."""
        if item.attachment is not None:
            return item.attachment, item.attachment_name or "file"
        ref = str(item.payload.get("attachment_of") or "")
        if not ref:
            return None
        if ref not in self._blobs:
            async with self.sessions() as session:
                self._blobs[ref] = await outbox.attachment_of(session, ref)
            while len(self._blobs) > 32:
                self._blobs.pop(next(iter(self._blobs)))
        return self._blobs[ref]

    async def _send_media(self, item: OutboxItem, markup: InlineKeyboardMarkup | None,
                          parse_mode: str | None) -> Any:
        """Upload a shared attachment once, then reuse Telegram's file_id for everyone else."""
        ref = str(item.payload.get("attachment_of") or "")
        if not ref:
            return await self._upload(item, markup, parse_mode, None)
        async with self._upload_locks.setdefault(ref, asyncio.Lock()):
            file_id = self._file_ids.get(ref)
            if file_id is None:
                return await self._upload(item, markup, parse_mode, ref)
        send = self.bot.send_photo if item.kind == "photo" else self.bot.send_document
        return await send(item.chat_id, file_id, caption=item.payload.get("caption"),
                          parse_mode=parse_mode, reply_markup=markup)

    async def _upload(self, item: OutboxItem, markup: InlineKeyboardMarkup | None,
                      parse_mode: str | None, ref: str | None) -> Any:
        caption = item.payload.get("caption")
        blob = await self._attachment(item)
        if blob is None:  # the shared attachment was pruned: the text still goes out
            return await self.bot.send_message(item.chat_id, str(caption or ""),
                                               parse_mode=parse_mode, reply_markup=markup)
        send = self.bot.send_photo if item.kind == "photo" else self.bot.send_document
        sent = await send(item.chat_id, BufferedInputFile(*blob), caption=caption,
                          parse_mode=parse_mode, reply_markup=markup)
        if ref is not None and isinstance(sent, Message):
            file_id = (sent.photo[-1].file_id if sent.photo else
                       sent.document.file_id if sent.document else None)
            if file_id:
                self._file_ids[ref] = file_id
        return sent

    async def _send(self, item: OutboxItem) -> Any:
        payload = item.payload
        markup = self._markup(payload)
        parse_mode = payload.get("parse_mode")
        if item.kind == "text":
            return await self.bot.send_message(item.chat_id, str(payload["text"]),
                                               parse_mode=parse_mode, reply_markup=markup)
        return await self._send_media(item, markup, parse_mode)
