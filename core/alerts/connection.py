"""A connection failing to sync: told once per failing stretch (keyed by its last success)."""

from __future__ import annotations

from sqlalchemy import select

from core.alerts.base import AlertCandidate, RuleContext
from core.db.models import Connection

__all__ = ["FAILURES", "evaluate"]

FAILURES = 2


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    threshold = int(rc.settings.get("connection_failures_alert") or FAILURES)
    conns = (await rc.session.execute(select(Connection).where(
        Connection.org_id == rc.org_id, Connection.status != "deleted",
        Connection.consecutive_failures >= threshold))).scalars().all()
    found: list[AlertCandidate] = []
    for conn in conns:
        since = conn.last_success_at.isoformat() if conn.last_success_at else "never"
        severity = ("critical" if conn.last_error_code in ("bad_credentials", "no_permission")
                    or conn.status == "paused" else "warning")
        found.append(AlertCandidate(
            "connection", severity, f"connection:{conn.id}:{since}", connection_id=conn.id,
            provider=conn.kind,
            values={"name": conn.name, "failures": conn.consecutive_failures,
                    "error": conn.last_error_code or "provider_error"}))
    return found
