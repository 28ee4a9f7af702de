"""What a rule sees and what it returns: a candidate event with a severity and a dedup key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock

__all__ = ["SEVERITIES", "AlertCandidate", "RuleContext", "severity_rank"]

SEVERITIES = ("info", "warning", "critical")


def severity_rank(severity: str) -> int:
    """info 0 < warning 1 < critical 2; unknown counts as warning."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else 1


@dataclass(frozen=True)
class RuleContext:
    """One evaluation of one organisation, at one moment, in its time zone."""

    session: AsyncSession
    org_id: int
    clock: Clock
    now: datetime
    today: date
    currency: str
    settings: dict[str, Any]


@dataclass
class AlertCandidate:
    """An event a rule would raise; `money`, `dates`, `values` feed the message template."""

    rule: str
    severity: str
    dedup_key: str
    connection_id: int | None = None
    resource_id: int | None = None
    provider: str | None = None
    project: str | None = None
    money: dict[str, Decimal] = field(default_factory=dict)
    dates: dict[str, date] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def payload(self, currency: str) -> dict[str, Any]:
        """JSON-safe: money as strings of Decimal, dates in ISO form."""
        return {"currency": currency,
                "money": {k: str(v) for k, v in self.money.items()},
                "dates": {k: v.isoformat() for k, v in self.dates.items()},
                "values": self.values}
