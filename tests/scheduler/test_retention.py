"""Retention prunes delivered messages and old history, keeps what is pending or recent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.db.models import OutboxMessage
from core.jobs.retention import KEEP, prune
from core.services import outbox
from tests.scheduler.conftest import Deps, runtime


async def test_old_delivered_messages_are_pruned_pending_and_recent_ones_stay(
        sqlite_deps: Deps) -> None:
    deps = sqlite_deps
    old = deps.clock.now() - KEEP["outbox"] - timedelta(days=1)
    async with deps.sessions() as s, s.begin():
        for key, status in (("old-sent", "sent"), ("old-pending", "pending"),
                            ("new-sent", "sent")):
            await outbox.enqueue(s, chat_id=1, kind="text", dedup_key=key,
                                 payload={"text": key},
                                 now=old if key.startswith("old") else deps.clock.now())
            await s.execute(update(OutboxMessage).where(OutboxMessage.dedup_key == key)
                            .values(status=status))
    removed = await prune(runtime(deps, "w"))
    assert removed["outbox"] == 1
    async with deps.sessions() as s:
        left = sorted((await s.execute(select(OutboxMessage.dedup_key))).scalars())
    assert left == ["new-sent", "old-pending"]
    assert await prune(runtime(deps, "other")) == {}  # another worker holds tonight's lease
