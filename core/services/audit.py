"""Writes the audit trail: changes of connections, roles, budgets and superadmin actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import AuditEntry

__all__ = ["audit"]


async def audit(session: AsyncSession, action: str, *, org_id: int | None,
                actor_telegram_id: int | None, object_type: str | None = None,
                object_id: object = None, as_superadmin: bool = False,
                **details: Any) -> None:
    """Record one action; `details` must never contain secrets."""
    session.add(AuditEntry(org_id=org_id, actor_telegram_id=actor_telegram_id, action=action,
                           object_type=object_type,
                           object_id=None if object_id is None else str(object_id),
                           details=details, as_superadmin=as_superadmin))
