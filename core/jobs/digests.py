"""Daily digests at each recipient's local time (their time zone, else the organisation's).

Runs every few minutes: a member is due once their local clock passes their digest hour
(default 09:00) and no digest of that local date exists in the outbox (the dedup key
`digest:<org>:<user>:<date>` makes a re-run, or a second worker, harmless). The data and the
chart are computed once per organisation, date and language; the chart's bytes are stored on
the first recipient's message and shared by the others (`attachment_of`). An org whose costs
a file import is switching right now (`core.services.updating`) waits for a later run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.routing import DEFAULT_ROLES
from core.db.errors import log_failure
from core.db.models import Membership, NotificationPreference, Organization, OutboxMessage, User
from core.domain.language import normalise_language
from core.jobs.runtime import JobRuntime
from core.ports import DigestMessage
from core.services import outbox
from core.services.digest import DigestData, build_digest
from core.services.updating import swap_under_way

__all__ = ["DEFAULT_HOUR", "Recipient", "due_recipients", "send_digests"]

log = logging.getLogger(__name__)

DEFAULT_HOUR = 9


@dataclass(frozen=True)
class Recipient:
    org_id: int
    user_id: int
    chat_id: int
    lang: str
    local_date: date

    @property
    def dedup_key(self) -> str:
        return f"digest:{self.org_id}:{self.user_id}:{self.local_date.isoformat()}"


async def due_recipients(session: AsyncSession, now: datetime) -> list[Recipient]:
    """Members whose digest hour has come today in their time zone and who have none yet."""
    rows = (await session.execute(
        select(Membership.role, User, NotificationPreference, Organization)
        .join(User, User.id == Membership.user_id)
        .join(Organization, Organization.id == Membership.org_id)
        .outerjoin(NotificationPreference, (NotificationPreference.user_id == User.id)
                   & (NotificationPreference.org_id == Membership.org_id))
        .where(User.is_blocked.is_(False), Organization.is_demo.is_(False))
        .order_by(Membership.org_id, User.id))).all()
    due: list[Recipient] = []
    for role, user, pref, org in rows:
        if (pref is None and role not in DEFAULT_ROLES) or (pref and not pref.digest_enabled):
            continue
        local = now.astimezone(ZoneInfo(user.timezone or org.timezone))
        if local.hour < (pref.digest_hour if pref else DEFAULT_HOUR):
            continue
        due.append(Recipient(org.id, user.id, user.telegram_id,
                             normalise_language(user.language or org.language), local.date()))
    sent: set[str] = set()
    for i in range(0, len(due), 500):
        keys = [r.dedup_key for r in due[i:i + 500]]
        sent.update((await session.execute(select(OutboxMessage.dedup_key).where(
            OutboxMessage.dedup_key.in_(keys)))).scalars())
    return [r for r in due if r.dedup_key not in sent]


async def _enqueue(session: AsyncSession, rt: JobRuntime, data: DigestData,
                   recipients: list[Recipient]) -> int:
    now = rt.clock.now()
    count = 0
    messages: dict[str, DigestMessage] = {}
    holders: dict[str, str] = {}
    for r in recipients:
        if r.lang not in messages:
            messages[r.lang] = rt.render.digest(data, r.lang)
        message = messages[r.lang]
        payload: dict[str, object] = {"caption": message.caption, "lang": r.lang}
        chart: bytes | None = None
        if r.lang in holders:
            payload["attachment_of"] = holders[r.lang]
        else:  # this row holds the bytes; naming itself lets the sender cache the file_id
            chart = await rt.render.digest_chart(data, r.lang)
            payload["attachment_of"] = r.dedup_key
        added = await outbox.enqueue(session, chat_id=r.chat_id, kind="photo",
                                     dedup_key=r.dedup_key, payload=payload, now=now,
                                     org_id=r.org_id, attachment=chart,
                                     attachment_name="digest.png" if chart else None)
        if added and chart is not None:
            holders[r.lang] = r.dedup_key
        if added and message.truncated:
            await outbox.enqueue(session, chat_id=r.chat_id, kind="text", now=now,
                                 dedup_key=f"{r.dedup_key}:text", org_id=r.org_id,
                                 payload={"text": message.text, "lang": r.lang})
        count += added
    return count


async def send_digests(rt: JobRuntime) -> int:
    """Enqueue every due digest; returns how many recipients got one."""
    now = rt.clock.now()
    async with rt.sessions() as session:
        due = await due_recipients(session, now)
    groups: dict[tuple[int, date], list[Recipient]] = defaultdict(list)
    for r in due:
        groups[(r.org_id, r.local_date)].append(r)
    total = 0
    for (org_id, local_date), recipients in groups.items():
        try:
            async with rt.sessions() as session, session.begin():
                if await swap_under_way(session, org_id):  # still due at the next tick
                    log.info("digest of org %s waits for a file import's swap", org_id)
                    continue
                data = await build_digest(session, org_id, local_date - timedelta(days=1),
                                          rt.clock)
                total += await _enqueue(session, rt, data, recipients)
        except Exception:
            log_failure(log, "digest of org %s for %s failed", org_id, local_date)
    return total
