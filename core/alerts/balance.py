"""Low balance on prepaid accounts: N days of spend left (default 7 and 3) and the top-up."""

from __future__ import annotations

from core.alerts.base import AlertCandidate, RuleContext
from core.services.runway import runway

__all__ = ["DEFAULT_DAYS", "evaluate"]

DEFAULT_DAYS = (7, 3)


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    levels = sorted(int(d) for d in rc.settings.get("runway_alert_days") or DEFAULT_DAYS)
    view = await runway(rc.session, rc.org_id, rc.clock)
    week = rc.today.isocalendar()
    found: list[AlertCandidate] = []
    for row in view.rows:
        if row.days_left is None:
            continue
        crossed = [d for d in levels if row.days_left <= d]
        if not crossed:
            continue
        level = min(crossed)
        severity = "critical" if level == levels[0] or row.days_left <= 0 else "warning"
        dates = {"block_date": row.block_date} if row.block_date else {}
        found.append(AlertCandidate(
            "balance", severity,
            f"balance:{row.connection_id}:{level}:{week.year}-W{week.week:02d}",
            connection_id=row.connection_id, provider=row.provider,
            money={"balance": row.balance, "burn": row.burn_rate, "top_up": row.top_up},
            dates=dates,
            values={"name": row.name, "days_left": row.days_left,
                    "target_days": row.target_days}))
    return found
