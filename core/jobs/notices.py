"""One-off notices to an organisation's owners and admins (a paused connection …)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Membership, Organization, User
from core.domain.language import normalise_language
from core.ports import JobRendering
from core.services import outbox

__all__ = ["notify_admins"]


async def notify_admins(session: AsyncSession, render: JobRendering, org_id: int, key: str, *,
                        now: datetime, dedup: str, **params: object) -> int:
    """Enqueue notice `key` to each owner and admin in their language; returns the count."""
    org = await session.get(Organization, org_id)
    rows = (await session.execute(
        select(User.telegram_id, User.language).join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org_id, Membership.role.in_(("owner", "admin")),
               User.is_blocked.is_(False)))).all()
    count = 0
    for telegram_id, language in rows:
        lang = normalise_language(language or (org.language if org else None))
        text = render.notice(key, lang, **params)
        count += await outbox.enqueue(session, chat_id=telegram_id, kind="text", org_id=org_id,
                                      dedup_key=f"notice:{dedup}:{telegram_id}",
                                      payload={"text": text, "lang": lang}, now=now)
    return count
