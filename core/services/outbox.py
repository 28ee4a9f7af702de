"""The outbox: every message leaves through a row written in the same transaction as its cause.

Lifecycle of a row (`status`):
    pending ──claim──▶ sending ──▶ sent
       ▲                  │ ├──▶ failed    (Telegram refused it for good, or retries ran out)
       └──── retry ◀──────┘ └──▶ blocked   (the chat blocked the bot: 403)
A claimed row carries a lease; a worker that dies while holding it loses it after the lease
expires and the row is claimed again (see `core.services.leases`). The dedup key is unique:
enqueueing the same key twice keeps one row, so one cause never makes two messages.

Payload keys the sender reads: `text` (kind text) or `caption` (photo, document);
`parse_mode` (absent = plain text, so names with `<` are safe); `lang`; `alerts`
(`[[event_id, rule], …]`: buttons under the message); `attachment_of` (the dedup key of the
message holding the bytes, so one chart serves many recipients).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import BoundChat, ChatStatus, OutboxMessage
from core.services.leases import claim_rows

__all__ = ["DEFAULT_LEASE", "MAX_ATTEMPTS", "OutboxItem", "attachment_of", "chat_blocked",
           "claim_batch", "defer", "enqueue", "mark_blocked", "mark_failed", "mark_retry",
           "mark_sent",
           "status_counts"]

DEFAULT_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed message, detached from the session that claimed it."""

    id: int
    org_id: int | None
    chat_id: int
    kind: str
    dedup_key: str
    payload: dict[str, Any]
    attachment: bytes | None
    attachment_name: str | None
    attempts: int
    lease_until: datetime


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def enqueue(session: AsyncSession, *, chat_id: int, kind: str, dedup_key: str,
                  payload: dict[str, Any], now: datetime, org_id: int | None = None,
                  attachment: bytes | None = None, attachment_name: str | None = None,
                  not_before: datetime | None = None) -> bool:
    """Add a message unless its dedup key is already there; True when a row was added.

    Runs in the caller's transaction, so the message exists exactly when its cause does.
    """
    if kind not in ("text", "photo", "document"):
        raise ValueError(f"unknown outbox kind {kind!r}: text, photo or document")
    statement = _insert(session)(OutboxMessage).values(
        org_id=org_id, chat_id=chat_id, kind=kind, dedup_key=dedup_key[:200], payload=payload,
        attachment=attachment, attachment_name=attachment_name, status="pending", attempts=0,
        next_attempt_at=not_before or now, created_at=now,
    ).on_conflict_do_nothing(index_elements=["dedup_key"]).returning(OutboxMessage.id)
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def claim_batch(session: AsyncSession, *, owner: str, now: datetime, limit: int = 100,
                      lease: timedelta = DEFAULT_LEASE) -> list[OutboxItem]:
    """Lease up to `limit` due messages to `owner`, groups first, then oldest first; the
    caller commits."""
    ids = await claim_rows(
        session, OutboxMessage, owner=owner, now=now, ttl=lease, limit=limit,
        where=[OutboxMessage.status.in_(("pending", "sending")),
               or_(OutboxMessage.next_attempt_at.is_(None),
                   OutboxMessage.next_attempt_at <= now)],
        # groups first (a negative chat id), then oldest first. A group sends one message in
        # three seconds: served first, its backlog paces out alongside everyone else's instead
        # of after it (10 groups take ~3 of the 28 messages a second, private chats the rest).
        # Inside a chat, oldest first: a message put back keeps its place.
        order_by=[case((OutboxMessage.chat_id < 0, 0), else_=1), OutboxMessage.id],
        values={"status": "sending", "attempts": OutboxMessage.attempts + 1})
    if not ids:
        return []
    rows = (await session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                  .order_by(OutboxMessage.id)
                                  .execution_options(populate_existing=True))).scalars()
    return [OutboxItem(r.id, r.org_id, r.chat_id, r.kind, r.dedup_key, dict(r.payload or {}),
                       r.attachment, r.attachment_name, r.attempts, now + lease) for r in rows]


def _mine(message_id: int, owner: str) -> Sequence[Any]:
    return (OutboxMessage.id == message_id, OutboxMessage.lease_owner == owner)


async def mark_sent(session: AsyncSession, message_id: int, *, owner: str, now: datetime,
                    telegram_message_id: int | None) -> None:
    await session.execute(update(OutboxMessage).where(*_mine(message_id, owner)).values(
        status="sent", sent_at=now, telegram_message_id=telegram_message_id, last_error=None,
        lease_owner=None, lease_expires_at=None))


async def mark_retry(session: AsyncSession, message_id: int, *, owner: str, at: datetime,
                     error: str) -> None:
    """Back to pending, due again at `at`; the lease is released."""
    await session.execute(update(OutboxMessage).where(*_mine(message_id, owner)).values(
        status="pending", next_attempt_at=at, last_error=error[:2000], lease_owner=None,
        lease_expires_at=None))


async def defer(session: AsyncSession, message_id: int, *, owner: str, at: datetime) -> None:
    """Back to pending until `at`, the claim not counted as an attempt: the sender's own
    per-chat schedule (a chat's backlog at 1/s) put it there, not a failure."""
    await session.execute(update(OutboxMessage).where(*_mine(message_id, owner)).values(
        status="pending", next_attempt_at=at, attempts=OutboxMessage.attempts - 1,
        lease_owner=None, lease_expires_at=None))


async def mark_failed(session: AsyncSession, message_id: int, *, owner: str,
                      error: str) -> None:
    await session.execute(update(OutboxMessage).where(*_mine(message_id, owner)).values(
        status="failed", last_error=error[:2000], lease_owner=None, lease_expires_at=None))


async def mark_blocked(session: AsyncSession, message_id: int, chat_id: int, *, owner: str,
                       now: datetime, reason: str) -> None:
    """The chat refused us (403): this message and the chat's pending ones stop, the chat and
    any group binding become inactive."""
    await session.execute(update(OutboxMessage).where(*_mine(message_id, owner)).values(
        status="blocked", last_error=reason[:2000], lease_owner=None, lease_expires_at=None))
    await session.execute(update(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending").values(
        status="blocked", last_error=reason[:2000]))
    insert = _insert(session)
    await session.execute(insert(ChatStatus).values(
        chat_id=chat_id, is_active=False, reason=reason[:200], changed_at=now)
        .on_conflict_do_update(index_elements=["chat_id"], set_={
            "is_active": False, "reason": reason[:200], "changed_at": now}))
    await session.execute(update(BoundChat).where(BoundChat.chat_id == chat_id)
                          .values(is_active=False))


async def chat_blocked(session: AsyncSession, chat_ids: Sequence[int]) -> set[int]:
    """Which of `chat_ids` are known to have blocked the bot."""
    rows = await session.execute(select(ChatStatus.chat_id).where(
        ChatStatus.chat_id.in_(list(chat_ids)), ChatStatus.is_active.is_(False)))
    return set(rows.scalars())


async def attachment_of(session: AsyncSession, dedup_key: str) -> tuple[bytes, str] | None:
    """The attachment stored on the message with `dedup_key` (shared by later messages)."""
    row = (await session.execute(select(OutboxMessage.attachment, OutboxMessage.attachment_name)
                                 .where(OutboxMessage.dedup_key == dedup_key))).first()
    if row is None or row[0] is None:
        return None
    return row[0], row[1] or "file"


async def status_counts(session: AsyncSession, org_id: int | None = None) -> dict[str, int]:
    """Delivery state of the outbox (for the admin view and the tests)."""
    from sqlalchemy import func

    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if org_id is not None:
        query = query.where(OutboxMessage.org_id == org_id)
    return {status: count for status, count in (await session.execute(query)).all()}
