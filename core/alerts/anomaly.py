"""Cost anomalies of recent days, from `core.services.anomaly_service` (org, connection,
provider and service series; days marked planned are left alone; one event per real anomaly,
in its narrowest series, with the services that drove it)."""

from __future__ import annotations

from datetime import timedelta

from core.alerts.base import AlertCandidate, RuleContext
from core.services.anomaly_service import detect_anomalies

__all__ = ["RECENT_DAYS", "evaluate"]

RECENT_DAYS = 3


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    since = rc.today - timedelta(days=RECENT_DAYS)
    # series that cannot be judged come back as reasons (the digest tells them), never raise
    found = await detect_anomalies(rc.session, rc.org_id, rc.clock, since=since)
    out: list[AlertCandidate] = []
    for f in found:
        a = f.anomaly
        provider = f.key if f.scope == "provider" else None
        driver = f.services[0].key if f.services else (f.label or "")
        out.append(AlertCandidate(
            "anomaly", "warning" if a.direction > 0 else "info",
            f"anomaly:{f.series_key}:{a.kind}:{a.start}", provider=provider,
            connection_id=int(f.key) if f.scope == "connection" else None,
            money={"actual": a.actual, "expected": a.expected, "delta": abs(a.delta)},
            dates={"start": a.start, "end": a.end},
            values={"series": f.series_key, "label": f.label, "kind": a.kind,
                    "direction": a.direction, "driver": driver, "rate": a.rate,
                    "also_in": list(f.also_in)}))
    return out
