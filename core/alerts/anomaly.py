"""Cost anomalies of the org's total and of each provider's series, recent ones only.

Days users marked planned / expected (`anomaly_exclusions`) are excluded from the detector, so
an acknowledged pattern stops alerting.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.alerts.base import AlertCandidate, RuleContext
from core.analytics.anomalies import DetectorSettings, detect
from core.analytics.series import SeriesError
from core.db.models import AnomalyExclusion
from core.services import costs

__all__ = ["HISTORY_DAYS", "RECENT_DAYS", "evaluate", "excluded_days"]

HISTORY_DAYS = 90
RECENT_DAYS = 3


async def excluded_days(rc: RuleContext, series_key: str) -> frozenset[date]:
    rows = await rc.session.execute(select(AnomalyExclusion.day).where(
        AnomalyExclusion.org_id == rc.org_id, AnomalyExclusion.series_key == series_key))
    return frozenset(rows.scalars())


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    end = rc.today - timedelta(days=1)
    start = end - timedelta(days=HISTORY_DAYS - 1)
    series = {"org": await costs.daily(rc.session, rc.org_id, start, end)}
    by_provider = await costs.daily_by(rc.session, rc.org_id, start, end,
                                       costs.Dimension.PROVIDER)
    series.update({f"provider:{p}": s for p, s in by_provider.items() if p})
    settings = DetectorSettings(**dict(rc.settings.get("anomaly_detector") or {}))
    found: list[AlertCandidate] = []
    for key, points in series.items():
        try:
            detection = detect(points, settings, excluded=await excluded_days(rc, key))
        except SeriesError:
            continue  # too little history yet
        for anomaly in detection.anomalies:
            if anomaly.end < end - timedelta(days=RECENT_DAYS - 1):
                continue
            provider = key.split(":", 1)[1] if key.startswith("provider:") else None
            found.append(AlertCandidate(
                "anomaly", "warning" if anomaly.direction > 0 else "info",
                f"anomaly:{key}:{anomaly.kind}:{anomaly.start}", provider=provider,
                money={"actual": anomaly.actual, "expected": anomaly.expected,
                       "delta": abs(anomaly.delta)},
                dates={"start": anomaly.start, "end": anomaly.end},
                values={"series": key, "kind": anomaly.kind, "direction": anomaly.direction}))
    return found
