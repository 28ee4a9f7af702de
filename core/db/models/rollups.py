"""Daily rollups of cost lines: what answers, digests, briefs, budgets and alerts read.

One row per org × day × connection × provider × service (and its category) × project ×
team × environment × region × currency, with the sums of billed and effective cost and how
many lines they summarise. `core.services.rollups` keeps it equal to a GROUP BY over
`cost_lines` (joined with `resources` for project, team and environment) in the same
transaction as every write that changes those lines or a resource's grouping; connection
and organisation deletions cascade.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId
from core.db.types import CostMoney


class CostRollup(Base):
    """The daily sum of the lines sharing one grouping key (see the module doc)."""

    __tablename__ = "cost_rollups"
    __table_args__ = (
        Index("ix_cost_rollups_org_day", "org_id", "day"),
        Index("ix_cost_rollups_org_conn_day", "org_id", "connection_id", "day"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(32))
    service_name: Mapped[str | None] = mapped_column(String(128))
    service_category: Mapped[str | None] = mapped_column(String(64))
    region_id: Mapped[str | None] = mapped_column(String(64))
    # the resource's project, else the line's sub-account name (as costs.py groups "project")
    project: Mapped[str | None] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(100))
    environment: Mapped[str | None] = mapped_column(String(32))
    billing_currency: Mapped[str] = mapped_column(String(3))
    billed_cost: Mapped[Decimal] = mapped_column(CostMoney())
    effective_cost: Mapped[Decimal] = mapped_column(CostMoney())
    lines: Mapped[int] = mapped_column(Integer)


class ServiceRollup(Base):
    """`cost_rollups` summed over project, team, environment and region: the daily sum per
    connection × provider × service (and its category) × currency.

    About 25× fewer rows than `cost_rollups` on a large account (800 keys a day become 35), so
    what needs only these columns — totals, the spend and its split by provider or service,
    daily series and the anomaly detector's 13 months by service — reads it instead. Kept by
    `core.services.rollups` from the `cost_rollups` slice it has just recomputed.
    """

    __tablename__ = "cost_service_rollups"
    __table_args__ = (
        Index("ix_cost_service_rollups_org_day", "org_id", "day"),
        Index("ix_cost_service_rollups_org_conn_day", "org_id", "connection_id", "day"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(32))
    service_name: Mapped[str | None] = mapped_column(String(128))
    service_category: Mapped[str | None] = mapped_column(String(64))
    billing_currency: Mapped[str] = mapped_column(String(3))
    billed_cost: Mapped[Decimal] = mapped_column(CostMoney())
    effective_cost: Mapped[Decimal] = mapped_column(CostMoney())
    lines: Mapped[int] = mapped_column(Integer)
